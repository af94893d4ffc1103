"""Talking through the bot, and marking a request solved."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.core.attachments import place_waiting
from bot.core.errors import NotAllowed, RequestNotFound
from bot.core.guard import (
    MAX_RELAY_LENGTH,
    Decision,
    apply,
    check_length,
    fingerprint,
    needs_choice,
)
from bot.core.notices import AboutRequest, Closed, NoticeKind, RelayNotice
from bot.core.outbox import notify
from bot.core.pii import PiiFinding, find_personal_data
from bot.core.request_states import IllegalTransition, Transition
from bot.core.requests import move
from bot.core.services import Services
from bot.core.types import HelpRequest, Member, RelayMessage, RequestStatus
from storage.db import UnitOfWork


async def _participant(uow: UnitOfWork, request_id: int, member: Member) -> HelpRequest:
    request = await uow.requests.get(request_id)
    if request is None or member.id not in (request.author_id, request.helper_id):
        raise RequestNotFound(request_id)
    return request


def other_side(request: HelpRequest, member: Member) -> int | None:
    """The member on the other side of the request's conversation."""
    return request.helper_id if member.id == request.author_id else request.author_id


@dataclass(frozen=True, slots=True)
class Relayed:
    """A message to the other side: passed on, or `held` (personal data was found the first
    time in this thread, and its author has not chosen yet)."""

    request: HelpRequest
    message: RelayMessage
    findings: list[PiiFinding] = field(default_factory=list)

    @property
    def held(self) -> bool:
        """Whether the message waits for its author's choice."""
        return self.message.held

    @property
    def fingerprint(self) -> str:
        """The version of the text the author is shown (their choice names it)."""
        return fingerprint(self.message.text or "")


async def _open_thread(uow: UnitOfWork, request_id: int, sender: Member) -> tuple[HelpRequest, int]:
    """The request and the member on the other side, if the two can talk now."""
    request = await _participant(uow, request_id, sender)
    if request.status not in (RequestStatus.CLAIMED, RequestStatus.RESOLVED):
        raise NotAllowed("not_claimed")
    recipient = other_side(request, sender)
    if recipient is None:
        raise NotAllowed("no_other_side")
    return request, recipient


async def _shared_before(uow: UnitOfWork, request_id: int, sender_id: int) -> bool:
    """Whether the sender already chose to pass personal data on in this thread."""
    return any(
        message.sender_id == sender_id
        and not message.held
        and find_personal_data(message.text or "")
        for message in await uow.requests.thread(request_id)
    )


async def _pass_on(
    uow: UnitOfWork, now: datetime, request_id: int, relay_id: int, sender: Member, recipient: int
) -> None:
    await notify(
        uow,
        now,
        recipient,
        RelayNotice(request_id, relay_id, sender.display_name),
    )


async def relay(
    services: Services,
    request_id: int,
    sender: Member,
    text: str,
    *,
    files: Collection[int] = (),
) -> Relayed:
    """Pass a message to the other side of a claimed request; the thread is stored.

    `files`: the sender's waiting files that go with it (a message may be files only;
    NotAllowed("nothing_to_send") when it has neither text nor a file still waiting).
    The first time personal data appears in what the sender writes in this thread, the
    message (and its files) is stored held: nobody sees it until its author chose
    (`decide_relay`). Raises TooLong over the length of a message.
    """
    check_length(text, MAX_RELAY_LENGTH)
    now = services.clock.now()
    async with services.uow() as uow:
        request, recipient = await _open_thread(uow, request_id, sender)
        findings = find_personal_data(text)
        held = bool(findings) and not await _shared_before(uow, request_id, sender.id)
        message = await uow.requests.add_relay(
            request_id=request_id, sender_id=sender.id, text=text, now=now, held=held
        )
        if files:
            placed = await place_waiting(
                uow, now, sender.id, request_id, relay_id=message.id, ids=files
            )
            if not text and not placed.files:
                raise NotAllowed("nothing_to_send")
        if not held:
            await _pass_on(uow, now, request_id, message.id, sender, recipient)
        await uow.commit()
    return Relayed(request, message, findings if held else [])


