"""Read-only units of work wait for no writer and refuse writes (issue 20), both backends."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from storage.db import Database, ReadOnlyViolation, StorageUnavailable, create_engine, sqlite_file

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
async def one_connection(database_url: str) -> AsyncIterator[Database]:
    """A database whose pool holds a single connection: every unit of work reuses it."""
    database = Database(create_engine(database_url, pool_size=1, max_overflow=0), database_url)
    try:
        yield database
    finally:
        await database.dispose()


async def _names(database: Database, *, read_only: bool = True) -> list[str]:
    async with database.uow(read_only=read_only) as uow:
        return [structure.name for structure in await uow.structures.list_all()]


async def test_a_read_does_not_wait_for_a_writer_of_this_process(db: Database) -> None:
    async with db.uow() as uow:
        await uow.structures.add("Mission locale", NOW)
        await uow.commit()
    writing, done = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.uow() as uow:
            await uow.structures.add("EPN Résoudre", NOW)
            writing.set()
            await done.wait()  # holds its turn and SQLite's write lock meanwhile
            await uow.commit()

    task = asyncio.create_task(writer())
    await writing.wait()
    try:
        # Queued behind the writer, this would wait for ever (StorageUnavailable after the
        # turn's timeout): it reads the last committed state at once instead.
        assert await _names(db) == ["Mission locale"]
    finally:
        done.set()
        await task
    assert await _names(db) == ["EPN Résoudre", "Mission locale"]


async def test_a_read_does_not_wait_for_another_process_holding_the_write_lock(
    db: Database, database_url: str
) -> None:
    path = sqlite_file(database_url)
    if path is None:
        pytest.skip("SQLite's write lock")
    async with db.uow() as uow:
        await uow.structures.add("Mission locale", NOW)
        await uow.commit()
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO structures (name, created_at) VALUES ('Autre', '2026-11-30')")
        assert await _names(db) == ["Mission locale"]
        # (a unit of work that writes would wait for the lock: busy_timeout, then unavailable)
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_a_write_in_a_read_only_unit_of_work_fails_loudly(
    one_connection: Database,
) -> None:
    db = one_connection
    with pytest.raises(ReadOnlyViolation):
        async with db.uow(read_only=True) as uow:
            await uow.structures.add("Mission locale", NOW)
            await uow.commit()
    with pytest.raises(ReadOnlyViolation):
        async with db.uow(read_only=True) as uow:
            await uow.session.execute(text("DELETE FROM structures"))
    assert await _names(db) == []
    # The same pooled connection writes again afterwards, even after an unrelated error.
    with pytest.raises(RuntimeError):
        async with db.uow(read_only=True) as uow:
            await uow.structures.list_all()
            raise RuntimeError("a bug in a reading use-case")
    async with db.uow() as uow:
        await uow.structures.add("Mission locale", NOW)
        await uow.commit()
    assert await _names(db, read_only=False) == ["Mission locale"]


async def test_a_read_only_failure_is_not_taken_for_an_unavailable_database(
    one_connection: Database,
) -> None:
    try:
        async with one_connection.uow(read_only=True) as uow:
            await uow.structures.add("Mission locale", NOW)
    except ReadOnlyViolation as error:
        assert not isinstance(error, StorageUnavailable)
    else:
        raise AssertionError("the write went through")


async def test_committing_a_read_only_unit_of_work_that_wrote_nothing_is_harmless(
    one_connection: Database,
) -> None:
    async with one_connection.uow(read_only=True) as uow:
        assert await uow.structures.list_all() == []
        await uow.commit()
    async with one_connection.uow() as uow:
        await uow.structures.add("Mission locale", NOW)
        await uow.commit()
    assert await _names(one_connection) == ["Mission locale"]
