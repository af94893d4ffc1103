"""Evaluation indicators of the mutual help: what funders and partners ask the network.

The figures come from SQL aggregates in `storage/` (`uow.indicators`); this module picks the
periods, compares each period with the previous one, and gathers what the report draws.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core import place_coverage
from bot.core.place_coverage import ServiceCoverage
from bot.core.services import Services
from domain.figures import Durations, SkillAsked
from skills import default_catalog
from storage.db import UnitOfWork

NO_STRUCTURE = "—"  # the name under which members without a structure are counted
GAP_BELOW = 2  # a skill with fewer helpers than this is a gap


class PeriodKind(StrEnum):
    """The length of a period of indicators."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Period:
    """A half-open period of time [start, end), in UTC, with its calendar kind."""

    kind: PeriodKind
    start: datetime
    end: datetime
    timezone: str = "UTC"  # the calendar the period was cut in (for `previous`)


@dataclass(frozen=True, slots=True)
class SkillDemand:
    """A skill asked in requests of the period, next to how many members can help with it."""

    slug: str
    label_fr: str
    label_en: str
    asked: int
    helpers: int

    def label(self, locale: str) -> str:
        """The skill's label in a language (French unless `en`)."""
        return self.label_en if locale == "en" else self.label_fr


@dataclass(frozen=True, slots=True)
class StructureActivity:
    """A partner structure: requests its members asked, and help its members gave."""

    name: str
    asked: int
    helped: int


@dataclass(frozen=True, slots=True)
class HelpFlow:
    """Help given by members of one structure to members of another ("who helps whom")."""

    helper_structure: str
    asker_structure: str
    requests: int


@dataclass(frozen=True, slots=True)
class SessionAttendance:
    """One exchange session and its answers."""

    session_id: int
    starts_at: datetime
    place: str | None
    coming: int
    maybe: int
    declined: int


@dataclass(frozen=True, slots=True)
class Indicators:
    """The indicators of one period.

    The requests of a period are those whose `created_at` lies in it (sending a draft or
    reopening a request resets it). A *deflected* request is a draft that a published
    tutorial answered before it was posted (closed with `solved_by_tutorial_id`, never had a
    helper); a *posted* request is any other request but a draft (cancelled ones included).

    `asked`: posted requests of the period (never drafts, never deflected ones);
    `claimed`: posted requests of the period that have a first claim (`claimed_at` set);
    `solved`: requests of the period now resolved or closed, deflected ones included;
    `deflected`: deflected requests of the period (so `solved` may exceed `asked`);
    `median_to_claim`: median of `claimed_at - created_at` over the claimed ones;
    `median_to_solution`: median of `(resolved_at or closed_at) - created_at` over the posted
    requests solved by a helper (deflected ones left out: their duration is the drafting time);
    `skill_gaps`: skills of the posted requests of the period with fewer than 2 members (not
    gone) declaring them at level practising or teaching, most asked first;
    `structures`: per structure, posted requests its members asked and those its members were
    the helper of (whatever the outcome), most help given first; `NO_STRUCTURE` groups members
    without a structure, last; `sessions`: planned sessions starting in the period.
    """

    period: Period
    asked: int
    claimed: int
    solved: int
    deflected: int
    median_to_claim: timedelta | None
    median_to_solution: timedelta | None
    skill_gaps: list[SkillDemand] = field(default_factory=list)
    structures: list[StructureActivity] = field(default_factory=list)
    sessions: list[SessionAttendance] = field(default_factory=list)

    @property
    def deflection_share(self) -> float | None:
        """The share of solved requests that a tutorial solved (None when nothing was solved)."""
        return self.deflected / self.solved if self.solved else None

    @property
    def attendance(self) -> int:
        """How many said they come, over the period's sessions."""
        return sum(session.coming for session in self.sessions)


