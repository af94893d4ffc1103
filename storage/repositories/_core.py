"""Core statements run on a session's own connection, skipping the ORM's per-statement work."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlalchemy.ext.asyncio import AsyncSession


async def execute_core(
    session: AsyncSession,
    statement: Executable,
    params: Mapping[str, Any] | list[dict[str, Any]] | None = None,
) -> CursorResult[Any]:
    """Run `statement` in the session's transaction, on its connection.

    Pending ORM changes are flushed first, as `AsyncSession.execute` would, so the statement
    sees them.
    """
    if session.new or session.dirty or session.deleted:
        await session.flush()
    connection = await session.connection()
    if params is None:
        return await connection.execute(statement)
    return await connection.execute(statement, params if isinstance(params, list) else dict(params))
