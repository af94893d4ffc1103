"""Taking and giving back requests: claim, decline, release, cancel, reopen, assign."""

from __future__ import annotations

from datetime import datetime

from bot.core import choices
from bot.core.choices import Outcome
from bot.core.errors import AlreadyTaken, NotAllowed, RequestNotFound
from bot.core.matching import Progress, Step, advance
from bot.core.notices import AboutRequest, NoticeKind, Released
from bot.core.outbox import notify
from bot.core.request_states import IllegalTransition, Transition, sources, target
from bot.core.requests import get_or_fail, get_own, move
from bot.core.services import Services
from bot.core.types import HelpRequest, Member, OfferState, RequestStatus, Role
from storage.db import UnitOfWork

# The states in which a request has a helper: a claim then comes too late.
HELD = frozenset({RequestStatus.CLAIMED, RequestStatus.RESOLVED})


async def claim(services: Services, request_id: int, helper: Member) -> HelpRequest:
    """Take a request offered to you; the first claim wins, atomically."""
    now = services.clock.now()
    async with services.uow() as uow:
        request = await get_or_fail(uow, request_id)
        offer = await uow.offers.get(request_id, helper.id)
        if request.author_id == helper.id:
            raise NotAllowed("own_request")
        if offer is None:
            raise RequestNotFound(request_id)
        won = await uow.requests.transition(
            request_id,
            allowed_from=sources(Transition.CLAIM),
            to=RequestStatus.CLAIMED,
            now=now,
            helper_id=helper.id,
            claimed_at=now,
            next_check_at=None,
        )
        if not won:
            current = await get_or_fail(uow, request_id)
            if current.status in HELD:
                raise AlreadyTaken(current.helper_name, current.helper_id)
            raise IllegalTransition(current.status, Transition.CLAIM, request_id)
        await choices.after_transition(uow, now, request_id, Transition.CLAIM, helper.id)
        await _settle_offers_after_claim(uow, request_id, helper.id, now)
        if request.author_id:
            await notify(uow, now, request.author_id, AboutRequest(NoticeKind.CLAIMED, request_id))
        await uow.commit()
        return await get_or_fail(uow, request_id)


async def _settle_offers_after_claim(
    uow: UnitOfWork, request_id: int, helper_id: int, now: datetime
) -> None:
    await uow.offers.answer(
        request_id=request_id,
        helper_id=helper_id,
        allowed_from=list(OfferState),
        to=OfferState.ACCEPTED,
        now=now,
    )
    # The other offers' messages are edited to say who took it (choices.after_transition).
    await uow.offers.close_pending(
        request_id=request_id, to=OfferState.TAKEN, now=now, except_helper=helper_id
    )


async def decline(services: Services, request_id: int, helper: Member) -> Progress:
    """Say no to an offer; the next candidate is offered the request at once."""
    now = services.clock.now()
    async with services.uow() as uow:
        request = await get_or_fail(uow, request_id)
        answered = await uow.offers.answer(
            request_id=request_id,
            helper_id=helper.id,
            allowed_from=[OfferState.PENDING],
            to=OfferState.DECLINED,
            now=now,
        )
        if not answered:
            if await uow.offers.get(request_id, helper.id) is None:
                raise RequestNotFound(request_id)
            return Progress(Step.NOTHING)
        await choices.settle(uow, now, request_id, Outcome.DECLINED, helper.id, member_id=helper.id)
        await uow.commit()
    if request.status in (RequestStatus.OPEN, RequestStatus.OFFERED):
        return await advance(services, request_id, limit=1)
    return Progress(Step.NOTHING)


async def release(services: Services, request_id: int, helper: Member) -> Progress:
    """Give back a request you hold: it is open again and offered to others."""
    now = services.clock.now()
    async with services.uow() as uow:
        request = await get_or_fail(uow, request_id)
        if request.helper_id != helper.id:
            raise RequestNotFound(request_id)
        await move(
            uow,
            request,
            Transition.RELEASE,
            now,
            only_if={"helper_id": helper.id},
            by=helper.id,
            helper_id=None,
            claimed_at=None,
        )
        await uow.offers.answer(
            request_id=request_id,
            helper_id=helper.id,
            allowed_from=list(OfferState),
            to=OfferState.RELEASED,
            now=now,
        )
        if request.author_id:
            await notify(
                uow,
                now,
                request.author_id,
                Released(request_id, helper.display_name),
            )
        await uow.commit()
    return await advance(services, request_id)


