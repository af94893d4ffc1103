"""The report's data shaped for drawing: sorted, cut to what a chart can show, bucketed.

Pure functions of the data, shared by the charts (what they draw), the page (what the alt
texts say) and the CSV files (which keep every row, in the same order).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.chat.i18n import N_
from bot.core.indicators import HelpFlow, MonthStates, SessionAttendance, SkillDemand

TOP_SKILLS = 12
"""How many skills the skills chart shows (the most asked)."""

TOP_STRUCTURES = 10
"""How many structures each side of the "who helps whom" matrix shows; the rest are pooled."""

DPI = 150
CHART_SIZES = {
    "per_month": (8.0, 4.5),
    "time_to_claim": (8.0, 4.5),
    "skills": (8.0, 6.0),
    "help_flows": (8.0, 6.5),
    "sessions": (8.0, 4.5),
}
"""Each chart's size in inches; at `DPI` dots per inch, that is its size in pixels."""

# Buckets of the time before a request is taken: upper bound in hours (excluded), label.
CLAIM_BUCKETS = (
    (1.0, N_("under 1 h")),
    (4.0, N_("1 to 4 h")),
    (24.0, N_("4 to 24 h")),
    (72.0, N_("1 to 3 days")),
    (168.0, N_("3 to 7 days")),
    (math.inf, N_("over 7 days")),
)


def chart_pixels(name: str) -> tuple[int, int]:
    """The width and height in pixels of a chart's PNG."""
    width, height = CHART_SIZES[name]
    return round(width * DPI), round(height * DPI)


def months(per_month: Sequence[MonthStates]) -> list[MonthStates]:
    """The months in calendar order."""
    return sorted(per_month, key=lambda month: month.month)


def every_month(per_month: Sequence[MonthStates], first: date, last: date) -> list[MonthStates]:
    """The months in calendar order, those from `first` to `last` without requests included."""
    known = {month.month: month for month in per_month}
    day = first.replace(day=1)
    while day <= last:
        known.setdefault(day, MonthStates(day, {}))
        day = (day + timedelta(days=32)).replace(day=1)
    return months(list(known.values()))


def claim_hours(values: Sequence[float]) -> list[float]:
    """The times before a request was taken, in hours, valid ones only, ascending."""
    return sorted(value for value in values if math.isfinite(value) and value >= 0)


def claim_buckets(values: Sequence[float]) -> list[tuple[str, int]]:
    """How many requests fall in each bucket of time before being taken (message ids)."""
    counts = [0] * len(CLAIM_BUCKETS)
    for value in claim_hours(values):
        index = next(i for i, (bound, _label) in enumerate(CLAIM_BUCKETS) if value < bound)
        counts[index] += 1
    return [(label, count) for (_bound, label), count in zip(CLAIM_BUCKETS, counts, strict=True)]


def median(values: Sequence[float]) -> float | None:
    """The median of some numbers, None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def skills(demand: Sequence[SkillDemand]) -> list[SkillDemand]:
    """Skills by requests asked (most first), then fewest helpers, then slug."""
    return sorted(demand, key=lambda skill: (-skill.asked, skill.helpers, skill.slug))


def top_skills(demand: Sequence[SkillDemand]) -> list[SkillDemand]:
    """The most asked skills the chart shows (asked at least once)."""
    return [skill for skill in skills(demand) if skill.asked > 0][:TOP_SKILLS]


def flows(help_flows: Sequence[HelpFlow]) -> list[HelpFlow]:
    """The flows by helper structure, then asker structure (names as given)."""
    return sorted(
        help_flows, key=lambda flow: (flow.helper_structure, flow.asker_structure, flow.requests)
    )


@dataclass(frozen=True, slots=True)
class FlowMatrix:
    """Counts of help by helper structure (rows) and asker structure (columns).

    `None` in `rows` or `columns` stands for the structures pooled as "others".
    """

    rows: list[str | None]
    columns: list[str | None]
    counts: list[list[int]]


def _ranked(totals: dict[str, int]) -> list[str | None]:
    names = sorted(totals, key=lambda name: (-totals[name], name))
    if len(names) <= TOP_STRUCTURES:
        return list(names)
    return [*names[: TOP_STRUCTURES - 1], None]


def flow_matrix(help_flows: Sequence[HelpFlow]) -> FlowMatrix:
    """The "who helps whom" matrix: busiest structures first, the least busy pooled."""
    kept = [flow for flow in help_flows if flow.requests > 0]
    helpers: dict[str, int] = {}
    askers: dict[str, int] = {}
    for flow in kept:
        helpers[flow.helper_structure] = helpers.get(flow.helper_structure, 0) + flow.requests
        askers[flow.asker_structure] = askers.get(flow.asker_structure, 0) + flow.requests
    rows, columns = _ranked(helpers), _ranked(askers)
    counts = [[0] * len(columns) for _row in rows]
    for flow in kept:
        row = rows.index(flow.helper_structure) if flow.helper_structure in rows else -1
        column = columns.index(flow.asker_structure) if flow.asker_structure in columns else -1
        counts[row][column] += flow.requests
    return FlowMatrix(rows, columns, counts)


def sessions(attendance: Sequence[SessionAttendance]) -> list[SessionAttendance]:
    """The sessions by start, then number."""
    return sorted(attendance, key=lambda session: (_instant(session.starts_at), session.session_id))


def _instant(moment: datetime) -> float:
    # Aware and naive datetimes do not compare: order by timestamp, naive ones read as UTC.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
