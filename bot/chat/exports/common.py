"""What every export format shares: order, grouping, file names, dates and common wording.

Everything here is deterministic: tutorials are ordered by number, groups by their translated
name then slug, and no function looks at the clock.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.chat.dates import day_text
from bot.chat.i18n import N_, Translator
from bot.chat.themes import theme_name
from bot.core.types import Tutorial, TutorialSkill, TutorialStatus
from skills import fold, slugify

ETALAB_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
"""Where the Licence Ouverte / Etalab 2.0 is published."""

STATUS_NAMES = {
    TutorialStatus.DRAFT: N_("draft"),
    TutorialStatus.REVIEW: N_("awaiting review"),
    TutorialStatus.PUBLISHED: N_("published"),
    TutorialStatus.OUTDATED: N_("outdated"),
}

_SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Spaces and everything `str.splitlines` breaks on, but not the no-break spaces of French.
_BREAKS = re.compile("[ \t\n\r\v\f\x1c-\x1f\x85\u2028\u2029]+")


@dataclass(frozen=True, slots=True)
class Group:
    """Tutorials sharing a theme or a skill; `slug` is empty for those that have none."""

    slug: str
    name: str
    tutorials: tuple[Tutorial, ...]


@dataclass(frozen=True, slots=True)
class Wording:
    """The words of the exports in one language (English message ids)."""

    site_title: str
    problem: str
    steps: str
    no_steps: str
    about: str
    skills: str
    themes: str
    audience: str
    authors: str
    status: str
    last_checked: str
    licence: str
    index_by_theme: str
    index_by_skill: str
    other: str
    no_tutorials: str
    home: str
    back: str
    outdated_notice: str
    places: str = ""
    """The title of the "Lieux" page in the menu; empty when the export has none."""


def wording(t: Translator, site_title: str | None = None) -> Wording:
    """The words of the exports, translated; `site_title` replaces the default title."""
    return Wording(
        site_title=one_line(site_title or "") or t._("Samu numérique tutorial base"),
        problem=t._("Problem"),
        steps=t._("Steps"),
        no_steps=t._("No steps have been written yet."),
        about=t._("About this tutorial"),
        skills=t._("Skills"),
        themes=t._("Themes"),
        audience=t._("Audience"),
        authors=t._("Authors"),
        status=t._("Status"),
        last_checked=t._("Last checked"),
        licence=t._("Licence"),
        index_by_theme=t._("Index by theme"),
        index_by_skill=t._("Index by skill"),
        other=t._("Other"),
        no_tutorials=t._("No tutorial to show yet."),
        home=t._("Home"),
        back=t._("Back to the index"),
        outdated_notice=t._("This tutorial is out of date, some steps may no longer work."),
    )


def labelled(t: Translator, label: str) -> str:
    """A label followed by a colon, as the language writes it (French puts a space before)."""
    return t._("{label}:").format(label=label)


def helped_text(t: Translator, count: int) -> str:
    """How many people said the tutorial helped them."""
    return t.ngettext("This helped {count} person.", "This helped {count} people.", count).format(
        count=count
    )


def status_name(t: Translator, status: TutorialStatus) -> str:
    """The word for a tutorial status."""
    return t._(STATUS_NAMES[status])


def ordered(tutorials: Iterable[Tutorial]) -> list[Tutorial]:
    """The tutorials by number; two tutorials with the same number are an error."""
    result = sorted(tutorials, key=lambda tutorial: tutorial.id)
    for before, after in itertools.pairwise(result):
        if before.id == after.id:
            raise ValueError(f"tutorial {before.id} is given twice")
    return result


def safe_slug(text: str, fallback: str) -> str:
    """`text` if it already is an ASCII slug, else its slug, else `fallback`."""
    if _SAFE_SLUG.fullmatch(text):
        return text
    return slugify(text) or fallback


def tag_slug(slug: str) -> str:
    """A file name for a theme or skill slug; one that is not an ASCII slug gets a hash suffix.

    The suffix keeps two such slugs that fold alike (`Wi Fi`, `wi fi`) on different pages.
    """
    if _SAFE_SLUG.fullmatch(slug):
        return slug
    digest = hashlib.sha256(slug.encode("utf-8", errors="surrogatepass")).hexdigest()[:8]
    return f"{slugify(slug) or 'tag'}-{digest}"


def file_stem(tutorial: Tutorial) -> str:
    """The file name of a tutorial without extension: `0042-slug-of-the-title`."""
    return f"{tutorial.id:04d}-{safe_slug(tutorial.title, 'tutorial')}"


def skill_label(skill: TutorialSkill, locale: str) -> str:
    """The label of a skill: French for `fr`, English otherwise."""
    return one_line(skill.label_fr if locale == "fr" else skill.label_en) or skill.slug


def long_date(t: Translator, moment: datetime) -> str:
    """A date written out in the translator's language (`5 janvier 2025`)."""
    return day_text(moment.date(), t.locale)


