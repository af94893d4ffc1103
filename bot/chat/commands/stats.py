"""`/stats` (coordinators): the evaluation indicators of this month, quarter or year so far,
each next to the whole previous period's value.

```
/stats [mois|trimestre|annee]  ──▶  heading (period, since when)
                                    8 lines: figure ↑/↓ (previous value)
                                    [This month] [This year]  (the other periods)
```
"""

from __future__ import annotations

from datetime import timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_timedelta
from babel.numbers import format_percent

from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.dates import day_text
from bot.chat.i18n import N_
from bot.chat.types import Action
from bot.chat.wording import bullet
from bot.core import indicators
from bot.core.indicators import Indicators, PeriodKind
from skills import fold

KIND_WORDS = {
    "": PeriodKind.QUARTER,
    "mois": PeriodKind.MONTH,
    "month": PeriodKind.MONTH,
    "trimestre": PeriodKind.QUARTER,
    "quarter": PeriodKind.QUARTER,
    "annee": PeriodKind.YEAR,
    "an": PeriodKind.YEAR,
    "year": PeriodKind.YEAR,
}

# The word used in action payloads for each kind; `KIND_WORDS` reads it back.
KIND_KEYWORDS = {
    PeriodKind.MONTH: "mois",
    PeriodKind.QUARTER: "trimestre",
    PeriodKind.YEAR: "annee",
}

HEADINGS = {
    PeriodKind.MONTH: N_("This month since {date} (in brackets: last month):"),
    PeriodKind.QUARTER: N_("This quarter since {date} (in brackets: last quarter):"),
    PeriodKind.YEAR: N_("This year since {date} (in brackets: last year):"),
}

KIND_BUTTONS = {
    PeriodKind.MONTH: N_("This month"),
    PeriodKind.QUARTER: N_("This quarter"),
    PeriodKind.YEAR: N_("This year"),
}

MAX_GAPS = 5
MAX_STRUCTURES = 3
NOTHING = "—"

Comparable = TypeVar("Comparable", int, float, timedelta)


def arrow(now: Comparable | None, before: Comparable | None) -> str:
    """↑ when the figure went up, ↓ when it went down; nothing when it did not move or when
    either side is unknown (no request to measure a time or a share on).
    """
    if now is None or before is None:
        return ""
    if now > before:
        return "↑"
    return "↓" if now < before else ""


def trend(now: str, before: str, direction: str) -> str:
    """ "12 ↑ (9)": the figure, its arrow, the previous period's figure in brackets."""
    return " ".join(part for part in (now, direction, f"({before})") if part)


def duration(ctx: Context, value: timedelta | None) -> str:
    """A human duration in the person's language ("3 h", "2 j"), or a dash."""
    if value is None:
        return NOTHING
    return format_timedelta(value, format="short", locale=ctx.t.locale)


def percent(ctx: Context, share: float | None) -> str:
    """A share as a percentage in the person's language ("25 %"), or a dash."""
    return NOTHING if share is None else format_percent(share, locale=ctx.t.locale)


def _count(now: int, before: int) -> str:
    return trend(str(now), str(before), arrow(now, before))


def _gaps(ctx: Context, current: Indicators) -> str:
    names = [skill.label(ctx.t.locale) for skill in current.skill_gaps[:MAX_GAPS]]
    return ", ".join(names) or NOTHING


def _helping(current: Indicators) -> str:
    active = [s for s in current.structures if s.helped and s.name != indicators.NO_STRUCTURE]
    active.sort(key=lambda s: (-s.helped, s.name))
    return ", ".join(f"{s.name} ({s.helped})" for s in active[:MAX_STRUCTURES]) or NOTHING


def indicator_lines(ctx: Context, current: Indicators, before: Indicators) -> list[str]:
    """The heading and the eight figures of `/stats`, each with the previous period's."""
    zone = ZoneInfo(current.period.timezone)
    since = day_text(current.period.start.astimezone(zone).date(), ctx.t.locale)
    claim = trend(
        duration(ctx, current.median_to_claim),
        duration(ctx, before.median_to_claim),
        arrow(current.median_to_claim, before.median_to_claim),
    )
    solution = trend(
        duration(ctx, current.median_to_solution),
        duration(ctx, before.median_to_solution),
        arrow(current.median_to_solution, before.median_to_solution),
    )
    tutorial = trend(
        percent(ctx, current.deflection_share),
        percent(ctx, before.deflection_share),
        arrow(current.deflection_share, before.deflection_share),
    )
    return [
        ctx._(HEADINGS[current.period.kind]).format(date=since),
        bullet(ctx._("Requests asked: {trend}.").format(trend=_count(current.asked, before.asked))),
        bullet(
            ctx._("Taken by a helper: {trend}.").format(
                trend=_count(current.claimed, before.claimed)
            )
        ),
        bullet(ctx._("Solved: {trend}.").format(trend=_count(current.solved, before.solved))),
        bullet(
            ctx._("Median time: {claim} to get a helper, {solution} to a solution.").format(
                claim=claim, solution=solution
            )
        ),
        bullet(ctx._("Solved by a tutorial: {trend}.").format(trend=tutorial)),
        bullet(
            ctx._("Skills with fewer than 2 helpers: {skills}.").format(skills=_gaps(ctx, current))
        ),
        bullet(
            ctx._("Structures that help the most: {structures}.").format(
                structures=_helping(current)
            )
        ),
        bullet(
            ctx._("People coming to exchange sessions: {trend}.").format(
                trend=_count(current.attendance, before.attendance)
            )
        ),
    ]


async def stats(ctx: Context, args: str) -> Reply:
    """`/stats [mois|trimestre|annee]`: this period so far against the previous one."""
    kind = KIND_WORDS.get(fold(args))
    if kind is None:
        raise UsageError
    services = ctx.services
    current, before = await indicators.compare(services, kind, services.digest.timezone)
    actions = [
        Action(ctx._(KIND_BUTTONS[other]), f"/stats {KIND_KEYWORDS[other]}")
        for other in PeriodKind
        if other is not kind
    ]
    return [ctx.reply(*indicator_lines(ctx, current, before), actions=actions)]


COMMANDS = (
    Command(
        "stats",
        "stats",
        stats,
        summary=N_("evaluation indicators, compared with the previous period"),
        usage=N_("[month|quarter|year]"),
        example=N_("quarter"),
    ),
)
