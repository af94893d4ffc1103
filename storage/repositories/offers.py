"""Offers of requests to helpers, and the index-backed search for candidate helpers."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    CursorResult,
    Executable,
    Float,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import MemberStatus, Offer, OfferState, RequestStatus
from skills import Candidate, SkillLevel
from storage.models import HelpRequestModel, MemberModel, MemberSkillModel, OfferModel, SkillModel
from storage.repositories._core import execute_core
from storage.repositories._upsert import insert_for


def _record(row: OfferModel) -> Offer:
    return Offer(
        request_id=row.request_id,
        helper_id=row.helper_id,
        state=OfferState(row.state),
        round=row.round,
        offered_at=row.offered_at,
    )


@dataclass(frozen=True, slots=True)
class CandidateFits:
    """The best-fitting candidates of a request, and whether it was offered to anyone yet."""

    fits: list[tuple[int, float]]
    """(member id, fit), best fit first, then lowest id."""
    offered_before: bool
    """Whether the request has offers already (of any round, in any state)."""


def _fits_statement(limited: bool, weighted: int = 0) -> Select[Any]:
    """One statement: the number of offers the request has, then its candidates with their fit.

    The offers count comes from a one-row subquery LEFT JOINed to the candidates, so there
    is always one row, even when nobody fits (then its candidate columns are NULL). With
    `weighted` skills, each level weight is multiplied by its skill's weight in the need
    (bound as s0, w0, s1, w1...).
    """
    request_id = bindparam("request_id", type_=Integer)
    weight: Any = case(
        {level.value: level.weight for level in SkillLevel},
        value=MemberSkillModel.level,
        else_=0,
    )
    if weighted:
        weight = weight * case(
            *(
                (
                    MemberSkillModel.skill_id == bindparam(f"s{i}", type_=Integer),
                    bindparam(f"w{i}", type_=Float),
                )
                for i in range(weighted)
            ),
            else_=0.0,
        )
    fit = func.sum(weight).label("fit")
    already = select(OfferModel.helper_id).where(OfferModel.request_id == request_id)
    candidates = (
        select(MemberSkillModel.member_id.label("member_id"), fit)
        .join(MemberModel, MemberModel.id == MemberSkillModel.member_id)
        .where(
            MemberSkillModel.skill_id.in_(bindparam("skill_ids", expanding=True)),
            MemberModel.status == MemberStatus.ACTIVE.value,
            MemberModel.id.not_in(bindparam("exclude", expanding=True)),
            MemberModel.id.not_in(already),
        )
        .group_by(MemberSkillModel.member_id)
        .order_by(fit.desc(), MemberSkillModel.member_id)
    )
    if limited:
        candidates = candidates.limit(bindparam("limit", type_=Integer))
    return _with_offers_count(candidates.subquery("page"), request_id)


def _with_offers_count(page: Subquery, request_id: BindParameter[int]) -> Select[Any]:
    """The request's number of offers, then the `page` of candidates (member_id, fit), best
    first: a one-row subquery LEFT JOINed to the page, so there is a row even when nobody
    fits (its candidate columns are then NULL)."""
    offered = (
        select(func.count().label("offers"))
        .where(OfferModel.request_id == request_id)
        .subquery("offered")
    )
    return (
        select(offered.c.offers, page.c.member_id, page.c.fit)
        .select_from(offered.outerjoin(page, true()))
        .order_by(page.c.fit.desc(), page.c.member_id)
    )


def _one_skill_page_statement() -> Select[Any]:
    """`_fits_statement(limited=True)` for a request with one skill, without summing anyone.

    With one skill the fit is the weight of the member's level, so the best candidates are
    the first of each level, by member id: one short walk of the (skill, level, member)
    index per level, best level first, instead of grouping every holder of the skill.
    """
    request_id = bindparam("request_id", type_=Integer)
    already = select(OfferModel.helper_id).where(OfferModel.request_id == request_id)
    tiers = [
        select(MemberSkillModel.member_id.label("member_id"), literal(level.weight).label("fit"))
        .join(MemberModel, MemberModel.id == MemberSkillModel.member_id)
        .where(
            MemberSkillModel.skill_id == bindparam("skill_id", type_=Integer),
            MemberSkillModel.level == level.value,
            MemberModel.status == MemberStatus.ACTIVE.value,
            MemberModel.id.not_in(bindparam("exclude", expanding=True)),
            MemberModel.id.not_in(already),
        )
        .order_by(MemberSkillModel.member_id)
        .limit(bindparam("limit", type_=Integer))
        .subquery(f"tier_{level.value}")
        for level in SkillLevel
    ]
    page = union_all(*(select(tier.c.member_id, tier.c.fit) for tier in tiers)).subquery("page")
    return _with_offers_count(page, request_id).limit(bindparam("limit", type_=Integer))


# Built once: statements are immutable, and a prebuilt one skips construction and keeps its
# cache key (matching runs these on every step).
_FITS_PAGE = _fits_statement(limited=True)
_FITS_ALL = _fits_statement(limited=False)
_ONE_SKILL_PAGE = _one_skill_page_statement()


@functools.cache
def _weighted_statement(skills: int, limited: bool) -> Select[Any]:
    """`_fits_statement` weighing `skills` skills, built once per count."""
    return _fits_statement(limited, skills)


# A request without a skill has no candidate; only its offers are counted (the candidate
# statement with an empty skill list would still walk every active member).
_OFFERS_COUNT = select(func.count()).where(
    OfferModel.request_id == bindparam("request_id", type_=Integer)
)
_HOLDERS: CompoundSelect[Any] = union_all(
    # Holders counted from the (skill, level, member) index alone: members who left are
    # few, and the count is only a measure of how common a skill is.
    select(SkillModel.id, SkillModel.slug, func.count(MemberSkillModel.member_id))
    .select_from(SkillModel)
    .outerjoin(MemberSkillModel, MemberSkillModel.skill_id == SkillModel.id)
    .where(SkillModel.slug.in_(bindparam("slugs", expanding=True)))
    .group_by(SkillModel.id, SkillModel.slug),
    select(literal(None, type_=Integer), literal(None, type_=String), func.count()).where(
        MemberModel.status == MemberStatus.ACTIVE.value
    ),
)
_LOADS: CompoundSelect[Any] = union_all(
    select(literal(0).label("kind"), HelpRequestModel.helper_id, func.count())
    .where(
        HelpRequestModel.helper_id.in_(bindparam("members", expanding=True)),
        HelpRequestModel.status == RequestStatus.CLAIMED.value,
    )
    .group_by(HelpRequestModel.helper_id),
    select(literal(1).label("kind"), OfferModel.helper_id, func.count())
    .where(
        OfferModel.helper_id.in_(bindparam("members", expanding=True)),
        OfferModel.offered_at >= bindparam("since"),
    )
    .group_by(OfferModel.helper_id),
    select(literal(2).label("kind"), OfferModel.helper_id, func.count())
    .where(
        OfferModel.helper_id.in_(bindparam("members", expanding=True)),
        OfferModel.offered_at >= bindparam("day_since"),
    )
    .group_by(OfferModel.helper_id),
)
# The same three counts (kinds 0-2), and each member's latest offer (kind 3: its number, as
# offers are numbered in the order they are made), for the fairness tie-break.
LOADS_LAST: CompoundSelect[Any] = union_all(
    *_LOADS.selects,
    select(literal(3).label("kind"), OfferModel.helper_id, func.max(OfferModel.id))
    .where(OfferModel.helper_id.in_(bindparam("members", expanding=True)))
    .group_by(OfferModel.helper_id),
)


def loads_by_member(
    rows: Iterable[Any], members: Collection[int]
) -> dict[int, tuple[int, int, int, int]]:
    """The (kind, member, count) rows of `LOADS_LAST` as each member's four counts (0 when
    the member has no row of a kind)."""
    counts: tuple[dict[int, int], ...] = ({}, {}, {}, {})
    for kind, member, count in rows:
        counts[kind][int(member)] = int(count)
    claims, recent, today, last = counts
    return {
        member: (
            claims.get(member, 0),
            recent.get(member, 0),
            today.get(member, 0),
            last.get(member, 0),
        )
        for member in members
    }


class OfferRepository:
    """Offers and candidate helpers."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def candidate_levels(
        self, *, request_id: int, skill_ids: Collection[int], exclude: Collection[int]
    ) -> dict[int, dict[str, SkillLevel]]:
        """Active members holding at least one of the skills, not yet offered this request,
        with their levels on those skills (from the member_skills index on the skills)."""
        if not skill_ids:
            return {}
        already = select(OfferModel.helper_id).where(OfferModel.request_id == request_id)
        rows = (
            await self._session.execute(
                select(MemberSkillModel.member_id, SkillModel.slug, MemberSkillModel.level)
                .join(MemberModel, MemberModel.id == MemberSkillModel.member_id)
                .join(SkillModel, SkillModel.id == MemberSkillModel.skill_id)
                .where(
                    MemberSkillModel.skill_id.in_(list(skill_ids)),
                    MemberModel.status == MemberStatus.ACTIVE.value,
                    MemberModel.id.not_in(list(exclude)) if exclude else true(),
                    MemberModel.id.not_in(already),
                )
            )
        ).all()
        levels: dict[int, dict[str, SkillLevel]] = defaultdict(dict)
        for member_id, slug, level in rows:
            levels[member_id][slug] = SkillLevel(level)
        return dict(levels)

    async def _run(
        self, statement: Executable, params: Mapping[str, Any] | list[dict[str, Any]]
    ) -> list[Any]:
        """Run a Core statement in this unit of work; its rows (none for a write)."""
        result = await execute_core(self._session, statement, params)
        return list(result.all()) if result.returns_rows else []

    async def candidates_by_fit(
        self,
        *,
        request_id: int,
        skill_ids: Collection[int],
        exclude: Collection[int],
        limit: int | None = None,
        weights: Mapping[int, float] | None = None,
    ) -> CandidateFits:
        """The same candidates as `candidate_levels`, each with its fit (the sum of its level
        weights on these skills, each times the skill's weight in `weights` if given) summed
        by the database: best fit first, then lowest id; and, from the same statement,
        whether the request was offered before."""
        skills = sorted(set(skill_ids))
        if not skills:
            [(offers,)] = await self._run(_OFFERS_COUNT, {"request_id": request_id})
            return CandidateFits(fits=[], offered_before=bool(offers))
        params: dict[str, Any] = {"request_id": request_id, "exclude": sorted(set(exclude))}
        scale = 1.0
        if limit is not None and len(skills) == 1:
            statement: Select[Any] = _ONE_SKILL_PAGE
            params.update(skill_id=skills[0], limit=limit)
            scale = weights.get(skills[0], 1.0) if weights is not None else 1.0
        else:
            if weights is None:
                statement = _FITS_ALL if limit is None else _FITS_PAGE
            else:
                statement = _weighted_statement(len(skills), limit is not None)
                for i, skill in enumerate(skills):
                    params[f"s{i}"], params[f"w{i}"] = skill, float(weights.get(skill, 1.0))
            params["skill_ids"] = skills
            if limit is not None:
                params["limit"] = limit
        rows = await self._run(statement, params)
        # Rounded: the same levels summed in another order must tie exactly.
        fits = [
            (int(member), round(float(fit) * scale, 9))
            for _, member, fit in rows
            if member is not None
        ]
        return CandidateFits(fits=fits, offered_before=bool(rows[0][0]))

    async def candidate_fits(
        self,
        *,
        request_id: int,
        skill_ids: Collection[int],
        exclude: Collection[int],
        limit: int | None = None,
        weights: Mapping[int, float] | None = None,
    ) -> list[tuple[int, float]]:
        """`candidates_by_fit` without the offers count: (member id, fit), best fit first."""
        found = await self.candidates_by_fit(
            request_id=request_id,
            skill_ids=skill_ids,
            exclude=exclude,
            limit=limit,
            weights=weights,
        )
        return found.fits

    async def holders(self, slugs: Collection[str]) -> tuple[dict[str, tuple[int, int]], int]:
        """The id of each of these skills and how many members declare it (unknown slugs
        are absent), and how many members are active: one statement, for the specificity
        of skills in the network."""
        if not slugs:
            return {}, 0
        rows = await self._run(_HOLDERS, {"slugs": sorted(set(slugs))})
        found = {str(slug): (int(id_), int(count)) for id_, slug, count in rows if slug is not None}
        members = next((int(count) for _, slug, count in rows if slug is None), 0)
        return found, members

    async def loads(
        self, member_ids: Collection[int], recent_since: datetime
    ) -> dict[int, tuple[int, int]]:
        """Open claims and offers received since `recent_since`, for these members (one
        statement for both counts)."""
        found = await self.loads_and_today(member_ids, recent_since, recent_since)
        return {member: (claims, recent) for member, (claims, recent, _) in found.items()}

    async def loads_and_today(
        self, member_ids: Collection[int], recent_since: datetime, day_since: datetime
    ) -> dict[int, tuple[int, int, int]]:
        """Open claims, offers received since `recent_since` and since `day_since`, for these
        members (one statement for the three counts)."""
        members = list(member_ids)
        if not members:
            return {}
        counts: tuple[dict[int, int], dict[int, int], dict[int, int]] = ({}, {}, {})
        rows = await self._run(
            _LOADS, {"members": members, "since": recent_since, "day_since": day_since}
        )
        for kind, member, count in rows:
            counts[kind][member] = count
        claims, recent, today = counts
        return {
            member: (
                int(claims.get(member, 0)),
                int(recent.get(member, 0)),
                int(today.get(member, 0)),
            )
            for member in members
        }

    async def loads_and_last(
        self, member_ids: Collection[int], recent_since: datetime, day_since: datetime
    ) -> dict[int, tuple[int, int, int, int]]:
        """`loads_and_today`, and the number of each member's latest offer (0: never offered
        anything; a larger number is a later offer), in the same statement."""
        members = list(member_ids)
        if not members:
            return {}
        rows = await self._run(
            LOADS_LAST, {"members": members, "since": recent_since, "day_since": day_since}
        )
        return loads_by_member(rows, members)

    async def candidates(
        self,
        *,
        request_id: int,
        skill_ids: Collection[int],
        exclude: Collection[int],
        recent_since: datetime,
    ) -> list[Candidate]:
        """Every candidate with their load (matching asks for the load of the best few only)."""
        levels = await self.candidate_levels(
            request_id=request_id, skill_ids=skill_ids, exclude=exclude
        )
        loads = await self.loads_and_last(levels, recent_since, recent_since)
        return [
            Candidate(member_id, levels[member_id], claims, recent, last_offered=float(last))
            for member_id, (claims, recent, _, last) in loads.items()
        ]

    async def add_many(
        self, *, request_id: int, helper_ids: Collection[int], round_number: int, now: datetime
    ) -> None:
        """Record pending offers of a request to these helpers."""
        if helper_ids:
            await self._run(
                insert_for(self._session, OfferModel.__table__),  # type: ignore[arg-type]
                [
                    {
                        "request_id": request_id,
                        "helper_id": helper_id,
                        "round": round_number,
                        "state": OfferState.PENDING.value,
                        "offered_at": now,
                    }
                    for helper_id in helper_ids
                ],
            )

    async def get(self, request_id: int, helper_id: int) -> Offer | None:
        """The offer of a request to a helper, if one was made."""
        row = await self._session.scalar(
            select(OfferModel).where(
                OfferModel.request_id == request_id, OfferModel.helper_id == helper_id
            )
        )
        return _record(row) if row else None

    async def of_request(self, request_id: int) -> list[Offer]:
        """Every offer of a request, in the order they were made."""
        rows = await self._session.scalars(
            select(OfferModel).where(OfferModel.request_id == request_id).order_by(OfferModel.id)
        )
        return [_record(row) for row in rows]

    async def shown_to(self, request_id: int) -> list[tuple[str, OfferState, datetime]]:
        """Who a request was offered to (display name, what became of the offer, when),
        in the order they were asked."""
        rows = await self._session.execute(
            select(MemberModel.display_name, OfferModel.state, OfferModel.offered_at)
            .join(MemberModel, MemberModel.id == OfferModel.helper_id)
            .where(OfferModel.request_id == request_id)
            .order_by(OfferModel.offered_at, OfferModel.id)
        )
        return [(name, OfferState(state), offered_at) for name, state, offered_at in rows]

    async def answer(
        self,
        *,
        request_id: int,
        helper_id: int,
        allowed_from: Collection[OfferState],
        to: OfferState,
        now: datetime,
    ) -> bool:
        """Record a helper's answer if the offer is still in one of `allowed_from`."""
        result = await self._session.execute(
            update(OfferModel)
            .where(
                and_(
                    OfferModel.request_id == request_id,
                    OfferModel.helper_id == helper_id,
                    OfferModel.state.in_([state.value for state in allowed_from]),
                )
            )
            .values(state=to.value, answered_at=now)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def close_pending(
        self, *, request_id: int, to: OfferState, now: datetime, except_helper: int | None = None
    ) -> list[int]:
        """Mark every still-pending offer of the request as `to`; returns those helpers."""
        conditions = [
            OfferModel.request_id == request_id,
            OfferModel.state == OfferState.PENDING.value,
        ]
        if except_helper is not None:
            conditions.append(OfferModel.helper_id != except_helper)
        helpers = list(await self._session.scalars(select(OfferModel.helper_id).where(*conditions)))
        if helpers:
            await self._session.execute(
                update(OfferModel).where(*conditions).values(state=to.value, answered_at=now)
            )
        return helpers
