"""Files members send: kept with a request or a message of its thread, or waiting for their
sender to say where they go.

Metadata and content are read separately: lists and checks never load a file's bytes.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import StoredAttachment
from storage.models import AttachmentModel
from storage.repositories._core import execute_core

_FILES: Table = AttachmentModel.__table__  # type: ignore[assignment]
_INFO = (
    _FILES.c.id,
    _FILES.c.sender_id,
    _FILES.c.request_id,
    _FILES.c.relay_id,
    _FILES.c.filename,
    _FILES.c.media_type,
    _FILES.c.size,
    _FILES.c.created_at,
)
# `AttachmentRepository.place_all_waiting`, built once (every new request runs it).
_PLACE_ALL_WAITING = (
    update(_FILES)
    .where(
        _FILES.c.sender_id == bindparam("from_sender"),
        _FILES.c.request_id.is_(None),
        _FILES.c.created_at >= bindparam("since"),
    )
    .values(request_id=bindparam("new_request_id"), relay_id=None)
    .returning(*_INFO)
)


def _record(row: Row[Any]) -> StoredAttachment:
    return StoredAttachment(
        id=row.id,
        sender_id=row.sender_id,
        request_id=row.request_id,
        relay_id=row.relay_id,
        filename=row.filename,
        media_type=row.media_type,
        size=row.size,
        created_at=row.created_at,
    )


class AttachmentRepository:
    """Keep, place, read and drop the files members send."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        sender_id: int,
        filename: str,
        media_type: str,
        content: bytes,
        now: datetime,
        request_id: int | None = None,
        relay_id: int | None = None,
    ) -> StoredAttachment:
        """Keep a file (placed with a request or a message, or waiting when both are None)."""
        result = await execute_core(
            self._session,
            insert(_FILES)
            .values(
                sender_id=sender_id,
                request_id=request_id,
                relay_id=relay_id,
                filename=filename,
                media_type=media_type,
                size=len(content),
                content=content,
                created_at=now,
            )
            .returning(*_INFO),
        )
        return _record(result.one())

    async def waiting(
        self, sender_id: int, since: datetime, ids: Collection[int] | None = None
    ) -> list[StoredAttachment]:
        """The sender's files not placed yet, received since `since` (optionally among `ids`),
        oldest first."""
        query = select(*_INFO).where(
            _FILES.c.sender_id == sender_id,
            _FILES.c.request_id.is_(None),
            _FILES.c.created_at >= since,
        )
        if ids is not None:
            query = query.where(_FILES.c.id.in_(list(ids)))
        rows = await execute_core(self._session, query.order_by(_FILES.c.id))
        return [_record(row) for row in rows]

    async def place(
        self,
        ids: Collection[int],
        sender_id: int,
        *,
        request_id: int,
        relay_id: int | None = None,
    ) -> list[StoredAttachment]:
        """Give waiting files of the sender to a request (or to a message of its thread).

        One conditional UPDATE: a file already placed (by a concurrent message) is left
        alone, so each file goes to one place only. Returns the files placed here.
        """
        if not ids:
            return []
        result = await execute_core(
            self._session,
            update(_FILES)
            .where(
                _FILES.c.id.in_(list(ids)),
                _FILES.c.sender_id == sender_id,
                _FILES.c.request_id.is_(None),
            )
            .values(request_id=request_id, relay_id=relay_id)
            .returning(*_INFO),
        )
        return sorted((_record(row) for row in result), key=lambda file: file.id)

    async def place_all_waiting(
        self, sender_id: int, since: datetime, *, request_id: int
    ) -> list[StoredAttachment]:
        """Give every file of the sender not placed yet, received since `since`, to a request:
        `waiting` and `place` in one conditional UPDATE. Returns the files placed, oldest
        first."""
        result = await execute_core(
            self._session,
            _PLACE_ALL_WAITING,
            {"from_sender": sender_id, "since": since, "new_request_id": request_id},
        )
        return sorted((_record(row) for row in result), key=lambda file: file.id)

    async def of_request(self, request_id: int) -> list[StoredAttachment]:
        """The files sent with the request itself (not those of its thread), oldest first."""
        rows = await execute_core(
            self._session,
            select(*_INFO)
            .where(_FILES.c.request_id == request_id, _FILES.c.relay_id.is_(None))
            .order_by(_FILES.c.id),
        )
        return [_record(row) for row in rows]

    async def of_message(self, relay_id: int) -> list[StoredAttachment]:
        """The files of one message of a thread, oldest first."""
        rows = await execute_core(
            self._session,
            select(*_INFO).where(_FILES.c.relay_id == relay_id).order_by(_FILES.c.id),
        )
        return [_record(row) for row in rows]

    async def count_in_request(self, request_id: int, sender_id: int) -> int:
        """How many files this sender placed in the request (with it or in its thread)."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(_FILES)
            .where(_FILES.c.request_id == request_id, _FILES.c.sender_id == sender_id)
        )
        return int(count or 0)

    async def contents(self, ids: Collection[int]) -> dict[int, bytes]:
        """The bytes of these files (those that still exist)."""
        if not ids:
            return {}
        rows = await execute_core(
            self._session,
            select(_FILES.c.id, _FILES.c.content).where(_FILES.c.id.in_(list(ids))),
        )
        return {row.id: bytes(row.content) for row in rows}

    async def drop_waiting(self, sender_id: int) -> int:
        """Delete the sender's files not placed anywhere; how many went."""
        result = await execute_core(
            self._session,
            delete(_FILES).where(_FILES.c.sender_id == sender_id, _FILES.c.request_id.is_(None)),
        )
        return int(result.rowcount or 0)

    async def drop_waiting_before(self, cutoff: datetime) -> int:
        """Delete the files nobody placed, received before `cutoff`; how many went."""
        result = await execute_core(
            self._session,
            delete(_FILES).where(_FILES.c.request_id.is_(None), _FILES.c.created_at < cutoff),
        )
        return int(result.rowcount or 0)
