"""An aiosqlite connection whose statements each cost one trip to its thread.

aiosqlite runs every sqlite3 call on the connection's own thread and wakes the event loop
with the answer. SQLAlchemy's adapter makes four such calls for a SELECT (open a cursor,
execute, fetch, close) and three for a write; each call is a queue hand-off and a wake-up
of the loop through its self-pipe: ≈ 27 µs on one core, as long as the statement itself.

Here a cursor does its whole statement in one call on that thread: open a sqlite3 cursor,
execute, read the first rows and, when they are all read, close it. A statement that has
more rows (a stream over a large table) keeps its sqlite3 cursor open and reads the rest a
batch at a time, so memory stays bounded. Errors are sqlite3's own, as with aiosqlite.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import aiosqlite

# Rows read in the statement's own trip; a longer result reads the rest in batches of this.
ROWS_PER_TRIP = 1000

_Description = tuple[tuple[Any, ...], ...] | None


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What one trip to the connection's thread brings back."""

    description: _Description
    rows: list[Any]
    rowcount: int
    lastrowid: int | None
    # The sqlite3 cursor when rows may be left to read (used on the thread only).
    unfinished: sqlite3.Cursor | None


def _finish(cursor: sqlite3.Cursor, rows: list[Any], batch: int) -> _Outcome:
    """The outcome of `cursor` after reading `rows`; closes it when nothing is left."""
    unfinished = cursor if cursor.description is not None and len(rows) == batch else None
    outcome = _Outcome(cursor.description, rows, cursor.rowcount, cursor.lastrowid, unfinished)
    if unfinished is None:
        cursor.close()
    return outcome


def _statement(
    connection: sqlite3.Connection, sql: str, parameters: Sequence[Any] | None, batch: int
) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, () if parameters is None else parameters)
        rows = cursor.fetchmany(batch) if cursor.description is not None else []
    except BaseException:
        cursor.close()
        raise
    return _finish(cursor, rows, batch)


def _statements(
    connection: sqlite3.Connection, sql: str, many: Iterable[Sequence[Any]]
) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(sql, many)
    except BaseException:
        cursor.close()
        raise
    return _finish(cursor, [], 1)


def _more(cursor: sqlite3.Cursor, batch: int) -> _Outcome:
    try:
        rows = cursor.fetchmany(batch)
    except BaseException:
        cursor.close()
        raise
    return _finish(cursor, rows, batch)


class OneTripCursor:
    """A DB-API-like cursor over `OneTripConnection`, with aiosqlite's awaitable methods."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self._unfinished: sqlite3.Cursor | None = None
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def __await__(self) -> Generator[Any, None, OneTripCursor]:
        return self.__aenter__().__await__()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneTripCursor:
        """Run one statement and read its first rows, in one trip."""
        await self.close()
        self._take(
            await self._connection.on_thread(
                partial(_statement, self._connection.sqlite, sql, parameters, ROWS_PER_TRIP)
            )
        )
        return self

    async def executemany(self, sql: str, many: Iterable[Sequence[Any]]) -> OneTripCursor:
        """Run one statement once per set of parameters, in one trip."""
        await self.close()
        run = partial(_statements, self._connection.sqlite, sql, many)
        self._take(await self._connection.on_thread(run))
        return self

    async def fetchone(self) -> Any:
        """The next row (None after the last)."""
        if not self._rows:
            await self._read_more()
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """Up to `size` rows (`arraysize` by default)."""
        wanted = self.arraysize if size is None else size
        while len(self._rows) < wanted and self._unfinished is not None:
            await self._read_more()
        return [self._rows.popleft() for _ in range(min(wanted, len(self._rows)))]

    async def fetchall(self) -> list[Any]:
        """Every row left."""
        while self._unfinished is not None:
            await self._read_more()
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        """Forget the rows left; close the sqlite3 cursor if it is still open (a connection
        closed meanwhile took it along)."""
        self._rows.clear()
        unfinished, self._unfinished = self._unfinished, None
        if unfinished is not None and self._connection.is_open:
            await self._connection.on_thread(unfinished.close)

    async def _read_more(self) -> None:
        if self._unfinished is not None:
            unfinished, self._unfinished = self._unfinished, None
            self._take(await self._connection.on_thread(partial(_more, unfinished, ROWS_PER_TRIP)))

    def _take(self, outcome: _Outcome) -> None:
        self.description = outcome.description
        self.rowcount = outcome.rowcount
        self.lastrowid = outcome.lastrowid
        self._rows.extend(outcome.rows)
        self._unfinished = outcome.unfinished


class OneTripConnection(aiosqlite.Connection):
    """aiosqlite's connection, whose cursors run a statement in one trip to its thread."""

    def cursor(self) -> OneTripCursor:  # type: ignore[override]  # same use, fewer trips
        """A cursor for `async with connection.cursor() as cursor` or `await ….cursor()`."""
        return OneTripCursor(self)

    @property
    def is_open(self) -> bool:
        """Whether statements can still run (not closed, nor stopped)."""
        return self._running and self._connection is not None

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection, to be used on the connection's thread only."""
        return self._conn

    async def on_thread(self, call: Callable[[], Any]) -> Any:
        """Run `call` on the connection's thread; its result or its exception."""
        return await self._execute(call)  # type: ignore[no-untyped-call]  # aiosqlite's own


async def connect(database: str, **kwargs: Any) -> OneTripConnection:
    """Open `database` as `aiosqlite.connect` would (`kwargs` go to `sqlite3.connect`)."""
    connection = OneTripConnection(partial(sqlite3.connect, database, **kwargs), 64)
    connection._thread.daemon = True  # as SQLAlchemy sets it: a stuck statement never holds exit
    await connection
    return connection
