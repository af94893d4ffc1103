"""Offering requests to helpers, and escalating those nobody takes.

`advance` is the one step that moves an unclaimed request forward: it runs when the request
is submitted, when a helper declines, and whenever its `next_check_at` is due. Each step is
guarded by the request's `round`, so two workers can never run the same step twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.clock import Clock
from bot.core.outbox import announce, notify, notify_coordinators
from bot.core.request_states import Transition, is_active, sources
from bot.core.services import RequestSettings, UowFactory
from bot.core.types import HelpRequest, RequestStatus, Urgency
from skills.ranking import RankedHelper, best_by_fit
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


# Candidates read by best fit first; a search that needs more than this reads them all.
CANDIDATE_PAGE = 200


async def _best_helpers(
    uow: UnitOfWork, request: HelpRequest, recent_since: datetime, count: int
) -> list[int]:
    """The members to offer the request to, best first; only the best few's load is counted,
    and only the best-fitting candidates are read (the database sums their fit)."""

    async def candidates(limit: int | None) -> list[tuple[int, float]]:
        return await uow.offers.candidate_fits(
            request_id=request.id,
            skill_ids=[skill.id for skill in request.skills],
            exclude=[request.author_id] if request.author_id else [],
            limit=limit,
        )

    fits = await candidates(CANDIDATE_PAGE)
    ranked, asked = await _walk(uow, fits, recent_since, count)
    if asked == len(fits) == CANDIDATE_PAGE:  # never settled within the page: read everyone
        ranked, _ = await _walk(uow, await candidates(None), recent_since, count)
    return [helper.member_id for helper in ranked]


async def _walk(
    uow: UnitOfWork, fits: list[tuple[int, float]], recent_since: datetime, count: int
) -> tuple[list[RankedHelper], int]:
    search = best_by_fit(fits, count)
    asked = 0
    try:
        wanted = next(search)
        while True:
            asked += len(wanted)
            wanted = search.send(await uow.offers.loads(wanted, recent_since))
    except StopIteration as done:
        ranked: list[RankedHelper] = done.value
    return ranked, asked


async def advance(
    uow: UnitOfWork,
    clock: Clock,
    settings: RequestSettings,
    request_id: int,
    *,
    limit: int | None = None,
) -> Progress:
    """Run the next matching/escalation step of an unclaimed request (its own transaction)."""
    now = clock.now()
    async with uow:
        request = await uow.requests.get(request_id)
        if request is None or not is_active(request.status):
            return Progress(Step.NOTHING)
        guard = {"round": request.round}
        if request.urgency is not Urgency.TODAY and settings.quiet.is_quiet(now):
            wake = settings.quiet.next_active(now)
            if await uow.requests.update_fields(
                request_id, now, only_if=guard, round=request.round + 1, next_check_at=wake
            ):
                await uow.commit()
            return Progress(Step.DEFERRED, next_check_at=wake)
        alert = alert_at(settings, request)
        if now >= alert and request.round > 0:
            return await _alert(uow, now, request, guard)
        chosen = await _best_helpers(
            uow, request, now - settings.recent_window, limit or settings.offers_per_round
        )
        next_check = min(
            deadline(settings, now, settings.first_escalation[request.urgency], request.urgency),
            alert,
        )
        if not chosen:
            return await _no_helper(uow, now, settings, request, guard, next_check)
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
        if limit is None and await uow.offers.of_request(request_id):
            # Offered before and still unclaimed after T1 (not a mere decline).
            await _announce_unclaimed(uow, now, settings, request_id)
        await uow.offers.add_many(
            request_id=request_id, helper_ids=chosen, round_number=request.round + 1, now=now
        )
        for helper_id in chosen:
            await notify(
                uow,
                now,
                helper_id,
                "offer",
                {"request_id": request_id},
                dedup_key=f"offer:{request_id}:{helper_id}",
            )
        await uow.commit()
    return Progress(Step.OFFERED, offered=len(chosen), next_check_at=next_check)


async def _announce_unclaimed(
    uow: UnitOfWork, now: datetime, settings: RequestSettings, request_id: int
) -> None:
    """Tell the configured group chats that a request waits for a helper (no private detail)."""
    await announce(
        uow,
        now,
        settings.announce_to,
        "announce_request",
        {"request_id": request_id},
        dedup_prefix=f"announce:{request_id}",
    )


async def _no_helper(
    uow: UnitOfWork,
    now: datetime,
    settings: RequestSettings,
    request: HelpRequest,
    guard: dict[str, int],
    next_check: datetime,
) -> Progress:
    """Nobody (new) fits: record the skill gap and tell coordinators, once per request."""
    if not await uow.requests.update_fields(
        request.id, now, only_if=guard, round=request.round + 1, next_check_at=next_check
    ):
        return Progress(Step.NOTHING)
    if not await uow.offers.of_request(request.id):
        await uow.requests.record_gap(request.id, [s.id for s in request.skills] or [None], now)
        await notify_coordinators(
            uow, now, "skill_gap", {"request_id": request.id}, dedup_prefix=f"gap:{request.id}"
        )
        await _announce_unclaimed(uow, now, settings, request.id)
    await uow.commit()
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
        uow, now, "escalated", {"request_id": request.id}, dedup_prefix=f"alert:{request.id}"
    )
    await uow.commit()
    return Progress(Step.ALERTED)


async def check_due(uow_factory: UowFactory, clock: Clock, settings: RequestSettings) -> int:
    """Advance every request whose next step is due; returns how many moved."""
    async with uow_factory() as uow:
        due = await uow.requests.due_for_check(clock.now())
    moved = 0
    for request_id in due:
        progress = await advance(uow_factory(), clock, settings, request_id)
        moved += progress.step is not Step.NOTHING
    return moved
