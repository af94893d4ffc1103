"""Two `samu db upgrade` at once on one PostgreSQL database: one migrates, the other waits and
then finds nothing to do; both end at head (without the lock, one fails on a table the other
is creating)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine
from storage.migrate import HEAD_REVISION, schema_status, upgrade
from tests.cli.test_cli import samu_process
from tests.postgres_databases import POSTGRES_URL, empty_postgres_database

needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="SAMU_TEST_POSTGRES_URL not set")


@needs_postgres
async def test_two_engines_upgrading_a_fresh_database_at_once_both_end_at_head() -> None:
    async with empty_postgres_database() as url:
        engines = [create_engine(url), create_engine(url)]
        try:
            await asyncio.gather(*(upgrade(engine) for engine in engines))
            for engine in engines:
                status = await schema_status(engine)
                assert status.current == HEAD_REVISION
            async with engines[0].connect() as connection:
                versions = await connection.scalar(text("SELECT count(*) FROM alembic_version"))
            assert versions == 1
        finally:
            for engine in engines:
                await engine.dispose()


@pytest.mark.cli_subprocess
@needs_postgres
async def test_two_processes_running_db_upgrade_at_once_both_succeed(tmp_path: Path) -> None:
    async with empty_postgres_database() as url:
        results = await asyncio.gather(
            samu_process("db", "upgrade", cwd=tmp_path, database_url=url),
            samu_process("db", "upgrade", cwd=tmp_path, database_url=url),
        )
        for code, output in results:
            assert code == 0, output
            assert HEAD_REVISION in output and "Traceback" not in output


async def test_sqlite_upgrades_twice_at_once_without_harm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'samu.db'}"
    engines = [create_engine(url), create_engine(url)]
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))
        assert (await schema_status(engines[1])).current == HEAD_REVISION
    finally:
        for engine in engines:
            await engine.dispose()


async def test_fresh_sqlite_files_opened_by_four_engines_at_once_never_report_locked(
    tmp_path: Path,
) -> None:
    """The race behind the test above: switching a brand-new file to write-ahead logging fails
    at once, without waiting, while another connection holds its first transaction (it failed
    in about one file in twelve before the fix)."""

    async def first_transaction(engine: AsyncEngine, table: str) -> None:
        async with engine.begin() as connection:
            for n in range(30):
                await connection.execute(text(f"CREATE TABLE IF NOT EXISTS {table}_{n} (n INT)"))

    for attempt in range(60):
        url = f"sqlite:///{tmp_path / f'fresh-{attempt}.db'}"
        engines = [create_engine(url) for _ in range(4)]
        try:
            await asyncio.gather(
                *(first_transaction(engine, f"t{n}") for n, engine in enumerate(engines))
            )
            async with engines[0].connect() as connection:
                assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
        finally:
            for engine in engines:
                await engine.dispose()
