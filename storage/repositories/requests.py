"""Help requests, their skills, relay messages and skill gaps."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Select, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    HelpRequestModel,
    MemberModel,
    RelayMessageModel,
    RequestSkillModel,
    SkillGapModel,
    SkillModel,
    StructureModel,
)
from storage.records import HelpRequest, RelayMessage, RequestStatus, SkillRow, SkillSource, Urgency
from storage.repositories._upsert import insert_for

_author = aliased(MemberModel)
_helper = aliased(MemberModel)


def _request_query() -> Select[HelpRequestModel, str, str, str]:
    return (
        select(HelpRequestModel, _author.display_name, StructureModel.name, _helper.display_name)
        .outerjoin(_author, _author.id == HelpRequestModel.author_id)
        .outerjoin(StructureModel, StructureModel.id == _author.structure_id)
        .outerjoin(_helper, _helper.id == HelpRequestModel.helper_id)
    )


class RequestRepository:
    """Store help requests and move them through their states with conditional UPDATEs."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, author_id: int, text: str, urgency: Urgency, now: datetime) -> int:
        """Store a new open request and return its number.

        It is due for matching at once: if the process stops before matching it, the next
        periodic check does.
        """
        row = HelpRequestModel(
            author_id=author_id,
            text=text,
            urgency=urgency.value,
            status=RequestStatus.OPEN.value,
            round=0,
            next_check_at=now,
            created_at=now,
            updated_at=now,
            thanked=False,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def get(self, request_id: int) -> HelpRequest | None:
        """The request with its people and skills, if it exists."""
        found = (
            await self._session.execute(_request_query().where(HelpRequestModel.id == request_id))
        ).first()
        if found is None:
            return None
        skills = await self._skills(request_id)
        return self._record(found[0], found[1], found[2], found[3], skills)

    async def list_involving(self, member_id: int, limit: int = 20) -> list[HelpRequest]:
        """The member's own requests and the ones they hold, newest first."""
        rows = (
            await self._session.execute(
                _request_query()
                .where(
                    or_(
                        HelpRequestModel.author_id == member_id,
                        HelpRequestModel.helper_id == member_id,
                    )
                )
                .order_by(HelpRequestModel.id.desc())
                .limit(limit)
            )
        ).all()
        return [self._record(r[0], r[1], r[2], r[3], await self._skills(r[0].id)) for r in rows]

    async def _skills(self, request_id: int) -> tuple[SkillRow, ...]:
        rows = await self._session.scalars(
            select(SkillModel)
            .join(RequestSkillModel, RequestSkillModel.skill_id == SkillModel.id)
            .where(RequestSkillModel.request_id == request_id)
            .order_by(SkillModel.label_fr)
        )
        return tuple(
            SkillRow(
                id=s.id,
                slug=s.slug,
                label_fr=s.label_fr,
                label_en=s.label_en,
                source=SkillSource(s.source),
            )
            for s in rows
        )

    @staticmethod
    def _record(
        row: HelpRequestModel,
        author_name: str | None,
        author_structure: str | None,
        helper_name: str | None,
        skills: tuple[SkillRow, ...],
    ) -> HelpRequest:
        return HelpRequest(
            id=row.id,
            author_id=row.author_id,
            author_name=author_name,
            author_structure=author_structure,
            text=row.text,
            urgency=Urgency(row.urgency),
            status=RequestStatus(row.status),
            helper_id=row.helper_id,
            helper_name=helper_name,
            round=row.round,
            created_at=row.created_at,
            claimed_at=row.claimed_at,
            resolved_at=row.resolved_at,
            closed_at=row.closed_at,
            alerted_at=row.alerted_at,
            next_check_at=row.next_check_at,
            skills=skills,
        )

    async def set_skills(self, request_id: int, skill_ids: Iterable[int]) -> None:
        """Replace the skills a request needs."""
        wanted = sorted(set(skill_ids))
        await self._session.execute(
            RequestSkillModel.__table__.delete().where(  # type: ignore[attr-defined]
                RequestSkillModel.request_id == request_id
            )
        )
        if wanted:
            await self._session.execute(
                insert_for(self._session, RequestSkillModel.__table__),  # type: ignore[arg-type]
                [{"request_id": request_id, "skill_id": skill_id} for skill_id in wanted],
            )

    async def transition(
        self,
        request_id: int,
        *,
        allowed_from: Collection[RequestStatus],
        to: RequestStatus,
        now: datetime,
        only_if: dict[str, Any] | None = None,
        **values: Any,
    ) -> bool:
        """Move a request to `to` only if it is in one of `allowed_from` (and matches `only_if`).

        One conditional UPDATE: under concurrency exactly one caller wins, on SQLite and on
        PostgreSQL alike. Returns whether this caller won.
        """
        conditions = [
            HelpRequestModel.id == request_id,
            HelpRequestModel.status.in_([status.value for status in allowed_from]),
        ]
        for column, expected in (only_if or {}).items():
            attribute = getattr(HelpRequestModel, column)
            conditions.append(attribute.is_(None) if expected is None else attribute == expected)
        result = await self._session.execute(
            update(HelpRequestModel)
            .where(and_(*conditions))
            .values(status=to.value, updated_at=now, **values)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def update_fields(
        self, request_id: int, now: datetime, only_if: dict[str, Any] | None = None, **values: Any
    ) -> bool:
        """Change fields of a request without changing its state (optionally conditional)."""
        conditions = [HelpRequestModel.id == request_id]
        for column, expected in (only_if or {}).items():
            attribute = getattr(HelpRequestModel, column)
            conditions.append(attribute.is_(None) if expected is None else attribute == expected)
        result = await self._session.execute(
            update(HelpRequestModel).where(and_(*conditions)).values(updated_at=now, **values)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def due_for_check(self, now: datetime, limit: int = 100) -> list[int]:
        """Open or offered requests whose next matching or escalation step is due."""
        rows = await self._session.scalars(
            select(HelpRequestModel.id)
            .where(
                HelpRequestModel.status.in_(
                    [RequestStatus.OPEN.value, RequestStatus.OFFERED.value]
                ),
                HelpRequestModel.next_check_at <= now,
            )
            .order_by(HelpRequestModel.next_check_at)
            .limit(limit)
        )
        return list(rows)

    async def resolved_before(self, cutoff: datetime, limit: int = 100) -> list[int]:
        """Requests marked solved before `cutoff` that their author has not confirmed."""
        rows = await self._session.scalars(
            select(HelpRequestModel.id)
            .where(
                HelpRequestModel.status == RequestStatus.RESOLVED.value,
                HelpRequestModel.resolved_at <= cutoff,
            )
            .order_by(HelpRequestModel.id)
            .limit(limit)
        )
        return list(rows)

    async def add_relay(
        self, *, request_id: int, sender_id: int, text: str, now: datetime
    ) -> RelayMessage:
        """Keep a message of the request's thread."""
        row = RelayMessageModel(
            request_id=request_id, sender_id=sender_id, text=text, created_at=now
        )
        self._session.add(row)
        await self._session.flush()
        return RelayMessage(row.id, request_id, sender_id, text, now)

    async def thread(self, request_id: int) -> list[RelayMessage]:
        """The request's relayed messages, oldest first."""
        rows = await self._session.scalars(
            select(RelayMessageModel)
            .where(RelayMessageModel.request_id == request_id)
            .order_by(RelayMessageModel.id)
        )
        return [RelayMessage(r.id, r.request_id, r.sender_id, r.text, r.created_at) for r in rows]

    async def record_gap(
        self, request_id: int, skill_ids: Iterable[int | None], now: datetime
    ) -> None:
        """Remember that no helper fitted these skills of the request (once per skill)."""
        values = [
            {"request_id": request_id, "skill_id": skill_id, "created_at": now}
            for skill_id in set(skill_ids)
        ]
        if values:
            await self._session.execute(
                insert_for(self._session, SkillGapModel.__table__)  # type: ignore[arg-type]
                .values(values)
                .on_conflict_do_nothing(index_elements=["request_id", "skill_id"])
            )

    async def gaps(self, request_id: int) -> list[int | None]:
        """The skills recorded as gaps for a request."""
        rows = await self._session.scalars(
            select(SkillGapModel.skill_id).where(SkillGapModel.request_id == request_id)
        )
        return list(rows)
