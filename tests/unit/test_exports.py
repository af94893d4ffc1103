"""The tutorial base exports: Markdown, DokuWiki and HTML, deterministic and escaped."""

from __future__ import annotations

import json
import posixpath
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.exports import ExportFormat, export_tutorials
from bot.chat.exports.dokuwiki import escape as wiki_escape
from bot.chat.exports.markdown import yaml_string
from bot.chat.i18n import translator
from bot.chat.themes import THEME_NAMES, theme_name
from bot.core.types import Tutorial, TutorialSkill, TutorialStatus
from skills.taxonomy import THEMES

ETALAB = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
CAF = TutorialSkill("caf", "Démarches CAF", "CAF procedures")
MAIL = TutorialSkill("messagerie", "Messagerie électronique", "E-mail")
WEIRD = TutorialSkill("wiki-links", "[[page]] & <b>", "[[page]] & <b>")


def _at(day: int) -> datetime:
    return datetime(2025, 3, day, 9, 30, tzinfo=UTC)


def _tutorial(number: int, title: str, **fields: object) -> Tutorial:
    values: dict[str, object] = {
        "id": number,
        "title": title,
        "problem": "Une personne n'arrive pas à se connecter.",
        "steps": ("Ouvrir le site", "Cliquer sur « Mot de passe oublié »"),
        "skills": (CAF,),
        "themes": ("demarches",),
        "audience": ("seniors",),
        "status": TutorialStatus.PUBLISHED,
        "language": "fr",
        "licence": "Etalab-2.0",
        "request_id": 40 + number,
        "authors": ("Aïcha B.",),
        "created_at": _at(1),
        "updated_at": _at(2),
        "checked_at": _at(3),
        "published_at": _at(2),
        "helped_count": number,
        "flag_count": 0,
    }
    values.update(fields)
    return Tutorial(**values)  # type: ignore[arg-type]


TUTORIALS = (
    _tutorial(
        3,
        "<script>alert(1)</script>",
        problem="Texte avec <script>alert(1)</script>\net « guillemets » & co",
        skills=(CAF, MAIL),
        themes=("securite", "demarches"),
        audience=("seniors", "jeunes"),
    ),
    _tutorial(
        1,
        "*gras* [lien](http://x) # titre",
        problem="*gras* [lien](http://x) # titre\n\n1. pas une liste\n- ni ça\n> ni une citation",
        steps=("`code` | pipe \\ backslash", "</nowiki> **gras** [[page]]"),
        authors=("Zoé", "Aïcha B."),
    ),
    _tutorial(
        12,
        '"Quotes" & ampersands </nowiki> [[page]]',
        problem='Le mot </nowiki> ferme ? <nowiki>non</nowiki> {{image}} ~~NOTOC~~ ^ | "q"',
        steps=(),
        skills=(WEIRD,),
        themes=(),
        audience=(),
        licence="CC-BY-4.0",
        request_id=None,
        status=TutorialStatus.OUTDATED,
        helped_count=0,
    ),
    _tutorial(
        7,
        "Printing a PDF on a shared printer",
        problem="Someone cannot print.",
        steps=("Open the file", "Choose the printer"),
        skills=(),
        themes=(),
        language="en",
        authors=(),
    ),
    _tutorial(5, "Réinitialiser l'accès à l'espace Améli", themes=("sante", "demarches")),
)
FORMATS = list(ExportFormat)


@pytest.fixture(scope="module", params=FORMATS)
def fmt(request: pytest.FixtureRequest) -> ExportFormat:
    return ExportFormat(request.param)


def _texts(fmt: ExportFormat, locale: str = "fr") -> dict[str, str]:
    files = export_tutorials(TUTORIALS, fmt, locale=locale)
    return {path: data.decode("utf-8") for path, data in files.items()}


# Themes


def test_every_theme_of_the_taxonomy_has_a_name() -> None:
    assert set(THEME_NAMES) == set(THEMES)
    for slug in THEMES:
        assert theme_name(translator("en"), slug) == THEME_NAMES[slug]
        assert theme_name(translator("fr"), slug)
    assert theme_name(translator("fr"), "inconnu") == "inconnu"


# Every format


