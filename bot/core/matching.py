"""Offering requests to helpers, and escalating those nobody takes.

`advance` is the one step that moves an unclaimed request forward: it runs when the request
is submitted, when a helper declines, and whenever its `next_check_at` is due. Each step is
guarded by the request's `round`, so two workers can never run the same step twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.notices import AboutRequest, NoticeKind
from bot.core.outbox import announce, new_message, notify_coordinators, notify_many
from bot.core.request_states import Transition, is_active, sources
from bot.core.services import RequestSettings, Services
from bot.core.skills import with_network
from bot.core.types import HelpRequest, RequestStatus, Urgency
from bot.core.weights import looked_for, skill_weights, weighed, weights_of
from skills.matching import SkillMatcher, default_matcher
from skills.ranking import RankedHelper, best_by_fit
from storage.candidate_index import CandidateIndex
from storage.db import UnitOfWork


class Step(StrEnum):
    """What `advance` did."""

    OFFERED = "offered"
    DEFERRED = "deferred"
    NO_HELPER = "no_helper"
    ALERTED = "alerted"
    NOTHING = "nothing"


@dataclass(frozen=True, slots=True)
class Progress:
    """The outcome of one step, for the person who triggered it."""

    step: Step
    offered: int = 0
    next_check_at: datetime | None = None


def deadline(
    settings: RequestSettings, start: datetime, delay: timedelta, urgency: Urgency
) -> datetime:
    """When `delay` has passed after `start`: wall time for "today", active time otherwise."""
    if urgency is Urgency.TODAY:
        return start + delay
    return settings.quiet.add_active_time(start, delay)


def alert_at(settings: RequestSettings, request: HelpRequest) -> datetime:
    """When coordinators are alerted about an unclaimed request (T2)."""
    return deadline(
        settings, request.created_at, settings.coordinator_alert[request.urgency], request.urgency
    )


# Candidates read by best fit first (plus one, to see whether the page settles the ranking);
# a search that needs more than this reads them all.
CANDIDATE_PAGE = 200
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Choice:
    """Whom to offer a request to, and whether it was offered to anyone before."""

    helpers: list[int]
    """Member ids, best first."""
    offered_before: bool


@dataclass(frozen=True, slots=True)
class Window:
    """Since when offers count: for the load (recent), and for the daily cap (none: no cap)."""

    recent_since: datetime
    day_since: datetime | None = None
    per_day: int = 0


async def choose_helpers(
    uow: UnitOfWork,
    request: HelpRequest,
    recent_since: datetime,
    count: int,
    *,
    cap: tuple[datetime, int] | None = None,
    matcher: SkillMatcher | None = None,
) -> Choice:
    """The members to offer the request to, best first (read only; `advance` uses it).

    Only the best-fitting candidates are read and only the best few's load is counted. With
    `cap` (since, most), a member offered `most` requests since then is skipped: the request
    goes to the next one. The choice is made from memory (the candidate index) when the
    database is at the index's version, which one statement confirms together with the
    request's offers and the loads of the first candidates; otherwise SQL answers.
    """
    window = Window(recent_since, *cap) if cap else Window(recent_since)
    exclude = [request.author_id] if request.author_id else []
    matcher = matcher or default_matcher()
    index = uow.candidates.memory()
    if index is not None:
        choice = await _from_memory(uow, index, request, window, count, exclude, matcher)
        if choice is not None:
            return choice
    return await _from_database(uow, request, window, count, exclude, matcher)


async def _from_memory(
    uow: UnitOfWork,
    index: CandidateIndex,
    request: HelpRequest,
    window: Window,
    count: int,
    exclude: list[int],
    matcher: SkillMatcher,
) -> Choice | None:
    """`choose_helpers` from the index; None when the database is not at its version."""
    network, proposals = index.matchable()
    extended = with_network(matcher, network)
    by_slug, related = looked_for(request, extended)
    holders = index.holders([*by_slug, *related]) if weighed(by_slug, related) else None
    skill_ids, weights = weights_of(request, extended, proposals, by_slug, related, holders)
    fits = index.fits(skill_ids, excluded=exclude, limit=CANDIDATE_PAGE + 1, weights=weights)
    confirmed = await uow.candidates.confirm(
        index,
        request_id=request.id,
        members=next(best_by_fit(fits, count), []),
        recent_since=window.recent_since,
        day_since=window.day_since or window.recent_since,
    )
    if confirmed is None:
        return None
    offered_before = bool(confirmed.offered)
    excluded = confirmed.offered.union(exclude)
    if offered_before:
        fits = index.fits(skill_ids, excluded=excluded, limit=CANDIDATE_PAGE + 1, weights=weights)
    if not fits:
        return Choice([], offered_before)
    known: Known = {member: _known(window, load) for member, load in confirmed.loads.items()}
    ranked, asked = await _walk(uow, fits, window, count, known)
    if asked == len(fits) > CANDIDATE_PAGE:  # see `_from_database`
        everyone = index.fits(skill_ids, excluded=excluded, weights=weights)
        ranked, _ = await _walk(uow, everyone, window, count, known)
    return Choice([helper.member_id for helper in ranked], offered_before)


async def _from_database(
    uow: UnitOfWork,
    request: HelpRequest,
    window: Window,
    count: int,
    exclude: list[int],
    matcher: SkillMatcher,
) -> Choice:
    """`choose_helpers` from SQL: the best-fitting candidates summed by the database (which
    also says whether the request has offers already)."""
    skill_ids, weights = await skill_weights(uow, request, matcher)
    page = await uow.offers.candidates_by_fit(
        request_id=request.id,
        skill_ids=skill_ids,
        exclude=exclude,
        limit=CANDIDATE_PAGE + 1,
        weights=weights,
    )
    if not page.fits:
        return Choice([], page.offered_before)
    known: Known = {}
    ranked, asked = await _walk(uow, page.fits, window, count, known)
    # The search asked about every candidate read, the one after the page too: it may need
    # more than were read, so read everyone (rare: the best fits are all busy).
    if asked == len(page.fits) > CANDIDATE_PAGE:
        everyone = await uow.offers.candidates_by_fit(
            request_id=request.id, skill_ids=skill_ids, exclude=exclude, weights=weights
        )
        ranked, _ = await _walk(uow, everyone.fits, window, count, known)
    return Choice([helper.member_id for helper in ranked], page.offered_before)


Known = dict[int, tuple[int, int, int] | None]
"""Loads read in this transaction, by member: open claims, recent offers and the number of
their latest offer (0: none); None for a member not to be offered anything now."""


def _known(window: Window, load: tuple[int, int, int, int]) -> tuple[int, int, int] | None:
    """A member's load as read (open claims, recent offers, offers today, latest offer) as
    `Known` keeps it: None when the daily cap is reached."""
    claims, recent, today, last = load
    if window.day_since and today >= window.per_day:
        return None
    return claims, recent, last


async def _walk(
    uow: UnitOfWork,
    fits: list[tuple[int, float]],
    window: Window,
    count: int,
    known: Known,
) -> tuple[list[RankedHelper], int]:
    """Run `best_by_fit` over `fits`, counting the loads it asks for (those in `known`, read
    earlier in this transaction, are not read again); returns the ranking and how many
    members it asked about."""
    search = best_by_fit(fits, count)
    asked = 0
    try:
        wanted = next(search)
        while True:
            asked += len(wanted)
            missing = [member for member in wanted if member not in known]
            if missing:
                day_since = window.day_since or window.recent_since
                found = await uow.offers.loads_and_last(missing, window.recent_since, day_since)
                known.update((member, _known(window, load)) for member, load in found.items())
            wanted = search.send({member: _load(known[member]) for member in wanted})
    except StopIteration as done:
        ranked: list[RankedHelper] = done.value
    return ranked, asked


def _load(known: tuple[int, int, int] | None) -> tuple[int, int, float] | None:
    """A load as the ranking takes it: the latest offer's number orders who waited longest."""
    if known is None:
        return None
    claims, recent, last = known
    return claims, recent, float(last)


