"""Help requests: ask, claim, decline, release, cancel, reopen, assign, change urgency/skills."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.core import choices
from bot.core.attachments import Placed, place_waiting, place_waiting_in_new
from bot.core.errors import RequestNotFound, is_unavailable
from bot.core.guard import (
    MAX_REQUEST_LENGTH,
    Decision,
    apply,
    check_length,
    fingerprint,
    needs_choice,
)
from bot.core.matching import Progress, Step, advance, advance_in, alert_at, deadline
from bot.core.pii import PiiFinding, find_personal_data
from bot.core.places import PlaceHint, hint_in
from bot.core.request_states import IllegalTransition, Transition, is_active, sources, target
from bot.core.services import Services, UowFactory
from bot.core.skills import network_matcher, split_items, with_network
from bot.core.tutorial_search import suggest_in
from bot.core.types import (
    HelpRequest,
    Member,
    Moved,
    OfferState,
    RequestStatus,
    SkillRow,
    StoredAttachment,
    Tutorial,
    Urgency,
)
from skills import SkillMatcher
from storage.db import UnitOfWork

log = logging.getLogger(__name__)

DRAFT_APPEND_WINDOW = timedelta(minutes=30)
MAX_SKILLS = 8


@dataclass(frozen=True, slots=True)
class Submitted:
    """A stored request, the personal data found in it, and what matching did.

    `files` are those sent with it; `placed` those this very message gave it (its author's
    files waiting to be placed).
    """

    request: HelpRequest
    findings: list[PiiFinding]
    progress: Progress | None
    files: tuple[StoredAttachment, ...] = ()
    placed: Placed = field(default_factory=Placed)
    nearby: PlaceHint | None = None
    """A place near the asker's structure that offers what the request is about."""


@dataclass(frozen=True, slots=True)
class Held:
    """A draft not sent: personal data was found and its author has not chosen yet."""

    request: HelpRequest
    findings: list[PiiFinding]

    @property
    def fingerprint(self) -> str:
        """The version of the text the author is shown (their choice names it)."""
        return fingerprint(self.request.text or "")


@dataclass(frozen=True, slots=True)
class Asked:
    """A request from `/demande`: sent and offered, or kept as a draft when published
    tutorials may already answer it (`suggestions`) or personal data was found in it
    (`findings`: nobody sees it before its author chose)."""

    request_id: int
    submitted: Submitted | None
    """None when the request was kept as a draft."""
    suggestions: list[Tutorial] = field(default_factory=list)
    placed: Placed = field(default_factory=Placed)
    """The files its author sent with it (for a draft; a sent request has them in
    `submitted`)."""
    findings: list[PiiFinding] = field(default_factory=list)
    text: str = ""


def _detected_slugs(matcher: SkillMatcher, text: str) -> list[str]:
    return [match.skill.slug for match in matcher.extract(text)][:MAX_SKILLS]


async def _skills_by_slug(uow: UnitOfWork, slugs: list[str]) -> list[SkillRow]:
    """The stored skills of these slugs, once each, in the order a request's skills are read
    (by French label: see `_as_stored`); unknown slugs left out."""
    return list((await uow.skills.by_slugs(slugs)).values())


async def _detected_in(
    uow: UnitOfWork, matcher: SkillMatcher, text: str
) -> tuple[list[str], dict[str, SkillRow]]:
    """The skills found in `text`, the network's own skills included, and stored skills
    among which `_stored_skills` looks for them: in the statement that reads the network's
    skills, those found in `text` with the network's skills as the candidate index last read
    them (the taxonomy alone without the index). The network's rarely change: the text is
    then read once, its reading remembered by the same matcher (`with_skills`)."""
    index = uow.candidates.memory()
    guess = with_network(matcher, index.matchable()[0]) if index is not None else matcher
    likely = [match.skill.slug for match in guess.extract(text)]
    network, known = await uow.skills.network_and(likely)
    return _detected_slugs(with_network(matcher, network), text), known


async def _stored_skills(
    uow: UnitOfWork, slugs: list[str], known: dict[str, SkillRow]
) -> list[SkillRow]:
    """`_skills_by_slug`, from the skills `_detected_in` read when they are all there (no
    statement)."""
    wanted = set(slugs)
    if not wanted <= known.keys():
        return await _skills_by_slug(uow, slugs)
    return [skill for slug, skill in known.items() if slug in wanted]


async def _detect_skills(uow: UnitOfWork, matcher: SkillMatcher, text: str) -> list[int]:
    slugs, known = await _detected_in(uow, matcher, text)
    return [skill.id for skill in await _stored_skills(uow, slugs, known)]


