"""One tutorial's page as every export shows it: what it says, and in which order.

The Markdown, DokuWiki and HTML writers take this model and only choose the markup, so a
field added here appears in every format, in the same place. Every text is plain (not
escaped) and on one line; each writer escapes it its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum, auto

from bot.chat.exports import common
from bot.chat.exports.common import Wording
from bot.chat.i18n import Translator
from bot.core.types import Tutorial, TutorialStatus


class Fact(Enum):
    """What a line of "About this tutorial" says."""

    SKILLS = auto()
    THEMES = auto()
    AUDIENCE = auto()
    AUTHORS = auto()
    STATUS = auto()
    LAST_CHECKED = auto()


@dataclass(frozen=True, slots=True)
class Detail:
    """A line of "About this tutorial": its label and its values."""

    fact: Fact
    label: str
    values: tuple[str, ...]
    slugs: tuple[str, ...] = ()
    """For skills and themes, the slug of each value (the page a format may link to)."""


@dataclass(frozen=True, slots=True)
class TutorialPage:
    """A tutorial as its page shows it, top to bottom."""

    title: str
    status: str
    outdated: bool
    problem: tuple[tuple[str, ...], ...]
    """The problem's paragraphs, each a tuple of its lines."""
    steps: tuple[str, ...]
    details: tuple[Detail, ...]
    checked_at: datetime
    helped: str | None
    """How many people it helped, written out; None before anyone said so."""
    licence: str


def tutorial_page(tutorial: Tutorial, t: Translator, words: Wording) -> TutorialPage:
    """What the page of `tutorial` says, in the translator's language."""
    status = common.status_name(t, tutorial.status)
    details: list[Detail] = []
    if skills := common.sorted_skills(tutorial, t.locale):
        labels = tuple(common.skill_label(skill, t.locale) for skill in skills)
        details.append(Detail(Fact.SKILLS, words.skills, labels, tuple(s.slug for s in skills)))
    if themes := common.sorted_themes(tutorial, t):
        names = tuple(name for _, name in themes)
        details.append(Detail(Fact.THEMES, words.themes, names, tuple(s for s, _ in themes)))
    if audience := common.unique_texts(tutorial.audience, sort=True):
        details.append(Detail(Fact.AUDIENCE, words.audience, tuple(audience)))
    if authors := common.unique_texts(tutorial.authors, sort=False):
        details.append(Detail(Fact.AUTHORS, words.authors, tuple(authors)))
    details.append(Detail(Fact.STATUS, words.status, (status,)))
    checked = common.long_date(t, tutorial.checked_at)
    details.append(Detail(Fact.LAST_CHECKED, words.last_checked, (checked,)))
    helped = tutorial.helped_count
    return TutorialPage(
        title=common.one_line(tutorial.title),
        status=status,
        outdated=tutorial.status is TutorialStatus.OUTDATED,
        problem=tuple(tuple(lines) for lines in common.paragraphs(tutorial.problem)),
        steps=tuple(common.written_steps(tutorial)),
        details=tuple(details),
        checked_at=tutorial.checked_at,
        helped=common.helped_text(t, helped) if helped > 0 else None,
        licence=tutorial.licence,
    )
