"""Exchange sessions and the answers to their invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import ExchangeSession, Member, RsvpAnswer, SessionStatus
from storage.models import ExchangeSessionModel, MemberModel, RsvpModel
from storage.repositories._upsert import upsert
from storage.repositories.members import member_query, member_record


class SessionRepository:
    """Store sessions and RSVPs."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _query(self) -> Any:
        yes = func.sum(case((RsvpModel.answer == RsvpAnswer.YES.value, 1), else_=0))
        maybe = func.sum(case((RsvpModel.answer == RsvpAnswer.MAYBE.value, 1), else_=0))
        return (
            select(ExchangeSessionModel, func.coalesce(yes, 0), func.coalesce(maybe, 0))
            .outerjoin(RsvpModel, RsvpModel.session_id == ExchangeSessionModel.id)
            .group_by(ExchangeSessionModel.id)
        )

    @staticmethod
    def _record(row: ExchangeSessionModel, coming: int, maybe: int) -> ExchangeSession:
        return ExchangeSession(
            id=row.id,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            timezone=row.timezone,
            place=row.place,
            agenda=row.agenda,
            notes=row.notes,
            status=SessionStatus(row.status),
            sequence=row.sequence,
            coming=int(coming),
            maybe=int(maybe),
        )

    async def add(
        self,
        *,
        starts_at: datetime,
        ends_at: datetime,
        timezone: str,
        place: str | None,
        agenda: str | None,
        now: datetime,
    ) -> int:
        """Store a planned session; returns its number."""
        row = ExchangeSessionModel(
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=timezone,
            place=place,
            agenda=agenda,
            status=SessionStatus.PLANNED.value,
            sequence=0,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def get(self, session_id: int) -> ExchangeSession | None:
        """One session with its counts."""
        found = (
            await self._session.execute(self._query().where(ExchangeSessionModel.id == session_id))
        ).first()
        return self._record(*found) if found else None

    async def between(
        self, start: datetime, end: datetime, *, planned_only: bool = True
    ) -> list[ExchangeSession]:
        """Sessions starting in [start, end), soonest first."""
        query = self._query().where(
            ExchangeSessionModel.starts_at >= start, ExchangeSessionModel.starts_at < end
        )
        if planned_only:
            query = query.where(ExchangeSessionModel.status == SessionStatus.PLANNED.value)
        rows = (await self._session.execute(query.order_by(ExchangeSessionModel.starts_at))).all()
        return [self._record(*row) for row in rows]

    async def before(self, end: datetime, limit: int = 5) -> list[ExchangeSession]:
        """Past sessions, most recent first."""
        rows = (
            await self._session.execute(
                self._query()
                .where(ExchangeSessionModel.ends_at < end)
                .order_by(ExchangeSessionModel.starts_at.desc())
                .limit(limit)
            )
        ).all()
        return [self._record(*row) for row in rows]

    async def change(
        self,
        session_id: int,
        now: datetime,
        *,
        expected_status: SessionStatus = SessionStatus.PLANNED,
        **values: Any,
    ) -> bool:
        """Change a session still in `expected_status` (one conditional update: of a change
        and a cancellation at the same moment, one wins); the calendar sequence goes up so
        invitations replace the entry. Returns whether it changed."""
        result = cast(
            "CursorResult[Any]",
            await self._session.execute(
                update(ExchangeSessionModel)
                .where(
                    ExchangeSessionModel.id == session_id,
                    ExchangeSessionModel.status == expected_status.value,
                )
                .values(updated_at=now, sequence=ExchangeSessionModel.sequence + 1, **values)
            ),
        )
        return bool(result.rowcount)

    async def set_notes(self, session_id: int, notes: str, now: datetime) -> None:
        """Keep the notes of a session that took place (the calendar entry is unchanged)."""
        await self._session.execute(
            update(ExchangeSessionModel)
            .where(ExchangeSessionModel.id == session_id)
            .values(notes=notes, updated_at=now)
        )

    async def answer(
        self, *, session_id: int, member_id: int, answer: RsvpAnswer, now: datetime
    ) -> None:
        """Record (or change) a member's answer."""
        await self._session.execute(
            upsert(
                self._session,
                RsvpModel.__table__,  # type: ignore[arg-type]
                {
                    "session_id": session_id,
                    "member_id": member_id,
                    "answer": answer.value,
                    "updated_at": now,
                },
                conflict=["session_id", "member_id"],
                update=["answer", "updated_at"],
            )
        )

    async def answer_of(self, session_id: int, member_id: int) -> RsvpAnswer | None:
        """A member's answer, if any."""
        value = await self._session.scalar(
            select(RsvpModel.answer).where(
                RsvpModel.session_id == session_id, RsvpModel.member_id == member_id
            )
        )
        return RsvpAnswer(value) if value else None

    async def answered(
        self, session_id: int, answers: tuple[RsvpAnswer, ...] = tuple(RsvpAnswer)
    ) -> list[Member]:
        """Members who gave one of these answers, by name."""
        rows = (
            await self._session.execute(
                member_query()
                .join(RsvpModel, RsvpModel.member_id == MemberModel.id)
                .where(
                    RsvpModel.session_id == session_id,
                    RsvpModel.answer.in_([a.value for a in answers]),
                )
                .order_by(MemberModel.display_name)
            )
        ).all()
        return [member_record(model, name) for model, name in rows]