async def decide_relay(
    services: Services,
    relay_id: int,
    sender: Member,
    decision: Decision | None,
    new_text: str | None = None,
) -> Relayed:
    """The author of a held message chose: masked, as it is, or a new text (asked again if
    it still holds personal data). Raises RequestNotFound (not theirs, or gone), NotAllowed
    `already_sent` (a second press), TooLong.
    """
    if new_text is not None:
        check_length(new_text, MAX_RELAY_LENGTH)
    now = services.clock.now()
    async with services.uow() as uow:
        message = await uow.requests.relay(relay_id)
        if message is None or message.sender_id != sender.id or message.text is None:
            raise RequestNotFound(relay_id)
        if not message.held:
            raise NotAllowed("already_sent")
        request, recipient = await _open_thread(uow, message.request_id, sender)
        text = new_text if new_text is not None else message.text
        findings = find_personal_data(text)
        if needs_choice(findings, text, decision):
            if new_text is not None:
                await uow.requests.set_held_relay(relay_id, text=text, held=True)
                await uow.commit()
            return Relayed(request, replace(message, text=text), findings)
        final = apply(text, decision) if findings else text
        if not await uow.requests.set_held_relay(relay_id, text=final, held=False):
            raise NotAllowed("already_sent")
        await _pass_on(uow, now, request.id, relay_id, sender, recipient)
        await uow.commit()
    return Relayed(request, replace(message, text=final, held=False))


async def thread_text(services: Services, relay_id: int, request_id: int) -> str | None:
    """The text of one relayed message (None once erased, or while it is held)."""
    async with services.uow() as uow:
        for message in await uow.requests.thread(request_id):
            if message.id == relay_id and not message.held:
                return message.text
    return None


async def mark_solved(services: Services, request_id: int, member: Member) -> HelpRequest:
    """Either side says it is solved. From the author it closes the request at once; from
    the helper the author is asked to confirm (it auto-confirms later).
    """
    now = services.clock.now()
    async with services.uow() as uow:
        request = await _participant(uow, request_id, member)
        # A helper who gave the request back (and someone else took it) no longer holds it.
        holder = None if member.id == request.author_id else {"helper_id": member.id}
        await move(
            uow, request, Transition.RESOLVE, now, by=member.id, only_if=holder, resolved_at=now
        )
        if member.id == request.author_id:
            await _close(uow, request, now, thanked=False)
        elif request.author_id:
            await notify(
                uow, now, request.author_id, AboutRequest(NoticeKind.CONFIRM_SOLVED, request_id)
            )
        await uow.commit()
        solved = await uow.requests.get(request_id)
    assert solved is not None
    return solved


async def _close(uow: UnitOfWork, request: HelpRequest, now: datetime, *, thanked: bool) -> None:
    moved = await move(uow, request, Transition.CONFIRM, now, closed_at=now, thanked=thanked)
    if moved.helper_id:
        await notify(
            uow,
            now,
            moved.helper_id,
            Closed(request.id, thanked),
            dedup_key=f"closed:{request.id}:{moved.helper_id}:{now.isoformat()}",
        )


async def confirm(
    services: Services, request_id: int, author: Member, *, thanked: bool
) -> HelpRequest:
    """The author confirms the request is solved (and may say thanks)."""
    now = services.clock.now()
    async with services.uow() as uow:
        request = await _participant(uow, request_id, author)
        if request.author_id != author.id:
            raise NotAllowed("author_only")
        await _close(uow, request, now, thanked=thanked)
        await uow.commit()
        closed = await uow.requests.get(request_id)
    assert closed is not None
    return closed


async def not_solved(services: Services, request_id: int, author: Member) -> HelpRequest:
    """The author says it is not solved yet: back to the helper."""
    now = services.clock.now()
    async with services.uow() as uow:
        request = await _participant(uow, request_id, author)
        if request.author_id != author.id:
            raise NotAllowed("author_only")
        moved = await move(uow, request, Transition.REJECT, now, by=author.id, resolved_at=None)
        if moved.helper_id:
            await notify(
                uow,
                now,
                moved.helper_id,
                AboutRequest(NoticeKind.NOT_SOLVED, request_id),
                dedup_key=f"not_solved:{request_id}:{now.isoformat()}",
            )
        await uow.commit()
    return request


async def auto_confirm_due(services: Services) -> int:
    """Close the requests solved long enough ago (the services' `auto_confirm_after`) that
    their author never answered."""
    now = services.clock.now()
    async with services.uow() as uow:
        due = await uow.requests.resolved_before(now - services.requests.auto_confirm_after)
    closed = 0
    for request_id in due:
        async with services.uow() as uow:
            request = await uow.requests.get(request_id)
            if request is None or request.status is not RequestStatus.RESOLVED:
                continue
            try:
                await _close(uow, request, now, thanked=False)
            except IllegalTransition:
                continue
            await uow.commit()
            closed += 1
    return closed
