"""Help requests: ask, claim, decline, release, cancel, reopen, assign, change urgency/skills."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.core.errors import RequestNotFound
from bot.core.matching import Progress, advance, alert_at, deadline
from bot.core.pii import PiiKind, find_personal_data, kinds
from bot.core.request_states import IllegalTransition, Transition, is_active, sources, target
from bot.core.services import RequestSettings, UowFactory
from bot.core.skills import split_items
from bot.core.types import HelpRequest, Member, RequestStatus, Urgency
from skills import SkillMatcher
from storage.db import UnitOfWork

DRAFT_APPEND_WINDOW = timedelta(minutes=30)
MAX_SKILLS = 8


@dataclass(frozen=True, slots=True)
class Submitted:
    """A stored request, what was noticed in it, and what matching did."""

    request: HelpRequest
    personal_data: list[PiiKind]
    progress: Progress | None


async def _detect_skills(uow: UnitOfWork, matcher: SkillMatcher, text: str) -> list[int]:
    slugs = [match.skill.slug for match in matcher.extract(text)][:MAX_SKILLS]
    rows = await uow.skills.by_slugs(slugs)
    return [rows[slug].id for slug in slugs if slug in rows]


async def get_or_fail(uow: UnitOfWork, request_id: int) -> HelpRequest:
    """The request, or RequestNotFound."""
    request = await uow.requests.get(request_id)
    if request is None:
        raise RequestNotFound(request_id)
    return request


async def ask(
    uows: UowFactory,
    clock: Clock,
    matcher: SkillMatcher,
    settings: RequestSettings,
    author: Member,
    text: str,
    *,
    draft: bool = False,
) -> Submitted:
    """Store a request the moment it is sent, then (unless a draft) offer it to helpers.

    The request and its detected skills are committed before matching starts, so a failure
    afterwards never loses what the person typed. A draft is kept until its author sends it.
    """
    now = clock.now()
    async with uows() as uow:
        request_id = await uow.requests.add(
            author_id=author.id, text=text, urgency=Urgency.WEEK, now=now
        )
        await uow.requests.set_skills(request_id, await _detect_skills(uow, matcher, text))
        if draft:
            await uow.requests.update_fields(request_id, now, status=RequestStatus.DRAFT.value)
        await uow.commit()
    progress = None if draft else await advance(uows(), clock, settings, request_id)
    async with uows() as uow:
        request = await get_or_fail(uow, request_id)
    return Submitted(request, kinds(find_personal_data(text)), progress)


async def latest_draft(uows: UowFactory, clock: Clock, author: Member) -> HelpRequest | None:
    """The author's most recent draft, if it is recent enough to add text to it."""
    async with uows() as uow:
        for request in await uow.requests.list_involving(author.id, limit=5):
            if (
                request.status is RequestStatus.DRAFT
                and request.author_id == author.id
                and clock.now() - request.created_at <= DRAFT_APPEND_WINDOW
            ):
                return request
    return None


async def add_to_draft(
    uows: UowFactory, clock: Clock, matcher: SkillMatcher, draft: HelpRequest, text: str
) -> Submitted:
    """Append a new message to a draft (the person is still describing their need)."""
    combined = f"{draft.text or ''}\n{text}".strip()
    now = clock.now()
    async with uows() as uow:
        await uow.requests.update_fields(draft.id, now, only_if={"status": "draft"}, text=combined)
        await uow.requests.set_skills(draft.id, await _detect_skills(uow, matcher, combined))
        await uow.commit()
        request = await get_or_fail(uow, draft.id)
    return Submitted(request, kinds(find_personal_data(combined)), None)


async def send_draft(
    uows: UowFactory, clock: Clock, settings: RequestSettings, author: Member, request_id: int
) -> Submitted:
    """Turn the author's draft into a request and offer it."""
    async with uows() as uow:
        request = await get_own(uow, request_id, author)
        now = clock.now()  # due at once: a stop before matching leaves it to the next check
        await move(uow, request, Transition.SUBMIT, now, created_at=now, next_check_at=now)
        await uow.commit()
    progress = await advance(uows(), clock, settings, request_id)
    async with uows() as uow:
        sent = await get_or_fail(uow, request_id)
    return Submitted(sent, kinds(find_personal_data(sent.text or "")), progress)