async def advance(
    services: Services,
    request_id: int,
    *,
    limit: int | None = None,
    when_due: bool = False,
) -> Progress:
    """Run the next matching/escalation step of an unclaimed request (its own transaction),
    with the services' request settings.

    With `when_due` (the periodic check), the step runs only if it is still due and no other
    worker is running it: the request is claimed first, and skipped if it cannot be.
    """
    now = services.clock.now()
    async with services.uow() as uow:
        if when_due and not await uow.requests.claim_due(request_id, now):
            return Progress(Step.NOTHING)
        request = await uow.requests.get(request_id)
        if request is None:
            return Progress(Step.NOTHING)
        progress = await advance_in(uow, now, services.requests, request, limit=limit)
        if progress.step is not Step.NOTHING:
            await uow.commit()
    # The candidates came from SQL because members changed since the index was read: it
    # reads the changed members again now, in a unit of work of its own.
    await uow.candidates.catch_up()
    return progress


async def advance_in(
    uow: UnitOfWork,
    now: datetime,
    settings: RequestSettings,
    request: HelpRequest,
    *,
    limit: int | None = None,
) -> Progress:
    """`advance` inside an open unit of work, from the request as read in it; the caller
    commits. Writes nothing when the step is `NOTHING` (the request is not active, or
    another worker ran this step first)."""
    if not is_active(request.status):
        return Progress(Step.NOTHING)
    request_id = request.id
    guard = {"round": request.round}
    if request.urgency is not Urgency.TODAY and settings.quiet.is_quiet(now):
        wake = settings.quiet.next_active(now)
        await uow.requests.update_fields(
            request_id, now, only_if=guard, round=request.round + 1, next_check_at=wake
        )
        return Progress(Step.DEFERRED, next_check_at=wake)
    alert = alert_at(settings, request)
    if now >= alert and request.round > 0:
        return await _alert(uow, now, request, guard)
    choice = await choose_helpers(
        uow,
        request,
        now - settings.recent_window,
        limit or settings.offers_per_round,
        cap=(now - DAY, settings.max_offers_per_day),
    )
    chosen = choice.helpers
    next_check = min(
        deadline(settings, now, settings.first_escalation[request.urgency], request.urgency),
        alert,
    )
    if not chosen:
        return await _no_helper(
            uow, now, settings, request, guard, next_check, choice.offered_before
        )
    if not await uow.requests.transition(
        request_id,
        allowed_from=sources(Transition.OFFER),
        to=RequestStatus.OFFERED,
        now=now,
        only_if=guard,
        round=request.round + 1,
        next_check_at=next_check,
    ):
        return Progress(Step.NOTHING)
    if limit is None and choice.offered_before:
        # Offered before and still unclaimed after T1 (not a mere decline).
        await _announce_unclaimed(uow, now, settings, request_id)
    await uow.offers.add_many(
        request_id=request_id, helper_ids=chosen, round_number=request.round + 1, now=now
    )
    await notify_many(
        uow,
        now,
        [
            new_message(
                helper_id,
                AboutRequest(NoticeKind.OFFER, request_id),
                dedup_key=f"offer:{request_id}:{helper_id}",
            )
            for helper_id in chosen
        ],
    )
    return Progress(Step.OFFERED, offered=len(chosen), next_check_at=next_check)


