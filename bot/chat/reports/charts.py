"""The report's charts as PNG bytes, drawn with matplotlib's Agg canvas (no pyplot, no screen).

Two renders of the same data give the same bytes: every chart starts from matplotlib's own
defaults (not the user's matplotlibrc) plus a fixed style and font (DejaVu Sans, shipped with
matplotlib), has a fixed size and resolution, and is saved without the `Software` text chunk
(PNG files from matplotlib carry no date). Rendering holds a lock, as the style is set in
matplotlib's process-wide parameters for the time of the drawing.

A chart with nothing to show says so ("No data for this period") instead of failing.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.chat.i18n import Translator
from bot.chat.reports import captions, tables
from bot.chat.reports import formatting as fmt
from bot.core.indicators import HelpFlow, MonthStates, SessionAttendance, SkillDemand

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

STYLE: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 10.0,
    "axes.titlesize": 13.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "path.simplify": False,
}

# Okabe–Ito colours: told apart by colour-blind readers, and in grey when printed.
STATE_COLOURS = {
    "open": "#E69F00",
    "offered": "#F0E442",
    "claimed": "#56B4E9",
    "resolved": "#009E73",
    "closed": "#0072B2",
    "deflected": "#D55E00",
    "cancelled": "#999999",
    "draft": "#CC79A7",
}
OTHER_COLOURS = ("#000000", "#666666", "#BBBBBB")
ANSWER_COLOURS = ("#009E73", "#E69F00", "#D55E00")  # coming, maybe, declined
ASKED_COLOUR, HELPERS_COLOUR = "#0072B2", "#E69F00"

_LOCK = threading.Lock()


def text(label: str) -> str:
    """A label matplotlib shows as written (`$` would otherwise start mathematics)."""
    return label.replace("$", r"\$")


def _figure(name: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=tables.CHART_SIZES[name], dpi=tables.DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _render(name: str, draw: Callable[[Axes], None]) -> bytes:
    with _LOCK, matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(STYLE)
        figure, axes = _figure(name)
        draw(axes)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=tables.DPI, metadata={"Software": None})
    return buffer.getvalue()


def _title(t: Translator, name: str) -> str:
    return captions.chart_titles(t)[name]


def _draw_empty(axes: Axes, t: Translator, title: str) -> None:
    axes.set_title(text(title))
    axes.set_axis_off()
    message = t._("No data for this period")
    axes.text(0.5, 0.5, text(message), ha="center", va="center", fontsize=14, color="#555555")


def _empty(name: str, t: Translator) -> bytes:
    return _render(name, partial(_draw_empty, t=t, title=_title(t, name)))


def _draw_per_month(axes: Axes, t: Translator, months: list[MonthStates]) -> None:
    labels = [text(fmt.month_label(t, month.month)) for month in months]
    bottoms = [0] * len(months)
    extra = iter(OTHER_COLOURS * 8)
    for state in fmt.states(months):
        counts = [month.by_state.get(state, 0) for month in months]
        colour = STATE_COLOURS.get(state) or next(extra)
        name = text(fmt.state_name(t, state))
        axes.bar(labels, counts, bottom=bottoms, color=colour, label=name, width=0.6)
        bottoms = [below + count for below, count in zip(bottoms, counts, strict=True)]
    for index, total in enumerate(bottoms):
        axes.annotate(
            fmt.number(t, total), (index, total), ha="center", va="bottom",
            xytext=(0, 2), textcoords="offset points",
        )  # fmt: skip
    axes.set_ylim(0, max(bottoms) * 1.12)
    axes.set_title(text(_title(t, "per_month")))
    axes.set_ylabel(text(t._("Requests")))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)


def per_month(months: Sequence[MonthStates], t: Translator) -> bytes:
    """Stacked bars: requests created each month, by their current state."""
    ordered = tables.months(months)
    if not any(sum(month.by_state.values()) for month in ordered):
        return _empty("per_month", t)
    return _render("per_month", partial(_draw_per_month, t=t, months=ordered))


def _draw_time_to_claim(axes: Axes, t: Translator, values: list[float], median: float) -> None:
    buckets = tables.claim_buckets(values)
    labels = [text(t._(label)) for label, _count in buckets]
    counts = [count for _label, count in buckets]
    bars = axes.bar(labels, counts, color="#56B4E9", width=0.7)
    axes.bar_label(bars, labels=[fmt.number(t, count) for count in counts], padding=2)
    axes.set_ylim(0, max(counts) * 1.12)
    shown = fmt.number(t, round(median, 1))
    subtitle = t._("median: {hours} h").format(hours=shown)
    axes.set_title(text(_title(t, "time_to_claim")) + "\n" + text(subtitle))
    axes.set_ylabel(text(t._("Requests")))
    axes.set_xlabel(text(t._("Time between posting and being taken")))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def time_to_claim(hours: Sequence[float], t: Translator, median: float | None = None) -> bytes:
    """Histogram of the hours before a request was taken, in buckets from 1 hour to a week.

    The subtitle gives `median` (hours) when known, else the median of `hours`.
    """
    values = tables.claim_hours(hours)
    if not values:
        return _empty("time_to_claim", t)
    if median is None:
        median = tables.median(values) or 0.0
    return _render("time_to_claim", partial(_draw_time_to_claim, t=t, values=values, median=median))


def _draw_skills(axes: Axes, t: Translator, shown: list[SkillDemand]) -> None:
    places = list(range(len(shown)))
    height = 0.38
    asked = [skill.asked for skill in shown]
    helpers = [skill.helpers for skill in shown]
    up = [place - height / 2 for place in places]
    down = [place + height / 2 for place in places]
    bars = axes.barh(up, asked, height, color=ASKED_COLOUR, label=text(t._("Requests")))
    axes.bar_label(bars, labels=[fmt.number(t, n) for n in asked], padding=2, fontsize=8)
    label = text(t._("Members able to help"))
    bars = axes.barh(down, helpers, height, color=HELPERS_COLOUR, label=label)
    axes.bar_label(bars, labels=[fmt.number(t, n) for n in helpers], padding=2, fontsize=8)
    axes.set_yticks(places, [text(fmt.shorten(skill.label(t.locale))) for skill in shown])
    axes.set_xlim(0, max(*asked, *helpers, 1) * 1.08)
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(text(_title(t, "skills")))
    axes.legend(loc="lower right", frameon=False)


def skills(demand: Sequence[SkillDemand], t: Translator) -> bytes:
    """Grouped horizontal bars: the most asked skills, requests next to possible helpers."""
    shown = tables.top_skills(demand)
    if not shown:
        return _empty("skills", t)
    return _render("skills", partial(_draw_skills, t=t, shown=shown))


def _draw_help_flows(axes: Axes, t: Translator, matrix: tables.FlowMatrix) -> None:
    peak = max(max(line) for line in matrix.counts)
    axes.imshow(matrix.counts, cmap="Blues", vmin=0, vmax=peak, aspect="auto")
    for row, line in enumerate(matrix.counts):
        for column, count in enumerate(line):
            if count:
                colour = "white" if count > peak * 0.6 else "black"
                axes.text(column, row, fmt.number(t, count), ha="center", va="center", color=colour)
    columns = [text(fmt.shorten(captions.structure_label(t, c), 22)) for c in matrix.columns]
    rows = [text(fmt.shorten(captions.structure_label(t, r), 26)) for r in matrix.rows]
    axes.set_xticks(range(len(columns)), columns, rotation=35, ha="right")
    axes.set_yticks(range(len(rows)), rows)
    axes.set_xlabel(text(t._("Structure of the person asking")))
    axes.set_ylabel(text(t._("Structure of the helper")))
    axes.set_title(text(_title(t, "help_flows")))
    axes.spines[:].set_visible(False)
    axes.tick_params(length=0)


def help_flows(flows: Sequence[HelpFlow], t: Translator) -> bytes:
    """A matrix heatmap of help given, helper structures in rows, askers' in columns."""
    matrix = tables.flow_matrix(flows)
    if not matrix.rows:
        return _empty("help_flows", t)
    return _render("help_flows", partial(_draw_help_flows, t=t, matrix=matrix))