def test_exports_are_deterministic(fmt: ExportFormat) -> None:
    first = export_tutorials(TUTORIALS, fmt)
    with time_machine.travel(datetime(2031, 7, 14, 23, 59, tzinfo=UTC), tick=False):
        assert export_tutorials(TUTORIALS, fmt) == first  # no date of "now" in the files
    reversed_export = export_tutorials(tuple(reversed(TUTORIALS)), fmt)
    assert list(reversed_export) == list(first) == sorted(first)
    assert reversed_export == first


def test_exports_are_utf8_with_unix_line_endings(fmt: ExportFormat) -> None:
    for path, data in export_tutorials(TUTORIALS, fmt, locale="en").items():
        assert not path.startswith("/") and ".." not in path.split("/")
        text = data.decode("utf-8")
        assert "\r" not in text and text.endswith("\n"), path


def test_the_same_number_twice_is_refused(fmt: ExportFormat) -> None:
    with pytest.raises(ValueError, match="given twice"):
        export_tutorials([TUTORIALS[0], TUTORIALS[0]], fmt)


def test_an_empty_base_exports_an_index(fmt: ExportFormat) -> None:
    files = export_tutorials([], fmt, site_title="Base vide")
    assert any("Base vide" in data.decode() for data in files.values())


# Markdown


def _front_matter(text: str) -> dict[str, object]:
    assert text.startswith("---\n")
    block = text[4 : text.index("\n---\n", 4)]
    loaded = yaml.safe_load(block)
    assert isinstance(loaded, dict)
    return loaded


def test_markdown_front_matter_reads_back_as_the_record() -> None:
    texts = _texts(ExportFormat.MARKDOWN)
    pages = {path: text for path, text in texts.items() if path.startswith("tutorials/")}
    assert len(pages) == len(TUTORIALS)
    for tutorial in TUTORIALS:
        [path] = [p for p in pages if p.startswith(f"tutorials/{tutorial.id:04d}-")]
        assert path.endswith(".md")
        assert _front_matter(pages[path]) == {
            "id": tutorial.id,
            "title": tutorial.title,
            "status": tutorial.status.value,
            "language": tutorial.language,
            "licence": tutorial.licence,
            "skills": sorted(skill.slug for skill in tutorial.skills),
            "themes": sorted(tutorial.themes),
            "audience": sorted(tutorial.audience),
            "authors": list(tutorial.authors),
            "created": tutorial.created_at.date(),
            "updated": tutorial.updated_at.date(),
            "checked": tutorial.checked_at.date(),
            "source_request": tutorial.request_id,
            "helped": tutorial.helped_count,
        }


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
def test_yaml_strings_read_back_as_they_were(text: str) -> None:
    assert yaml.safe_load(f"key: {yaml_string(text)}") == {"key": text}


def test_markdown_escapes_member_text() -> None:
    texts = _texts(ExportFormat.MARKDOWN)
    page = texts["tutorials/0001-gras-lien-http-x-titre.md"]
    body = page.split("\n---\n", 1)[1]
    assert r"# \*gras\* \[lien\]\(http://x\) \# titre" in body.splitlines()
    assert "1\\. pas une liste\\" in body.splitlines()  # a hard line break ends it
    assert "\\- ni ça\\" in body.splitlines()
    assert r"\> ni une citation" in body.splitlines()
    assert r"1. \`code\` \| pipe \\ backslash" in body.splitlines()
    assert "## Étapes" in body or "## Steps" in body
    script = texts["tutorials/0003-script-alert-1-script.md"].split("\n---\n", 1)[1]
    assert "<script>" not in script and r"\<script\>alert\(1\)\</script\>" in script


def test_markdown_shows_licence_status_and_dates() -> None:
    texts = _texts(ExportFormat.MARKDOWN)
    etalab = texts["tutorials/0005-reinitialiser-l-acces-a-l-espace-ameli.md"]
    assert f"[Etalab-2.0]({ETALAB})" in etalab
    assert "3 mars 2025" in etalab
    outdated = texts["tutorials/0012-quotes-ampersands-nowiki-page.md"]
    assert "CC-BY-4.0" in outdated and ETALAB not in outdated
    assert "\n> **" in outdated  # the outdated notice
    assert "\n1. " not in outdated.split("\n---\n", 1)[1]  # no steps