async def _announce_unclaimed(
    uow: UnitOfWork, now: datetime, settings: RequestSettings, request_id: int
) -> None:
    """Tell the configured group chats that a request waits for a helper (no private detail)."""
    await announce(
        uow,
        now,
        settings.announce_to,
        AboutRequest(NoticeKind.ANNOUNCE_REQUEST, request_id),
        dedup_prefix=f"announce:{request_id}",
    )


async def _no_helper(
    uow: UnitOfWork,
    now: datetime,
    settings: RequestSettings,
    request: HelpRequest,
    guard: dict[str, int],
    next_check: datetime,
    offered_before: bool,
) -> Progress:
    """Nobody (new) fits: record the skill gap and tell coordinators, once per request."""
    if not await uow.requests.update_fields(
        request.id, now, only_if=guard, round=request.round + 1, next_check_at=next_check
    ):
        return Progress(Step.NOTHING)
    if not offered_before:
        await uow.requests.record_gap(request.id, [s.id for s in request.skills] or [None], now)
        await notify_coordinators(
            uow,
            now,
            AboutRequest(NoticeKind.SKILL_GAP, request.id),
            dedup_prefix=f"gap:{request.id}",
        )
        await _announce_unclaimed(uow, now, settings, request.id)
    return Progress(Step.NO_HELPER, next_check_at=next_check)


async def _alert(
    uow: UnitOfWork, now: datetime, request: HelpRequest, guard: dict[str, int]
) -> Progress:
    """T2 passed: coordinators are asked to assign someone; automatic offers stop."""
    if not await uow.requests.update_fields(
        request.id, now, only_if=guard, round=request.round + 1, next_check_at=None, alerted_at=now
    ):
        return Progress(Step.NOTHING)
    await notify_coordinators(
        uow, now, AboutRequest(NoticeKind.ESCALATED, request.id), dedup_prefix=f"alert:{request.id}"
    )
    return Progress(Step.ALERTED)


async def check_due(services: Services) -> int:
    """Advance every request whose next step is due; returns how many moved.

    Several workers may check at once: each step is claimed (`advance(when_due=True)`), so a
    request another worker is advancing is skipped rather than matched a second time.
    """
    async with services.uow() as uow:
        due = await uow.requests.due_for_check(services.clock.now())
    moved = 0
    for request_id in due:
        progress = await advance(services, request_id, when_due=True)
        moved += progress.step is not Step.NOTHING
    return moved
