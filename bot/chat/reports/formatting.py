"""What the report's charts, CSV files and page share: periods, states, names and numbers.

Nothing here looks at the clock: a period is named from its own bounds, read in the network's
timezone (the bounds are UTC instants; a naive one is taken as UTC).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from bot.chat.dates import day_text
from bot.chat.i18n import N_, Translator
from bot.core.indicators import NO_STRUCTURE, MonthStates, Period, PeriodKind

# The states of a request in the order the stacked bars pile them (unknown ones come after).
STATE_ORDER = (
    "open",
    "offered",
    "claimed",
    "resolved",
    "closed",
    "deflected",
    "cancelled",
    "draft",
)
STATE_NAMES = {
    "draft": N_("draft, not sent"),
    "open": N_("waiting for a helper"),
    "offered": N_("offered to helpers"),
    "claimed": N_("taken"),
    "resolved": N_("solved, to be confirmed"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
    # Not a status of the table: a draft a tutorial answered (`storage…indicators.DEFLECTED`).
    "deflected": N_("solved by a tutorial"),
}


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar day of an instant in a timezone (a naive instant is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def local_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """An instant in a timezone (a naive instant is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def period_days(period: Period, zone: ZoneInfo) -> tuple[date, date]:
    """The first and the last day of a half-open period, both included."""
    first = local_date(period.start, zone)
    last = local_date(period.end - timedelta(microseconds=1), zone)
    return first, max(first, last)


def _calendar_kind(first: date, last: date) -> PeriodKind | None:
    if first.day != 1 or last.day != calendar.monthrange(last.year, last.month)[1]:
        return None
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months == 1:
        return PeriodKind.MONTH
    if months == 3 and first.month % 3 == 1:
        return PeriodKind.QUARTER
    if months == 12 and first.month == 1:
        return PeriodKind.YEAR
    return None


def period_name(period: Period, t: Translator, zone: ZoneInfo) -> str:
    """`octobre 2026`, `T4 2026`, `2026`, or the two days of a period that is no such unit."""
    first, last = period_days(period, zone)
    kind = _calendar_kind(first, last)
    if kind is PeriodKind.MONTH:
        return str(format_date(first, "LLLL y", locale=t.locale))
    if kind is PeriodKind.QUARTER:
        return t._("Q{quarter} {year}").format(quarter=(first.month + 2) // 3, year=first.year)
    if kind is PeriodKind.YEAR:
        return str(first.year)
    return days_range(t, first, last)


def period_slug(period: Period, t: Translator, zone: ZoneInfo) -> str:
    """A file-name part for a period: `2026-10`, `2026-T4`, `2026`, or `2026-10-01_2026-11-15`."""
    first, last = period_days(period, zone)
    kind = _calendar_kind(first, last)
    if kind is PeriodKind.MONTH:
        return f"{first:%Y-%m}"
    if kind is PeriodKind.QUARTER:
        quarter = t._("Q{quarter}").format(quarter=(first.month + 2) // 3)
        return f"{first.year}-{quarter}"
    if kind is PeriodKind.YEAR:
        return str(first.year)
    return f"{first.isoformat()}_{last.isoformat()}"


def long_date(t: Translator, day: date) -> str:
    """A day written out (`1er octobre 2026`)."""
    return day_text(day, t.locale)


def short_date(t: Translator, day: date) -> str:
    """A day in a few letters (`1er oct.`), for the axes of the charts."""
    return day_text(day, t.locale, "d MMM")


def month_label(t: Translator, month: date) -> str:
    """A month for the axes of the charts (`oct. 2026`)."""
    return str(format_date(month, "MMM y", locale=t.locale))


def days_range(t: Translator, first: date, last: date) -> str:
    """Two days, written out, as a range."""
    return t._("from {first} to {last}").format(first=long_date(t, first), last=long_date(t, last))


def number(t: Translator, value: float) -> str:
    """A count or a decimal in the language's way (`1 234`, `3,5`)."""
    return str(format_decimal(value, format="#,##0.#", locale=t.locale))


def percent(t: Translator, share: float | None) -> str:
    """A share as a percentage (`25 %`), or a dash when there is none."""
    return "—" if share is None else str(format_percent(share, locale=t.locale))


def hours(delta: timedelta | None) -> float | None:
    """A duration in hours, rounded to the hundredth."""
    return None if delta is None else round(delta.total_seconds() / 3600, 2)


def duration(t: Translator, delta: timedelta | None) -> str:
    """A duration for people: hours under two days (`5,5 h`), days beyond (`3,2 j`)."""
    if delta is None:
        return "—"
    in_hours = delta.total_seconds() / 3600
    if in_hours < 48:
        return t._("{hours} h").format(hours=number(t, round(in_hours, 1)))
    return t._("{days} d").format(days=number(t, round(in_hours / 24, 1)))


def states(months: Iterable[MonthStates]) -> list[str]:
    """The states that occur in some month, known ones in their order, then others sorted."""
    seen = {state for month in months for state, count in month.by_state.items() if count}
    known = [state for state in STATE_ORDER if state in seen]
    return known + sorted(seen - set(STATE_ORDER))


def state_name(t: Translator, state: str) -> str:
    """The word for a state of a request (the raw state when it is not a known one)."""
    return t._(STATE_NAMES[state]) if state in STATE_NAMES else state


def structure_name(t: Translator, name: str) -> str:
    """A structure's name, or a word for members that belong to none."""
    cleaned = " ".join(name.split())
    return t._("No structure") if cleaned in ("", NO_STRUCTURE) else cleaned


def shorten(text: str, width: int = 28) -> str:
    """A label cut to `width` characters with an ellipsis (the CSV files keep it whole)."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
