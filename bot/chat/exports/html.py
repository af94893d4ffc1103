"""HTML export: a static, accessible site that works without JavaScript.

`index.html` lists the tutorials by theme and by skill; each tutorial has its page under
`tutorials/`, each theme and skill a page under `themes/` and `skills/`. Every link is
relative, so the folder can be served from anywhere or opened from disk. `search.js` reads
`search-index.json` and reveals a search box on the index; without it (or when the browser
refuses to fetch from disk) the box stays hidden and the links remain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from html import escape as _escape

from bot.chat.exports import common
from bot.chat.exports.common import Group, Wording
from bot.chat.exports.html_assets import SEARCH_JS, STYLE_CSS
from bot.chat.exports.page import Detail, Fact, TutorialPage
from bot.chat.exports.page import tutorial_page as tutorial_model
from bot.chat.i18n import Translator
from bot.core.types import Tutorial, TutorialStatus

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def escape(text: str) -> str:
    """Text or attribute value escaped for HTML (quotes included)."""
    return _escape(text, quote=True)


def tutorial_path(tutorial: Tutorial) -> str:
    """Where the page of a tutorial is, from the root of the site."""
    return f"tutorials/{common.file_stem(tutorial)}.html"


def theme_path(slug: str) -> str:
    """Where the page of a theme is, from the root of the site."""
    return f"themes/{common.tag_slug(slug)}.html"


def skill_path(slug: str) -> str:
    """Where the page of a skill is, from the root of the site."""
    return f"skills/{common.tag_slug(slug)}.html"


def _licence_footer(t: Translator, words: Wording, licences: Sequence[str]) -> str:
    if not licences:
        return ""
    shown = [
        f'<a rel="license" href="{escape(common.ETALAB_URL)}">{escape(licence)}</a>'
        if common.is_etalab(licence)
        else escape(licence)
        for licence in licences
    ]
    return f"<p>{escape(common.labelled(t, words.licence))} {', '.join(shown)}</p>"


def page(
    t: Translator, words: Wording, *, root: str, title: str, main: list[str],
    licences: Sequence[str], script: bool = False,
) -> str:  # fmt: skip
    """A whole page; `root` is the relative way back to the top of the site (`""`, `"../"`)."""
    head_title = title if title == words.site_title else f"{title} – {words.site_title}"
    skip, menu = escape(t._("Skip to the content")), escape(t._("Main menu"))
    lines = [
        "<!doctype html>",
        f'<html lang="{escape(t.locale)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(head_title)}</title>",
        f'<link rel="stylesheet" href="{root}style.css">',
        "</head>",
        "<body>",
        f'<a class="skip" href="#main">{skip}</a>',
        "<header>",
        f'<p class="site"><a href="{root}index.html">{escape(words.site_title)}</a></p>',
        f'<nav aria-label="{menu}">',
        "<ul>",
        f'<li><a href="{root}index.html">{escape(words.home)}</a></li>',
        f'<li><a href="{root}index.html#themes">{escape(words.index_by_theme)}</a></li>',
        f'<li><a href="{root}index.html#skills">{escape(words.index_by_skill)}</a></li>',
        f'<li><a href="{root}lieux.html">{escape(words.places)}</a></li>' if words.places else "",
        "</ul>",
        "</nav>",
        "</header>",
        '<main id="main">',
        *main,
        "</main>",
        "<footer>",
        _licence_footer(t, words, licences),
        "</footer>",
    ]
    if script:
        lines.append(f'<script src="{root}search.js" defer></script>')
    lines += ["</body>", "</html>"]
    return "\n".join(line for line in lines if line) + "\n"


def _status_badge(t: Translator, tutorial: Tutorial) -> str:
    if tutorial.status is TutorialStatus.PUBLISHED:
        return ""
    return f' <span class="badge">({escape(common.status_name(t, tutorial.status))})</span>'


def _tutorial_list(t: Translator, tutorials: Sequence[Tutorial], root: str) -> list[str]:
    items = [
        f'<li><a href="{root}{tutorial_path(tutorial)}">'
        f"{escape(common.one_line(tutorial.title))}</a>{_status_badge(t, tutorial)}</li>"
        for tutorial in tutorials
    ]
    return ["<ul>", *items, "</ul>"]


def _lang(tutorial: Tutorial, t: Translator) -> str:
    language = tutorial.language.strip()
    if language == t.locale or not _LANGUAGE_TAG.fullmatch(language):
        return ""
    return f' lang="{escape(language)}"'


def _dl_item(label: str, value: str) -> list[str]:
    return [f"<dt>{escape(label)}</dt>", f"<dd>{value}</dd>"]


def _tag_list(links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{href}">{escape(name)}</a></li>' for href, name in links)
    return f'<ul class="tags">{items}</ul>'


def tutorial_page(tutorial: Tutorial, t: Translator, words: Wording) -> str:
    """The page of one tutorial."""
    model = tutorial_model(tutorial, t, words)
    lang = _lang(tutorial, t)
    main = ["<article>", f"<h1{lang}>{escape(model.title)}</h1>"]
    if model.outdated:
        main.append(f'<p class="notice" role="note">{escape(words.outdated_notice)}</p>')
    main.append(f"<h2>{escape(words.problem)}</h2>")
    for paragraph in model.problem:
        main.append(f"<p{lang}>{'<br>'.join(escape(line) for line in paragraph)}</p>")
    main.append(f"<h2>{escape(words.steps)}</h2>")
    if model.steps:
        steps = (f"<li>{escape(step)}</li>" for step in model.steps)
        main += [f'<ol class="steps"{lang}>', *steps, "</ol>"]
    else:
        main.append(f"<p>{escape(words.no_steps)}</p>")
    main += [f"<h2>{escape(words.about)}</h2>", '<dl class="about">']
    for detail in model.details:
        main += _dl_item(detail.label, _detail_value(detail, model))
    main.append("</dl>")
    if model.helped is not None:
        main.append(f"<p>{escape(model.helped)}</p>")
    main.append("</article>")
    licences = common.licences([tutorial])
    return page(t, words, root="../", title=model.title, main=main, licences=licences)


def _detail_value(detail: Detail, model: TutorialPage) -> str:
    """A detail's value in HTML: skills and themes link to their pages, the date is a `time`."""
    if detail.fact in (Fact.SKILLS, Fact.THEMES):
        path = skill_path if detail.fact is Fact.SKILLS else theme_path
        pairs = zip(detail.slugs, detail.values, strict=True)
        return _tag_list([(f"../{path(slug)}", value) for slug, value in pairs])
    if detail.fact is Fact.LAST_CHECKED:
        checked = model.checked_at.date().isoformat()
        return f'<time datetime="{checked}">{escape(detail.values[0])}</time>'
    return escape(", ".join(detail.values))