async def move(
    uow: UnitOfWork,
    request: HelpRequest,
    transition: Transition,
    now: datetime,
    *,
    only_if: dict[str, Any] | None = None,
    **values: Any,
) -> None:
    """Apply a transition of the table to a request, atomically (one conditional UPDATE).

    Raises IllegalTransition when the request is not (or no longer) in a state it allows.
    """
    after = target(request.status, transition)
    if not await uow.requests.transition(
        request.id,
        allowed_from=sources(transition),
        to=after,
        now=now,
        only_if=only_if,
        **values,
    ):
        current = await uow.requests.get(request.id)
        raise IllegalTransition(current.status if current else request.status, transition)


async def get_own(uow: UnitOfWork, request_id: int, author: Member) -> HelpRequest:
    """The author's own request, or RequestNotFound (also when it is someone else's)."""
    request = await get_or_fail(uow, request_id)
    if request.author_id != author.id:
        raise RequestNotFound(request_id)
    return request


async def visible(uows: UowFactory, request_id: int, member: Member) -> HelpRequest:
    """The request if the member may read it: author, helper, or offered it."""
    async with uows() as uow:
        request = await get_or_fail(uow, request_id)
        if member.id in (request.author_id, request.helper_id):
            return request
        if await uow.offers.get(request_id, member.id) is not None:
            return request
    raise RequestNotFound(request_id)


async def mine(uows: UowFactory, member: Member) -> list[HelpRequest]:
    """The member's own requests and the ones they hold, newest first."""
    async with uows() as uow:
        return await uow.requests.list_involving(member.id)


async def set_urgency(
    uows: UowFactory,
    clock: Clock,
    settings: RequestSettings,
    request_id: int,
    author: Member,
    urgency: Urgency,
) -> HelpRequest:
    """Correct the urgency; the escalation delays follow the new urgency from now on."""
    now = clock.now()
    async with uows() as uow:
        request = await get_own(uow, request_id, author)
        values: dict[str, Any] = {"urgency": urgency.value}
        if is_active(request.status):
            changed = replace(request, urgency=urgency)
            values["next_check_at"] = min(
                deadline(settings, now, settings.first_escalation[urgency], urgency),
                alert_at(settings, changed),
            )
        await uow.requests.update_fields(request_id, now, **values)
        await uow.commit()
    await _offer_if_never_offered(uows, clock, settings, request)
    async with uows() as uow:
        return await get_or_fail(uow, request_id)


async def _offer_if_never_offered(
    uows: UowFactory, clock: Clock, settings: RequestSettings, request: HelpRequest
) -> None:
    if request.status is not RequestStatus.OPEN:
        return
    async with uows() as uow:
        offered = bool(await uow.offers.of_request(request.id))
    if not offered:
        await advance(uows(), clock, settings, request.id)


async def set_skills(
    uows: UowFactory,
    clock: Clock,
    matcher: SkillMatcher,
    settings: RequestSettings,
    request_id: int,
    author: Member,
    text: str,
) -> HelpRequest:
    """Correct the skills a request needs (typed like `/competences`)."""
    slugs = []
    for item in split_items(text)[:MAX_SKILLS]:
        match = matcher.match(item)
        if match is not None:
            slugs.append(match.skill.slug)
    async with uows() as uow:
        request = await get_own(uow, request_id, author)
        rows = await uow.skills.by_slugs(slugs)
        await uow.requests.set_skills(request_id, [rows[s].id for s in slugs if s in rows])
        await uow.commit()
    await _offer_if_never_offered(uows, clock, settings, request)
    async with uows() as uow:
        return await get_or_fail(uow, request_id)


async def load(uows: UowFactory, request_id: int) -> HelpRequest | None:
    """A request as stored, for the bot's own messages (no visibility check: not for display
    to whoever asks)."""
    async with uows() as uow:
        return await uow.requests.get(request_id)


async def member_name(uows: UowFactory, member_id: int) -> str | None:
    """A member's display name, if they still exist."""
    async with uows() as uow:
        member = await uow.members.get(member_id)
    return member.display_name if member else None
