"""Invitation codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InviteModel
from storage.records import Invite, Role


def _record(row: InviteModel) -> Invite:
    return Invite(
        id=row.id,
        code=row.code,
        role=Role(row.role),
        structure_id=row.structure_id,
        max_uses=row.max_uses,
        uses=row.uses,
        expires_at=row.expires_at,
        revoked=row.revoked_at is not None,
        created_at=row.created_at,
    )


class InviteRepository:
    """Create, look up and consume invitation codes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        code: str,
        role: Role,
        structure_id: int | None,
        max_uses: int,
        expires_at: datetime | None,
        created_by: int | None,
        now: datetime,
    ) -> Invite:
        """Store a new invitation code."""
        row = InviteModel(
            code=code,
            role=role.value,
            structure_id=structure_id,
            max_uses=max_uses,
            uses=0,
            expires_at=expires_at,
            created_by=created_by,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _record(row)

    async def by_code(self, code: str) -> Invite | None:
        """The invite with this (canonical) code, if any."""
        row = await self._session.scalar(select(InviteModel).where(InviteModel.code == code))
        return _record(row) if row else None

    async def consume(self, code: str, now: datetime) -> bool:
        """Use the invite once, atomically: false when it is unknown, expired, revoked or used up.

        A single conditional UPDATE, so two people racing for the last use cannot both win.
        """
        result = await self._session.execute(
            update(InviteModel)
            .where(
                InviteModel.code == code,
                InviteModel.revoked_at.is_(None),
                InviteModel.uses < InviteModel.max_uses,
                or_(InviteModel.expires_at.is_(None), InviteModel.expires_at > now),
            )
            .values(uses=InviteModel.uses + 1)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1
