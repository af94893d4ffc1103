"""`/rapport` (coordinators): the report of the last whole month, quarter or year, as a ZIP.

```
/rapport [mois|trimestre|annee]  ──▶  "Here is the report of the quarter: Q4 2026."
                                      📎 rapport-2026-T4.zip  (rapport.html, PNG charts, CSV)
```

The period is the last complete one in the network's timezone (in January, `/rapport`
gives the last quarter of the year before); `/stats` shows the current one so far.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.chat.commands.stats import KIND_WORDS
from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.i18n import N_
from bot.chat.reports import period_name, period_slug, render_report, report_archive
from bot.chat.types import Attachment
from bot.core import indicators
from bot.core.indicators import PeriodKind, ReportData
from skills import fold

HERE_IS = {
    PeriodKind.MONTH: N_("Here is the report of the month: {period}."),
    PeriodKind.QUARTER: N_("Here is the report of the quarter: {period}."),
    PeriodKind.YEAR: N_("Here is the report of the year: {period}."),
}

ZIP_MEDIA_TYPE = "application/zip"


def _archive(data: ReportData, locale: str) -> bytes:
    return report_archive(render_report(data, locale=locale))


async def report(ctx: Context, args: str) -> Reply:
    """`/rapport [mois|trimestre|annee]`: the last whole period's report (quarter by default)."""
    kind = KIND_WORDS.get(fold(args))
    if kind is None:
        raise UsageError
    services = ctx.services
    timezone = services.digest.timezone
    period = indicators.previous(indicators.period_of(kind, services.clock.now(), timezone))
    data = await indicators.report_data(services, period.start, period.end, timezone)
    content = await asyncio.to_thread(_archive, data, ctx.t.locale)  # drawing takes CPU
    zone = ZoneInfo(timezone)
    filename = ctx._("report-{period}.zip").format(period=period_slug(period, ctx.t, zone))
    text = ctx._(HERE_IS[kind]).format(period=period_name(period, ctx.t, zone))
    attachment = Attachment(filename=filename, content=content, media_type=ZIP_MEDIA_TYPE)
    return [replace(ctx.reply(text), attachments=(attachment,))]


COMMANDS = (
    Command(
        "rapport",
        "report",
        report,
        summary=N_("the report of the last month, quarter or year, with charts (ZIP)"),
        usage=N_("[month|quarter|year]"),
        example=N_("quarter"),
    ),
)