@dataclass(frozen=True, slots=True)
class MonthStates:
    """Requests created in one month, by their current state."""

    month: date  # the first day of the month
    by_state: dict[str, int]


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the report shows for a period (and the CSV files hold)."""

    indicators: Indicators
    previous: Indicators
    per_month: list[MonthStates]
    hours_to_claim: list[float]
    skills: list[SkillDemand]
    help_flows: list[HelpFlow]
    services: list[ServiceCoverage] = field(default_factory=list)
    """Requests by service of the places schema, next to the places offering it nearby."""


def period_of(kind: PeriodKind, now: datetime, timezone: str) -> Period:
    """The calendar month, quarter or year holding `now` in `timezone` (bounds in UTC)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    if kind is PeriodKind.MONTH:
        first, months = date(local.year, local.month, 1), 1
    elif kind is PeriodKind.QUARTER:
        first, months = date(local.year, 3 * ((local.month - 1) // 3) + 1, 1), 3
    else:
        first, months = date(local.year, 1, 1), 12
    index = first.year * 12 + first.month - 1 + months
    after = date(index // 12, index % 12 + 1, 1)
    return Period(kind, _midnight(first, zone), _midnight(after, zone), timezone)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def previous(period: Period) -> Period:
    """The whole calendar period of the same kind just before `period` starts."""
    return period_of(period.kind, period.start - timedelta(microseconds=1), period.timezone)


def kind_of(since: datetime, until: datetime) -> PeriodKind:
    """The calendar kind closest to a span: under 32 days a month, under 93 a quarter
    (a 31-day month or a 92-day quarter may hold one more hour when summer time ends).
    """
    days = (until - since) / timedelta(days=1)
    if days < 32:
        return PeriodKind.MONTH
    return PeriodKind.QUARTER if days < 93 else PeriodKind.YEAR


def _median(seconds: list[float]) -> timedelta | None:
    return timedelta(seconds=statistics.median(seconds)) if seconds else None


def _demand(skill: SkillAsked) -> SkillDemand:
    return SkillDemand(skill.slug, skill.label_fr, skill.label_en, skill.asked, skill.helpers)


async def _gather(
    uow: UnitOfWork, period: Period
) -> tuple[Indicators, Durations, list[SkillDemand]]:
    since, until = period.start, period.end
    repository = uow.indicators
    counts = await repository.requests(since, until)
    durations = await repository.durations(since, until)
    skills = [_demand(skill) for skill in await repository.skills(since, until)]
    indicators = Indicators(
        period=period,
        asked=counts.asked,
        claimed=counts.claimed,
        solved=counts.solved,
        deflected=counts.deflected,
        median_to_claim=_median(durations.to_claim),
        median_to_solution=_median(durations.to_solution),
        skill_gaps=[skill for skill in skills if skill.helpers < GAP_BELOW],
        structures=[
            StructureActivity(row.name or NO_STRUCTURE, row.asked, row.helped)
            for row in await repository.structures(since, until)
        ],
        sessions=[
            SessionAttendance(s.session_id, s.starts_at, s.place, s.yes, s.maybe, s.no)
            for s in await repository.sessions(since, until)
        ],
    )
    return indicators, durations, skills


async def compute(services: Services, period: Period) -> Indicators:
    """The indicators of a period (see `Indicators` for what each figure counts)."""
    async with services.uow() as uow:
        return (await _gather(uow, period))[0]


async def compare(
    services: Services, kind: PeriodKind, timezone: str
) -> tuple[Indicators, Indicators]:
    """The current calendar period (what happened so far) and the whole previous one.

    The current period keeps its calendar bounds: no request is dated after now, and the
    sessions planned later in it count with the people who said they are coming.
    """
    current = period_of(kind, services.clock.now(), timezone)
    return await compute(services, current), await compute(services, previous(current))


async def report_data(
    services: Services, since: datetime, until: datetime, timezone: str = "Europe/Paris"
) -> ReportData:
    """Everything a report of `[since, until)` shows, next to the period just before.

    When `[since, until)` is a calendar month, quarter or year in `timezone`, the previous
    period is the calendar one before it (February before March); otherwise it is the span of
    the same length just before. Months are cut in `timezone` (the network's).
    """
    kind = kind_of(since, until)
    period = Period(kind, since, until, timezone)
    calendar = period_of(kind, since, timezone) == period
    before = (
        previous(period) if calendar else Period(kind, since - (until - since), since, timezone)
    )
    async with services.uow() as uow:
        indicators, durations, skills = await _gather(uow, period)
        earlier = (await _gather(uow, before))[0]
        months = await uow.indicators.month_states(since, until, timezone)
        flows = await uow.indicators.help_flows(since, until)
        coverage = await place_coverage.coverage(uow, default_catalog(), since, until)
    return ReportData(
        indicators=indicators,
        previous=earlier,
        per_month=[MonthStates(month, states) for month, states in months.items()],
        hours_to_claim=[seconds / 3600 for seconds in durations.to_claim],
        skills=skills,
        help_flows=[
            HelpFlow(
                f.helper_structure or NO_STRUCTURE, f.asker_structure or NO_STRUCTURE, f.requests
            )
            for f in flows
        ],
        services=coverage,
    )
