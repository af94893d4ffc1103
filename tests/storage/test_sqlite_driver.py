"""SQLite's connection: a statement is one trip to its thread, with what aiosqlite gave."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import sqlite_driver
from storage.db import create_engine
from storage.sqlite_driver import OneTripConnection


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
        )
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls run on the connection's thread, by name, from now on."""
    made: list[str] = []
    on_thread = OneTripConnection.on_thread

    async def counted(self: OneTripConnection, call: Callable[[], Any]) -> Any:
        made.append(getattr(call, "func", call).__name__)
        return await on_thread(self, call)

    monkeypatch.setattr(OneTripConnection, "on_thread", counted)
    return made


async def _fill(engine: AsyncEngine, count: int) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO notes (body) VALUES (:body)"),
            [{"body": f"note {n:03d}"} for n in range(count)],
        )


async def test_the_engine_talks_to_sqlite_through_the_one_trip_connection(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection, OneTripConnection)


async def test_a_read_and_a_write_each_take_one_trip(engine: AsyncEngine, trips: list[str]) -> None:
    await _fill(engine, 3)
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the connection's own first statements
        trips.clear()
        rows = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).all()
        assert trips == ["_statement"]
        trips.clear()
        changed = await connection.execute(text("UPDATE notes SET body = body || '!'"))
        assert trips == ["_statement"]
        assert changed.rowcount == 3
        await connection.rollback()
    assert [row.body for row in rows] == ["note 000", "note 001", "note 002"]


async def test_an_insert_gives_its_row_id_and_returning_its_rows(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        inserted = await connection.execute(
            text("INSERT INTO notes (body) VALUES ('first')"),
        )
        assert inserted.lastrowid == 1
        returned = await connection.execute(
            text("INSERT INTO notes (body) VALUES ('second'), ('third') RETURNING id, body")
        )
        assert [tuple(row) for row in returned] == [(2, "second"), (3, "third")]
        deleted = await connection.execute(text("DELETE FROM notes WHERE id > 1"))
        assert deleted.rowcount == 2


async def test_many_parameter_sets_are_one_trip(engine: AsyncEngine, trips: list[str]) -> None:
    await _fill(engine, 1)
    trips.clear()
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO notes (body) VALUES (:body)"),
            [{"body": f"more {n}"} for n in range(50)],
        )
    assert trips.count("_statements") == 1
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM notes")) == 51


async def test_a_long_result_comes_whole_and_in_order_a_batch_per_trip(
    engine: AsyncEngine, trips: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_driver, "ROWS_PER_TRIP", 4)
    await _fill(engine, 10)
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the transaction's BEGIN
        trips.clear()
        rows = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).all()
    assert [row.body for row in rows] == [f"note {n:03d}" for n in range(10)]
    # 4 + 4 + 2 rows: the statement's trip and two more, the last of which closes the cursor.
    assert trips == ["_statement", "_more", "_more"]


async def test_a_stream_reads_in_batches_and_each_way_of_fetching_agrees(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_driver, "ROWS_PER_TRIP", 3)
    await _fill(engine, 8)
    async with engine.connect() as connection:
        result = await connection.stream(text("SELECT body FROM notes ORDER BY id"))
        parts = [[row.body for row in part] async for part in result.partitions(5)]
        assert parts == [[f"note {n:03d}" for n in range(5)], [f"note {n:03d}" for n in (5, 6, 7)]]
        one_by_one = await connection.stream(text("SELECT id FROM notes ORDER BY id"))
        assert [row.id async for row in one_by_one] == list(range(1, 9))


async def test_a_stream_left_halfway_releases_the_table(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_driver, "ROWS_PER_TRIP", 2)
    await _fill(engine, 10)
    async with engine.connect() as connection:
        result = await connection.stream(text("SELECT body FROM notes ORDER BY id"))
        assert (await result.fetchone()) is not None
        await result.close()
        # A statement still reading the table would make SQLite refuse to drop it.
        await connection.execute(text("DROP TABLE notes"))
        await connection.commit()


async def test_a_stream_left_open_when_its_connection_closes_closes_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_driver, "ROWS_PER_TRIP", 2)
    connection = await sqlite_driver.connect(str(tmp_path / "closing.db"))
    cursor = connection.cursor()
    await cursor.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < 10) SELECT i FROM n"
    )
    assert await cursor.fetchone() == (1,)
    await connection.close()
    await cursor.close()  # no error: the rows left went with the connection
    assert await cursor.fetchall() == []


async def test_an_error_is_sqlites_and_the_connection_goes_on(engine: AsyncEngine) -> None:
    await _fill(engine, 1)
    async with engine.connect() as connection:
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO notes (body) VALUES ('note 000')"))
        await connection.rollback()
        with pytest.raises(OperationalError, match="no such table"):
            await connection.execute(text("SELECT * FROM missing"))
        await connection.rollback()
        assert await connection.scalar(text("SELECT count(*) FROM notes")) == 1


async def test_the_connection_is_still_aiosqlites_for_direct_use(tmp_path: Path) -> None:
    connection = await sqlite_driver.connect(str(tmp_path / "direct.db"))
    try:
        async with connection.cursor() as cursor:
            await cursor.execute("CREATE TABLE t (n INTEGER)")
            await cursor.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
            assert cursor.rowcount == 3
        cursor = await connection.cursor()
        await cursor.execute("SELECT n FROM t ORDER BY n")
        assert await cursor.fetchone() == (1,)
        assert await cursor.fetchmany(5) == [(2,), (3,)]
        assert await cursor.fetchone() is None
        await cursor.close()
        rows = await connection.execute_fetchall("SELECT count(*) FROM t")
        assert list(rows) == [(3,)]
    finally:
        await connection.close()
    with pytest.raises(ValueError):
        await connection.cursor().execute("SELECT 1")


async def test_a_statement_cancelled_midway_leaves_the_engine_working(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person gives up (the task is cancelled) while SQLite still works on their statement:
    the next unit of work gets a working connection, and sees no half-done change."""
    await _fill(engine, 3)
    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)"
    running = asyncio.Event()
    on_thread = OneTripConnection.on_thread

    async def noticed(self: OneTripConnection, call: Callable[[], Any]) -> Any:
        if slow in str(getattr(call, "args", ())):
            running.set()
        return await on_thread(self, call)

    monkeypatch.setattr(OneTripConnection, "on_thread", noticed)

    async def give_up_midway() -> None:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE notes SET body = body || ' (changed)'"))
            await connection.execute(text(f"{slow} SELECT count(*) FROM n"))

    task = asyncio.create_task(give_up_midway())
    await running.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with engine.connect() as connection:
        bodies = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).all()
    assert [row.body for row in bodies] == ["note 000", "note 001", "note 002"]
