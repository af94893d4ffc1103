"""`samu db copy`: every row of one database into another, empty one (SQLite → PostgreSQL).

The target is migrated to the source's revision first, then the tables are copied parents
first (`Base.metadata.sorted_tables`), in batches, in one transaction on the target: a copy
that fails leaves the target with its schema and no row, ready for another try. Afterwards
PostgreSQL's sequences are set past the copied numbers (the next request continues the
series), and on SQLite the full-text index of the tutorials, which the models do not
describe, is built again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from sqlalchemy import (
    Integer,
    LargeBinary,
    Table,
    bindparam,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from storage.db import create_engine, create_sqlite_file, normalize_url, sqlite_file
from storage.migrate import current_revision, schema_status, upgrade
from storage.models import Base, TutorialModel
from storage.search import SqliteSearch

BATCH_ROWS = 500
BATCH_ROWS_WITH_FILES = 20  # attachments hold up to 10 MB each


class CopyProblem(Enum):
    """Why a copy is refused."""

    SAME_DATABASE = "same database"
    SOURCE_OUT_OF_DATE = "source out of date"
    TARGET_OTHER_REVISION = "target at another revision"
    TARGET_NOT_EMPTY = "target not empty"


class CopyRefused(Exception):
    """The copy was not started; `detail` names the revision or the tables concerned."""

    def __init__(self, problem: CopyProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}".strip(": "))
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What was copied: rows per table, and the schema revision of both databases."""

    revision: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Rows copied in all."""
        return sum(self.rows.values())


def _same_database(source: str, target: str) -> bool:
    source, target = normalize_url(source), normalize_url(target)
    source_file, target_file = sqlite_file(source), sqlite_file(target)
    if source_file is not None or target_file is not None:
        return (
            source_file is not None
            and target_file is not None
            and (source_file.resolve() == target_file.resolve())
        )
    return source == target


def _batch_size(table: Table) -> int:
    binary = any(isinstance(column.type, LargeBinary) for column in table.columns)
    return BATCH_ROWS_WITH_FILES if binary else BATCH_ROWS


def _copied_tables() -> list[Table]:
    """The tables copied, parents first: not those the database's triggers fill from the
    others (`info["derived"]`), which the copy of the others fills in the target."""
    return [table for table in Base.metadata.sorted_tables if not table.info.get("derived")]


async def _tables_with_rows(connection: AsyncConnection) -> list[str]:
    present = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    found = []
    for table in _copied_tables():
        if table.name in present and await connection.scalar(
            select(func.count()).select_from(table)
        ):
            found.append(table.name)
    return found


async def _check_target(target: AsyncEngine, revision: str) -> bool:
    """Refuse a target with rows, or at another revision; true when it needs migrating."""
    async with target.connect() as connection:
        current = await connection.run_sync(current_revision)
        filled = await _tables_with_rows(connection)
        present = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    if current is not None and current != revision:
        raise CopyRefused(CopyProblem.TARGET_OTHER_REVISION, current)
    if filled or (current is None and present):
        raise CopyRefused(CopyProblem.TARGET_NOT_EMPTY, ", ".join((filled or present)[:5]))
    return current is None


def _late_columns(table: Table) -> list[str]:
    """Columns pointing to a table copied later (a cycle, e.g. a request solved by a tutorial
    written about it): copied empty first, then filled in once every row is there."""
    order = {each: position for position, each in enumerate(Base.metadata.sorted_tables)}
    return [
        key.parent.key
        for key in table.foreign_keys
        if order.get(key.column.table, -1) >= order[table]
    ]


@dataclass(slots=True)
class _Pending:
    """The values of late columns to set once every table is copied."""

    table: Table
    columns: list[str]
    rows: list[dict[str, object]] = field(default_factory=list)


async def _copy_table(
    source: AsyncConnection, target: AsyncConnection, table: Table
) -> tuple[int, _Pending]:
    copied = 0
    pending = _Pending(table, _late_columns(table))
    keys = list(table.columns.keys())
    pk = [column.key for column in table.primary_key.columns]
    result = await source.stream(select(table).order_by(*table.primary_key.columns))
    async for rows in result.partitions(_batch_size(table)):
        values = [dict(zip(keys, row, strict=True)) for row in rows]
        for row in values:
            late = {name: row[name] for name in pending.columns if row[name] is not None}
            if late:
                pending.rows.append({**{f"pk_{k}": row[k] for k in pk}, **late})
                row.update(dict.fromkeys(late))
        await target.execute(table.insert(), values)
        copied += len(rows)
    return copied, pending


async def _fill_late_columns(target: AsyncConnection, pending: _Pending) -> None:
    table = pending.table
    where = [column == bindparam(f"pk_{column.key}") for column in table.primary_key.columns]
    for name in pending.columns:
        rows = [row for row in pending.rows if name in row]
        keys = [key for key in rows[0] if key.startswith("pk_")] if rows else []
        for start in range(0, len(rows), BATCH_ROWS):
            batch = [
                {**{k: row[k] for k in keys}, "late": row[name]}
                for row in rows[start : start + BATCH_ROWS]
            ]
            await target.execute(
                update(table).where(*where).values({name: bindparam("late")}), batch
            )


async def _reset_sequences(target: AsyncConnection) -> None:
    """Set each serial column's sequence after the largest number copied."""
    quote = target.dialect.identifier_preparer.quote
    for table in Base.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        column = keys[0].name
        await target.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"COALESCE(MAX({quote(column)}), 0) + 1, false) FROM {quote(table.name)}"
            ),
            {"table": table.name, "column": column},
        )


async def _rebuild_sqlite_search(target: AsyncConnection) -> None:
    # The session joins the copy's transaction, and leaves it to the copy to commit.
    session = AsyncSession(bind=target)
    try:
        search = SqliteSearch(session)
        for tutorial_id in list(await session.scalars(select(TutorialModel.id))):
            await search.index(tutorial_id)
    finally:
        await session.close()


async def copy_database(source: AsyncEngine, source_url: str, target_url: str) -> CopyReport:
    """Copy every table of `source` (at the code's newest revision) into the empty database
    at `target_url`, which is created (SQLite) and migrated to the same revision first."""
    if _same_database(source_url, target_url):
        raise CopyRefused(CopyProblem.SAME_DATABASE)
    status = await schema_status(source)
    if not status.up_to_date or status.current is None:
        raise CopyRefused(CopyProblem.SOURCE_OUT_OF_DATE, status.current or "-")
    revision = status.current
    create_sqlite_file(target_url)
    target = create_engine(target_url)
    try:
        if await _check_target(target, revision):
            await upgrade(target, revision)
        rows: dict[str, int] = {}
        reading = source
        if source.dialect.name == "postgresql":  # one snapshot for every table
            reading = source.execution_options(isolation_level="REPEATABLE READ")
        async with reading.connect() as read, read.begin(), target.begin() as write:
            late = []
            for table in _copied_tables():
                rows[table.name], pending = await _copy_table(read, write, table)
                late.append(pending)
            for pending in late:
                await _fill_late_columns(write, pending)
            if write.dialect.name == "postgresql":
                await _reset_sequences(write)
            else:
                await _rebuild_sqlite_search(write)
        return CopyReport(revision=revision, rows=rows)
    finally:
        await target.dispose()
