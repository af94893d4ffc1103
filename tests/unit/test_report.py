"""The coordinators' report: HTML page, PNG charts and CSV files, deterministic and escaped."""

from __future__ import annotations

import codecs
import csv
import io
import struct
import zipfile
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import matplotlib
import pytest

from bot.chat.i18n import translator
from bot.chat.reports import PAGE, period_name, period_slug, render_report, report_archive
from bot.chat.reports.formatting import number
from bot.chat.reports.tables import chart_pixels
from bot.core.indicators import (
    HelpFlow,
    Indicators,
    MonthStates,
    Period,
    PeriodKind,
    ReportData,
    SessionAttendance,
    SkillDemand,
    StructureActivity,
)
from bot.report_cli import report_span

PARIS = "Europe/Paris"
Q4 = Period(
    PeriodKind.QUARTER,
    datetime(2026, 9, 30, 22, tzinfo=UTC),
    datetime(2026, 12, 31, 23, tzinfo=UTC),
    PARIS,
)
Q3 = Period(
    PeriodKind.QUARTER,
    datetime(2026, 6, 30, 22, tzinfo=UTC),
    datetime(2026, 9, 30, 22, tzinfo=UTC),
    PARIS,
)
CHARTS = ("per_month", "time_to_claim", "skills", "help_flows", "sessions")
EXPECTED_FILES = {
    PAGE,
    *(f"{chart}.png" for chart in CHARTS),
    *(f"{chart}.csv" for chart in CHARTS),
    "indicators.csv",
    "structures.csv",
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _sample(network_structure: str = "CCAS de Lyon") -> ReportData:
    skills = [
        SkillDemand("ameli", "Compte Ameli", "Ameli account", 14, 3),
        SkillDemand("caf", "Démarches CAF", "CAF procedures", 11, 1),
        SkillDemand("france-connect", "FranceConnect", "FranceConnect", 9, 5),
        SkillDemand("ants", "Carte grise et permis (ANTS) en ligne", "ANTS procedures", 7, 0),
        SkillDemand("blender", "Blender $3D$ <b>", "Blender $3D$ <b>", 2, 0),
        *(SkillDemand(f"skill-{i:02d}", f"Compétence {i}", f"Skill {i}", i % 4, i % 3)
          for i in range(12)),
    ]  # fmt: skip
    sessions = [
        SessionAttendance(7, datetime(2026, 10, 15, 12, tzinfo=UTC), "Médiathèque", 8, 2, 1),
        SessionAttendance(8, datetime(2026, 11, 19, 13, tzinfo=UTC), None, 5, 3, 2),
        SessionAttendance(9, datetime(2026, 12, 17, 13, tzinfo=UTC), "Mairie annexe", 11, 0, 4),
    ]
    current = Indicators(
        Q4,
        asked=42,
        claimed=37,
        solved=30,
        deflected=6,
        median_to_claim=timedelta(hours=5, minutes=30),
        median_to_solution=timedelta(days=3, hours=4),
        skill_gaps=[skill for skill in skills if skill.asked and skill.helpers < 2],
        structures=[
            StructureActivity("Mission locale", 20, 12),
            StructureActivity(network_structure, 12, 15),
            StructureActivity("—", 3, 0),
        ],
        sessions=sessions,
    )
    before = Indicators(Q3, 30, 25, 20, 2, timedelta(hours=8), None)
    per_month = [
        MonthStates(date(2026, 12, 1), {"open": 2, "claimed": 3, "resolved": 1, "closed": 10}),
        MonthStates(date(2026, 10, 1), {"closed": 12, "cancelled": 1}),
        MonthStates(date(2026, 11, 1), {"offered": 1, "claimed": 2, "closed": 9}),
    ]
    flows = [
        HelpFlow("Mission locale", network_structure, 7),
        HelpFlow(network_structure, "Mission locale", 9),
        HelpFlow("Mission locale", "Mission locale", 4),
        HelpFlow("—", "Mission locale", 2),
        *(HelpFlow(f"EPN {i}", f"EPN {(i * 5) % 13}", i) for i in range(1, 14)),
    ]
    hours = [0.25, 0.5, 1.5, 2.2, 3.0, 5.5, 5.5, 7.0, 20.0, 30.0, 50.0, 100.0, 200.0]
    return ReportData(current, before, per_month, hours, skills, flows)


def _empty() -> ReportData:
    nothing = Indicators(Q4, 0, 0, 0, 0, None, None)
    return ReportData(nothing, Indicators(Q3, 0, 0, 0, 0, None, None), [], [], [], [])


@pytest.fixture(scope="module")
def sample_files() -> dict[str, bytes]:
    return render_report(_sample(), network_name="Réseau <Lyon> & Co")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.row: str | None = None
        self.cells: dict[str, list[tuple[str, str]]] = {}
        self.data_value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.starts.append((tag, values))
        if tag == "tr":
            self.row = values.get("id")
        if tag == "data":
            self.data_value = values["value"]

    def handle_data(self, data: str) -> None:
        if self.data_value is not None and self.row:
            self.cells.setdefault(self.row, []).append((self.data_value, data))
            self.data_value = None

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.starts if name == tag]


