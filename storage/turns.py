"""Units of work on SQLite take turns in this process, first come, first served.

SQLite lets one transaction write at a time, and every unit of work here begins with
`BEGIN IMMEDIATE`. Left to SQLite, the others wait in its busy handler, which sleeps and
retries (up to 100 ms a time) and favours whoever tries at the right moment: under load a
few messages waited seconds while others went straight through. Queueing the units of work
in an asyncio lock hands the database over in arrival order, with no sleeping in between.
Other processes (the `samu` commands) still meet SQLite's busy timeout.

Read-only units of work (`Database.uow(read_only=True)`) take no turn: they begin with a
deferred `BEGIN`, read a snapshot of the write-ahead log and wait for no writer.
"""

from __future__ import annotations

import asyncio


class TurnTimeout(Exception):
    """The database stayed busy for longer than the wait allowed."""


class Turns:
    """A first-come, first-served turn per unit of work, re-entrant within one task."""

    def __init__(self, wait_seconds: float) -> None:
        self._lock = asyncio.Lock()
        self._wait = wait_seconds
        self._holder: asyncio.Task[object] | None = None
        self._depth = 0

    async def take(self) -> None:
        """Wait for this task's turn (immediately if it holds it already).

        Raises TurnTimeout after `wait_seconds` without one.
        """
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            self._depth += 1
            return
        try:
            await asyncio.wait_for(self._lock.acquire(), self._wait)
        except TimeoutError as error:
            raise TurnTimeout(f"the database stayed busy for {self._wait:g} s") from error
        self._holder, self._depth = task, 1

    def give_back(self) -> None:
        """End this task's turn (the outermost unit of work of the task ends it)."""
        self._depth -= 1
        if self._depth == 0:
            self._holder = None
            self._lock.release()
