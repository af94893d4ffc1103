"""SQL aggregates behind the evaluation indicators (`/stats` and the periodic report).

Every method takes a half-open period `[since, until)` of aware UTC datetimes and works the
same on SQLite and PostgreSQL (plain SQLAlchemy Core: `count`, `sum(case …)`, joins; no
dialect function). Nothing here reads request texts.

Which requests a period holds (the same everywhere below):

- a request belongs to the period when its `created_at` is in it (sending a draft and
  reopening a request both reset `created_at`, so a request counts where it was last posted);
- a *deflected* request is a draft a published tutorial answered: `solved_by_tutorial_id` is
  set, its status is `closed` and it never had a helper. It was never posted;
- a *posted* request is neither a draft nor deflected (cancelled ones included: the schema
  cannot tell a cancelled draft from a cancelled posted request, and both are rare).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Subquery, and_, case, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from domain.figures import (
    Durations,
    FlowCount,
    RequestCounts,
    SessionCounts,
    SkillAsked,
    StructureCounts,
)
from domain.records import MemberStatus, RequestStatus, RsvpAnswer, SessionStatus
from skills import SkillLevel
from storage.models import (
    ExchangeSessionModel,
    HelpRequestModel,
    MemberModel,
    MemberSkillModel,
    RequestSkillModel,
    RsvpModel,
    SkillModel,
    StructureModel,
)

R = HelpRequestModel
SOLVED_STATES = (RequestStatus.RESOLVED.value, RequestStatus.CLOSED.value)
HELPER_LEVELS = (SkillLevel.PRACTISING.value, SkillLevel.TEACHING.value)
DEFLECTED = "deflected"  # the pseudo-state of deflected requests in `month_states`


def _deflected() -> ColumnElement[bool]:
    return and_(
        R.solved_by_tutorial_id.is_not(None),
        R.status == RequestStatus.CLOSED.value,
        R.helper_id.is_(None),
    )


def _posted() -> ColumnElement[bool]:
    return and_(R.status != RequestStatus.DRAFT.value, not_(_deflected()))


def _in(since: datetime, until: datetime) -> ColumnElement[bool]:
    return and_(R.created_at >= since, R.created_at < until)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class IndicatorRepository:
    """Aggregates over a period, for the evaluation indicators."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def requests(self, since: datetime, until: datetime) -> RequestCounts:
        """Posted, claimed, solved (deflected included) and deflected requests of the period."""
        row = (
            await self._session.execute(
                select(
                    _count_if(_posted()),
                    _count_if(and_(_posted(), R.claimed_at.is_not(None))),
                    _count_if(R.status.in_(SOLVED_STATES)),
                    _count_if(_deflected()),
                ).where(_in(since, until))
            )
        ).one()
        return RequestCounts(*(int(value) for value in row))

    async def durations(self, since: datetime, until: datetime) -> Durations:
        """Seconds to the first claim and to the solution (medians are computed by the caller;
        SQLite has no median and date arithmetic differs between the databases).
        """
        rows = await self._session.execute(
            select(R.created_at, R.claimed_at, R.resolved_at, R.closed_at, R.status).where(
                _in(since, until), _posted()
            )
        )
        to_claim: list[float] = []
        to_solution: list[float] = []
        for created, claimed, resolved, closed, status in rows:
            if claimed is not None:
                to_claim.append(max(0.0, (claimed - created).total_seconds()))
            end = resolved or closed
            if status in SOLVED_STATES and end is not None:
                to_solution.append(max(0.0, (end - created).total_seconds()))
        return Durations(sorted(to_claim), sorted(to_solution))

    def _helpers(self) -> Subquery:
        """Per skill, the members (not gone) declaring it at a level that lets them help."""
        return (
            select(MemberSkillModel.skill_id, func.count().label("n"))
            .join(MemberModel, MemberModel.id == MemberSkillModel.member_id)
            .where(
                MemberSkillModel.level.in_(HELPER_LEVELS),
                MemberModel.status != MemberStatus.LEFT.value,
            )
            .group_by(MemberSkillModel.skill_id)
            .subquery()
        )

    async def skills(self, since: datetime, until: datetime) -> list[SkillAsked]:
        """Skills of the posted requests of the period: most asked first, then by slug."""
        helpers = self._helpers()
        asked = func.count(RequestSkillModel.request_id)
        held = func.coalesce(helpers.c.n, 0)
        rows = await self._session.execute(
            select(SkillModel.slug, SkillModel.label_fr, SkillModel.label_en, asked, held)
            .join(RequestSkillModel, RequestSkillModel.skill_id == SkillModel.id)
            .join(R, R.id == RequestSkillModel.request_id)
            .outerjoin(helpers, helpers.c.skill_id == SkillModel.id)
            .where(_in(since, until), _posted())
            .group_by(
                SkillModel.id,
                SkillModel.slug,
                SkillModel.label_fr,
                SkillModel.label_en,
                helpers.c.n,
            )
            .order_by(asked.desc(), SkillModel.slug)
        )
        return [SkillAsked(s, fr, en, int(n), int(h)) for s, fr, en, n, h in rows]

    async def _by_structure(
        self, since: datetime, until: datetime, member_column: InstrumentedAttribute[int | None]
    ) -> dict[str | None, int]:
        rows = await self._session.execute(
            select(StructureModel.name, func.count())
            .select_from(R)
            .outerjoin(MemberModel, MemberModel.id == member_column)
            .outerjoin(StructureModel, StructureModel.id == MemberModel.structure_id)
            .where(_in(since, until), _posted(), member_column.is_not(None))
            .group_by(StructureModel.name)
        )
        return {name: int(n) for name, n in rows}

    async def structures(self, since: datetime, until: datetime) -> list[StructureCounts]:
        """Per structure: posted requests its members asked, and requests its members helped
        with (had as helper, whatever the outcome). Only structures with some activity;
        most help given first, then most asked, then by name, no-structure last.
        """
        asked = await self._by_structure(since, until, R.author_id)
        helped = await self._by_structure(since, until, R.helper_id)
        rows = [
            StructureCounts(name, asked.get(name, 0), helped.get(name, 0))
            for name in set(asked) | set(helped)
        ]
        return sorted(rows, key=lambda r: (r.name is None, -r.helped, -r.asked, r.name or ""))

    async def help_flows(self, since: datetime, until: datetime) -> list[FlowCount]:
        """Who helps whom: posted requests of the period with a helper, per pair of structures
        (helper's, asker's); None stands for no structure. Largest flows first.
        """
        helper, asker = aliased(MemberModel), aliased(MemberModel)
        helper_org, asker_org = aliased(StructureModel), aliased(StructureModel)
        requests = func.count()
        rows = await self._session.execute(
            select(helper_org.name, asker_org.name, requests)
            .select_from(R)
            .join(helper, helper.id == R.helper_id)
            .outerjoin(helper_org, helper_org.id == helper.structure_id)
            .outerjoin(asker, asker.id == R.author_id)
            .outerjoin(asker_org, asker_org.id == asker.structure_id)
            .where(_in(since, until), _posted())
            .group_by(helper_org.name, asker_org.name)
        )
        flows = [FlowCount(h, a, int(n)) for h, a, n in rows]
        return sorted(
            flows,
            key=lambda f: (
                -f.requests,
                f.helper_structure or "\uffff",
                f.asker_structure or "\uffff",
            ),
        )

    async def sessions(self, since: datetime, until: datetime) -> list[SessionCounts]:
        """Planned (not cancelled) sessions starting in the period, with their answers."""
        answer = RsvpModel.answer
        rows = await self._session.execute(
            select(
                ExchangeSessionModel.id,
                ExchangeSessionModel.starts_at,
                ExchangeSessionModel.place,
                _count_if(answer == RsvpAnswer.YES.value),
                _count_if(answer == RsvpAnswer.MAYBE.value),
                _count_if(answer == RsvpAnswer.NO.value),
            )
            .outerjoin(RsvpModel, RsvpModel.session_id == ExchangeSessionModel.id)
            .where(
                ExchangeSessionModel.starts_at >= since,
                ExchangeSessionModel.starts_at < until,
                ExchangeSessionModel.status == SessionStatus.PLANNED.value,
            )
            .group_by(
                ExchangeSessionModel.id, ExchangeSessionModel.starts_at, ExchangeSessionModel.place
            )
            .order_by(ExchangeSessionModel.starts_at, ExchangeSessionModel.id)
        )
        return [
            SessionCounts(int(i), starts, place, int(y), int(m), int(n))
            for i, starts, place, y, m, n in rows
        ]

    async def month_states(
        self, since: datetime, until: datetime, timezone: str
    ) -> dict[date, dict[str, int]]:
        """Requests of the period per month (in `timezone`) and current state.

        Drafts are left out; deflected requests are counted under the pseudo-state
        `deflected` (not `closed`), so the other states of a month add up to its posted
        requests. The month is computed in Python from `created_at`, in the network's
        timezone: SQL month functions differ between the databases and know no timezone
        on SQLite. Keys are the first day of each month; months without requests are absent.
        """
        zone = ZoneInfo(timezone)
        rows = await self._session.execute(
            select(R.created_at, R.status, _deflected()).where(
                _in(since, until), R.status != RequestStatus.DRAFT.value
            )
        )
        months: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for created, status, deflected in rows:
            local = created.astimezone(zone)
            months[date(local.year, local.month, 1)][DEFLECTED if deflected else status] += 1
        return {month: dict(states) for month, states in sorted(months.items())}

    async def request_skills(self, since: datetime, until: datetime) -> list[tuple[int, str]]:
        """(request id, skill slug) of the posted requests of the period."""
        rows = await self._session.execute(
            select(RequestSkillModel.request_id, SkillModel.slug)
            .join(R, R.id == RequestSkillModel.request_id)
            .join(SkillModel, SkillModel.id == RequestSkillModel.skill_id)
            .where(_in(since, until), _posted())
        )
        return [(int(request_id), str(slug)) for request_id, slug in rows]