async def _store(
    uow: UnitOfWork,
    author: Member,
    text: str,
    now: datetime,
    status: RequestStatus,
    skills: list[SkillRow],
) -> tuple[int, Placed]:
    """Insert a new request (this week's urgency by default) with its skills, and the files
    its author sent just before (a screenshot, then the text); its id and those files."""
    request_id = await uow.requests.add(
        author_id=author.id,
        text=text,
        urgency=Urgency.WEEK,
        now=now,
        status=status,
        skill_ids=[skill.id for skill in skills],
    )
    return request_id, await place_waiting_in_new(uow, now, author.id, request_id)


async def get_or_fail(uow: UnitOfWork, request_id: int) -> HelpRequest:
    """The request, or RequestNotFound."""
    request = await uow.requests.get(request_id)
    if request is None:
        raise RequestNotFound(request_id)
    return request


async def ask(services: Services, author: Member, text: str, *, draft: bool = False) -> Submitted:
    """Store a request the moment it is sent, then (unless a draft) offer it to helpers.

    The request and its detected skills are committed before matching starts, so a failure
    afterwards never loses what the person typed. A draft is kept until its author sends it.
    """
    check_length(text, MAX_REQUEST_LENGTH)
    now = services.clock.now()
    findings = find_personal_data(text)
    draft = draft or bool(findings)
    async with services.uow() as uow:
        slugs, known = await _detected_in(uow, services.matcher, text)
        skills = await _stored_skills(uow, slugs, known)
        status = RequestStatus.DRAFT if draft else RequestStatus.OPEN
        request_id, placed = await _store(uow, author, text, now, status, skills)
        request = _as_stored(request_id, author, text, status, now, skills) if draft else None
        await uow.commit()
    progress = None
    if request is None:
        progress = await advance(services, request_id)
        async with services.uow() as uow:
            request = await get_or_fail(uow, request_id)
    return Submitted(request, findings, progress, placed.files, placed)


async def ask_or_suggest(services: Services, author: Member, text: str) -> Asked:
    """`/demande TEXT`: store the request; when published tutorials may answer it, or it
    seems to hold personal data, keep it as a draft (the author chooses next); otherwise
    send it, offer it to helpers and name a place nearby that offers what it is about
    (from the services' catalog of places).

    One transaction does it all. If it fails for another reason than the database being
    unavailable (then the whole message is handled again later), the request is still
    stored, in a transaction of its own, as it was before the failure (a draft, or sent and
    due for matching), so that a failure never loses what the person typed.
    """
    check_length(text, MAX_REQUEST_LENGTH)
    now = services.clock.now()
    slugs: list[str] | None = None  # detected in the transaction, with the network's skills
    findings = find_personal_data(text)
    status = RequestStatus.DRAFT
    try:
        async with services.uow() as uow:
            suggestions = await suggest_in(uow, text)
            slugs, known = await _detected_in(uow, services.matcher, text)
            skills = await _stored_skills(uow, slugs, known)
            if not suggestions and not findings:
                status = RequestStatus.OPEN
            request_id, placed = await _store(uow, author, text, now, status, skills)
            if status is RequestStatus.DRAFT:
                await uow.commit()
                return Asked(request_id, None, suggestions, placed, findings, text)
            stored = _as_stored(request_id, author, text, status, now, skills)
            progress = await advance_in(uow, now, services.requests, stored)
            request = _after_step(stored, progress) or await get_or_fail(uow, request_id)
            nearby = await hint_in(uow, services.places.catalog, author, slugs)
            await uow.commit()
    except Exception as error:
        if not is_unavailable(error):
            if slugs is None:  # failed before detecting: the taxonomy's skills will do
                slugs = _detected_slugs(services.matcher, text)
            await _keep(services.uow, now, author, text, status, slugs)
        raise
    # Matching used SQL because members changed since the index was read: it catches up.
    await uow.candidates.catch_up()
    return Asked(
        request_id,
        Submitted(request, [], progress, placed.files, placed, nearby),
        text=text,
    )


def _as_stored(
    request_id: int,
    author: Member,
    text: str,
    status: RequestStatus,
    now: datetime,
    skills: list[SkillRow],
) -> HelpRequest:
    """A request as `RequestRepository.add` has just stored it (no need to read it back;
    `skills` as `_skills_by_slug` gives them: in the order `RequestRepository.get` reads)."""
    return HelpRequest(
        id=request_id,
        author_id=author.id,
        author_name=author.display_name,
        author_structure=author.structure_name,
        text=text,
        urgency=Urgency.WEEK,
        status=status,
        helper_id=None,
        helper_name=None,
        round=0,
        created_at=now,
        claimed_at=None,
        resolved_at=None,
        closed_at=None,
        alerted_at=None,
        next_check_at=now,
        skills=tuple(skills),
    )


