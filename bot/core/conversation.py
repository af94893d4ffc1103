"""Talking through the bot, and marking a request solved."""

from __future__ import annotations

from datetime import datetime

from bot.core.clock import Clock
from bot.core.errors import NotAllowed, RequestNotFound
from bot.core.outbox import notify
from bot.core.request_states import IllegalTransition, Transition
from bot.core.requests import move
from bot.core.services import RequestSettings, UowFactory
from bot.core.types import HelpRequest, Member, RequestStatus
from storage.db import UnitOfWork


async def _participant(uow: UnitOfWork, request_id: int, member: Member) -> HelpRequest:
    request = await uow.requests.get(request_id)
    if request is None or member.id not in (request.author_id, request.helper_id):
        raise RequestNotFound(request_id)
    return request


def other_side(request: HelpRequest, member: Member) -> int | None:
    """The member on the other side of the request's conversation."""
    return request.helper_id if member.id == request.author_id else request.author_id


async def relay(
    uows: UowFactory, clock: Clock, request_id: int, sender: Member, text: str
) -> HelpRequest:
    """Pass a message to the other side of a claimed request; the thread is stored."""
    now = clock.now()
    async with uows() as uow:
        request = await _participant(uow, request_id, sender)
        if request.status not in (RequestStatus.CLAIMED, RequestStatus.RESOLVED):
            raise NotAllowed("not_claimed")
        recipient = other_side(request, sender)
        if recipient is None:
            raise NotAllowed("no_other_side")
        message = await uow.requests.add_relay(
            request_id=request_id, sender_id=sender.id, text=text, now=now
        )
        await notify(
            uow,
            now,
            recipient,
            "relay",
            {"request_id": request_id, "relay_id": message.id, "sender": sender.display_name},
        )
        await uow.commit()
    return request


async def thread_text(uows: UowFactory, relay_id: int, request_id: int) -> str | None:
    """The text of one relayed message (None once erased)."""
    async with uows() as uow:
        for message in await uow.requests.thread(request_id):
            if message.id == relay_id:
                return message.text
    return None


async def mark_solved(
    uows: UowFactory, clock: Clock, request_id: int, member: Member
) -> HelpRequest:
    """Either side says it is solved. From the author it closes the request at once; from
    the helper the author is asked to confirm (it auto-confirms later).
    """
    now = clock.now()
    async with uows() as uow:
        request = await _participant(uow, request_id, member)
        await move(uow, request, Transition.RESOLVE, now, by=member.id, resolved_at=now)
        if member.id == request.author_id:
            await _close(uow, request, now, thanked=False)
        elif request.author_id:
            await notify(uow, now, request.author_id, "confirm_solved", {"request_id": request_id})
        await uow.commit()
        solved = await uow.requests.get(request_id)
    assert solved is not None
    return solved


async def _close(uow: UnitOfWork, request: HelpRequest, now: datetime, *, thanked: bool) -> None:
    await move(uow, request, Transition.CONFIRM, now, closed_at=now, thanked=thanked)
    if request.helper_id:
        await notify(
            uow,
            now,
            request.helper_id,
            "closed",
            {"request_id": request.id, "thanked": thanked},
            dedup_key=f"closed:{request.id}:{request.helper_id}:{now.isoformat()}",
        )


async def confirm(
    uows: UowFactory, clock: Clock, request_id: int, author: Member, *, thanked: bool
) -> HelpRequest:
    """The author confirms the request is solved (and may say thanks)."""
    now = clock.now()
    async with uows() as uow:
        request = await _participant(uow, request_id, author)
        if request.author_id != author.id:
            raise NotAllowed("author_only")
        await _close(uow, request, now, thanked=thanked)
        await uow.commit()
        closed = await uow.requests.get(request_id)
    assert closed is not None
    return closed


async def not_solved(
    uows: UowFactory, clock: Clock, request_id: int, author: Member
) -> HelpRequest:
    """The author says it is not solved yet: back to the helper."""
    now = clock.now()
    async with uows() as uow:
        request = await _participant(uow, request_id, author)
        if request.author_id != author.id:
            raise NotAllowed("author_only")
        await move(uow, request, Transition.REJECT, now, by=author.id, resolved_at=None)
        if request.helper_id:
            await notify(
                uow,
                now,
                request.helper_id,
                "not_solved",
                {"request_id": request_id},
                dedup_key=f"not_solved:{request_id}:{now.isoformat()}",
            )
        await uow.commit()
    return request


async def auto_confirm_due(uows: UowFactory, clock: Clock, settings: RequestSettings) -> int:
    """Close the requests solved long enough ago that their author never answered."""
    now = clock.now()
    async with uows() as uow:
        due = await uow.requests.resolved_before(now - settings.auto_confirm_after)
    closed = 0
    for request_id in due:
        async with uows() as uow:
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
