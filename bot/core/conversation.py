"""Talking through the bot, marking a request solved, and writing it up as a tutorial draft."""

from __future__ import annotations

from datetime import datetime

from bot.core.clock import Clock
from bot.core.errors import NotAllowed, RequestNotFound
from bot.core.outbox import notify
from bot.core.request_states import IllegalTransition, Transition
from bot.core.requests import move
from bot.core.services import RequestSettings, UowFactory
from bot.core.types import HelpRequest, Member, RequestStatus, TutorialSummary
from skills import SkillMatcher, fold
from storage.db import UnitOfWork

TITLE_LENGTH = 80


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
        await move(uow, request, Transition.RESOLVE, now, resolved_at=now)
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
        await move(uow, request, Transition.REJECT, now, resolved_at=None)
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


def title_from(problem: str) -> str:
    """A tutorial title: the first sentence of the problem, shortened."""
    first = problem.strip().split("\n")[0]
    for end in (". ", "? ", "! "):
        first = first.split(end)[0]
    first = first.strip().rstrip(".?!")
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1].rstrip() + "…"


async def _solved_by(uow: UnitOfWork, request_id: int, helper: Member) -> HelpRequest:
    request = await uow.requests.get(request_id)
    if request is None or request.helper_id != helper.id:
        raise RequestNotFound(request_id)
    if request.status not in (RequestStatus.RESOLVED, RequestStatus.CLOSED):
        raise NotAllowed("not_solved")
    return request


async def write_problem(
    uows: UowFactory, clock: Clock, request_id: int, helper: Member, problem: str
) -> int:
    """Step 1 of the write-up: store the problem as a tutorial draft (or update the draft)."""
    now = clock.now()
    async with uows() as uow:
        request = await _solved_by(uow, request_id, helper)
        existing = await uow.tutorials.for_request(request_id, helper.id)
        if existing is not None:
            await uow.tutorials.update(existing.id, now, title=title_from(problem), problem=problem)
            tutorial_id = existing.id
        else:
            tutorial_id = await uow.tutorials.add(
                request_id=request_id,
                author_id=helper.id,
                title=title_from(problem),
                problem=problem,
                solution="",
                skill_ids=[skill.id for skill in request.skills],
                now=now,
            )
        await uow.commit()
    return tutorial_id


async def write_solution(
    uows: UowFactory, clock: Clock, request_id: int, helper: Member, solution: str
) -> int:
    """Step 2 of the write-up: how it was solved; completes the draft."""
    now = clock.now()
    async with uows() as uow:
        request = await _solved_by(uow, request_id, helper)
        existing = await uow.tutorials.for_request(request_id, helper.id)
        if existing is None:
            tutorial_id = await uow.tutorials.add(
                request_id=request_id,
                author_id=helper.id,
                title=title_from(request.text or solution),
                problem=request.text or "",
                solution=solution,
                skill_ids=[skill.id for skill in request.skills],
                now=now,
            )
        else:
            await uow.tutorials.update(existing.id, now, solution=solution)
            tutorial_id = existing.id
        await uow.commit()
    return tutorial_id


async def has_write_up(uows: UowFactory, request_id: int, helper_id: int) -> bool:
    """Whether the helper already wrote this request up."""
    async with uows() as uow:
        return await uow.tutorials.for_request(request_id, helper_id) is not None


async def search_tutorials(
    uows: UowFactory, matcher: SkillMatcher, query: str
) -> list[TutorialSummary]:
    """Tutorials about the skills named in `query` or containing its words."""
    text = query.lstrip("#")
    slugs = [m.skill.slug for m in matcher.extract(text)]
    direct = matcher.match(text) if text else None
    if direct is not None:
        slugs.append(direct.skill.slug)
    words = [w for w in fold(text).split() if len(w) > 2] if not slugs else []
    async with uows() as uow:
        return await uow.tutorials.search(words=words, skill_slugs=slugs)
