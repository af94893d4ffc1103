"""Aggregates for coordinators: what happened in a period, where the network is weak."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Subquery, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.figures import PeriodCounts, SkillCount
from domain.records import RequestStatus
from storage.models import (
    HelpRequestModel,
    MemberSkillModel,
    SkillGapModel,
    SkillModel,
    TutorialModel,
    TutorialSkillModel,
)


class StatsRepository:
    """SQL aggregates; nothing here reads request texts."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _count(self, query: object) -> int:
        return int(await self._session.scalar(query) or 0)  # type: ignore[call-overload]

    async def period(self, since: datetime, until: datetime) -> PeriodCounts:
        """Counts of requests created, still unclaimed, escalated, solved; tutorials; gaps."""
        requests = HelpRequestModel
        return PeriodCounts(
            new=await self._count(
                select(func.count()).where(
                    requests.created_at >= since, requests.created_at < until
                )
            ),
            unclaimed=await self._count(
                select(func.count()).where(
                    requests.status.in_([RequestStatus.OPEN.value, RequestStatus.OFFERED.value])
                )
            ),
            escalated=await self._count(
                select(func.count()).where(
                    requests.alerted_at >= since, requests.alerted_at < until
                )
            ),
            solved=await self._count(
                select(func.count()).where(
                    requests.status == RequestStatus.CLOSED.value,
                    requests.closed_at >= since,
                    requests.closed_at < until,
                )
            ),
            tutorials=await self._count(
                select(func.count()).where(
                    TutorialModel.created_at >= since, TutorialModel.created_at < until
                )
            ),
            gaps=await self._count(
                select(func.count(distinct(SkillGapModel.request_id))).where(
                    SkillGapModel.created_at >= since, SkillGapModel.created_at < until
                )
            ),
            deflected=await self._count(
                select(func.count()).where(
                    requests.solved_by_tutorial_id.is_not(None),
                    requests.closed_at >= since,
                    requests.closed_at < until,
                )
            ),
        )

    def _helpers(self) -> Subquery:
        return (
            select(MemberSkillModel.skill_id, func.count().label("n"))
            .group_by(MemberSkillModel.skill_id)
            .subquery()
        )

    async def gaps(self, since: datetime, limit: int = 3) -> list[SkillCount]:
        """Skills most asked without a helper since `since`, fewest helpers first on ties."""
        helpers = self._helpers()
        asked = func.count(SkillGapModel.id)
        rows = await self._session.execute(
            select(SkillModel.label_fr, SkillModel.label_en, asked, func.coalesce(helpers.c.n, 0))
            .join(SkillGapModel, SkillGapModel.skill_id == SkillModel.id)
            .outerjoin(helpers, helpers.c.skill_id == SkillModel.id)
            .where(SkillGapModel.created_at >= since)
            .group_by(SkillModel.id, SkillModel.label_fr, SkillModel.label_en, helpers.c.n)
            .order_by(asked.desc(), func.coalesce(helpers.c.n, 0), SkillModel.label_fr)
            .limit(limit)
        )
        return [SkillCount(fr, en, int(n), int(h)) for fr, en, n, h in rows]

    async def tutorial_topics(self, since: datetime, limit: int = 3) -> list[SkillCount]:
        """The skills tutorials were most written about since `since`."""
        written = func.count(TutorialSkillModel.tutorial_id)
        rows = await self._session.execute(
            select(SkillModel.label_fr, SkillModel.label_en, written)
            .join(TutorialSkillModel, TutorialSkillModel.skill_id == SkillModel.id)
            .join(TutorialModel, TutorialModel.id == TutorialSkillModel.tutorial_id)
            .where(TutorialModel.created_at >= since)
            .group_by(SkillModel.id, SkillModel.label_fr, SkillModel.label_en)
            .order_by(written.desc(), SkillModel.label_fr)
            .limit(limit)
        )
        return [SkillCount(fr, en, int(n), 0) for fr, en, n in rows]

    async def unclaimed(self, limit: int = 10) -> list[tuple[int, str, datetime]]:
        """Requests waiting for a helper: number, urgency, creation (oldest first)."""
        rows = await self._session.execute(
            select(HelpRequestModel.id, HelpRequestModel.urgency, HelpRequestModel.created_at)
            .where(
                HelpRequestModel.status.in_([RequestStatus.OPEN.value, RequestStatus.OFFERED.value])
            )
            .order_by(HelpRequestModel.created_at)
            .limit(limit)
        )
        return [(int(i), str(u), c) for i, u, c in rows]

    async def requests_by_status(self) -> dict[RequestStatus, int]:
        """How many requests stand in each state (every state named, 0 when none)."""
        rows = await self._session.execute(
            select(HelpRequestModel.status, func.count()).group_by(HelpRequestModel.status)
        )
        counts = dict.fromkeys(RequestStatus, 0)
        for status, count in rows:
            counts[RequestStatus(status)] = int(count)
        return counts
