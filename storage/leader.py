"""Electing one worker for a job only one process may do (the Matrix sync loop).

On PostgreSQL the leader holds a session advisory lock on a connection of its own: when the
leader's process dies, PostgreSQL closes that session and frees the lock, and another worker
takes it at its next try. SQLite serves one process, which is always the leader.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a job name."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class LeaderLock:
    """Leadership of one named job among the workers sharing a database."""

    def __init__(self, engine: AsyncEngine, name: str) -> None:
        self._engine = engine
        self._key = lock_key(name)
        self._connection: AsyncConnection | None = None
        self.name = name

    @property
    def shared(self) -> bool:
        """True when several processes can contend for the job (PostgreSQL)."""
        return self._engine.dialect.name == "postgresql"

    async def try_acquire(self) -> bool:
        """Become the leader if nobody is; true when this worker leads (already or now)."""
        if not self.shared:
            return True
        if self._connection is not None:
            return await self.held()
        connection = await self._engine.connect()
        try:
            won = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            await connection.commit()
        except Exception:
            await connection.close()
            raise
        if not won:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def held(self) -> bool:
        """Whether this worker still leads (false once its database session is gone)."""
        if not self.shared:
            return True
        if self._connection is None:
            return False
        try:
            await self._connection.scalar(text("SELECT 1"))
            await self._connection.commit()
        except Exception as error:
            log.warning("lost the database session holding the %s lock: %s", self.name, error)
            await self._drop()
            return False
        return True  # a session lock lasts as long as its session

    async def release(self) -> None:
        """Stop leading (the lock is freed with the session)."""
        await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            # Closing the session (not returning it to the pool) is what frees the lock.
            await connection.invalidate()
            await connection.close()
        except Exception as error:
            log.info("closing the %s lock's session: %s", self.name, error)
