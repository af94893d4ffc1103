"""Processed platform events and small persisted transport values."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedEventModel, TransportStateModel
from storage.repositories._upsert import upsert


class EventRepository:
    """Remember what was handled, so nothing is handled twice after a restart."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def mark_processed(self, platform: str, event_id: str, now: datetime) -> bool:
        """Record the event; false when it had already been recorded (a duplicate)."""
        result = await self._session.execute(
            upsert(
                self._session,
                ProcessedEventModel.__table__,  # type: ignore[arg-type]
                {"platform": platform, "event_id": event_id, "processed_at": now},
                conflict=["platform", "event_id"],
                update=[],
            )
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def get_state(self, key: str) -> str | None:
        """A persisted transport value (e.g. a sync token), if set."""
        return await self._session.scalar(
            select(TransportStateModel.value).where(TransportStateModel.key == key)
        )

    async def set_state(self, key: str, value: str, now: datetime) -> None:
        """Persist a transport value."""
        await self._session.execute(
            upsert(
                self._session,
                TransportStateModel.__table__,  # type: ignore[arg-type]
                {"key": key, "value": value, "updated_at": now},
                conflict=["key"],
                update=["value", "updated_at"],
            )
        )
