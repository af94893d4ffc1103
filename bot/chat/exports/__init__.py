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
from bot.chat.exports.dokuwiki import DEFAULT_NAMESPACE
from bot.chat.i18n import translator
from bot.core.types import Tutorial

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
) -> dict[str, bytes]:
    """The files of an export, UTF-8 bytes with `\\n` line endings by relative path.

    - markdown: `index.md` and `tutorials/NNNN-slug.md` (YAML front matter, then the text);
    - dokuwiki: `pages/start.txt` and `pages/NNNN-slug.txt`, linked within `namespace`:
      copy `pages/` into the wiki's `data/pages/<namespace as folders>/`;
    - html: `index.html`, `tutorials/`, `themes/`, `skills/`, `style.css`, `search.js` and
      `search-index.json`, a static site with relative links.

    `site_title` replaces the default title of the index. Raises `ValueError` when two
    tutorials have the same number, or (DokuWiki) when `namespace` is not a valid one.
    """
    t = translator(locale)
    fmt = ExportFormat(fmt)
    if fmt is ExportFormat.MARKDOWN:
        texts = markdown.export(tutorials, t, site_title=site_title)
    elif fmt is ExportFormat.DOKUWIKI:
        texts = dokuwiki.export(tutorials, t, site_title=site_title, namespace=namespace)
    else:
        texts = html.export(tutorials, t, site_title=site_title)
    return {path: texts[path].encode("utf-8", errors="replace") for path in sorted(texts)}