def is_etalab(licence: str) -> bool:
    """Whether a licence is the Licence Ouverte / Etalab 2.0."""
    return licence.strip().casefold() == "etalab-2.0"


def licences(tutorials: Iterable[Tutorial]) -> list[str]:
    """The distinct licences of some tutorials, sorted."""
    return sorted({one_line(tutorial.licence) for tutorial in tutorials} - {""})


def one_line(text: str) -> str:
    """`text` on one line: runs of spaces and line breaks made one space (no-break spaces kept)."""
    return _BREAKS.sub(" ", text).strip(" ")


def paragraphs(text: str) -> list[list[str]]:
    """The paragraphs of a text (split on blank lines), each a list of its stripped lines."""
    result: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        stripped = one_line(line)
        if stripped:
            current.append(stripped)
        elif current:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


def written_steps(tutorial: Tutorial) -> list[str]:
    """The steps of a tutorial, each on one line, blank ones left out."""
    return [line for line in (one_line(step) for step in tutorial.steps) if line]


def _sort_key(name: str, slug: str) -> tuple[str, str, str]:
    return (fold(name), name, slug)


def theme_groups(tutorials: Sequence[Tutorial], t: Translator) -> list[Group]:
    """The tutorials by theme, themes by name; those without theme last, under `Other`."""
    members: dict[str, list[Tutorial]] = {}
    orphans: list[Tutorial] = []
    for tutorial in ordered(tutorials):
        themes = sorted(set(tutorial.themes))
        for theme in themes:
            members.setdefault(theme, []).append(tutorial)
        if not themes:
            orphans.append(tutorial)
    groups = [Group(slug, theme_name(t, slug), tuple(items)) for slug, items in members.items()]
    groups.sort(key=lambda group: _sort_key(group.name, group.slug))
    if orphans:
        groups.append(Group("", t._("Other"), tuple(orphans)))
    return groups


def skill_groups(tutorials: Sequence[Tutorial], t: Translator) -> list[Group]:
    """The tutorials by skill, skills by label; those without skill last, under `Other`."""
    members: dict[str, list[Tutorial]] = {}
    names: dict[str, str] = {}
    orphans: list[Tutorial] = []
    for tutorial in ordered(tutorials):
        slugs = sorted({skill.slug for skill in tutorial.skills})
        for skill in sorted(tutorial.skills, key=lambda skill: skill.slug):
            names.setdefault(skill.slug, skill_label(skill, t.locale))
        for slug in slugs:
            members.setdefault(slug, []).append(tutorial)
        if not slugs:
            orphans.append(tutorial)
    groups = [Group(slug, names[slug], tuple(items)) for slug, items in members.items()]
    groups.sort(key=lambda group: _sort_key(group.name, group.slug))
    if orphans:
        groups.append(Group("", t._("Other"), tuple(orphans)))
    return groups


def sorted_skills(tutorial: Tutorial, locale: str) -> list[TutorialSkill]:
    """The skills of a tutorial, by label, each once."""
    unique = {skill.slug: skill for skill in sorted(tutorial.skills, key=lambda s: s.slug)}
    return sorted(unique.values(), key=lambda s: _sort_key(skill_label(s, locale), s.slug))


def sorted_themes(tutorial: Tutorial, t: Translator) -> list[tuple[str, str]]:
    """The themes of a tutorial as `(slug, name)`, by name, each once."""
    pairs = [(slug, theme_name(t, slug)) for slug in set(tutorial.themes)]
    return sorted(pairs, key=lambda pair: _sort_key(pair[1], pair[0]))


def unique_texts(texts: Iterable[str], *, sort: bool) -> list[str]:
    """Free texts (audience, authors) on one line each, blank and repeated ones dropped.

    With `sort`, they are sorted (tags); otherwise they keep their order (authors).
    """
    unique = dict.fromkeys(line for line in (one_line(text) for text in texts) if line)
    return sorted(unique, key=lambda text: (fold(text), text)) if sort else list(unique)
