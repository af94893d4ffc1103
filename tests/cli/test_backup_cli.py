"""`samu backup`, `samu restore` and `samu db copy`, run as an operator runs them (in the test
process), against a demo network that is running (its app open, its SQLite log not yet folded
in)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import App
from bot.config import parse_config
from bot.core.clock import FixedClock
from bot.core.demo_history import DEMO_CASES
from storage.backup import backup
from storage.db import create_engine
from storage.migrate import HEAD_REVISION, upgrade
from storage.models import Base
from tests.conftest import START
from tests.helpers import Conversation, samu_in_thread
from tests.postgres_databases import POSTGRES_URL, empty_postgres_database
from tests.read_only import read_only

BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="SAMU_TEST_POSTGRES_URL not set")


async def run(
    *args: str, cwd: Path, database_url: str, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """`samu …` in the test process (in a thread: the demo network's app goes on in this
    event loop meanwhile); exit status and everything it printed."""
    environment = {**(env or {}), "SAMU_DATABASE_URL": database_url}
    ran = await samu_in_thread(args, cwd=cwd, env=environment)
    return ran.code, ran.output


@asynccontextmanager
async def empty_database(kind: str, tmp_path: Path, name: str) -> AsyncIterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / name}"
        return
    async with empty_postgres_database() as url:
        yield url


@asynccontextmanager
async def demo_network(url: str, number: int = len(DEMO_CASES) + 1) -> AsyncIterator[Conversation]:
    """The demo network on `url`, open as `samu run` keeps it, with request `number` just
    made by Amina."""
    config = parse_config({"database": {"url": url}}, "tests", {})
    app = App.build(config, clock=FixedClock(START))
    await app.prepare(migrate=True)
    await app.seed_demo()
    chat = Conversation(app)
    answer = await chat.say("Amina", "/demande souci ameli pour un jeune, il a 19 ans")
    assert f"#{number}" in answer, answer
    try:
        yield chat
    finally:
        await chat.console.close()
        await app.close()


async def every_row(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    async with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in await connection.execute(
                    select(table).order_by(*table.primary_key.columns)
                )
            ]
            for table in Base.metadata.sorted_tables
        }


async def same_rows(first_url: str, second_url: str) -> None:
    engines = create_engine(first_url), create_engine(second_url)
    try:
        first, second = [await every_row(engine) for engine in engines]
    finally:
        for engine in engines:
            await engine.dispose()
    assert first["help_requests"] and first["members"] and first["tutorials"]
    derived = {table.name for table in Base.metadata.sorted_tables if table.info.get("derived")}
    for table, rows in first.items():
        # The matching counter's numbers are each database's own (its triggers count the
        # changes as the rows arrive), not data: `samu db copy` does not copy them.
        if table not in derived:
            assert second[table] == rows, table


@pytest.mark.parametrize("kind", BACKENDS)
async def test_a_running_network_is_backed_up_restored_and_equal_table_by_table(
    kind: str, tmp_path: Path
) -> None:
    async with (
        empty_database(kind, tmp_path, "live.db") as live,
        empty_database(kind, tmp_path, "restored.db") as restored,
        demo_network(live),
    ):
        code, output = await run("backup", "--out", "samu.backup", cwd=tmp_path, database_url=live)
        assert code == 0, output
        assert "samu.backup" in output
        code, output = await run("restore", "samu.backup", cwd=tmp_path, database_url=restored)
        assert code == 0, output
        assert "samu doctor" in output
        code, output = await run("doctor", cwd=tmp_path, database_url=restored)
        assert code == 0 and "✘" not in output and HEAD_REVISION in output, output
        await same_rows(live, restored)
        # Once restored, the database is no longer empty: a second restore is refused.
        code, output = await run("restore", "samu.backup", cwd=tmp_path, database_url=restored)
        assert code == 2 and "n'est pas vide" in output and "Traceback" not in output
        await same_rows(live, restored)


async def test_a_sqlite_backup_taken_while_the_bot_writes_is_whole(tmp_path: Path) -> None:
    """The backup runs in a thread: the bot goes on writing meanwhile, and the copy is one
    consistent moment (every foreign key holds, the file checks)."""
    live = f"sqlite:///{tmp_path / 'live.db'}"
    async with demo_network(live) as chat:
        stop = asyncio.Event()

        async def keep_asking() -> int:
            asked = 0
            while not stop.is_set():
                await chat.say("Karim", f"/demande question {asked} sur la CAF")
                chat.app.services.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
                asked += 1
            return asked

        writer = asyncio.create_task(keep_asking())
        await chat.say("Karim", "/demande première question sur la CAF")  # the writer runs
        for number in range(3):
            await backup(live, tmp_path / f"during-{number}.db")
        stop.set()
        assert await writer > 0
    for number in range(3):
        with sqlite3.connect(tmp_path / f"during-{number}.db") as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
            assert copy.execute("PRAGMA journal_mode").fetchall() == [("delete",)]


@needs_postgres
async def test_db_copy_moves_a_sqlite_network_to_postgresql_and_the_bot_goes_on(
    tmp_path: Path,
) -> None:
    live = f"sqlite:///{tmp_path / 'live.db'}"
    back = f"sqlite:///{tmp_path / 'back.db'}"
    async with empty_postgres_database() as target:
        async with demo_network(live):
            code, output = await run("db", "copy", "--to", target, cwd=tmp_path, database_url=live)
            assert code == 0, output
            await same_rows(live, target)
            code, output = await run("db", "copy", "--to", target, cwd=tmp_path, database_url=live)
            assert code == 2 and "n'est pas vide" in output, output
        # On the copy, numbers go on after the copied ones (sequences reset), search works.
        async with demo_network(target, len(DEMO_CASES) + 2) as chat:  # the demo is there
            answer = await chat.say("Karim", "/demande un souci avec les impôts")
            assert f"#{len(DEMO_CASES) + 3}" in answer, answer
            assert "Télécharger une attestation" in await chat.say("Amina", "/tuto ameli")
        # And back to a new SQLite file: its full-text index is built again.
        code, output = await run("db", "copy", "--to", back, cwd=tmp_path, database_url=target)
        assert code == 0, output
    async with demo_network(back, len(DEMO_CASES) + 4) as chat:
        assert "Télécharger une attestation" in await chat.say("Amina", "/tuto ameli")


async def test_backup_refuses_to_overwrite_and_names_a_folder_it_cannot_use(
    tmp_path: Path,
) -> None:
    live = f"sqlite:///{tmp_path / 'live.db'}"
    async with demo_network(live):
        (tmp_path / "kept.db").write_text("an earlier backup")
        code, output = await run("backup", "--out", "kept.db", cwd=tmp_path, database_url=live)
        assert code == 2 and "--force" in output and "Traceback" not in output
        assert (tmp_path / "kept.db").read_text() == "an earlier backup"
        code, output = await run(
            "backup", "--out", "kept.db", "--force", cwd=tmp_path, database_url=live
        )
        assert code == 0, output
        assert (tmp_path / "kept.db").read_bytes().startswith(b"SQLite format 3")
        code, output = await run("backup", "--out", "missing/b.db", cwd=tmp_path, database_url=live)
        assert code == 2 and "n'existe pas" in output and "Traceback" not in output
        locked = tmp_path / "locked"
        locked.mkdir()
        with read_only(locked):
            code, output = await run(
                "backup", "--out", "locked/b.db", cwd=tmp_path, database_url=live
            )
        assert code == 2 and "Je ne peux pas écrire" in output and "Traceback" not in output
        assert list(locked.iterdir()) == []
        code, output = await run("backup", "--out", "locked", cwd=tmp_path, database_url=live)
        assert code == 2 and "est un dossier" in output


async def test_restore_refuses_what_is_not_a_backup_and_leaves_no_database(
    tmp_path: Path,
) -> None:
    target = f"sqlite:///{tmp_path / 'new.db'}"
    (tmp_path / "garbage.db").write_bytes(b"not a database at all" * 100)
    (tmp_path / "empty.db").write_bytes(b"")
    with sqlite3.connect(tmp_path / "other-app.db") as other:
        other.execute("CREATE TABLE notes (text TEXT)")
    live = f"sqlite:///{tmp_path / 'live.db'}"
    async with demo_network(live):
        await backup(live, tmp_path / "whole.db")
    (tmp_path / "cut.db").write_bytes((tmp_path / "whole.db").read_bytes()[:8192])
    for name in ("garbage.db", "empty.db", "other-app.db", "cut.db", "missing.db", "."):
        code, output = await run("restore", name, cwd=tmp_path, database_url=target)
        assert code == 2, (name, output)
        assert "n'est pas une sauvegarde" in output and "Traceback" not in output, output
        assert not (tmp_path / "new.db").exists()
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".part")]


async def test_restore_of_an_older_backup_migrates_and_a_newer_one_is_refused(
    tmp_path: Path,
) -> None:
    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    await upgrade(engine, "0010")
    await engine.dispose()
    await backup(f"sqlite:///{old}", tmp_path / "old.backup")
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    code, output = await run("restore", "old.backup", cwd=tmp_path, database_url=target)
    assert code == 0 and "0010" in output and "ancienne version" in output, output
    code, output = await run("doctor", cwd=tmp_path, database_url=target)
    assert code == 0 and HEAD_REVISION in output, output
    with sqlite3.connect(old) as database:
        database.execute("UPDATE alembic_version SET version_num = '0042'")
    await backup(f"sqlite:///{old}", tmp_path / "newer.backup")
    target = f"sqlite:///{tmp_path / 'other.db'}"
    code, output = await run("restore", "newer.backup", cwd=tmp_path, database_url=target)
    assert code == 3 and "0042" in output and "version plus récente" in output, output
    assert not (tmp_path / "other.db").exists()


@needs_postgres
async def test_pg_dump_gets_the_password_in_its_environment_never_on_its_command_line(
    tmp_path: Path,
) -> None:
    """A stand-in pg_dump (first on PATH) records what it was given."""
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "pg_dump"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > {tmp_path}/argv\n'
        f'echo "$PGPASSWORD" > {tmp_path}/password\n'
        'for a in "$@"; do case "$a" in --file=*) printf PGDMP > "${a#--file=}";; esac; done\n'
    )
    fake.chmod(0o755)
    url = POSTGRES_URL.replace("postgresql://postgres@", "postgresql://postgres:S3cret-Word@")
    path = f"{tools}:{os.environ['PATH']}"
    code, output = await run(
        "backup", "--out", "p.dump", cwd=tmp_path, database_url=url, env={"PATH": path}
    )
    assert code == 0, output
    assert "S3cret-Word" not in output
    assert "S3cret-Word" not in (tmp_path / "argv").read_text()
    assert "--format=custom" in (tmp_path / "argv").read_text()
    assert (tmp_path / "password").read_text().strip() == "S3cret-Word"
    # Without pg_dump on PATH: what to run instead, still without the password.
    code, output = await run(
        "backup", "--out", "q.dump", cwd=tmp_path, database_url=url, env={"PATH": str(tools.parent)}
    )
    assert code == 2 and "pg_dump --format=custom" in output and "PGPASSWORD" in output, output
    assert "S3cret-Word" not in output and not (tmp_path / "q.dump").exists()
