"""The report's section on places: requests by service of the national places schema, next
to how many places offer that service near the network's structures (`services.csv`)."""

from __future__ import annotations

from html import escape as _escape

from bot.chat.i18n import Translator
from bot.chat.reports import formatting as fmt
from bot.chat.reports.csv_files import write_csv
from bot.core.indicators import ReportData


def _escape_all(text: str) -> str:
    return _escape(text, quote=True)


def section(data: ReportData, t: Translator) -> list[str]:
    """The HTML section (nothing when no service was asked nor offered nearby)."""
    if not data.services:
        return []
    heading = _escape_all(t._("Needs and places nearby"))
    intro = _escape_all(
        t._(
            "Requests of the period by service of the places of digital mediation, and the"
            " places within 15 km of the network's structures that offer it."
        )
    )
    columns = (t._("Service"), t._("Requests"), t._("Places nearby"))
    lines = [
        '<section id="services" aria-labelledby="services-title">',
        f'<h2 id="services-title">{heading}</h2>',
        f"<p>{intro}</p>",
        "<table>",
        "<thead><tr>"
        f'<th scope="col">{_escape_all(columns[0])}</th>'
        f'<th scope="col" class="number">{_escape_all(columns[1])}</th>'
        f'<th scope="col" class="number">{_escape_all(columns[2])}</th>'
        "</tr></thead>",
        "<tbody>",
    ]
    for row in data.services:
        places = "—" if row.places is None else fmt.number(t, row.places)
        lines.append(
            f'<tr><th scope="row">{_escape_all(row.label(t.locale))}</th>'
            f'<td class="number">{_escape_all(fmt.number(t, row.requests))}</td>'
            f'<td class="number">{_escape_all(places)}</td></tr>'
        )
    lines += ["</tbody>", "</table>"]
    if any(row.places is None for row in data.services):
        hint = t._(
            "No structure of the network has a position yet: coordinators add it with /lieu."
        )
        lines.append(f"<p>{_escape_all(hint)}</p>")
    lines += [
        f'<p class="data-link"><a href="services.csv" download>'
        f"{_escape_all(t._('Download the data (CSV)'))}</a></p>",
        "</section>",
    ]
    return lines


def services_csv(data: ReportData, t: Translator) -> bytes:
    """`services.csv`: each service, requests of the period, places nearby (empty: unknown)."""
    return write_csv(
        ["service", "label", "requests", "places_nearby"],
        [(row.slug, row.label(t.locale), row.requests, row.places) for row in data.services],
    )
