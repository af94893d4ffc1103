"""`rapport.html`: one printable page, the figures of the period and the charts.

The page links the charts (`*.png`) and their data (`*.csv`) by relative paths, so the folder
or the unzipped archive can be opened from disk, printed, or put on a website. Every text is
escaped; every number in the summary carries its machine value (`<data value="…">`).
"""

from __future__ import annotations

from datetime import timedelta
from html import escape as _escape
from zoneinfo import ZoneInfo

from bot.chat.i18n import Translator
from bot.chat.reports import captions, csv_files, services, tables
from bot.chat.reports import formatting as fmt
from bot.core.indicators import ReportData

STYLE = """\
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
body { margin: 0 auto; max-width: 52rem; padding: 0 1rem; line-height: 1.5; color: #1a1a1a; }
header { border-bottom: 2px solid #0072b2; margin-bottom: 1.5rem; }
.network { font-weight: bold; margin: 1rem 0 0; color: #0072b2; }
h1 { margin: 0.25rem 0 0.5rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { border-bottom: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 0; }
img { max-width: 100%; height: auto; }
.data-link { font-size: 0.9em; }
footer { border-top: 1px solid #ccc; color: #555; font-size: 0.9em; margin-top: 2rem; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  section, figure, table { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .data-link { display: none; }
  a { color: inherit; text-decoration: none; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


def escape(text: str) -> str:
    """Text or attribute value escaped for HTML (quotes included)."""
    return _escape(text, quote=True)


def _shown(t: Translator, figure: csv_files.Figure, value: float | None) -> str:
    if value is None:
        return "—"
    if figure.kind == "share":
        return fmt.percent(t, value)
    if figure.kind == "hours":
        return fmt.duration(t, timedelta(hours=value))
    return fmt.number(t, value)


def _value_cell(t: Translator, figure: csv_files.Figure, value: float | None) -> str:
    shown = escape(_shown(t, figure, value))
    if value is None:
        return f'<td class="number">{shown}</td>'
    return f'<td class="number"><data value="{csv_files.cell(value)}">{shown}</data></td>'


def _data_link(t: Translator, name: str) -> str:
    label = escape(t._("Download the data (CSV)"))
    return f'<p class="data-link"><a href="{name}.csv" download>{label}</a></p>'


def summary(data: ReportData, t: Translator) -> list[str]:
    """The table of the key figures, this period next to the previous one."""
    heading, caption = escape(t._("Key figures")), escape(t._("Key figures of the period"))
    columns = (t._("Figure"), t._("This period"), t._("Previous period"))
    lines = [
        '<section id="summary" aria-labelledby="summary-title">',
        f'<h2 id="summary-title">{heading}</h2>',
        "<table>",
        f"<caption>{caption}</caption>",
        "<thead><tr>"
        f'<th scope="col">{escape(columns[0])}</th>'
        f'<th scope="col" class="number">{escape(columns[1])}</th>'
        f'<th scope="col" class="number">{escape(columns[2])}</th>'
        "</tr></thead>",
        "<tbody>",
    ]
    for figure in csv_files.figures(data):
        lines.append(
            f'<tr id="figure-{figure.key}"><th scope="row">{escape(t._(figure.name))}</th>'
            f"{_value_cell(t, figure, figure.current)}{_value_cell(t, figure, figure.previous)}"
            "</tr>"
        )
    lines += ["</tbody>", "</table>", _data_link(t, "indicators"), "</section>"]
    return lines


def _chart(name: str, title: str, alt: str, extra: list[str], t: Translator) -> list[str]:
    width, height = tables.chart_pixels(name)
    return [
        f'<section id="{name}" aria-labelledby="{name}-title">',
        f'<h2 id="{name}-title">{escape(title)}</h2>',
        "<figure>",
        f'<img src="{name}.png" alt="{escape(alt)}" width="{width}" height="{height}">',
        "</figure>",
        *extra,
        _data_link(t, name),
        "</section>",
    ]


def _gaps(data: ReportData, t: Translator) -> list[str]:
    gaps = sorted(data.indicators.skill_gaps, key=lambda s: (-s.asked, s.slug))
    if not gaps:
        return []
    names = ", ".join(gap.label(t.locale) for gap in gaps)
    text = t._("Skills asked with fewer than 2 members able to help: {skills}.")
    return [f"<p>{escape(text.format(skills=names))}</p>"]


def structures(data: ReportData, t: Translator) -> list[str]:
    """The table of the structures: requests their members asked and helped with."""
    ordered = sorted(data.indicators.structures, key=lambda s: (-s.asked - s.helped, s.name))
    heading = escape(t._("Activity of the structures"))
    lines = ['<section id="structures" aria-labelledby="structures-title">',
             f'<h2 id="structures-title">{heading}</h2>']  # fmt: skip
    if not ordered:
        nothing = t._("No data for this period")
        lines.append(f"<p>{escape(nothing)}</p>")
        return [*lines, _data_link(t, "structures"), "</section>"]
    columns = (t._("Structure"), t._("Requests asked"), t._("Requests helped with"))
    lines += [
        "<table>",
        "<thead><tr>"
        f'<th scope="col">{escape(columns[0])}</th>'
        f'<th scope="col" class="number">{escape(columns[1])}</th>'
        f'<th scope="col" class="number">{escape(columns[2])}</th>'
        "</tr></thead>",
        "<tbody>",
    ]
    for row in ordered:
        lines.append(
            f'<tr><th scope="row">{escape(fmt.structure_name(t, row.name))}</th>'
            f'<td class="number">{escape(fmt.number(t, row.asked))}</td>'
            f'<td class="number">{escape(fmt.number(t, row.helped))}</td></tr>'
        )
    return [*lines, "</tbody>", "</table>", _data_link(t, "structures"), "</section>"]


def page(data: ReportData, t: Translator, zone: ZoneInfo, network_name: str | None = None) -> str:
    """The whole page, as text."""
    period = data.indicators.period
    name = fmt.period_name(period, t, zone)
    title = t._("Mutual-help report — {period}").format(period=name)
    network = " ".join((network_name or "").split())
    first, last = fmt.period_days(period, zone)
    before_first, before_last = fmt.period_days(data.previous.period, zone)
    covered = t._("Period covered: {dates}.").format(dates=fmt.days_range(t, first, last))
    compared = t._("Compared with the previous period, {dates}.").format(
        dates=fmt.days_range(t, before_first, before_last)
    )
    head_title = (
        t._("{network} — {title}").format(network=network, title=title) if network else title
    )
    texts = captions.alt_texts(data, t, zone)
    lines = [
        "<!doctype html>",
        f'<html lang="{escape(t.locale)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(head_title)}</title>",
        f"<style>\n{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f'<p class="network">{escape(network)}</p>' if network else "",
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(covered)} {escape(compared)}</p>",
        "</header>",
        "<main>",
        *summary(data, t),
    ]
    extras = {"skills": _gaps(data, t)}
    for chart, chart_title in captions.chart_titles(t).items():
        lines += _chart(chart, chart_title, texts[chart], extras.get(chart, []), t)
    lines += structures(data, t)
    lines += services.section(data, t)
    note = t._(
        "Report generated by Samu numérique from the network's records. Requests count in the"
        " period they were posted in; durations are medians. The CSV files hold the data of"
        " each chart, to reuse in a spreadsheet."
    )
    lines += ["</main>", "<footer>", f"<p>{escape(note)}</p>", "</footer>", "</body>", "</html>"]
    return "\n".join(line for line in lines if line) + "\n"
