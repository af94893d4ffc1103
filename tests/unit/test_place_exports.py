"""The "Lieux" page of the tutorial exports: by commune, with services, and nothing a place's
data holds is ever read as markup or becomes a dangerous link."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest

from bot.chat.exports import ExportFormat, export_tutorials
from bot.core.types import Place
from skills import default_catalog

CATALOG = default_catalog()
ADMIN, ACCESS = CATALOG.get("demarches"), CATALOG.get("acces-materiel")
assert ADMIN is not None and ACCESS is not None

EVIL = Place(
    source_id="evil",
    name="<script>alert(1)</script> [clic](javascript:alert(1)) **gras** ====== x",
    commune="Tours",
    postal_code="37000",
    address='1 rue "<img src=x onerror=alert(1)>"',
    services=ADMIN.bit,
    hours="Mo-Fr 09:00-12:00",
    booking_url="javascript:alert(1)",
    updated_on=date(2026, 1, 5),
    id=1,
)
GOOD = Place(
    source_id="good",
    name="Médiathèque",
    commune="Amboise",
    postal_code="37400",
    address="2 rue Nationale",
    services=ADMIN.bit | ACCESS.bit,
    phone="+33247000000",
    booking_url="https://rdv.example.org/lieu/1",
    id=2,
)


def files(fmt: ExportFormat) -> dict[str, str]:
    return {
        path: content.decode("utf-8")
        for path, content in export_tutorials([], fmt, places=[EVIL, GOOD]).items()
    }


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def test_html_page_lists_places_by_commune_and_escapes_everything() -> None:
    site = files(ExportFormat.HTML)
    page = site["lieux.html"]
    assert page.index("Amboise (37400)") < page.index("Tours (37000)")
    assert "Aide aux démarches administratives, Accès internet et matériel informatique" in page
    assert "02 47 00 00 00" in page
    parser = _Links()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert "https://rdv.example.org/lieu/1" in parser.hrefs
    assert not any(href.startswith("javascript") for href in parser.hrefs)
    assert 'href="lieux.html"' in site["index.html"]  # in the menu of every page


def test_markdown_and_dokuwiki_pages_show_the_text_literally() -> None:
    md = files(ExportFormat.MARKDOWN)["lieux.md"]
    assert "\\[clic\\]\\(javascript:alert\\(1\\)\\)" in md and "\\*\\*gras\\*\\*" in md
    assert "\\<script\\>" in md and "<https://rdv.example.org/lieu/1>" in md
    assert "javascript:alert(1)>" not in md
    wiki = files(ExportFormat.DOKUWIKI)["pages/lieux.txt"]
    assert "<nowiki><script>alert(1)</script>" in wiki
    assert "[[https://rdv.example.org/lieu/1|" in wiki and "[[javascript" not in wiki


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_no_places_no_page_and_the_page_is_deterministic(fmt: ExportFormat) -> None:
    assert not any("lieux" in path for path in export_tutorials([], fmt))
    assert files(fmt) == files(fmt)