def _page(files: dict[str, bytes]) -> _Page:
    parser = _Page()
    parser.feed(files[PAGE].decode("utf-8"))
    parser.close()
    return parser


def _png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == PNG_MAGIC
    length, kind = struct.unpack(">I4s", content[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def _csv(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    content = files[name]
    assert content.startswith(codecs.BOM_UTF8), name  # French Excel reads it as UTF-8
    text = content.decode("utf-8-sig")
    assert "\r" not in text and text.endswith("\n")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_the_report_has_its_files_and_the_same_bytes_every_time(
    sample_files: dict[str, bytes],
) -> None:
    assert set(sample_files) == EXPECTED_FILES
    assert list(sample_files) == sorted(sample_files)
    again = render_report(_sample(), network_name="Réseau <Lyon> & Co")
    assert again == sample_files  # PNG bytes included
    assert report_archive(again) == report_archive(sample_files)


def test_charts_are_png_of_their_announced_size(sample_files: dict[str, bytes]) -> None:
    for chart in CHARTS:
        content = sample_files[f"{chart}.png"]
        assert _png_size(content) == chart_pixels(chart)
        assert b"Software" not in content and b"Matplotlib" not in content


def test_drawing_leaves_matplotlib_settings_alone() -> None:
    size = matplotlib.rcParams["font.size"]
    matplotlib.rcParams["font.size"] = 17.0
    try:
        render_report(_empty())
        assert matplotlib.rcParams["font.size"] == 17.0
    finally:
        matplotlib.rcParams["font.size"] = size


def test_the_page_links_only_files_of_the_report(sample_files: dict[str, bytes]) -> None:
    page = _page(sample_files)
    assert page.all("html") == [{"lang": "fr"}]
    assert {"charset": "utf-8"} in page.all("meta")
    images = page.all("img")
    assert [image["src"] for image in images] == [f"{chart}.png" for chart in CHARTS]
    for image in images:
        assert image["alt"] and image["alt"].strip()
        assert (int(image["width"] or 0), int(image["height"] or 0)) == _png_size(
            sample_files[str(image["src"])]
        )
    links = {str(link["href"]) for link in page.all("a")}
    assert {f"{chart}.csv" for chart in CHARTS} | {"indicators.csv", "structures.csv"} == links
    assert links <= set(sample_files)
    text = sample_files[PAGE].decode("utf-8")
    assert "@media print" in text
    assert "Réseau &lt;Lyon&gt; &amp; Co" in text and "<Lyon>" not in text
    assert "Blender $3D$ &lt;b&gt;" in text and "<b>" not in text
    assert "2026" in text.split("<h1>")[1].split("</h1>")[0]


def test_alt_texts_tell_the_figures(sample_files: dict[str, bytes]) -> None:
    alts = {str(image["src"]): str(image["alt"]) for image in _page(sample_files).all("img")}
    assert "13" in alts["per_month.png"] and "16" in alts["per_month.png"]
    assert "Compte Ameli" in alts["skills.png"]
    assert "EPN 13" in alts["help_flows.png"] and "EPN 11" in alts["help_flows.png"]
    assert "8" in alts["sessions.png"]


def test_summary_numbers_are_the_data(sample_files: dict[str, bytes]) -> None:
    data, t = _sample(), translator("fr")
    cells = _page(sample_files).cells
    expected = {
        "figure-asked": ("42", "30"),
        "figure-claimed": ("37", "25"),
        "figure-solved": ("30", "20"),
        "figure-deflected": ("6", "2"),
        "figure-deflection_share": ("0.2", "0.1"),
        "figure-median_hours_to_claim": ("5.5", "8"),
        "figure-sessions": ("3", "0"),
        "figure-attendance": ("24", "0"),
        "figure-structures": ("3", "0"),
    }
    for row, values in expected.items():
        assert tuple(value for value, _shown in cells[row]) == values, row
    assert [value for value, _ in cells["figure-median_hours_to_solution"]] == ["76"]
    assert cells["figure-asked"][0][1] == number(t, data.indicators.asked)
    assert cells["figure-deflection_share"][0][1].startswith("20")
    assert cells["figure-median_hours_to_claim"][0][1].startswith("5,5")


def test_csv_files_read_back_to_the_data(sample_files: dict[str, bytes]) -> None:
    data = _sample()
    months = _csv(sample_files, "per_month.csv")
    assert [row["month"] for row in months] == ["2026-10", "2026-11", "2026-12"]
    assert [int(row["total"]) for row in months] == [13, 12, 16]
    assert int(months[2]["closed"]) == 10 and int(months[0]["open"]) == 0
    hours = [
        float(row["hours_to_claim"].replace(",", "."))
        for row in _csv(sample_files, "time_to_claim.csv")
    ]
    assert hours == sorted(data.hours_to_claim)
    skills = _csv(sample_files, "skills.csv")
    assert len(skills) == len(data.skills)
    assert skills[0] == {"slug": "ameli", "skill": "Compte Ameli", "asked": "14", "helpers": "3"}
    by_slug = {row["slug"]: row for row in skills}
    for skill in data.skills:
        assert (int(by_slug[skill.slug]["asked"]), int(by_slug[skill.slug]["helpers"])) == (
            skill.asked,
            skill.helpers,
        )
    flows = _csv(sample_files, "help_flows.csv")
    assert sum(int(row["requests"]) for row in flows) == sum(f.requests for f in data.help_flows)
    assert {"helper_structure": "CCAS de Lyon", "asker_structure": "Mission locale",
            "requests": "9"} in flows  # fmt: skip
    sessions = _csv(sample_files, "sessions.csv")
    assert [row["session"] for row in sessions] == ["7", "8", "9"]
    assert sessions[0]["starts_at"] == "2026-10-15T14:00+02:00"
    assert [int(row["coming"]) for row in sessions] == [8, 5, 11]
    figures = {row["key"]: row for row in _csv(sample_files, "indicators.csv")}
    assert set(next(iter(figures.values()))) == {"key", "figure", "current", "previous"}
    assert (figures["asked"]["current"], figures["asked"]["previous"]) == ("42", "30")
    assert figures["median_hours_to_solution"]["previous"] == ""
    assert figures["claim_share"]["current"] == "0,881"  # a decimal comma, as Excel FR reads
    assert float(figures["claim_share"]["current"].replace(",", ".")) == pytest.approx(
        37 / 42, abs=1e-4
    )
    structures = _csv(sample_files, "structures.csv")
    assert structures[0] == {"structure": "Mission locale", "asked": "20", "helped": "12"}


def test_csv_bytes_are_what_french_excel_opens(sample_files: dict[str, bytes]) -> None:
    """A double click in French Excel: UTF-8 with its mark, `;` between columns, `3,5`."""
    for name, content in sample_files.items():
        if name.endswith(".csv"):
            assert content.startswith(b"\xef\xbb\xbf"), name
            assert content.count(b"\xef\xbb\xbf") == 1, name
            assert b"\r" not in content, name
    assert sample_files["structures.csv"].startswith(
        b"\xef\xbb\xbfstructure;asked;helped\nMission locale;20;12\n"
    )
    assert "Compte Ameli" in sample_files["skills.csv"].decode("utf-8-sig")
    figures = sample_files["indicators.csv"].decode("utf-8-sig").splitlines()
    assert "claim_share;Part des demandes prises;0,881;" in "\n".join(figures)
    assert figures[0] == "key;figure;current;previous"


def test_spreadsheet_formulas_are_defused() -> None:
    files = render_report(_sample(network_structure='=HYPERLINK("http://x")'))
    flows = _csv(files, "help_flows.csv")
    assert any(row["asker_structure"] == '\'=HYPERLINK("http://x")' for row in flows)


def test_an_empty_period_gives_a_report_that_says_so() -> None:
    files = render_report(_empty())
    assert set(files) == EXPECTED_FILES
    for chart in CHARTS:
        assert _png_size(files[f"{chart}.png"]) == chart_pixels(chart)
        if chart != "per_month":
            assert _csv(files, f"{chart}.csv") == []
    assert _csv(files, "per_month.csv") == [
        {"month": month, "total": "0"} for month in ("2026-10", "2026-11", "2026-12")
    ]
    assert files == render_report(_empty())
    page = _page(files)
    assert all(image["alt"] for image in page.all("img"))
    assert [value for value, _ in page.cells["figure-asked"]] == ["0", "0"]
    assert "figure-deflection_share" not in page.cells  # no share of nothing


def test_the_archive_holds_the_files_with_fixed_dates(sample_files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(report_archive(sample_files))) as archive:
        assert archive.namelist() == sorted(sample_files)
        for entry in archive.infolist():
            assert entry.date_time == (1980, 1, 1, 0, 0, 0)
            assert archive.read(entry) == sample_files[entry.filename]


def test_english_report() -> None:
    files = render_report(_sample(), locale="en")
    page = _page(files)
    assert page.all("html") == [{"lang": "en"}]
    assert "Q4 2026" in files[PAGE].decode("utf-8")
    assert _csv(files, "skills.csv")[0]["skill"] == "Ameli account"


def test_period_names() -> None:
    t = translator("en")
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(PARIS)
    assert period_name(Q4, t, zone) == "Q4 2026"
    assert period_slug(Q4, t, zone) == "2026-Q4"
    october = Period(PeriodKind.MONTH, Q4.start, datetime(2026, 10, 31, 23, tzinfo=UTC), PARIS)
    assert period_name(october, t, zone) == "October 2026"
    assert period_slug(october, t, zone) == "2026-10"
    year = Period(PeriodKind.YEAR, datetime(2025, 12, 31, 23, tzinfo=UTC), Q4.end, PARIS)
    assert (period_name(year, t, zone), period_slug(year, t, zone)) == ("2026", "2026")
    odd = Period(PeriodKind.MONTH, Q4.start, datetime(2026, 10, 17, 22, tzinfo=UTC), PARIS)
    assert period_slug(odd, t, zone) == "2026-10-01_2026-10-17"
    assert "1, 2026" in period_name(odd, t, zone) and "17" in period_name(odd, t, zone)


def test_report_span() -> None:
    now = datetime(2027, 1, 5, 10, tzinfo=UTC)
    assert report_span(now, PARIS, None, None) == (Q4.start, Q4.end)
    assert report_span(now, PARIS, date(2026, 10, 1), date(2026, 12, 31)) == (Q4.start, Q4.end)
    start, end = report_span(now, PARIS, date(2026, 12, 1), None)
    assert (start, end) == (
        datetime(2026, 11, 30, 23, tzinfo=UTC),
        datetime(2027, 1, 5, 23, tzinfo=UTC),
    )
    with pytest.raises(ValueError):
        report_span(now, PARIS, None, date(2026, 12, 31))
    with pytest.raises(ValueError):
        report_span(now, PARIS, date(2026, 12, 31), date(2026, 12, 1))


def test_every_state_the_database_reports_has_a_name_in_french() -> None:
    """The chart's legend once read "deflected" in a French report."""
    from bot.chat.reports import formatting
    from bot.core.types import RequestStatus
    from storage.repositories.indicators import DEFLECTED

    french = translator("fr")
    for state in [*(status.value for status in RequestStatus), DEFLECTED]:
        name = formatting.state_name(french, state)
        assert name != state and name != formatting.STATE_NAMES[state], state
    assert formatting.state_name(french, DEFLECTED) == "résolue par un tutoriel"
