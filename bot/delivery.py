"""The outbox dispatcher: delivers queued messages through the transports, once each.

It claims due rows (several workers can share the outbox), words each one for its recipient,
picks the recipient's preferred identity on a running transport, sends, and records the
result. Transient failures are retried with backoff; a message that still cannot be
delivered (too many failures, or refused for good) is never dropped: it stays pending with its
reason, tried again every hour, logged as an error, and the coordinators are told (through
their own chats). A row is marked sent right after the platform accepted it and is never
resent. On a network where a chat can stop being private (`PrivateRoutes`: Matrix), each
member's message first asks the transport where to send it, and a changed chat is recorded.

Several workers: each one shows it is alive (a heartbeat row); the rows claimed by a worker
silent for `takeover_after` are taken over by the others. A send that began before such a
worker died may have reached the platform: Matrix drops the repeat (the row's id is the
transaction id), Telegram has no such key, so the message may arrive twice there (logged).
A network served by another worker (`elsewhere`, e.g. Matrix on the elected worker) is left
to it.

Sends to different people overlap (up to the transport's `parallel_sends`): a claimed batch
holds at most one message per person or group chat, so the order within a chat is kept, and
the transport paces itself. Messages of a conversation (offers, relays) are claimed before
bulk notices (announcements, reminders, digests), so a fan-out does not hold them back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from datetime import timedelta
from typing import Any

from bot.chat.types import Outgoing
from bot.core import choices, members, outbox, routes
from bot.core.choices import Shown
from bot.core.notices import NoticeError
from bot.core.observe import Via
from bot.core.services import Services
from bot.core.types import Identity, MemberStatus, NewChoice, OutboxMessage, ShownAction
from bot.transports.base import DeliveryError, PrivateRoutes, Transport

log = logging.getLogger(__name__)

# How long a message for a network served by another worker is left to it before a new look.
ELSEWHERE_DELAY = timedelta(seconds=2)


class Dispatcher:
    """Delivers the outbox through the running transports."""

    def __init__(
        self,
        services: Services,
        transports: Mapping[str, Transport],
        *,
        worker: str | None = None,
        batch: int = 50,
        takeover_after: timedelta | None = None,
    ) -> None:
        self.services = services
        self.transports = dict(transports)
        self.elsewhere: set[str] = set()
        self.worker = worker or services.worker.name
        self.batch = batch
        self.takeover_after = takeover_after or services.worker.takeover_after
        self._wake = asyncio.Event()
        # One delivery pass at a time in this process: a caller that must see what is due
        # delivered (the terminal, after each line) waits for a pass already under way.
        self._pass = asyncio.Lock()

    def wake(self) -> None:
        """Deliver as soon as possible (something was just queued)."""
        self._wake.set()

    def serve(self, transport: Transport) -> None:
        """Deliver this transport's network from this worker (it was elected to run it)."""
        self.transports[transport.platform] = transport
        self.elsewhere.discard(transport.platform)

    def leave_to_another_worker(self, platform: str) -> None:
        """Leave this network's messages to the worker that runs it (this one stands by)."""
        self.transports.pop(platform, None)
        self.elsewhere.add(platform)

    async def run_once(self, *, until: Callable[[], bool] | None = None) -> int:
        """Deliver everything due now; returns how many messages were handled.

        `until` ends the pass early: once it answers true, no new batch is claimed (the
        sends under way still finish and are recorded).
        """
        async with self._pass:
            sending = _Sends()
            try:
                return await self._deliver_due(sending, until or (lambda: False))
            except asyncio.CancelledError:
                sending.cancel_all()  # a send hanging on a silent network must not hold a stop
                raise
            finally:
                await sending.wait_all()

    async def _deliver_due(self, sending: _Sends, until: Callable[[], bool]) -> int:
        handled = 0
        while not until():
            claimed = await outbox.claim_due(
                self.services,
                self.worker,
                self.batch,
                takeover_after=self.takeover_after,
            )
            if not claimed:
                if not sending.tasks:
                    return handled
                await sending.wait_any()  # a send that ends may free the next one of its chat
                continue
            for message in claimed:
                await self._deliver(message, sending)
                handled += 1
        return handled

    async def run_forever(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """Deliver until `stop` is set, waking every `interval` seconds or when told to."""
        while not stop.is_set():
            try:
                await self.run_once(until=stop.is_set)
            except Exception:
                log.exception("outbox dispatch failed; will retry")
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def keep_alive(self, stop: asyncio.Event, every: float) -> None:
        """Show this worker is alive every `every` seconds, even during a long delivery pass."""
        first = True
        while not stop.is_set():
            try:
                await outbox.heartbeat(self.services, self.worker, forget_silent=first)
                first = False
            except Exception as error:
                log.warning("heartbeat not recorded: %s", error)
            try:
                await asyncio.wait_for(stop.wait(), timeout=every)
            except TimeoutError:
                continue

    async def leave(self) -> None:
        """Stop cleanly: what this worker had claimed is free for the others at once."""
        await outbox.leave(self.services, self.worker)

    async def _deliver(self, message: OutboxMessage, sending: _Sends) -> None:
        """Word a claimed message and send it, at once or alongside the sends under way."""
        prepared = await self._prepare(message)
        if prepared is None:
            return
        transport, chat_id, rendered = prepared
        parallel = max(1, transport.parallel_sends)
        if parallel == 1:
            await self._send(message, transport, chat_id, rendered)
            return
        while sending.count(transport.platform) >= parallel:
            await sending.wait_any()
        sending.start(transport.platform, self._send_logged(message, transport, chat_id, rendered))

    async def _prepare(self, message: OutboxMessage) -> tuple[Transport, str, Outgoing] | None:
        """The transport, chat and wording of a message; None once it is settled otherwise."""
        if message.recipient_id is None:
            return await self._prepare_for_chat(message)
        services = self.services
        recipient = await members.get(services, message.recipient_id)
        if recipient is None or recipient.status is MemberStatus.LEFT:
            await outbox.settle_skipped(services, message.id, "recipient left")
            return None
        route = await self._route(message, recipient.id)
        if route is None:
            return None
        platform, chat_id, identity = route
        transport = self.transports[platform]
        # The wording of every notice kind is loaded by the first message due, not at start.
        from bot.chat.notifications import render

        try:
            prefix = transport.command_prefix
            rendered = await render(services, recipient, message, platform, prefix)
        except NoticeError as exc:
            await self._unreadable(message, exc, platform)
            return None
        except Exception as exc:
            log.exception("cannot word outbox message %s", message.id)
            await self._failed(message, f"render: {exc}", permanent=False, platform=platform)
            return None
        if rendered is None:
            await outbox.settle_skipped(services, message.id, "stale")
            return None
        if identity is not None:  # not an edit: only where only the member reads it
            private = await self._private_chat(message, transport, identity)
            if private is None:
                return None
            chat_id = private
        return transport, chat_id, rendered

    async def _route(
        self, message: OutboxMessage, recipient_id: int
    ) -> tuple[str, str, Identity | None] | None:
        """The platform and chat of a member's message: the chat it must go to (an edit goes
        where its message is), else the member's preferred identity on a running transport
        (returned too: its chat must still be private). None once the message is settled
        otherwise (left to another worker, or undeliverable).
        """
        services = self.services
        if message.target_platform is not None and message.target_chat is not None:
            platform = message.target_platform
            if platform in self.transports:
                return platform, message.target_chat, None
            if platform in self.elsewhere:
                await outbox.defer(services, message.id, ELSEWHERE_DELAY)
            else:
                await outbox.settle_skipped(services, message.id, f"{platform} not running")
            return None
        identity = next(
            (
                i
                for i in await members.identities(services.uow, recipient_id)
                if i.platform in self.transports or i.platform in self.elsewhere
            ),
            None,
        )
        if identity is not None and identity.platform not in self.transports:
            await outbox.defer(services, message.id, ELSEWHERE_DELAY)
            return None
        if identity is None:
            await self._failed(message, "no reachable identity", permanent=True)
            return None
        return identity.platform, identity.chat_id, identity

    async def _private_chat(
        self, message: OutboxMessage, transport: Transport, identity: Identity
    ) -> str | None:
        """Where the member's message may go (recorded when it changed); None once the
        failure to find a chat is settled."""
        if not isinstance(transport, PrivateRoutes):
            return identity.chat_id
        try:
            chat_id = await transport.private_chat(identity.platform_user_id, identity.chat_id)
        except DeliveryError as error:
            await self._failed(
                message,
                str(error),
                permanent=error.permanent,
                retry_after=error.retry_after,
                platform=transport.platform,
            )
            return None
        if chat_id != identity.chat_id:
            log.info(
                "member %s is reached in %s chat %s from now on (was %s: no longer private)",
                identity.member_id,
                identity.platform,
                chat_id,
                identity.chat_id,
            )
            await routes.move_chat(self.services, identity, chat_id)
        return chat_id

    async def _failed(
        self,
        message: OutboxMessage,
        error: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
        platform: str = "-",
        unreadable: bool = False,
    ) -> None:
        """Record a failure (and count it, on `platform` when the message had one); a message
        that becomes undeliverable is logged as an error."""
        outcome = await outbox.settle_failure(
            self.services,
            message,
            error,
            permanent=permanent,
            retry_after=retry_after,
            unreadable=unreadable,
        )
        self.services.observer.delivery_failed(platform, outcome.value)
        if outcome is outbox.Failure.STUCK:
            log.error(
                "outbox message %s (%s, member %s) cannot be delivered: %s; kept, tried again "
                "every %s, coordinators told",
                message.id,
                message.kind,
                message.recipient_id,
                error,
                outbox.STUCK_RETRY,
            )
        elif outcome is outbox.Failure.STILL_STUCK:
            log.warning("outbox message %s still cannot be delivered: %s", message.id, error)

    async def _unreadable(self, message: OutboxMessage, error: NoticeError, platform: str) -> None:
        """A row this version cannot word (an unknown kind, a payload that does not parse):
        never marked sent, kept pending with its reason like an undeliverable message."""
        log.error(
            "outbox message %s (%r, member %s) cannot be worded: %s",
            message.id,
            message.kind,
            message.recipient_id,
            error,
        )
        await self._failed(
            message, f"notice: {error}", permanent=True, platform=platform, unreadable=True
        )

    async def _prepare_for_chat(
        self, message: OutboxMessage
    ) -> tuple[Transport, str, Outgoing] | None:
        """An announcement for a chat (a group), worded in the network's default language."""
        services = self.services
        platform, chat_id = message.target_platform, message.target_chat
        if platform in self.elsewhere and platform not in self.transports:
            await outbox.defer(services, message.id, ELSEWHERE_DELAY)
            return None
        transport = self.transports.get(platform or "")
        if transport is None or chat_id is None:
            await self._failed(message, "no transport for chat", permanent=True)
            return None
        link = getattr(transport, "private_link", None)
        from bot.chat.notifications import render_for_chat  # see `render` above

        try:
            rendered = await render_for_chat(
                services,
                message,
                transport.platform,
                transport.command_prefix,
                private_link=link if isinstance(link, str) else None,
            )
        except NoticeError as exc:
            await self._unreadable(message, exc, transport.platform)
            return None
        if rendered is None:
            await outbox.settle_skipped(services, message.id, "stale")
            return None
        return transport, chat_id, rendered

    async def _send_logged(
        self, message: OutboxMessage, transport: Transport, chat_id: str, rendered: Outgoing
    ) -> None:
        """`_send` in a task of its own: a failure to record the result is logged (the row
        stays claimed, and is sent again once its lock ends)."""
        try:
            await self._send(message, transport, chat_id, rendered)
        except Exception:
            log.exception("outbox message %s: the result of its send was not recorded", message.id)

    async def _send(
        self, message: OutboxMessage, transport: Transport, chat_id: str, rendered: Outgoing
    ) -> None:
        services = self.services
        if message.attempted_at is not None:
            log.warning(
                "outbox message %s: a worker died while sending it; sending again "
                "(%s drops a repeat only if it supports idempotent sends)",
                message.id,
                transport.platform,
            )
        await outbox.begin_attempt(services, message.id)
        try:
            ref = await transport.send(chat_id, rendered, key=f"samu-outbox-{message.id}")
        except DeliveryError as error:
            await self._failed(
                message,
                str(error),
                permanent=error.permanent,
                retry_after=error.retry_after,
                platform=transport.platform,
            )
            return
        except Exception as exc:
            log.warning("delivery of outbox message %s failed: %s", message.id, exc)
            await self._failed(message, repr(exc), permanent=False, platform=transport.platform)
            return
        await outbox.settle_sent(
            services,
            message.id,
            platform=transport.platform,
            chat_id=chat_id,
            ref=ref,
            shown=_shown(message, transport.platform, chat_id, ref, rendered),
        )
        services.observer.sent(transport.platform, Via.OUTBOX)


def _shown(
    message: OutboxMessage, platform: str, chat_id: str, ref: str, rendered: Outgoing
) -> NewChoice | None:
    """What a delivered notice showed, to remember (its list, the request it is about)."""
    request_id = rendered.about or message.params.get("request_id")
    return choices.to_remember(
        Shown(
            platform=platform,
            chat_id=chat_id,
            message_ref=ref,
            origin=message.kind,
            answer=f"outbox:{message.id}",
            actions=tuple(ShownAction(a.label, a.payload) for a in rendered.actions),
            first_number=rendered.first_number,
            request_id=request_id if isinstance(request_id, int) else None,
            edit=rendered.edit_of is not None,
        ),
        message.recipient_id,
    )


class _Sends:
    """The sends under way in one delivery pass, counted per platform."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[None]] = set()
        self._platforms: dict[asyncio.Task[None], str] = {}

    def start(self, platform: str, send: Coroutine[Any, Any, None]) -> None:
        """Run `send` alongside the others."""
        task = asyncio.create_task(send)
        self.tasks.add(task)
        self._platforms[task] = platform
        task.add_done_callback(self._forget)

    def count(self, platform: str) -> int:
        """How many sends to `platform` are under way."""
        return sum(1 for task in self.tasks if self._platforms[task] == platform)

    async def wait_any(self) -> None:
        """Wait until one send under way ends."""
        if self.tasks:
            await asyncio.wait(self.tasks, return_when=asyncio.FIRST_COMPLETED)

    async def wait_all(self) -> None:
        """Wait until every send under way ends."""
        if self.tasks:
            await asyncio.wait(self.tasks)

    def cancel_all(self) -> None:
        """Cancel every send under way (their messages stay claimed: `leave` frees them)."""
        for task in self.tasks:
            task.cancel()

    def _forget(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self._platforms.pop(task, None)
