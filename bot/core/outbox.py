"""The outbox: every message to a member is a row first, written in the same transaction as
the change it announces; the dispatcher delivers it later, once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.notices import AboutRequest, DeliveryFailed, Notice, NoticeKind, encode
from bot.core.request_states import is_active
from bot.core.services import Services
from bot.core.types import NewChoice, NewMessage, OutboxMessage
from storage.db import UnitOfWork

MAX_ATTEMPTS = 8
# A message still not delivered after MAX_ATTEMPTS, or refused for good, is never dropped: it
# stays pending with its reason, is tried again this often (a route may come back: the member
# writes again, the network is back), and no longer holds back the later messages of its chat.
STUCK_RETRY = timedelta(hours=1)
# A platform that asks to slow down (a rate limit) is obeyed without counting an attempt, for
# this long after the message was due; then it is given up like any other failure.
RATE_LIMIT_PATIENCE = timedelta(hours=6)
LOCK_DURATION = timedelta(minutes=2)

# Notices queued for the whole network at once: delivered after the messages of a conversation
# (offers, relays, claims), so that an announcement to thousands does not hold those back.
BULK_KINDS = frozenset(
    {
        NoticeKind.SESSION_ANNOUNCE,
        NoticeKind.SESSION_REMINDER,
        NoticeKind.SESSION_CHANGED,
        NoticeKind.SESSION_CANCELLED,
        NoticeKind.SESSION_ATTENDANCE,
        NoticeKind.SESSION_NOTES,
        NoticeKind.DIGEST,
    }
)


async def notify(
    uow: UnitOfWork,
    now: datetime,
    recipient_id: int,
    notice: Notice,
    *,
    dedup_key: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue a message inside an open unit of work; false if `dedup_key` was already queued."""
    kind, params = encode(notice)
    return await uow.outbox.enqueue(
        recipient_id=recipient_id,
        kind=kind,
        params=params,
        now=now,
        not_before=not_before,
        dedup_key=dedup_key,
    )


def new_message(
    recipient_id: int | None,
    notice: Notice,
    *,
    dedup_key: str | None = None,
    target: tuple[str, str] | None = None,
) -> NewMessage:
    """A notice to queue with `notify_many`: for a member, or for a chat `target`."""
    kind, params = encode(notice)
    return NewMessage(recipient_id, kind, params, dedup_key=dedup_key, target=target)


async def notify_many(uow: UnitOfWork, now: datetime, messages: list[NewMessage]) -> int:
    """Queue several messages inside an open unit of work, in one statement (those whose
    `dedup_key` was already queued are skipped); returns how many were queued."""
    if not messages:
        return 0
    return await uow.outbox.enqueue_many(messages, now=now)


async def notify_coordinators(
    uow: UnitOfWork,
    now: datetime,
    notice: Notice,
    *,
    dedup_prefix: str,
    except_member: int | None = None,
) -> int:
    """Queue the same message for every coordinator but `except_member` (once each per
    `dedup_prefix`)."""
    messages = [
        new_message(coordinator.id, notice, dedup_key=f"{dedup_prefix}:{coordinator.id}")
        for coordinator in await uow.members.coordinators()
        if coordinator.id != except_member
    ]
    return await notify_many(uow, now, messages)


async def announce(
    uow: UnitOfWork,
    now: datetime,
    channels: tuple[tuple[str, str], ...],
    notice: Notice,
    *,
    dedup_prefix: str,
) -> None:
    """Queue a message for each announcement chat (e.g. the network's group), once each."""
    messages = [
        new_message(
            None,
            notice,
            dedup_key=f"{dedup_prefix}:{platform}:{chat_id}",
            target=(platform, chat_id),
        )
        for platform, chat_id in channels
    ]
    await notify_many(uow, now, messages)


async def claim_due(
    services: Services,
    worker: str,
    limit: int = 50,
    *,
    takeover_after: timedelta | None = None,
) -> list[OutboxMessage]:
    """Lock a batch of due messages for this worker (and show it is alive, in the same
    transaction: a row is never locked by a worker the others cannot see).

    With `takeover_after`, the rows of a worker silent for that long are taken over.
    """
    now = services.clock.now()
    async with services.uow() as uow:
        await uow.outbox.heartbeat(worker, now)
        claimed = await uow.outbox.claim_due(
            now=now,
            worker=worker,
            lock_until=now + LOCK_DURATION,
            dead_before=now - takeover_after if takeover_after is not None else None,
            limit=limit,
            later_kinds=BULK_KINDS,
            stuck_at=MAX_ATTEMPTS,
        )
        await uow.commit()
    return claimed


async def heartbeat(services: Services, worker: str, *, forget_silent: bool = False) -> None:
    """Show that this worker is alive, so nobody takes its claimed rows over.

    `forget_silent` also drops the workers silent for a day (crashed ones leave their row).
    """
    now = services.clock.now()
    async with services.uow() as uow:
        await uow.outbox.heartbeat(worker, now)
        if forget_silent:
            await uow.outbox.forget_workers_silent_since(now - timedelta(days=1))
        await uow.commit()


async def leave(services: Services, worker: str) -> None:
    """A worker stopping cleanly: its claimed rows are free at once for the others."""
    async with services.uow() as uow:
        await uow.outbox.forget_worker(worker)
        await uow.commit()