def group_page(group: Group, t: Translator, words: Wording) -> str:
    """The page of a theme or a skill: the tutorials about it."""
    main = [f"<h1>{escape(group.name)}</h1>", *_tutorial_list(t, group.tutorials, "../")]
    licences = common.licences(group.tutorials)
    return page(t, words, root="../", title=group.name, main=main, licences=licences)


def _index_section(
    anchor: str, heading: str, groups: list[Group], path_of: Callable[[str], str], t: Translator
) -> list[str]:
    lines = [f'<section aria-labelledby="{anchor}">', f'<h2 id="{anchor}">{escape(heading)}</h2>']
    for group in groups:
        name = escape(group.name)
        if group.slug:
            name = f'<a href="{path_of(group.slug)}">{name}</a>'
        lines += [f"<h3>{name}</h3>", *_tutorial_list(t, group.tutorials, "")]
    return [*lines, "</section>"]


def _search_box(t: Translator) -> list[str]:
    count_one = t.ngettext("{count} tutorial found", "{count} tutorials found", 1)
    count_other = t.ngettext("{count} tutorial found", "{count} tutorials found", 2)
    none = escape(t._("No tutorial found."))
    heading, label = escape(t._("Search")), escape(t._("Words to look for"))
    return [
        f'<section id="search" class="search" hidden aria-labelledby="search-title"'
        f' data-index="search-index.json" data-none="{none}"'
        f' data-one="{escape(count_one)}" data-other="{escape(count_other)}">',
        f'<h2 id="search-title">{heading}</h2>',
        '<form role="search">',
        f'<label for="search-input">{label}</label>',
        '<input id="search-input" type="search" name="q" autocomplete="off">',
        "</form>",
        '<p id="search-status" role="status" aria-live="polite"></p>',
        '<ul id="search-results"></ul>',
        "</section>",
    ]


def index_page(tutorials: Sequence[Tutorial], t: Translator, words: Wording) -> str:
    """`index.html`: the search box, then the tutorials by theme and by skill."""
    main = [f"<h1>{escape(words.site_title)}</h1>", *_search_box(t)]
    if not tutorials:
        main.append(f"<p>{escape(words.no_tutorials)}</p>")
    else:
        main += _index_section(
            "themes", words.index_by_theme, common.theme_groups(tutorials, t), theme_path, t
        )
        main += _index_section(
            "skills", words.index_by_skill, common.skill_groups(tutorials, t), skill_path, t
        )
    return page(
        t, words, root="", title=words.site_title, main=main,
        licences=common.licences(tutorials), script=True,
    )  # fmt: skip


def search_index(tutorials: Sequence[Tutorial], t: Translator) -> str:
    """`search-index.json`: title, problem, skills and link of each tutorial, by number."""
    entries = [
        {
            "id": tutorial.id,
            "title": common.one_line(tutorial.title),
            "problem": " ".join(line for p in common.paragraphs(tutorial.problem) for line in p),
            "skills": [
                common.skill_label(skill, t.locale)
                for skill in common.sorted_skills(tutorial, t.locale)
            ],
            "status": ""
            if tutorial.status is TutorialStatus.PUBLISHED
            else common.status_name(t, tutorial.status),
            "url": tutorial_path(tutorial),
        }
        for tutorial in tutorials
    ]
    return json.dumps(entries, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def places_wording(words: Wording, t: Translator) -> Wording:
    """The words of a site that has a "Lieux" page."""
    return replace(words, places=t._("Places"))


def export(
    tutorials: Sequence[Tutorial],
    t: Translator,
    *,
    site_title: str | None = None,
    with_places: bool = False,
) -> dict[str, str]:
    """The files of the site, as text by path; `with_places`: the menu links to `lieux.html`
    (which the caller adds, see `exports.places`)."""
    words = common.wording(t, site_title)
    if with_places:
        words = places_wording(words, t)
    tutorials = common.ordered(tutorials)
    files = {
        "index.html": index_page(tutorials, t, words),
        "search-index.json": search_index(tutorials, t),
        "search.js": SEARCH_JS,
        "style.css": STYLE_CSS,
    }
    for tutorial in tutorials:
        files[tutorial_path(tutorial)] = tutorial_page(tutorial, t, words)
    for group in common.theme_groups(tutorials, t):
        if group.slug:
            files[theme_path(group.slug)] = group_page(group, t, words)
    for group in common.skill_groups(tutorials, t):
        if group.slug:
            files[skill_path(group.slug)] = group_page(group, t, words)
    return files
