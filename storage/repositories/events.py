"""Processed platform events and small persisted transport values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import EventStart
from storage.models import ProcessedEventModel, TransportStateModel, WorkerModel
from storage.repositories._core import execute_core
from storage.repositories._upsert import on_conflict, upsert


class EventRepository:
    """Remember what was handled, so nothing is handled twice after a restart."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def mark_processed(
        self, platform: str, event_id: str, now: datetime, *, worker: str | None = None
    ) -> bool:
        """Record the event; false when it had already been recorded (a duplicate).

        Without `worker`, the event is recorded as handled at once.
        """
        table: Any = ProcessedEventModel.__table__
        result = await execute_core(
            self._session,
            on_conflict(self._session, table, ["platform", "event_id"], []),
            {
                "platform": platform,
                "event_id": event_id,
                "processed_at": now,
                "worker": worker,
                "handled_at": None if worker else now,
            },
        )
        return result.rowcount == 1

    async def start(
        self, platform: str, event_id: str, *, worker: str, now: datetime, dead_before: datetime
    ) -> EventStart:
        """Record that `worker` handles the event, unless it is handled or being handled."""
        if await self.mark_processed(platform, event_id, now, worker=worker):
            return EventStart.NEW
        row = (
            await self._session.execute(
                select(
                    ProcessedEventModel.worker,
                    ProcessedEventModel.handled_at,
                    ProcessedEventModel.processed_at,
                    WorkerModel.seen_at,
                )
                .outerjoin(WorkerModel, WorkerModel.name == ProcessedEventModel.worker)
                .where(
                    ProcessedEventModel.platform == platform,
                    ProcessedEventModel.event_id == event_id,
                )
            )
        ).one()
        if row.handled_at is not None:
            return EventStart.DONE
        if row.worker == worker:
            return EventStart.MINE
        if (row.seen_at or row.processed_at) >= dead_before:
            return EventStart.BUSY
        taken = await self._session.execute(
            update(ProcessedEventModel)
            .where(
                ProcessedEventModel.platform == platform,
                ProcessedEventModel.event_id == event_id,
                ProcessedEventModel.handled_at.is_(None),
                ProcessedEventModel.worker.is_(None)
                if row.worker is None
                else ProcessedEventModel.worker == row.worker,
            )
            .values(worker=worker)
        )
        assert isinstance(taken, CursorResult)
        return EventStart.ORPHANED if taken.rowcount == 1 else EventStart.BUSY

    async def finish(self, platform: str, event_id: str, now: datetime) -> None:
        """The event is handled: a repeat of it is ignored from now on."""
        await self._session.execute(
            update(ProcessedEventModel)
            .where(
                ProcessedEventModel.platform == platform,
                ProcessedEventModel.event_id == event_id,
            )
            .values(handled_at=now)
        )

    async def get_state(self, key: str) -> str | None:
        """A persisted transport value (e.g. a sync token), if set."""
        return await self._session.scalar(
            select(TransportStateModel.value).where(TransportStateModel.key == key)
        )

    async def state_once(self, key: str, value: str, now: datetime) -> str:
        """The value stored under `key`, storing `value` first if there is none (the first
        writer wins: two workers racing read the same value back)."""
        await self._session.execute(
            upsert(
                self._session,
                TransportStateModel.__table__,  # type: ignore[arg-type]
                {"key": key, "value": value, "updated_at": now},
                conflict=["key"],
                update=[],
            )
        )
        stored = await self.get_state(key)
        assert stored is not None
        return stored

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
