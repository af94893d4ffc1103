"""Invitation codes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Row, case, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import Invite, JoinTries, Role
from storage.repositories._upsert import insert_for
from storage.tables import INVITES, JOIN_ATTEMPTS

# SQLAlchemy Core only (see `storage.tables`): the invitation commands load no ORM mapping.
_CODES = INVITES.c
_ATTEMPTS = JOIN_ATTEMPTS.c


def _record(row: Row[Any]) -> Invite:
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
        statement = (
            insert(INVITES)
            .values(
                code=code,
                role=role.value,
                structure_id=structure_id,
                max_uses=max_uses,
                uses=0,
                expires_at=expires_at,
                created_by=created_by,
                created_at=now,
            )
            .returning(*INVITES.c)
        )
        return _record((await self._session.execute(statement)).one())

    async def by_code(self, code: str) -> Invite | None:
        """The invite with this (canonical) code, if any."""
        row = (await self._session.execute(select(INVITES).where(_CODES.code == code))).first()
        return _record(row) if row else None

    async def consume(self, code: str, now: datetime) -> bool:
        """Use the invite once, atomically: false when it is unknown, expired, revoked or used up.

        A single conditional UPDATE, so two people racing for the last use cannot both win.
        """
        result = await self._session.execute(
            update(INVITES)
            .where(
                _CODES.code == code,
                _CODES.revoked_at.is_(None),
                _CODES.uses < _CODES.max_uses,
                or_(_CODES.expires_at.is_(None), _CODES.expires_at > now),
            )
            .values(uses=_CODES.uses + 1)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def usable(self, now: datetime) -> list[Invite]:
        """Codes that still let someone join (not revoked, expired or used up), newest first."""
        rows = await self._session.execute(
            select(INVITES)
            .where(
                _CODES.revoked_at.is_(None),
                _CODES.uses < _CODES.max_uses,
                or_(_CODES.expires_at.is_(None), _CODES.expires_at > now),
            )
            .order_by(_CODES.id.desc())
        )
        return [_record(row) for row in rows]

    async def revoke(self, code: str, now: datetime) -> bool:
        """Cancel a code (one conditional UPDATE); false when unknown or already revoked."""
        result = await self._session.execute(
            update(INVITES)
            .where(_CODES.code == code, _CODES.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def count_try(
        self, platform: str, user_id: str, now: datetime, window: timedelta
    ) -> JoinTries:
        """Count one more try of a code by this account, in one statement (so tries made at
        once by several workers are all counted); a window older than `window` starts again."""
        table = JOIN_ATTEMPTS
        statement = insert_for(self._session, table).values(
            platform=platform, user_id=user_id, tries=1, window_started_at=now
        )
        expired = table.c.window_started_at <= now - window
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "user_id"],
            set_={
                "tries": case((expired, 1), else_=table.c.tries + 1),
                "window_started_at": case((expired, now), else_=table.c.window_started_at),
            },
        ).returning(table.c.tries, table.c.window_started_at)
        row = (await self._session.execute(statement)).one()
        return JoinTries(tries=row[0], window_started_at=row[1])

    async def forget_tries(self, platform: str, user_id: str) -> None:
        """The account joined: its tries no longer matter."""
        await self._session.execute(
            delete(JOIN_ATTEMPTS).where(
                _ATTEMPTS.platform == platform, _ATTEMPTS.user_id == user_id
            )
        )
