"""Backups of the whole database into one file, and their restore into an empty database.

SQLite: the online backup API copies a consistent snapshot while the bot goes on writing (WAL
readers do not block writers); the backup is itself a SQLite file. PostgreSQL: `pg_dump
--format=custom` and `pg_restore`, run when they are on PATH; the password of the URL goes
to them through `PGPASSWORD`, never on a command line. Blocking file and SQLite work runs in
a thread. A backup is first written next to its destination and appears under its name only
when complete, so an interrupted one never passes for a backup.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from storage.db import create_engine, normalize_url, sqlite_file
from storage.migrate import VERSION_TABLE

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
SQLITE_BUSY_MS = 5000  # how long a backup waits for a checkpoint of the running bot


class Kind(Enum):
    """What kind of database, or backup file."""

    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


class Problem(Enum):
    """Why a backup or a restore cannot be done."""

    NO_DATABASE = "no database"
    FOLDER_MISSING = "folder missing"
    NOT_WRITABLE = "not writable"
    FILE_EXISTS = "file exists"
    IS_A_FOLDER = "is a folder"
    NOT_A_BACKUP = "not a backup"
    OTHER_KIND = "other kind"
    NOT_EMPTY = "not empty"
    TOOL_MISSING = "tool missing"
    TOOL_FAILED = "tool failed"


class BackupError(Exception):
    """A backup or restore refused or failed, with what to say about it."""

    def __init__(self, problem: Problem, path: str = "", detail: str = "") -> None:
        super().__init__(f"{problem.value}: {path} {detail}".strip())
        self.problem = problem
        self.path = path
        self.detail = detail


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """What a backup file holds: its kind and the schema revision it was made at."""

    kind: Kind
    revision: str


def kind_of(url: str) -> Kind:
    """The kind of database a URL names."""
    backend = make_url(normalize_url(url)).get_backend_name()
    return Kind.POSTGRESQL if backend == "postgresql" else Kind.SQLITE


def shown_url(url: str) -> str:
    """A database URL fit for the screen and the logs: its password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """The URL as PostgreSQL's own tools read it (no password) and their environment (the
    password, if any, in PGPASSWORD)."""
    parsed = make_url(url)
    # (`URL.set(password=None)` would keep the password: None there means "unchanged".)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    ).render_as_string(hide_password=False)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return plain, env


def dump_command_line(url: str, out: Path) -> str:
    """The pg_dump line an operator can run elsewhere (the password left to PGPASSWORD)."""
    plain, _ = libpq_target(url)
    return f"pg_dump --format=custom --dbname='{plain}' --file='{out}'"


def restore_command_line(url: str, backup: Path) -> str:
    """The pg_restore line an operator can run elsewhere (the password left to PGPASSWORD)."""
    plain, _ = libpq_target(url)
    return (
        "pg_restore --no-owner --no-acl --single-transaction --exit-on-error "
        f"--dbname='{plain}' '{backup}'"
    )


# Writing the backup file ---------------------------------------------------------------------


def _check_out(out: Path, *, force: bool) -> None:
    folder = out.absolute().parent
    if not folder.is_dir():
        raise BackupError(Problem.FOLDER_MISSING, str(folder))
    if out.is_dir():
        raise BackupError(Problem.IS_A_FOLDER, str(out))
    if out.exists() and not force:
        raise BackupError(Problem.FILE_EXISTS, str(out))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackupError(Problem.NOT_WRITABLE, str(folder))


def _partial_file(out: Path) -> Path:
    """An empty file next to `out`, where the backup is written before it takes its name."""
    try:
        handle, name = tempfile.mkstemp(
            dir=out.absolute().parent, prefix=f".{out.name}.", suffix=".part"
        )
    except OSError as error:
        raise BackupError(Problem.NOT_WRITABLE, str(out.absolute().parent)) from error
    os.close(handle)
    return Path(name)


def _publish(partial: Path, out: Path, *, force: bool) -> None:
    """Give the finished backup its name (replacing a file there only with `force`)."""
    try:
        if force:
            os.replace(partial, out)
            return
        try:
            os.link(partial, out)  # fails, unlike a rename, when `out` appeared meanwhile
        except FileExistsError as error:
            raise BackupError(Problem.FILE_EXISTS, str(out)) from error
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_uri(path: Path, options: str) -> str:
    return f"file:{quote(str(path))}?{options}"


def _copy_sqlite(source: str, target: Path) -> None:
    """Copy the SQLite database at URI `source` into `target` with the backup API (one step:
    a consistent snapshot), as a single file without a write-ahead log."""
    with contextlib.closing(sqlite3.connect(source, uri=True)) as reader:
        reader.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        with contextlib.closing(sqlite3.connect(target)) as writer:
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode=DELETE")


def _backup_sqlite(database: Path, out: Path, *, force: bool) -> None:
    _check_out(out, force=force)
    if not database.is_file():
        raise BackupError(Problem.NO_DATABASE, str(database))
    partial = _partial_file(out)
    try:
        _copy_sqlite(_sqlite_uri(database, "mode=rw"), partial)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(Problem.NOT_WRITABLE, str(out), str(error)) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _publish(partial, out, force=force)


