"""The messages the bot showed: what a reply, a typed number or a pressed button refers to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import Choice, NewChoice, ShownAction
from storage.models import ChoiceModel
from storage.repositories._core import execute_core
from storage.repositories._upsert import on_conflict

_TABLE: Table = ChoiceModel.__table__  # type: ignore[assignment]


def _record(row: Any) -> Choice:
    return Choice(
        id=row.id,
        platform=row.platform,
        chat_id=row.chat_id,
        message_ref=row.message_ref,
        member_id=row.member_id,
        request_id=row.request_id,
        origin=row.origin,
        answer=row.answer,
        actions=tuple(
            ShownAction(str(item.get("label", "")), str(item.get("payload", "")))
            for item in row.actions or ()
        ),
        first_number=row.first_number,
        shown_at=row.shown_at,
        closed_at=row.closed_at,
    )


class ChoiceRepository:
    """Remember the messages shown, find them again, close their lists."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, shown: NewChoice, now: datetime) -> None:
        """Remember a message; the same message shown again (edited) replaces its list and
        keeps its place (its answer, what it is about, who it is for)."""
        await execute_core(
            self._session,
            on_conflict(
                self._session,
                _TABLE,
                ["platform", "chat_id", "message_ref"],
                ["actions", "action_count", "first_number", "shown_at"],
            ),
            {
                "platform": shown.platform,
                "chat_id": shown.chat_id,
                "message_ref": shown.message_ref,
                "member_id": shown.member_id,
                "request_id": shown.request_id,
                "origin": shown.origin,
                "answer": shown.answer,
                "actions": [{"label": a.label, "payload": a.payload} for a in shown.actions],
                "action_count": len(shown.actions),
                "first_number": shown.first_number,
                "shown_at": now,
                "closed_at": None,
            },
        )

    async def get(self, platform: str, chat_id: str, message_ref: str) -> Choice | None:
        """The message shown under this platform reference, if the bot remembers it."""
        row = (
            await execute_core(
                self._session,
                select(_TABLE).where(
                    ChoiceModel.platform == platform,
                    ChoiceModel.chat_id == chat_id,
                    ChoiceModel.message_ref == message_ref,
                ),
            )
        ).first()
        return _record(row) if row is not None else None

    async def by_id(self, choice_id: int) -> Choice | None:
        """One remembered message."""
        row = (
            await execute_core(self._session, select(_TABLE).where(ChoiceModel.id == choice_id))
        ).first()
        return _record(row) if row is not None else None

    async def newest_lists(self, member_id: int, platform: str, chat_id: str) -> list[Choice]:
        """The lists of the newest answer that showed one to this member in this chat (the
        lists a typed number chooses from), in the order they were numbered."""
        in_chat = [
            ChoiceModel.member_id == member_id,
            ChoiceModel.platform == platform,
            ChoiceModel.chat_id == chat_id,
            ChoiceModel.action_count > 0,
        ]
        newest = select(func.max(ChoiceModel.id)).where(*in_chat).scalar_subquery()
        answer = select(ChoiceModel.answer).where(ChoiceModel.id == newest).scalar_subquery()
        rows = await execute_core(
            self._session,
            select(_TABLE)
            .where(*in_chat, ChoiceModel.answer == answer)
            .order_by(ChoiceModel.first_number, ChoiceModel.id),
        )
        return [_record(row) for row in rows]

    async def close_open(
        self, request_id: int, now: datetime, *, member_id: int | None = None
    ) -> list[Choice]:
        """Close the lists about a request that still show their actions (only those shown
        to `member_id`, if given); returns them. One conditional UPDATE: two changes at once
        never both close the same list."""
        conditions: list[ColumnElement[bool]] = [
            ChoiceModel.request_id == request_id,
            ChoiceModel.closed_at.is_(None),
            ChoiceModel.action_count > 0,
        ]
        if member_id is not None:
            conditions.append(ChoiceModel.member_id == member_id)
        rows = await execute_core(
            self._session,
            update(_TABLE).where(*conditions).values(closed_at=now).returning(*_TABLE.c),
        )
        return sorted((_record(row) for row in rows), key=lambda choice: choice.id)

    async def close(self, choice_id: int, now: datetime) -> bool:
        """Close one list (if still open)."""
        result = await execute_core(
            self._session,
            update(_TABLE)
            .where(ChoiceModel.id == choice_id, ChoiceModel.closed_at.is_(None))
            .values(closed_at=now),
        )
        return bool(result.rowcount)

    async def forget_shown_before(self, cutoff: datetime) -> int:
        """Drop the messages shown before `cutoff`; returns how many."""
        result = await execute_core(
            self._session, delete(_TABLE).where(ChoiceModel.shown_at < cutoff)
        )
        return int(result.rowcount or 0)

    async def all_for(self, member_id: int) -> Sequence[Choice]:
        """A member's remembered messages, oldest first (for tests and exports)."""
        rows = await execute_core(
            self._session,
            select(_TABLE).where(ChoiceModel.member_id == member_id).order_by(ChoiceModel.id),
        )
        return [_record(row) for row in rows]
