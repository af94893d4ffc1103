"""Counting the SQL statements an engine runs, and those SQLAlchemy had to compile afresh.

SQLAlchemy keeps each statement's compiled form in a cache keyed by the statement's shape;
a statement whose shape has no cache key (a multi-row `insert().values([...])`, for one) is
compiled again on every run. The benches and tests use this to see both costs per message.
"""

from __future__ import annotations

import re
from collections import Counter
from types import TracebackType
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.ext.asyncio import AsyncEngine


def statement_kind(statement: str) -> str:
    """`SELECT members`, `INSERT outbox`…: the verb and the first table named."""
    words = statement.split()
    verb = words[0].upper() if words else "?"
    match = re.search(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", statement, re.IGNORECASE)
    return f"{verb} {match.group(1) if match else ''}".strip()


class StatementTally:
    """While active (`with StatementTally(engine) as tally:`), counts by kind the statements
    sent to the database (`statements`; an executemany sent in several batches counts once
    per batch, BEGIN included) and the executions whose statement was compiled rather than
    found in the compiled cache (`compiled`: a first run, or a statement with no cache key).
    Plain SQL strings (`exec_driver_sql`, `text()` is compiled and counted) are not compiled.
    `invoked` keeps each execution's kind and statement object: a statement built once and run
    again is the same object every time (a new one is built, then keyed for the cache, ~0.1 ms).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.sync_engine
        self.statements: Counter[str] = Counter()
        self.compiled: Counter[str] = Counter()
        self.invoked: list[tuple[str, Any]] = []
        self._last_context: Any = None

    def __enter__(self) -> StatementTally:
        event.listen(self._engine, "before_cursor_execute", self._count)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        event.remove(self._engine, "before_cursor_execute", self._count)
        self._last_context = None

    def reset(self) -> None:
        """Start counting from zero again."""
        self.statements.clear()
        self.compiled.clear()
        self.invoked.clear()

    def _count(
        self,
        _connection: Any,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        context: Any,
        _executemany: bool,
    ) -> None:
        kind = statement_kind(statement)
        self.statements[kind] += 1
        if context is None or context is self._last_context:
            return  # the next batch of one execution: compiled (or not) once
        self._last_context = context
        invoked = getattr(context, "invoked_statement", None)
        if invoked is not None:
            self.invoked.append((kind, invoked))
        if getattr(context, "compiled", None) is None:
            return
        if getattr(context, "cache_hit", None) is not CacheStats.CACHE_HIT:
            self.compiled[kind] += 1