async def _run_tool(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *args,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(Problem.TOOL_MISSING, name)
    return found


async def _backup_postgresql(url: str, out: Path, *, force: bool) -> None:
    pg_dump = _tool("pg_dump")
    await asyncio.to_thread(_check_out, out, force=force)
    partial = await asyncio.to_thread(_partial_file, out)
    plain, env = libpq_target(url)
    try:
        code, _, err = await _run_tool(
            pg_dump, "--format=custom", f"--dbname={plain}", f"--file={partial}", env=env
        )
        if code != 0:
            raise BackupError(Problem.TOOL_FAILED, "pg_dump", err.strip())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    await asyncio.to_thread(_publish, partial, out, force=force)


async def backup(url: str, out: Path, *, force: bool = False) -> int:
    """Write a backup of the database at `url` into the file `out` (an existing file is
    replaced only with `force`); its size in bytes."""
    if kind_of(url) is Kind.POSTGRESQL:
        await _backup_postgresql(url, out, force=force)
    else:
        database = sqlite_file(normalize_url(url))
        if database is None:
            raise BackupError(Problem.NO_DATABASE, url)
        await asyncio.to_thread(_backup_sqlite, database, out, force=force)
    return (await asyncio.to_thread(out.stat)).st_size


# Reading and restoring a backup file ---------------------------------------------------------


def _sqlite_revision(path: Path) -> str:
    try:
        uri = _sqlite_uri(path.absolute(), "mode=ro&immutable=1")
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as reader:
            (check,) = reader.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupError(Problem.NOT_A_BACKUP, str(path), str(check))
            rows = reader.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
    except sqlite3.Error as error:
        raise BackupError(Problem.NOT_A_BACKUP, str(path), str(error)) from error
    if len(rows) != 1:
        raise BackupError(Problem.NOT_A_BACKUP, str(path), "no schema revision")
    return str(rows[0][0])


def _first_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC))
    except IsADirectoryError as error:
        raise BackupError(Problem.NOT_A_BACKUP, str(path), "a folder") from error
    except OSError as error:
        raise BackupError(Problem.NOT_A_BACKUP, str(path), error.strerror or "") from error


async def _postgresql_revision(path: Path) -> str:
    """The revision in a pg_dump archive, read by pg_restore (which checks the archive)."""
    pg_restore = _tool("pg_restore")
    code, out, err = await _run_tool(
        pg_restore,
        "--data-only",
        f"--table={VERSION_TABLE}",
        "--file=-",
        str(path),
        env=dict(os.environ),
    )
    if code != 0:
        raise BackupError(Problem.NOT_A_BACKUP, str(path), err.strip())
    lines = out.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(f"COPY public.{VERSION_TABLE}")]
    if not starts or starts[0] + 1 >= len(lines) or lines[starts[0] + 1] == "\\.":
        raise BackupError(Problem.NOT_A_BACKUP, str(path), "no schema revision")
    return lines[starts[0] + 1].strip()


async def read_backup(path: Path) -> BackupInfo:
    """The kind and revision of a backup file; BackupError(NOT_A_BACKUP) for anything else."""
    head = await asyncio.to_thread(_first_bytes, path)
    if head == SQLITE_MAGIC:
        return BackupInfo(Kind.SQLITE, await asyncio.to_thread(_sqlite_revision, path))
    if head.startswith(PG_DUMP_MAGIC):
        return BackupInfo(Kind.POSTGRESQL, await _postgresql_revision(path))
    raise BackupError(Problem.NOT_A_BACKUP, str(path))


def _sqlite_tables(path: Path) -> list[str]:
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return []
    try:
        with contextlib.closing(sqlite3.connect(_sqlite_uri(path, "mode=ro"), uri=True)) as db:
            rows = db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            ).fetchall()
    except sqlite3.Error as error:
        raise BackupError(Problem.NOT_EMPTY, str(path), str(error)) from error
    return [str(name) for (name,) in rows]


async def existing_tables(url: str) -> list[str]:
    """The tables already in the database at `url` (none for a SQLite file not created)."""
    if kind_of(url) is Kind.SQLITE:
        path = sqlite_file(normalize_url(url))
        return [] if path is None else await asyncio.to_thread(_sqlite_tables, path)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.scalars(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "ORDER BY tablename"
                )
            )
            return list(names)
    finally:
        await engine.dispose()


def _restore_sqlite(backup_file: Path, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(
        tempfile.mkstemp(dir=database.parent, prefix=f".{database.name}.", suffix=".part")[1]
    )
    try:
        _copy_sqlite(_sqlite_uri(backup_file.absolute(), "mode=ro&immutable=1"), partial)
        os.replace(partial, database)
    finally:
        partial.unlink(missing_ok=True)


async def restore(url: str, backup_file: Path, info: BackupInfo) -> None:
    """Restore `backup_file` (read with `read_backup`) into the database at `url`, which
    must hold no table at all."""
    kind = kind_of(url)
    if info.kind is not kind:
        raise BackupError(Problem.OTHER_KIND, str(backup_file), info.kind.value)
    tables = await existing_tables(url)
    if tables:
        raise BackupError(Problem.NOT_EMPTY, shown_url(url), ", ".join(tables[:5]))
    if kind is Kind.SQLITE:
        database = sqlite_file(normalize_url(url))
        if database is None:
            raise BackupError(Problem.NO_DATABASE, url)
        await asyncio.to_thread(_restore_sqlite, backup_file, database)
        return
    pg_restore = _tool("pg_restore")
    plain, env = libpq_target(url)
    code, _, err = await _run_tool(
        pg_restore,
        "--no-owner",
        "--no-acl",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={plain}",
        str(backup_file),
        env=env,
    )
    if code != 0:
        raise BackupError(Problem.TOOL_FAILED, "pg_restore", err.strip())
