"""The words around the charts: their titles, and alt texts that tell what they show.

An alt text gives the figures a reader would take from the chart (totals per month, the
largest flows between structures…), so the page says the same without the images.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.chat.i18n import Translator
from bot.chat.reports import formatting as fmt
from bot.chat.reports import tables
from bot.core.indicators import ReportData

FLOWS_IN_ALT = 3
"""How many of the largest flows between structures the alt text names."""


def chart_titles(t: Translator) -> dict[str, str]:
    """Each chart's title by its name (file name without extension), in the page's order."""
    return {
        "per_month": t._("Requests per month, by their current state"),
        "time_to_claim": t._("Time before a helper takes a request"),
        "skills": t._("Skills asked, and members able to help"),
        "help_flows": t._("Who helps whom, across structures"),
        "sessions": t._("Answers to the exchange sessions"),
    }


def answer_names(t: Translator) -> tuple[str, str, str]:
    """The three answers to a session invitation."""
    return t._("Coming"), t._("Maybe"), t._("Not coming")


def structure_label(t: Translator, name: str | None) -> str:
    """A structure as the matrix shows it; None is the pool of the other structures."""
    return t._("Other structures") if name is None else fmt.structure_name(t, name)


def claim_median(data: ReportData) -> float:
    """The median hours before a request was taken: the indicator's, else the chart data's."""
    if data.indicators.median_to_claim is not None:
        return data.indicators.median_to_claim.total_seconds() / 3600
    return tables.median(tables.claim_hours(data.hours_to_claim)) or 0.0


def _pair(t: Translator, label: str, value: str) -> str:
    return t._("{label}: {value}").format(label=label, value=value)


def _per_month(data: ReportData, t: Translator) -> str:
    months = tables.months(data.per_month)
    totals = [
        _pair(t, fmt.month_label(t, month.month), fmt.number(t, sum(month.by_state.values())))
        for month in months
    ]
    intro = t._("Stacked bars of the requests posted each month, coloured by their state.")
    totals_text = t._("Requests per month: {months}.").format(months="; ".join(totals))
    return f"{intro} {totals_text}"


def _time_to_claim(data: ReportData, t: Translator) -> str:
    values = tables.claim_hours(data.hours_to_claim)
    buckets = "; ".join(
        _pair(t, t._(label), fmt.number(t, count)) for label, count in tables.claim_buckets(values)
    )
    intro = t._("Bars of how long requests waited before a helper took them: {buckets}.")
    median = claim_median(data)
    median_text = t._("Median: {hours} h.").format(hours=fmt.number(t, round(median, 1)))
    return f"{intro.format(buckets=buckets)} {median_text}"


def _skills(data: ReportData, t: Translator) -> str:
    template = t._("{skill} (requests: {asked}, members able to help: {helpers})")
    shown = "; ".join(
        template.format(
            skill=skill.label(t.locale),
            asked=fmt.number(t, skill.asked),
            helpers=fmt.number(t, skill.helpers),
        )
        for skill in tables.top_skills(data.skills)
    )
    intro = t._("Bars of the most asked skills, next to the members able to help: {skills}.")
    return intro.format(skills=shown)


def _help_flows(data: ReportData, t: Translator) -> str:
    largest = sorted(
        (flow for flow in data.help_flows if flow.requests > 0),
        key=lambda flow: (-flow.requests, flow.helper_structure, flow.asker_structure),
    )
    template = t._("{helpers} helped {askers}: {count}")
    shown = "; ".join(
        template.format(
            helpers=fmt.structure_name(t, flow.helper_structure),
            askers=fmt.structure_name(t, flow.asker_structure),
            count=fmt.number(t, flow.requests),
        )
        for flow in largest[:FLOWS_IN_ALT]
    )
    intro = t._(
        "Table of requests helped, by the structure of the helper (rows) and the structure"
        " of the person asking (columns). Largest: {flows}."
    )
    return intro.format(flows=shown)


def _sessions(data: ReportData, t: Translator, zone: ZoneInfo) -> str:
    template = t._("{date}: coming {coming}, maybe {maybe}, not coming {declined}")
    shown = "; ".join(
        template.format(
            date=fmt.short_date(t, fmt.local_date(session.starts_at, zone)),
            coming=fmt.number(t, session.coming),
            maybe=fmt.number(t, session.maybe),
            declined=fmt.number(t, session.declined),
        )
        for session in tables.sessions(data.indicators.sessions)
    )
    intro = t._("Stacked bars of the answers to each exchange session: {sessions}.")
    return intro.format(sessions=shown)


def alt_texts(data: ReportData, t: Translator, zone: ZoneInfo) -> dict[str, str]:
    """Each chart's alt text by its name; a chart without data says so."""
    titles = chart_titles(t)
    empty = t._("{chart}: no data for this period.")
    has_data = {
        "per_month": any(sum(month.by_state.values()) for month in data.per_month),
        "time_to_claim": bool(tables.claim_hours(data.hours_to_claim)),
        "skills": bool(tables.top_skills(data.skills)),
        "help_flows": bool(tables.flow_matrix(data.help_flows).rows),
        "sessions": bool(data.indicators.sessions),
    }
    texts = {
        "per_month": lambda: _per_month(data, t),
        "time_to_claim": lambda: _time_to_claim(data, t),
        "skills": lambda: _skills(data, t),
        "help_flows": lambda: _help_flows(data, t),
        "sessions": lambda: _sessions(data, t, zone),
    }
    return {
        name: texts[name]() if has_data[name] else empty.format(chart=title)
        for name, title in titles.items()
    }
