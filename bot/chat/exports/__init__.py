"""Exports of the tutorial base: Markdown files, DokuWiki pages or a static HTML site.

`export_tutorials` turns tutorial records into files, as bytes by relative path (`/`
separated), for the caller to write under a folder. The result depends only on its
arguments: tutorials are ordered by number, tags sorted, no date of "now" is written, and the
paths come sorted. Every word of the exports goes through the translator of `locale`.

Only the tutorials given are exported: choose them before (for instance the published ones).
Outdated tutorials are marked as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.chat.exports import dokuwiki, html, markdown
from bot.chat.exports import places as places_page
from bot.chat.exports.common import wording
from bot.chat.exports.dokuwiki import DEFAULT_NAMESPACE
from bot.chat.i18n import translator
from bot.core.types import Place, Tutorial

__all__ = ["DEFAULT_NAMESPACE", "ExportFormat", "export_tutorials"]


class ExportFormat(StrEnum):
    """The formats the tutorial base can be exported to."""

    MARKDOWN = "markdown"
    DOKUWIKI = "dokuwiki"
    HTML = "html"


def export_tutorials(
    tutorials: Sequence[Tutorial],
    fmt: ExportFormat,
    *,
    locale: str = "fr",
    site_title: str | None = None,
    namespace: str = DEFAULT_NAMESPACE,
    places: Sequence[Place] = (),
) -> dict[str, bytes]:
    """The files of an export, UTF-8 bytes with `\\n` line endings by relative path.

    - markdown: `index.md` and `tutorials/NNNN-slug.md` (YAML front matter, then the text);
    - dokuwiki: `pages/start.txt` and `pages/NNNN-slug.txt`, linked within `namespace`:
      copy `pages/` into the wiki's `data/pages/<namespace as folders>/`;
    - html: `index.html`, `tutorials/`, `themes/`, `skills/`, `style.css`, `search.js` and
      `search-index.json`, a static site with relative links.

    With `places`, each format gains a page of the places of digital mediation by commune
    (`lieux.md`, `pages/lieux.txt`, `lieux.html` linked from the site's menu).
    `site_title` replaces the default title of the index. Raises `ValueError` when two
    tutorials have the same number, or (DokuWiki) when `namespace` is not a valid one.
    """
    t = translator(locale)
    fmt = ExportFormat(fmt)
    words = wording(t, site_title)
    if fmt is ExportFormat.MARKDOWN:
        texts = markdown.export(tutorials, t, site_title=site_title)
        if places:
            texts["lieux.md"] = places_page.markdown_page(places, t, words)
    elif fmt is ExportFormat.DOKUWIKI:
        texts = dokuwiki.export(tutorials, t, site_title=site_title, namespace=namespace)
        if places:
            texts["pages/lieux.txt"] = places_page.dokuwiki_page(places, t, words)
    else:
        texts = html.export(tutorials, t, site_title=site_title, with_places=bool(places))
        if places:
            texts["lieux.html"] = places_page.html_file(places, t, html.places_wording(words, t))
    return {path: texts[path].encode("utf-8", errors="replace") for path in sorted(texts)}
