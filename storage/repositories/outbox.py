"""The outbox: messages to members, stored before anything is sent, delivered once."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    Update,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from domain.records import NewMessage, OutboxBacklog, OutboxMessage
from storage.models import OutboxModel, WorkerModel
from storage.repositories._core import execute_core
from storage.repositories._upsert import on_conflict, returning_id

_OUTBOX: Any = OutboxModel.__table__


def _record(row: OutboxModel) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        recipient_id=row.recipient_id,
        kind=row.kind,
        params=dict(row.params),
        attempts=row.attempts,
        not_before=row.not_before,
        dedup_key=row.dedup_key,
        sent_at=row.sent_at,
        failed_at=row.failed_at,
        platform=row.platform,
        chat_id=row.chat_id,
        delivery_ref=row.delivery_ref,
        last_error=row.last_error,
        target_platform=row.target_platform,
        target_chat=row.target_chat,
        attempted_at=row.attempted_at,
    )


def _later(kinds: Collection[str]) -> list[ColumnElement[int]]:
    """An ORDER BY term putting the rows of these kinds last (none when there are none)."""
    if not kinds:
        return []
    return [case((OutboxModel.kind.in_(sorted(kinds)), 1), else_=0)]


# Each delivery marks its message twice (its attempt, then its outcome): built once.
_MARK_ATTEMPT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("message_id"))
    .values(attempted_at=bindparam("at"))
)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("message_id"))
    .values(
        sent_at=bindparam("at"),
        platform=bindparam("to_platform"),
        chat_id=bindparam("to_chat"),
        delivery_ref=bindparam("ref"),
        attempts=_OUTBOX.c.attempts + 1,
        locked_until=None,
        attempted_at=None,
    )
)


@functools.cache
def _claim_statements(
    later_kinds: tuple[str, ...], stuck: bool, dead: bool
) -> tuple[Select[int], Update, Select[OutboxModel]]:
    """`OutboxRepository.claim_due`'s three statements for one shape (kinds put last, whether
    stuck messages stop holding the others back, whether dead workers' locks are free),
    built once: the delivery loop claims several times a message, and building and keying
    these took 1.38 ms a claim. Bound when run: `now`, `stuck_at`, `dead_before`, `limit`;
    then `ids`, `lock_until`, `worker`."""
    now: Any = bindparam("now")
    older = aliased(OutboxModel)
    pending = and_(OutboxModel.sent_at.is_(None), OutboxModel.failed_at.is_(None))
    older_pending = and_(
        older.id < OutboxModel.id,
        older.sent_at.is_(None),
        older.failed_at.is_(None),
        older.not_before <= now,
        *([older.attempts < bindparam("stuck_at")] if stuck else []),
    )
    # Two EXISTS rather than one with an OR, so that each walks the index of pending
    # messages by recipient (an OR made every due row scan all the others: 3 s a claim
    # with 5,000 messages pending).
    earlier_pending = or_(
        and_(
            OutboxModel.recipient_id.is_not(None),
            exists().where(older.recipient_id == OutboxModel.recipient_id, older_pending),
        ),
        and_(
            OutboxModel.recipient_id.is_(None),
            exists().where(
                older.recipient_id.is_(None),
                older.target_platform == OutboxModel.target_platform,
                older.target_chat == OutboxModel.target_chat,
                older_pending,
            ),
        ),
    )
    free = [OutboxModel.locked_until.is_(None), OutboxModel.locked_until < now]
    if dead:
        died = select(WorkerModel.name).where(WorkerModel.seen_at < bindparam("dead_before"))
        free.append(OutboxModel.locked_by.in_(died))
    eligible = (
        select(OutboxModel.id)
        .where(
            pending,
            OutboxModel.not_before <= now,
            or_(OutboxModel.retry_at.is_(None), OutboxModel.retry_at <= now),
            or_(*free),
            ~earlier_pending,
        )
        .order_by(*_later(later_kinds), OutboxModel.id)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )
    ids: Any = bindparam("ids", expanding=True)
    lock = (
        update(_OUTBOX)
        .where(_OUTBOX.c.id.in_(ids), or_(*free))
        .values(locked_until=bindparam("lock_until"), locked_by=bindparam("worker"))
    )
    locked = (
        select(OutboxModel)
        .where(OutboxModel.id.in_(ids), OutboxModel.locked_by == bindparam("worker"))
        .order_by(*_later(later_kinds), OutboxModel.id)
    )
    return eligible, lock, locked


class OutboxRepository:
    """Enqueue, claim and settle outbound messages."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(
        self,
        *,
        recipient_id: int | None,
        kind: str,
        params: dict[str, Any],
        now: datetime,
        not_before: datetime | None = None,
        dedup_key: str | None = None,
        target: tuple[str, str] | None = None,
    ) -> bool:
        """Store a message for a member (or a chat `target`); false on a repeated `dedup_key`."""
        message = NewMessage(recipient_id, kind, params, dedup_key, not_before, target)
        return await self.enqueue_many([message], now=now) == 1

    async def enqueue_many(self, messages: Sequence[NewMessage], *, now: datetime) -> int:
        """Store several messages (each with a repeated `dedup_key` is skipped, as `enqueue`
        does); returns how many were stored.

        One statement run over the rows (executemany): SQLAlchemy compiles it once and sends
        the rows in batches, where a multi-row VALUES would be compiled anew every time.
        """
        if not messages:
            return 0
        rows = [
            {
                "recipient_id": message.recipient_id,
                "target_platform": message.target[0] if message.target else None,
                "target_chat": message.target[1] if message.target else None,
                "kind": message.kind,
                "params": message.params,
                "dedup_key": message.dedup_key,
                "not_before": message.not_before or now,
                "attempts": 0,
                "created_at": now,
            }
            for message in messages
        ]
        table: Any = OutboxModel.__table__
        statement = returning_id(on_conflict(self._session, table, ["dedup_key"], []))
        return len((await execute_core(self._session, statement, rows)).all())

    async def heartbeat(self, worker: str, now: datetime) -> None:
        """Show that `worker` is alive (its claims stay its own)."""
        table: Any = WorkerModel.__table__
        await execute_core(
            self._session,
            on_conflict(self._session, table, ["name"], ["seen_at"]),
            {"name": worker, "started_at": now, "seen_at": now},
        )

    async def forget_workers_silent_since(self, since: datetime) -> None:
        """Drop the heartbeat rows of workers not seen since `since`."""
        await self._session.execute(delete(WorkerModel).where(WorkerModel.seen_at < since))

    async def forget_worker(self, worker: str) -> None:
        """A worker that stops cleanly gives its claims back and leaves the list."""
        await self._session.execute(
            update(OutboxModel)
            .where(OutboxModel.locked_by == worker, OutboxModel.sent_at.is_(None))
            .values(locked_until=None, locked_by=None)
        )
        await self._session.execute(delete(WorkerModel).where(WorkerModel.name == worker))

    async def claim_due(
        self,
        *,
        now: datetime,
        worker: str,
        lock_until: datetime,
        dead_before: datetime | None = None,
        limit: int = 50,
        later_kinds: Collection[str] = (),
        stuck_at: int | None = None,
    ) -> list[OutboxMessage]:
        """Lock the due messages this worker will deliver now, oldest first, the kinds in
        `later_kinds` after all the others.

        Only the oldest undelivered due message of each recipient (or, for announcements,
        of each chat) is eligible, so a message waiting for a retry holds back the ones after
        it (order per chat) — unless it was tried `stuck_at` times already (it is then only
        retried now and then, and the later ones go on). On PostgreSQL the
        rows are picked with `FOR UPDATE SKIP LOCKED`, so several workers share the work
        without ever taking the same row; on SQLite the single UPDATE is atomic. A row locked
        by a worker whose last heartbeat is older than `dead_before` is free again (the worker
        died holding it).
        """
        eligible, lock, locked = _claim_statements(
            tuple(sorted(later_kinds)), stuck_at is not None, dead_before is not None
        )
        params: dict[str, Any] = {"now": now, "stuck_at": stuck_at, "dead_before": dead_before}
        ids = list(await self._session.scalars(eligible, {**params, "limit": limit}))
        if not ids:
            return []
        await execute_core(
            self._session, lock, {**params, "ids": ids, "lock_until": lock_until, "worker": worker}
        )
        rows = await self._session.scalars(locked, {"ids": ids, "worker": worker})
        return [_record(row) for row in rows]

    async def mark_attempt(self, message_id: int, now: datetime) -> None:
        """Record that a send begins (cleared with its outcome)."""
        await execute_core(self._session, _MARK_ATTEMPT, {"message_id": message_id, "at": now})

    async def mark_sent(
        self, message_id: int, *, platform: str, chat_id: str, delivery_ref: str, now: datetime
    ) -> None:
        """Record the delivery (never to be sent again)."""
        await execute_core(
            self._session,
            _MARK_SENT,
            {
                "message_id": message_id,
                "at": now,
                "to_platform": platform,
                "to_chat": chat_id,
                "ref": delivery_ref,
            },
        )

    async def mark_retry(
        self,
        message_id: int,
        *,
        retry_at: datetime,
        error: str,
        counted: bool = True,
        at_least: int = 0,
    ) -> None:
        """A failure: try again at `retry_at` (`counted`: as one more attempt; `at_least`:
        and count at least that many attempts in all)."""
        attempts = OutboxModel.attempts + (1 if counted else 0)
        await self._session.execute(
            update(OutboxModel)
            .where(OutboxModel.id == message_id)
            .values(
                retry_at=retry_at,
                last_error=error[:2000],
                attempts=case((attempts < at_least, at_least), else_=attempts),
                locked_until=None,
                attempted_at=None,
            )
        )

    async def defer(self, message_id: int, *, until: datetime) -> None:
        """Give a claimed message back until `until`, without counting an attempt."""
        await self._session.execute(
            update(OutboxModel)
            .where(OutboxModel.id == message_id)
            .values(locked_until=None, retry_at=until)
        )

    async def get(self, message_id: int) -> OutboxMessage | None:
        """One message, whatever its state."""
        row = await self._session.get(OutboxModel, message_id)
        return _record(row) if row else None

    async def by_delivery(
        self, platform: str, chat_id: str, delivery_ref: str
    ) -> OutboxMessage | None:
        """The message delivered under this platform reference (to find what a reply answers)."""
        row = await self._session.scalar(
            select(OutboxModel).where(
                OutboxModel.platform == platform,
                OutboxModel.chat_id == chat_id,
                OutboxModel.delivery_ref == delivery_ref,
            )
        )
        return _record(row) if row else None

    async def find(
        self, *, recipient_id: int | None = None, kind: str | None = None
    ) -> list[OutboxMessage]:
        """Messages by recipient and/or kind, oldest first (for tests and coordinators)."""
        query = select(OutboxModel).order_by(OutboxModel.id)
        if recipient_id is not None:
            query = query.where(OutboxModel.recipient_id == recipient_id)
        if kind is not None:
            query = query.where(OutboxModel.kind == kind)
        return [_record(row) for row in await self._session.scalars(query)]

    async def backlog(self, now: datetime, *, stuck_at: int) -> OutboxBacklog:
        """Count the undelivered messages (see OutboxBacklog); those tried `stuck_at` times
        are undeliverable. One pass over the pending rows (the `ix_outbox_due` index)."""
        row = OutboxModel
        given_up = row.attempts >= stuck_at
        due = and_(row.not_before <= now, ~given_up)
        counts = (
            await self._session.execute(
                select(
                    func.count(case((due, 1))),
                    func.count(case((and_(row.not_before > now, ~given_up), 1))),
                    func.count(case((given_up, 1))),
                    func.min(case((due, row.not_before))),
                ).where(row.sent_at.is_(None), row.failed_at.is_(None))
            )
        ).one()
        return OutboxBacklog(
            due=int(counts[0]),
            scheduled=int(counts[1]),
            undeliverable=int(counts[2]),
            oldest_due=counts[3],
        )