async def cancel(services: Services, request_id: int, author: Member) -> HelpRequest:
    """The author no longer needs help: the helper and pending offers are told."""
    now = services.clock.now()
    async with services.uow() as uow:
        request = await get_own(uow, request_id, author)
        await cancel_in(uow, request, now)
        await uow.commit()
        return await get_or_fail(uow, request_id)


async def cancel_in(uow: UnitOfWork, request: HelpRequest, now: datetime) -> None:
    """Cancel a request inside an open unit of work; its helper is told, and the messages
    still showing its buttons (the pending offers among them) say it is cancelled.

    The helper told is the one the cancel found (a helper may have taken the request after
    `request` was read: they are told too).
    """
    moved = await move(
        uow,
        request,
        Transition.CANCEL,
        now,
        by=request.author_id,
        closed_at=now,
        next_check_at=None,
    )
    await uow.offers.close_pending(request_id=request.id, to=OfferState.WITHDRAWN, now=now)
    if moved.helper_id:
        await notify(uow, now, moved.helper_id, AboutRequest(NoticeKind.CANCELLED, request.id))


async def reopen(services: Services, request_id: int, author: Member) -> Progress:
    """Open a closed or cancelled request again and offer it anew."""
    now = services.clock.now()
    async with services.uow() as uow:
        request = await get_own(uow, request_id, author)
        await move(
            uow,
            request,
            Transition.REOPEN,
            now,
            by=author.id,
            helper_id=None,
            claimed_at=None,
            resolved_at=None,
            closed_at=None,
            alerted_at=None,
            created_at=now,
        )
        await uow.commit()
    return await advance(services, request_id)


async def assign(
    services: Services, request_id: int, coordinator: Member, helper_name: str
) -> HelpRequest:
    """A coordinator gives an unclaimed request to a member (named by display name)."""
    if not coordinator.role.allows(Role.COORDINATOR):
        raise NotAllowed("coordinators_only")
    now = services.clock.now()
    async with services.uow() as uow:
        request = await get_or_fail(uow, request_id)
        candidates = [
            m for m in await uow.members.by_name(helper_name) if m.status.value == "active"
        ]
        if len(candidates) != 1:
            raise NotAllowed("unknown_member" if not candidates else "ambiguous_member")
        helper = candidates[0]
        if helper.id == request.author_id:
            raise NotAllowed("own_request")
        target(request.status, Transition.ASSIGN, request_id)
        if not await uow.requests.transition(
            request_id,
            allowed_from=sources(Transition.ASSIGN),
            to=RequestStatus.CLAIMED,
            now=now,
            helper_id=helper.id,
            claimed_at=now,
            next_check_at=None,
        ):
            current = await get_or_fail(uow, request_id)
            if current.status is RequestStatus.CLAIMED:
                raise AlreadyTaken(current.helper_name, current.helper_id)
            # e.g. cancelled meanwhile
            raise IllegalTransition(current.status, Transition.ASSIGN, request_id)
        await choices.after_transition(uow, now, request_id, Transition.ASSIGN, helper.id)
        if await uow.offers.get(request_id, helper.id) is None:
            await uow.offers.add_many(
                request_id=request_id, helper_ids=[helper.id], round_number=request.round, now=now
            )
        await _settle_offers_after_claim(uow, request_id, helper.id, now)
        await notify(uow, now, helper.id, AboutRequest(NoticeKind.ASSIGNED, request_id))
        if request.author_id:
            await notify(uow, now, request.author_id, AboutRequest(NoticeKind.CLAIMED, request_id))
        await uow.commit()
        return await get_or_fail(uow, request_id)
