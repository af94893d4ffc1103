"""The coordinators' report: a printable HTML page, its PNG charts and the CSV data.

`render_report` turns the figures of a period (`bot.core.indicators.ReportData`) into files,
as bytes by relative path; `report_archive` packs them in a ZIP the bot can send. Both depend
only on their arguments: no clock, no randomness, sorted names, fixed ZIP timestamps and
PNG files without any date or software version, so the same data gives the same bytes.

Drawing takes a second or so of CPU: call `render_report` from a worker thread
(`asyncio.to_thread`) in the event loop.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.chat.i18n import translator
from bot.chat.reports import captions, csv_files, html, services, tables
from bot.chat.reports.formatting import period_days, period_name, period_slug
from bot.core.indicators import ReportData

__all__ = ["PAGE", "period_name", "period_slug", "render_report", "report_archive"]

PAGE = "rapport.html"
"""The name of the report's page among its files."""

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def render_report(
    data: ReportData,
    *,
    locale: str = "fr",
    network_name: str | None = None,
    timezone: str | None = None,
) -> dict[str, bytes]:
    """The report's files by relative path, sorted: `rapport.html`, a PNG and a CSV per chart.

    The charts are `per_month` (every month of the period, with or without requests),
    `time_to_claim`, `skills`, `help_flows` and `sessions`, each a `.png` and a `.csv`;
    `indicators.csv` and `structures.csv` hold the tables of the page, and `services.csv`
    (when there is any) the requests by service next to the places offering it nearby.
    `network_name` heads the page; `timezone` is where the period's days and the sessions'
    dates are read (the data's instants are UTC), by default the period's own timezone.
    """
    from bot.chat.reports import charts  # matplotlib loads only when a report is drawn

    t = translator(locale)
    zone = ZoneInfo(timezone or data.indicators.period.timezone)
    first, last = period_days(data.indicators.period, zone)
    data = replace(data, per_month=tables.every_month(data.per_month, first, last))
    files = csv_files.csv_files(data, t, zone)
    files |= {
        "per_month.png": charts.per_month(data.per_month, t),
        "time_to_claim.png": charts.time_to_claim(
            data.hours_to_claim, t, captions.claim_median(data)
        ),
        "skills.png": charts.skills(data.skills, t),
        "help_flows.png": charts.help_flows(data.help_flows, t),
        "sessions.png": charts.sessions(data.indicators.sessions, t, zone),
        PAGE: html.page(data, t, zone, network_name).encode("utf-8"),
    }
    if data.services:
        files["services.csv"] = services.services_csv(data, t)
    return {path: files[path] for path in sorted(files)}


def report_archive(files: dict[str, bytes]) -> bytes:
    """A ZIP of the files, names sorted, every entry dated 1 January 1980 (the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            entry = zipfile.ZipInfo(path, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, whatever the machine
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, files[path])
    return buffer.getvalue()
