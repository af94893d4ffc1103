"""`samu report`: the coordinators' report written into a folder (`rapport.html`, PNG, CSV).

The period is given by days in the network's timezone, both included (`--from 2026-10-01
--to 2026-12-31`); without them, it is the last complete quarter. Call after `app.prepare()`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import App
from bot.chat.reports import render_report
from bot.core import indicators
from bot.core.indicators import PeriodKind
from bot.out_folder import OutError, OutProblem, check_writable, write_files


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def report_span(
    now: datetime, timezone: str, since: date | None, until: date | None
) -> tuple[datetime, datetime]:
    """The UTC bounds `[start, end)` of a report from `since` to `until` (days included).

    Neither day: the last complete quarter. Only `since`: up to today included. Raises
    `ValueError` when only `until` is given, or when `until` comes before `since`.
    """
    zone = ZoneInfo(timezone)
    if since is None and until is None:
        last = indicators.previous(indicators.period_of(PeriodKind.QUARTER, now, timezone))
        return last.start, last.end
    if since is None:
        raise ValueError("a report needs its first day (--from) when its last one is given")
    last_day = until if until is not None else now.astimezone(zone).date()
    if last_day < since:
        raise ValueError(f"the report ends ({last_day}) before it starts ({since})")
    return _midnight(since, zone), _midnight(last_day + timedelta(days=1), zone)


REPORT_PAGE = "rapport.html"


def check_out_dir(out_dir: Path, *, force: bool = False) -> None:
    """Raise OutError when the report cannot be written into `out_dir`, or would replace
    an earlier report there (unless `force`)."""
    check_writable(out_dir)
    if (out_dir / REPORT_PAGE).exists() and not force:
        raise OutError(OutProblem.REPORT_EXISTS, out_dir / REPORT_PAGE)


async def write_report(
    app: App, out_dir: Path, since: date | None, until: date | None, *, force: bool = False
) -> list[Path]:
    """Compute the report of a period and write its files under `out_dir`; the paths written.

    See `report_span` for the period; the report is in the configured language and
    timezone. Drawing and writing run in a worker thread, off the event loop. The folder is
    checked first (OutError, see `check_out_dir`).
    """
    timezone = app.config.bot.timezone
    start, end = report_span(app.services.clock.now(), timezone, since, until)
    await asyncio.to_thread(check_out_dir, out_dir, force=force)
    data = await indicators.report_data(app.services, start, end, timezone)
    files = await asyncio.to_thread(
        render_report, data, locale=app.config.bot.default_locale, timezone=timezone
    )
    return await asyncio.to_thread(write_files, out_dir, files)
