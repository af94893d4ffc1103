"""Offers of requests to helpers, and the index-backed search for candidate helpers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import CursorResult, and_, case, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from skills import Candidate, SkillLevel
from storage.models import HelpRequestModel, MemberModel, MemberSkillModel, OfferModel, SkillModel
from storage.records import MemberStatus, Offer, OfferState, RequestStatus
from storage.repositories._upsert import insert_for


def _record(row: OfferModel) -> Offer:
    return Offer(
        request_id=row.request_id,
        helper_id=row.helper_id,
        state=OfferState(row.state),
        round=row.round,
        offered_at=row.offered_at,
    )


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

    async def candidate_fits(
        self,
        *,
        request_id: int,
        skill_ids: Collection[int],
        exclude: Collection[int],
        limit: int | None = None,
    ) -> list[tuple[int, float]]:
        """The same candidates as `candidate_levels`, each with its fit (the sum of its level
        weights on these skills) summed by the database: best fit first, then lowest id."""
        if not skill_ids:
            return []
        already = select(OfferModel.helper_id).where(OfferModel.request_id == request_id)
        weight = case(
            {level.value: level.weight for level in SkillLevel},
            value=MemberSkillModel.level,
            else_=0,
        )
        fit = func.sum(weight).label("fit")
        query = (
            select(MemberSkillModel.member_id, fit)
            .join(MemberModel, MemberModel.id == MemberSkillModel.member_id)
            .where(
                MemberSkillModel.skill_id.in_(sorted(set(skill_ids))),
                MemberModel.status == MemberStatus.ACTIVE.value,
                MemberModel.id.not_in(list(exclude)) if exclude else true(),
                MemberModel.id.not_in(already),
            )
            .group_by(MemberSkillModel.member_id)
            .order_by(fit.desc(), MemberSkillModel.member_id)
        )
        if limit is not None:
            query = query.limit(limit)
        rows = (await self._session.execute(query)).all()
        return [(int(member_id), float(total)) for member_id, total in rows]

    async def loads(
        self, member_ids: Collection[int], recent_since: datetime
    ) -> dict[int, tuple[int, int]]:
        """Open claims and offers received since `recent_since`, for these members."""
        members = list(member_ids)
        if not members:
            return {}
        claims = dict(
            (
                await self._session.execute(
                    select(HelpRequestModel.helper_id, func.count())
                    .where(
                        HelpRequestModel.helper_id.in_(members),
                        HelpRequestModel.status == RequestStatus.CLAIMED.value,
                    )
                    .group_by(HelpRequestModel.helper_id)
                )
            ).all()
        )
        recent = dict(
            (
                await self._session.execute(
                    select(OfferModel.helper_id, func.count())
                    .where(OfferModel.helper_id.in_(members), OfferModel.offered_at >= recent_since)
                    .group_by(OfferModel.helper_id)
                )
            ).all()
        )
        return {
            member: (int(claims.get(member, 0)), int(recent.get(member, 0))) for member in members
        }

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
        loads = await self.loads(levels, recent_since)
        return [Candidate(member_id, levels[member_id], *loads[member_id]) for member_id in levels]

    async def add_many(
        self, *, request_id: int, helper_ids: Collection[int], round_number: int, now: datetime
    ) -> None:
        """Record pending offers of a request to these helpers."""
        if helper_ids:
            await self._session.execute(
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