def test_markdown_index_links_to_exported_files() -> None:
    texts = _texts(ExportFormat.MARKDOWN)
    links = re.findall(r"\]\(([^)]+)\)", texts["index.md"])
    assert {link for link in links} == {p for p in texts if p.startswith("tutorials/")}
    for path, text in texts.items():
        if path.startswith("tutorials/"):
            assert "](../index.md)" in text


# DokuWiki

# As DokuWiki's lexer reads links and headings (whose text it shows literally).
_WIKI_LINK = re.compile(r"\[\[([^|\]]+)\|(.*?)\]\](?!\])")
_WIKI_HEADING = re.compile(r"[ \t]*={2,}[^\n]+={2,}[ \t]*")
_WIKI_LITERAL = re.compile(r"<nowiki>(.*?)</nowiki>|%%(.*?)%%", re.DOTALL)


def _wiki_text(line: str) -> str:
    """What DokuWiki shows of a line made of nowiki and %% blocks and plain text."""
    return _WIKI_LITERAL.sub(lambda m: m[1] if m[1] is not None else m[2], line)


def test_dokuwiki_pages_use_dokuwiki_syntax() -> None:
    texts = _texts(ExportFormat.DOKUWIKI)
    page = texts["pages/0005-reinitialiser-l-acces-a-l-espace-ameli.txt"]
    lines = page.splitlines()
    assert lines[0] == "====== Réinitialiser l'accès à l'espace Améli ======"
    assert "===== Étapes =====" in lines or "===== Steps =====" in lines
    assert "  - Ouvrir le site" in lines
    assert any(line.startswith("  * ") for line in lines)
    assert f"[[{ETALAB}|Etalab-2.0]]" in page
    for path in texts:
        assert re.fullmatch(r"pages/[a-z0-9_-]+\.txt", path), path


def test_dokuwiki_start_page_links_every_page() -> None:
    texts = _texts(ExportFormat.DOKUWIKI)
    targets = [m[1] for m in _WIKI_LINK.finditer(texts["pages/start.txt"])]
    assert all(target.startswith("samu:tutoriels:") for target in targets)
    pages = {f"pages/{target.rsplit(':', 1)[1]}.txt" for target in targets}
    assert pages == set(texts) - {"pages/start.txt"}
    for text in texts.values():
        for match in _WIKI_LINK.finditer(text):
            if not match[1].startswith("https://"):
                assert f"pages/{match[1].rsplit(':', 1)[1]}.txt" in texts


def test_dokuwiki_namespace_is_configurable() -> None:
    files = export_tutorials(TUTORIALS, ExportFormat.DOKUWIKI, namespace="aide:tutos")
    assert b"[[aide:tutos:0001-gras-lien-http-x-titre|" in files["pages/start.txt"]
    with pytest.raises(ValueError, match="namespace"):
        export_tutorials(TUTORIALS, ExportFormat.DOKUWIKI, namespace="Pas bon!")


def test_dokuwiki_nowiki_cannot_be_closed_by_member_text() -> None:
    texts = _texts(ExportFormat.DOKUWIKI)
    for path, text in texts.items():
        for line in text.splitlines():
            if _WIKI_HEADING.fullmatch(line):
                continue
            line = _WIKI_LINK.sub("", line)
            assert line.count("<nowiki>") == line.count("</nowiki>"), (path, line)
    page = texts["pages/0012-quotes-ampersands-nowiki-page.txt"].splitlines()
    problem = TUTORIALS[2].problem
    assert [line for line in page if _wiki_text(line) == problem]
    step = texts["pages/0001-gras-lien-http-x-titre.txt"].splitlines()
    assert "  - </nowiki> **gras** [[page]]" in [_wiki_text(line) for line in step]


@pytest.mark.parametrize(
    "text",
    ["</nowiki>", "a </NOWIKI> b <nowiki>", "**x** //y// __z__ ''m''", "FIXME", "8-O", "a=b"],
)
def test_dokuwiki_escape_round_trips(text: str) -> None:
    escaped = wiki_escape(text)
    assert escaped.startswith("<nowiki>")
    assert _wiki_text(escaped) == text


def test_dokuwiki_leaves_plain_words_alone() -> None:
    assert wiki_escape("Démarches CAF, l'aide en ligne.") == "Démarches CAF, l'aide en ligne."