# What a step of matching changes in an active request besides its round (one more) and its
# next check (the step's): the status it leaves it in (None: unchanged).
_STEP_STATUS: dict[Step, RequestStatus | None] = {
    Step.OFFERED: RequestStatus.OFFERED,
    Step.NO_HELPER: None,
    Step.DEFERRED: None,
}


def _after_step(stored: HelpRequest, progress: Progress) -> HelpRequest | None:
    """The request `stored` as the first step of matching left it, in the same transaction
    (nobody else can have changed it: it is not committed yet); None for a step whose
    changes are not known without reading it back (an alert, nothing done)."""
    if progress.step not in _STEP_STATUS:
        return None
    return replace(
        stored,
        status=_STEP_STATUS[progress.step] or stored.status,
        round=stored.round + 1,
        next_check_at=progress.next_check_at,
    )


async def _keep(
    uows: UowFactory,
    now: datetime,
    author: Member,
    text: str,
    status: RequestStatus,
    slugs: list[str],
) -> None:
    """Store a request whose `/demande` failed half-way (best effort: the failure that
    brought us here is the one reported)."""
    try:
        async with uows() as uow:
            skills = await _skills_by_slug(uow, slugs)
            await _store(uow, author, text, now, status, skills)
            await uow.commit()
    except Exception:
        log.exception("could not keep the request of member %s after a failure", author.id)


async def latest_draft(services: Services, author: Member) -> HelpRequest | None:
    """The author's most recent draft, if it is recent enough to add text to it."""
    async with services.uow() as uow:
        for request in await uow.requests.list_involving(author.id, limit=5):
            if (
                request.status is RequestStatus.DRAFT
                and request.author_id == author.id
                and services.clock.now() - request.created_at <= DRAFT_APPEND_WINDOW
            ):
                return request
    return None


async def add_to_draft(services: Services, draft: HelpRequest, text: str) -> Submitted:
    """Append a new message to a draft (the person is still describing their need).

    Raises TooLong when the draft would pass the length of a request.
    """
    combined = f"{draft.text or ''}\n{text}".strip()
    check_length(combined, MAX_REQUEST_LENGTH)
    now = services.clock.now()
    async with services.uow() as uow:
        await uow.requests.update_fields(draft.id, now, only_if={"status": "draft"}, text=combined)
        skills = await _detect_skills(uow, services.matcher, combined)
        await uow.requests.set_skills(draft.id, skills)
        placed = await place_waiting(uow, now, draft.author_id or 0, draft.id)
        request = await get_or_fail(uow, draft.id)
        files = await uow.attachments.of_request(draft.id)
        await uow.commit()
    return Submitted(request, find_personal_data(request.text or ""), None, tuple(files), placed)


async def rewrite_draft(
    services: Services, author: Member, request_id: int, text: str
) -> HelpRequest:
    """Replace the text of the author's draft (they chose to change it before sending).

    Raises RequestNotFound, IllegalTransition when it is no longer a draft, TooLong.
    """
    check_length(text, MAX_REQUEST_LENGTH)
    now = services.clock.now()
    async with services.uow() as uow:
        request = await get_own(uow, request_id, author)
        if not await uow.requests.update_fields(
            request_id, now, only_if={"status": RequestStatus.DRAFT.value}, text=text
        ):
            current = await get_or_fail(uow, request_id)
            raise IllegalTransition(current.status, Transition.SUBMIT, request_id)
        await uow.requests.set_skills(request_id, await _detect_skills(uow, services.matcher, text))
        await uow.commit()
        return replace(request, text=text)


async def send_draft(
    services: Services, author: Member, request_id: int, decision: Decision | None = None
) -> Submitted | Held:
    """Turn the author's draft into a request and offer it, unless it seems to hold
    personal data the author has not decided about (then it is `Held`, unchanged); a sent
    request names a place nearby (from the services' catalog of places).

    With a decision, what was found is masked or kept as the author chose. A decision made
    on another version of the text (an old button) is not applied: the draft is held again.
    Raises RequestNotFound, or IllegalTransition when it is no longer a draft.
    """
    async with services.uow() as uow:
        request = await get_own(uow, request_id, author)
        if request.status is not RequestStatus.DRAFT:
            raise IllegalTransition(request.status, Transition.SUBMIT, request.id)
        text = request.text or ""
        findings = find_personal_data(text)
        if needs_choice(findings, text, decision):
            return Held(request, findings)
        sent_text = apply(text, decision) if findings else text
        now = (
            services.clock.now()
        )  # due at once: a stop before matching leaves it to the next check
        await move(
            uow,
            request,
            Transition.SUBMIT,
            now,
            by=author.id,
            only_if={"text": text},
            created_at=now,
            next_check_at=now,
            text=sent_text,
        )
        await uow.commit()
    progress = await advance(services, request_id)
    async with services.uow() as uow:
        sent = await get_or_fail(uow, request_id)
        files = await uow.attachments.of_request(request_id)
        slugs = [skill.slug for skill in sent.skills]
        nearby = await hint_in(uow, services.places.catalog, author, slugs)
    return Submitted(sent, find_personal_data(sent_text), progress, tuple(files), nearby=nearby)


