"""Persisted multi-step dialogs (one open dialog per member)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import DialogState
from storage.models import DialogStateModel
from storage.repositories._upsert import upsert


def dialog_record(row: DialogStateModel) -> DialogState:
    """A dialog state row as a record."""
    return DialogState(
        member_id=row.member_id,
        kind=row.kind,
        step=row.step,
        data=dict(row.data),
        updated_at=row.updated_at,
    )


class DialogRepository:
    """Read, save and clear a member's dialog state."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, member_id: int) -> DialogState | None:
        """The member's open dialog, if any."""
        row = await self._session.scalar(
            select(DialogStateModel).where(DialogStateModel.member_id == member_id)
        )
        return None if row is None else dialog_record(row)

    async def save(
        self,
        member_id: int,
        *,
        kind: str,
        step: str,
        data: dict[str, Any],
        now: datetime,
    ) -> None:
        """Open or move the member's dialog (replacing any other one)."""
        await self._session.execute(
            upsert(
                self._session,
                DialogStateModel.__table__,  # type: ignore[arg-type]
                {
                    "member_id": member_id,
                    "kind": kind,
                    "step": step,
                    "data": data,
                    "updated_at": now,
                },
                conflict=["member_id"],
                update=["kind", "step", "data", "updated_at"],
            )
        )

    async def clear(self, member_id: int) -> None:
        """Close the member's dialog, if any."""
        await self._session.execute(
            delete(DialogStateModel).where(DialogStateModel.member_id == member_id)
        )
