"""`samu lieux import`: a national places file into the database, batch by batch.

Each batch of rows is upserted by the file's `id` in one transaction together with the run's
checkpoint (how many rows are done), so a crash leaves whole batches only, and running the
same import again resumes after the last one committed. `prune` (after a complete run)
deletes the imported places the file no longer has; the network's own entries stay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.core.place_fields import CheckedRow, Issue, IssueKind, check_row, commune_key
from bot.core.place_files import FileFormat, RawRow, file_key, read_rows
from bot.core.services import Services
from bot.core.types import PlaceData
from skills import ServiceCatalog

BATCH_SIZE = 500
MAX_REPORTED = 1000  # rows with issues listed in the report (all are counted)

Progress = Callable[[int], None]
"""Told the number of bytes read so far, after each batch."""


@dataclass(frozen=True, slots=True)
class RowIssue:
    """What was wrong at a line (CSV) or position (JSON) of the file."""

    line: int
    issue: Issue


@dataclass(slots=True)
class ImportReport:
    """What an import did: rows read, kept, rejected, the issues by line, and what was pruned.

    `resumed_after` is the number of rows an earlier, interrupted run had already committed.
    """

    read: int = 0
    accepted: int = 0
    rejected: int = 0
    warned: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    pruned: int | None = None
    prune_refused: bool = False
    resumed_after: int = 0

    def note(self, line: int, issues: tuple[Issue, ...]) -> None:
        """Count a row's issues and keep them for the report (up to MAX_REPORTED rows)."""
        if not issues:
            return
        if any(issue.rejects for issue in issues):
            self.rejected += 1
        else:
            self.warned += 1
        if len(self.issues) < MAX_REPORTED:
            self.issues.extend(RowIssue(line, issue) for issue in issues)


@dataclass(slots=True)
class _Batch:
    places: list[tuple[PlaceData, str | None]] = field(default_factory=list)
    checked: list[tuple[int, CheckedRow]] = field(default_factory=list)
    rows: int = 0
    done: bool = False


class _Reader:
    """Pulls checked batches from the file (run in a worker thread: it reads and parses)."""

    def __init__(
        self, stream: IO[bytes], fmt: FileFormat, catalog: ServiceCatalog, timezone: str
    ) -> None:
        self._stream = stream
        self._rows: Iterator[RawRow] = read_rows(stream, fmt)
        self._catalog = catalog
        self._timezone = timezone
        self._seen: set[str] = set()

    def position(self) -> int:
        try:
            return self._stream.tell()
        except (OSError, ValueError):
            return 0

    def skip(self, count: int) -> int:
        """Pass over rows an earlier run committed; how many there were."""
        skipped = 0
        for _ in range(count):
            if next(self._rows, None) is None:
                break
            skipped += 1
        return skipped

    def batch(self, size: int) -> _Batch:
        found = _Batch()
        for raw in self._rows:
            found.rows += 1
            checked = self._check(raw)
            found.checked.append((raw.line, checked))
            if checked.place is not None:
                found.places.append((checked.place, commune_key(checked.place.commune)))
            if found.rows >= size:
                return found
        found.done = True
        return found

    def _check(self, raw: RawRow) -> CheckedRow:
        if raw.fields is None:
            return CheckedRow(None, (Issue(IssueKind.UNREADABLE, "", rejects=True),))
        checked = check_row(raw.fields, self._catalog, self._timezone)
        if checked.place is None:
            return checked
        if checked.place.source_id in self._seen:
            duplicate = Issue(IssueKind.DUPLICATE_ID, "id", checked.place.source_id, True)
            return CheckedRow(None, (*checked.issues, duplicate))
        self._seen.add(checked.place.source_id)
        return checked


async def import_places(
    services: Services,
    path: Path,
    fmt: FileFormat,
    *,
    prune: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a places file (resuming an interrupted run over the same file), its services
    read with `services.places.catalog` and its hours in `services.places.timezone`."""
    uows, clock = services.uow, services.clock
    key = await asyncio.to_thread(file_key, path)
    async with uows() as uow:
        run = await uow.places.unfinished_import(key) or await uow.places.start_import(
            key, clock.now()
        )
        await uow.commit()
    report = ImportReport(
        read=run.rows_done,
        accepted=run.accepted,
        rejected=run.rejected,
        resumed_after=run.rows_done,
    )
    stream = await asyncio.to_thread(path.open, "rb")
    try:
        reader = _Reader(stream, fmt, services.places.catalog, services.places.timezone)
        await asyncio.to_thread(reader.skip, run.rows_done)
        done = False
        while not done:
            batch = await asyncio.to_thread(reader.batch, batch_size)
            done = batch.done
            for line, checked in batch.checked:
                report.note(line, checked.issues)
            report.read += batch.rows
            report.accepted += len(batch.places)
            async with uows() as uow:
                await uow.places.upsert_many(batch.places, run.id, clock.now())
                await uow.places.checkpoint(run.id, report.read, report.accepted, report.rejected)
                await uow.commit()
            if progress is not None:
                progress(reader.position())
    finally:
        await asyncio.to_thread(stream.close)
    async with uows() as uow:
        if prune and report.accepted == 0:
            report.prune_refused = True
        elif prune:
            report.pruned = await uow.places.prune(run.id)
        await uow.places.finish_import(run.id, clock.now())
        await uow.commit()
    return report