# HTML


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.text: list[tuple[tuple[str, ...], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in {"meta", "link", "br", "input"}:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append((tuple(self.stack), data))

    def inside(self, tag: str) -> str:
        return "".join(data for stack, data in self.text if tag in stack)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    assert page.stack == []
    return page


def _html_pages(texts: dict[str, str]) -> dict[str, _Page]:
    return {path: _parse(text) for path, text in texts.items() if path.endswith(".html")}


def test_html_relative_links_resolve_to_exported_files() -> None:
    texts = _texts(ExportFormat.HTML)
    for path, page in _html_pages(texts).items():
        for tag, attrs in page.tags:
            for name in ("href", "src"):
                url = attrs.get(name)
                if url is None:
                    continue
                parts = urlsplit(url)
                if parts.scheme or not parts.path:
                    assert parts.scheme == "https" or url.startswith("#"), (path, url)
                    continue
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), parts.path))
                assert target in texts, (path, tag, url)


def test_html_pages_are_semantic_and_escaped() -> None:
    texts = _texts(ExportFormat.HTML)
    pages = _html_pages(texts)
    assert {p for p in pages if p.startswith("tutorials/")} == {
        f"tutorials/{name}.html"
        for name in (
            "0001-gras-lien-http-x-titre",
            "0003-script-alert-1-script",
            "0005-reinitialiser-l-acces-a-l-espace-ameli",
            "0007-printing-a-pdf-on-a-shared-printer",
            "0012-quotes-ampersands-nowiki-page",
        )
    }
    assert "themes/securite.html" in pages and "skills/caf.html" in pages
    for path, page in pages.items():
        assert texts[path].startswith("<!doctype html>\n")
        names = [tag for tag, _ in page.tags]
        assert names.count("h1") == 1 and names.count("main") == 1, path
        assert {"header", "nav", "footer"} <= set(names), path
        assert ("html", {"lang": "fr"}) in page.tags
        assert ("meta", {"charset": "utf-8"}) in page.tags
        scripts = [attrs for tag, attrs in page.tags if tag == "script"]
        assert scripts == ([{"src": "search.js", "defer": None}] if path == "index.html" else [])
        footer = page.inside("footer")
        assert "Etalab-2.0" in footer or "CC-BY-4.0" in footer, path
        if "Etalab-2.0" in footer:
            assert ("a", {"rel": "license", "href": ETALAB}) in page.tags, path
    script_page = pages["tutorials/0003-script-alert-1-script.html"]
    assert "<script>alert(1)</script>" in script_page.inside("h1")
    quotes = pages["tutorials/0012-quotes-ampersands-nowiki-page.html"]
    assert quotes.inside("h1") == TUTORIALS[2].title
    assert "CC-BY-4.0" in quotes.inside("footer")
    assert ("p", {"class": "notice", "role": "note"}) in quotes.tags
    english = pages["tutorials/0007-printing-a-pdf-on-a-shared-printer.html"]
    assert ("h1", {"lang": "en"}) in english.tags
    steps = pages["tutorials/0005-reinitialiser-l-acces-a-l-espace-ameli.html"]
    assert ("ol", {"class": "steps"}) in steps.tags
    assert "Cliquer sur « Mot de passe oublié »" in steps.inside("ol")


def test_html_index_has_a_labelled_search_box() -> None:
    index = _html_pages(_texts(ExportFormat.HTML))["index.html"]
    inputs = [attrs for tag, attrs in index.tags if tag == "input"]
    labels = [attrs for tag, attrs in index.tags if tag == "label"]
    assert [i["id"] for i in inputs] == [label["for"] for label in labels] == ["search-input"]
    assert ("h2", {"id": "themes"}) in index.tags and ("h2", {"id": "skills"}) in index.tags


def test_html_search_index_has_one_entry_per_tutorial() -> None:
    texts = _texts(ExportFormat.HTML, locale="en")
    entries = json.loads(texts["search-index.json"])
    assert [entry["id"] for entry in entries] == sorted(t.id for t in TUTORIALS)
    for entry in entries:
        assert entry["url"] in texts
        assert set(entry) == {"id", "title", "problem", "skills", "status", "url"}
    assert entries[1]["skills"] == ["CAF procedures", "E-mail"]