async def move(
    uow: UnitOfWork,
    request: HelpRequest,
    transition: Transition,
    now: datetime,
    *,
    only_if: dict[str, Any] | None = None,
    by: int | None = None,
    **values: Any,
) -> Moved:
    """Apply a transition of the table to a request, atomically (one conditional UPDATE);
    the messages still showing its buttons are then edited to say what became of it (`by`:
    the member who made the change, if one did).

    Returns the request as that statement left it: tell its people from this, not from
    `request`, which someone may have changed since it was read. Raises IllegalTransition
    when the request is not (or no longer) in a state it allows.
    """
    after = target(request.status, transition, request.id)
    moved = await uow.requests.transition(
        request.id,
        allowed_from=sources(transition),
        to=after,
        now=now,
        only_if=only_if,
        **values,
    )
    if moved is None:
        current = await uow.requests.get(request.id)
        raise IllegalTransition(
            current.status if current else request.status, transition, request.id
        )
    await choices.after_transition(uow, now, request.id, transition, by)
    return moved


async def get_own(uow: UnitOfWork, request_id: int, author: Member) -> HelpRequest:
    """The author's own request, or RequestNotFound (also when it is someone else's)."""
    request = await get_or_fail(uow, request_id)
    if request.author_id != author.id:
        raise RequestNotFound(request_id)
    return request


async def visible(services: Services, request_id: int, member: Member) -> HelpRequest:
    """The request if the member may read it: author, helper, or offered it (read only)."""
    async with services.reader()() as uow:
        request = await get_or_fail(uow, request_id)
        if member.id in (request.author_id, request.helper_id):
            return request
        if await uow.offers.get(request_id, member.id) is not None:
            return request
    raise RequestNotFound(request_id)


async def shown_to(
    services: Services, request_id: int, author: Member
) -> list[tuple[str, OfferState]]:
    """The members the author's request was shown to, and what became of each offer (read
    only). Raises RequestNotFound when it is not the author's."""
    async with services.reader()() as uow:
        await get_own(uow, request_id, author)
        return [(name, state) for name, state, _ in await uow.offers.shown_to(request_id)]


async def mine(services: Services, member: Member) -> list[HelpRequest]:
    """The member's own requests and the ones they hold, newest first (read only)."""
    async with services.reader()() as uow:
        return await uow.requests.list_involving(member.id)


async def set_urgency(
    services: Services, request_id: int, author: Member, urgency: Urgency
) -> HelpRequest:
    """Correct the urgency; the escalation delays follow the new urgency from now on."""
    settings = services.requests
    now = services.clock.now()
    async with services.uow() as uow:
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
    await _offer_if_never_offered(services, request)
    async with services.uow() as uow:
        return await get_or_fail(uow, request_id)


async def _offer_if_never_offered(services: Services, request: HelpRequest) -> None:
    if request.status is not RequestStatus.OPEN:
        return
    async with services.uow() as uow:
        offered = bool(await uow.offers.of_request(request.id))
    if not offered:
        await advance(services, request.id)


async def set_skills(services: Services, request_id: int, author: Member, text: str) -> HelpRequest:
    """Correct the skills a request needs (typed like `/competences`)."""
    slugs = []
    async with services.uow() as uow:
        known = await network_matcher(uow, services.matcher)
        for item in split_items(text)[:MAX_SKILLS]:
            match = known.match(item)
            if match is not None:
                slugs.append(match.skill.slug)
        request = await get_own(uow, request_id, author)
        rows = await uow.skills.by_slugs(slugs)
        await uow.requests.set_skills(request_id, [rows[s].id for s in slugs if s in rows])
        await uow.commit()
    await _offer_if_never_offered(services, request)
    async with services.uow() as uow:
        return await get_or_fail(uow, request_id)


async def load(services: Services, request_id: int) -> HelpRequest | None:
    """A request as stored, for the bot's own messages (no visibility check: not for display
    to whoever asks)."""
    async with services.uow() as uow:
        return await uow.requests.get(request_id)


async def member_name(services: Services, member_id: int) -> str | None:
    """A member's display name, if they still exist."""
    async with services.uow() as uow:
        member = await uow.members.get(member_id)
    return member.display_name if member else None
