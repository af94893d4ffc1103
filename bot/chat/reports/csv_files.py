"""The report's data as CSV files that French Excel opens as they are (a double click).

The format is the one French spreadsheets expect: UTF-8 with a byte order mark (without it,
Excel reads "Résoudre" as "RÃ©soudre"), `;` between columns, `,` as the decimal mark
(`3,5`), a header row, `\\n` line endings, a fixed order. LibreOffice and Python's
`csv.reader(…, delimiter=";")` (after decoding with `utf-8-sig`) read it too.

Column names are stable identifiers (for spreadsheets and scripts alike); the words people
read (state names, skill labels, the names of the figures) are in the report's language.
Durations are in hours, shares between 0 and 1, and a figure that does not exist (a median
of nothing) is left empty.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from bot.chat.i18n import N_, Translator
from bot.chat.reports import formatting as fmt
from bot.chat.reports import tables
from bot.core.indicators import Indicators, ReportData

Cell = str | int | float | None
Kind = Literal["count", "share", "hours"]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of the indicators: a stable key, its name (a message id) and its values."""

    key: str
    name: str
    current: float | None
    previous: float | None
    kind: Kind


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _structures_involved(indicators: Indicators) -> int:
    return sum(1 for s in indicators.structures if s.asked > 0 or s.helped > 0)


_FIGURES: tuple[tuple[str, str, Kind, Callable[[Indicators], float | None]], ...] = (
    ("asked", N_("Requests posted"), "count", lambda i: i.asked),
    ("claimed", N_("Requests taken by a helper"), "count", lambda i: i.claimed),
    ("solved", N_("Requests solved"), "count", lambda i: i.solved),
    ("deflected", N_("Solved by a tutorial, before posting"), "count", lambda i: i.deflected),
    ("claim_share", N_("Share of requests taken"), "share", lambda i: _share(i.claimed, i.asked)),
    (
        "deflection_share",
        N_("Share of solutions found in a tutorial"),
        "share",
        lambda i: i.deflection_share,
    ),
    (
        "median_hours_to_claim",
        N_("Median time before a helper takes a request"),
        "hours",
        lambda i: fmt.hours(i.median_to_claim),
    ),
    (
        "median_hours_to_solution",
        N_("Median time to a solution"),
        "hours",
        lambda i: fmt.hours(i.median_to_solution),
    ),
    ("sessions", N_("Exchange sessions"), "count", lambda i: len(i.sessions)),
    (
        "attendance",
        N_("People who said they would come to a session"),
        "count",
        lambda i: i.attendance,
    ),
    (
        "skill_gaps",
        N_("Skills asked with fewer than 2 helpers"),
        "count",
        lambda i: len(i.skill_gaps),
    ),
    (
        "structures",
        N_("Structures involved (asking or helping)"),
        "count",
        _structures_involved,
    ),
)


def figures(data: ReportData) -> list[Figure]:
    """The summary figures of the period next to the previous period, in the report's order."""
    return [
        Figure(key, name, read(data.indicators), read(data.previous), kind)
        for key, name, kind, read in _FIGURES
    ]


def cell(value: Cell) -> str:
    """A value as the CSV files write it: integers as they are, decimals to 4 places at most.

    Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`…) gets a `'` first.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


DELIMITER = ";"
ENCODING = "utf-8-sig"
"""UTF-8 with a byte order mark: how Excel knows the file is UTF-8."""


def spreadsheet_cell(value: Cell) -> str:
    """A value as a French spreadsheet reads it: `cell`, with a decimal comma."""
    text = cell(value)
    return text.replace(".", ",") if isinstance(value, float) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV file of the report (see the module's docstring for its format)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode(ENCODING)


def per_month(data: ReportData) -> bytes:
    """`per_month.csv`: a line per month, a column per state (its key), then the total."""
    months = tables.months(data.per_month)
    states = fmt.states(months)
    rows: list[list[Cell]] = [
        [
            f"{month.month:%Y-%m}",
            *(month.by_state.get(s, 0) for s in states),
            sum(month.by_state.values()),
        ]
        for month in months
    ]
    return write_csv(["month", *states, "total"], rows)


def time_to_claim(data: ReportData) -> bytes:
    """`time_to_claim.csv`: the hours before each request of the period was taken, ascending."""
    values = tables.claim_hours(data.hours_to_claim)
    return write_csv(["hours_to_claim"], ([round(value, 2)] for value in values))


def skills(data: ReportData, t: Translator) -> bytes:
    """`skills.csv`: every skill asked, most asked first, with the members able to help."""
    rows: list[list[Cell]] = [
        [s.slug, s.label(t.locale), s.asked, s.helpers] for s in tables.skills(data.skills)
    ]
    return write_csv(["slug", "skill", "asked", "helpers"], rows)


def help_flows(data: ReportData, t: Translator) -> bytes:
    """`help_flows.csv`: requests helped, by helper structure and asker structure."""
    rows: list[list[Cell]] = [
        [
            fmt.structure_name(t, flow.helper_structure),
            fmt.structure_name(t, flow.asker_structure),
            flow.requests,
        ]
        for flow in tables.flows(data.help_flows)
    ]
    return write_csv(["helper_structure", "asker_structure", "requests"], rows)


def sessions(data: ReportData, zone: ZoneInfo) -> bytes:
    """`sessions.csv`: each session (local start time) and its answers."""
    rows: list[list[Cell]] = [
        [
            s.session_id,
            fmt.local_time(s.starts_at, zone).isoformat(timespec="minutes"),
            " ".join((s.place or "").split()),
            s.coming,
            s.maybe,
            s.declined,
        ]
        for s in tables.sessions(data.indicators.sessions)
    ]
    return write_csv(["session", "starts_at", "place", "coming", "maybe", "declined"], rows)


def structures(data: ReportData, t: Translator) -> bytes:
    """`structures.csv`: each structure, the requests its members asked and helped with."""
    ordered = sorted(data.indicators.structures, key=lambda s: (-s.asked - s.helped, s.name))
    rows: list[list[Cell]] = [[fmt.structure_name(t, s.name), s.asked, s.helped] for s in ordered]
    return write_csv(["structure", "asked", "helped"], rows)


def indicators(data: ReportData, t: Translator) -> bytes:
    """`indicators.csv`: each figure (key and name), this period and the previous one."""
    rows: list[list[Cell]] = [[f.key, t._(f.name), f.current, f.previous] for f in figures(data)]
    return write_csv(["key", "figure", "current", "previous"], rows)


def csv_files(data: ReportData, t: Translator, zone: ZoneInfo) -> dict[str, bytes]:
    """Every CSV file of the report by file name."""
    return {
        "help_flows.csv": help_flows(data, t),
        "indicators.csv": indicators(data, t),
        "per_month.csv": per_month(data),
        "sessions.csv": sessions(data, zone),
        "skills.csv": skills(data, t),
        "structures.csv": structures(data, t),
        "time_to_claim.csv": time_to_claim(data),
    }