async def begin_attempt(services: Services, message_id: int) -> None:
    """Record that the send of a message begins (before the platform is called)."""
    async with services.uow() as uow:
        await uow.outbox.mark_attempt(message_id, services.clock.now())
        await uow.commit()


async def defer(services: Services, message_id: int, delay: timedelta) -> None:
    """Leave a message to another worker for a while (its network is served there)."""
    async with services.uow() as uow:
        await uow.outbox.defer(message_id, until=services.clock.now() + delay)
        await uow.commit()


async def settle_sent(
    services: Services,
    message_id: int,
    *,
    platform: str,
    chat_id: str,
    ref: str,
    shown: NewChoice | None = None,
) -> None:
    """Record a delivery, so the message is never sent again (and, in the same transaction,
    what it showed, when a reply or a press may refer to it later)."""
    async with services.uow() as uow:
        await uow.outbox.mark_sent(
            message_id,
            platform=platform,
            chat_id=chat_id,
            delivery_ref=ref,
            now=services.clock.now(),
        )
        if shown is not None:
            await uow.choices.record(shown, services.clock.now())
        await uow.commit()


async def settle_skipped(services: Services, message_id: int, why: str) -> None:
    """A message that no longer makes sense (e.g. an offer already taken): never sent."""
    async with services.uow() as uow:
        await uow.outbox.mark_sent(
            message_id,
            platform="-",
            chat_id="-",
            delivery_ref=f"skipped: {why}",
            now=services.clock.now(),
        )
        await uow.commit()


def backoff(attempts: int) -> timedelta:
    """Delay before the next try: 2 s, 4 s, 8 s… capped at 15 minutes."""
    return timedelta(seconds=min(2 ** max(attempts, 1), 900))


class Failure(StrEnum):
    """What became of a message whose send failed."""

    RETRYING = "retrying"  # tried again soon
    STUCK = "stuck"  # cannot be delivered for now: kept, retried hourly, coordinators told
    STILL_STUCK = "still_stuck"  # was already stuck, and still is


async def settle_failure(
    services: Services,
    message: OutboxMessage,
    error: str,
    *,
    permanent: bool,
    retry_after: float | None = None,
    unreadable: bool = False,
) -> Failure:
    """Schedule a retry: soon, with backoff; or, after MAX_ATTEMPTS or a permanent error,
    every STUCK_RETRY, the message kept pending with its reason (`unreadable`: this version
    cannot word it, which the coordinators are told instead of "cannot be reached").

    A refusal that says when to try again (`retry_after`: a rate limit) is not counted as an
    attempt, within RATE_LIMIT_PATIENCE. When a message to a member becomes stuck, the
    coordinators other than that member are told (once a day per member).
    """
    now = services.clock.now()
    slowed_down = retry_after is not None and now - message.not_before < RATE_LIMIT_PATIENCE
    attempts = message.attempts + (0 if slowed_down else 1)
    async with services.uow() as uow:
        if not permanent and attempts < MAX_ATTEMPTS:
            delay = timedelta(seconds=retry_after) if retry_after is not None else backoff(attempts)
            await uow.outbox.mark_retry(
                message.id, retry_at=now + delay, error=error, counted=not slowed_down
            )
            await uow.commit()
            return Failure.RETRYING
        await uow.outbox.mark_retry(
            message.id, retry_at=now + STUCK_RETRY, error=error, at_least=MAX_ATTEMPTS
        )
        newly = message.attempts < MAX_ATTEMPTS
        if newly and message.kind == NoticeKind.OFFER:
            await _tell_author_offer_failed(uow, now, message)
        if newly and message.recipient_id is not None:
            await notify_coordinators(
                uow,
                now,
                DeliveryFailed(message.recipient_id, message.kind, unreadable=unreadable),
                dedup_prefix=(
                    f"{'unreadable' if unreadable else 'unreachable'}:"
                    f"{message.recipient_id}:{now.date().isoformat()}"
                ),
                except_member=message.recipient_id,
            )
        await uow.commit()
    return Failure.STUCK if newly else Failure.STILL_STUCK


# To a request's author, when the offer of their request to one helper could not be delivered.
OFFER_UNDELIVERED = NoticeKind.OFFER_UNDELIVERED


async def _tell_author_offer_failed(uow: UnitOfWork, now: datetime, message: OutboxMessage) -> None:
    """The author was told their request was being offered: they learn when one offer could
    not reach its helper (once per helper), while the request still waits for someone."""
    request_id = message.params.get("request_id")
    if not isinstance(request_id, int):
        return
    request = await uow.requests.get(request_id)
    if request is None or request.author_id is None or not is_active(request.status):
        return
    await notify(
        uow,
        now,
        request.author_id,
        AboutRequest(OFFER_UNDELIVERED, request_id),
        dedup_key=f"{OFFER_UNDELIVERED}:{request_id}:{message.recipient_id}",
    )


async def delivered_as(
    services: Services, platform: str, chat_id: str, ref: str
) -> OutboxMessage | None:
    """The message the bot delivered under this platform reference (what a reply answers)."""
    async with services.uow() as uow:
        return await uow.outbox.by_delivery(platform, chat_id, ref)


async def sent_to(services: Services, recipient_id: int, kind: NoticeKind) -> list[OutboxMessage]:
    """Messages of a kind queued for a member, oldest first."""
    async with services.uow() as uow:
        return await uow.outbox.find(recipient_id=recipient_id, kind=kind)