def _session_label(
    t: Translator, session: SessionAttendance, zone: ZoneInfo, with_place: bool
) -> str:
    day = fmt.short_date(t, fmt.local_date(session.starts_at, zone))
    place = fmt.shorten(" ".join((session.place or "").split()), 18) if with_place else ""
    return text(f"{day}\n{place}" if place else day)


def _draw_sessions(
    axes: Axes, t: Translator, shown: list[SessionAttendance], zone: ZoneInfo
) -> None:
    with_place = len(shown) <= 8
    labels = [_session_label(t, session, zone, with_place) for session in shown]
    places = list(range(len(shown)))
    bottoms = [0] * len(shown)
    answers = zip(
        captions.answer_names(t),
        ([s.coming for s in shown], [s.maybe for s in shown], [s.declined for s in shown]),
        ANSWER_COLOURS,
        strict=True,
    )
    for name, counts, colour in answers:
        axes.bar(places, counts, bottom=bottoms, color=colour, label=text(name), width=0.6)
        bottoms = [below + count for below, count in zip(bottoms, counts, strict=True)]
    step = max(1, -(-len(shown) // 16))  # at most 16 dates under the bars
    axes.set_xticks(places[::step], labels[::step], rotation=35 if step > 1 else 0)
    axes.set_ylabel(text(t._("People")))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(text(_title(t, "sessions")))
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)


def sessions(attendance: Sequence[SessionAttendance], t: Translator, zone: ZoneInfo) -> bytes:
    """Stacked bars, one per session: people coming, maybe coming, not coming."""
    shown = tables.sessions(attendance)
    if not shown:
        return _empty("sessions", t)
    return _render("sessions", partial(_draw_sessions, t=t, shown=shown, zone=zone))
