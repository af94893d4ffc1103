"""DokuWiki export: one page per tutorial and a `start` page linking them by theme.

The pages are written for the namespace `namespace` (`samu:tutoriels` by default): copy the
`pages/` folder into the wiki's `data/pages/<namespace as folders>/` (for the default,
`data/pages/samu/tutoriels/`), then let DokuWiki rebuild its search index (for instance
`bin/indexer.php`). Page names are the file names: lowercase ASCII, digits and `-`.

Text written by members is wrapped in `<nowiki>…</nowiki>` unless it is plain words, and a
`<` that would open or close a nowiki block inside it is written outside (`%%<%%`), so the
text can never end the block early. Headings are plain text in DokuWiki and need no escaping.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.chat.exports import common
from bot.chat.exports.common import Wording
from bot.chat.exports.page import tutorial_page as tutorial_model
from bot.chat.i18n import Translator
from bot.core.types import Tutorial, TutorialStatus

DEFAULT_NAMESPACE = "samu:tutoriels"
"""The namespace the links point into unless told otherwise."""

_NAMESPACE = re.compile(r"[a-z0-9_.-]+(?::[a-z0-9_.-]+)*")
_WORD = r"(?:[^\W\d_]+(?:[-'’][^\W\d_]+)*|\d+)"
# Words, single spaces and commas, one final stop or colon: nothing DokuWiki would change.
_PLAIN = re.compile(rf"{_WORD}(?:,? {_WORD})*(?:[ \u00a0\u202f]?[.?!:])?")
# Words DokuWiki shows as pictures (its default smileys).
_PICTURE_WORDS = frozenset({"FIXME", "DELETEME", "LOL"})
_NOWIKI_TAG = re.compile(r"<(?=/?nowiki>)", re.IGNORECASE)


def escape(text: str) -> str:
    """One line of member text, written so that DokuWiki shows it literally."""
    text = common.one_line(text)
    if not text or (_PLAIN.fullmatch(text) and not _PICTURE_WORDS & set(text.split())):
        return text
    inner = "</nowiki>%%<%%<nowiki>".join(_NOWIKI_TAG.split(text))
    return f"<nowiki>{inner}</nowiki>"


def link_label(text: str) -> str:
    """Text made safe as the label of a `[[page|label]]` link (shown as plain text)."""
    label = common.one_line(text)
    while "]]" in label or "{{" in label:
        label = label.replace("]]", "] ]").replace("{{", "{ {")
    return label


def heading(level: int, text: str) -> str:
    """A heading: level 1 is `====== text ======`, level 5 is `== text ==`."""
    marks = "=" * (7 - level)
    return f"{marks} {common.one_line(text)} {marks}"


def page_id(namespace: str, name: str) -> str:
    """The full id of a page of the export: `samu:tutoriels:0042-slug`."""
    return f"{namespace}:{name}" if namespace else name


def _check_namespace(namespace: str) -> str:
    cleaned = namespace.strip(":")
    if cleaned and not _NAMESPACE.fullmatch(cleaned):
        raise ValueError(f"not a DokuWiki namespace: {namespace!r}")
    return cleaned


def _licence(licence: str) -> str:
    if common.is_etalab(licence):
        return f"[[{common.ETALAB_URL}|{link_label(licence)}]]"
    return escape(licence)


def _field(t: Translator, label: str, value: str) -> str:
    return f"  * **{escape(common.labelled(t, label))}** {value}"


def tutorial_page(tutorial: Tutorial, t: Translator, words: Wording, namespace: str) -> str:
    """The DokuWiki page of one tutorial."""
    page = tutorial_model(tutorial, t, words)
    out = [heading(1, page.title), ""]
    if page.outdated:
        out += [f"**{escape(common.labelled(t, words.status))}** {escape(page.status)}. "
                f"{escape(words.outdated_notice)}", ""]  # fmt: skip
    out += [heading(2, words.problem), ""]
    for paragraph in page.problem:
        out += [" \\\\\n".join(escape(line) for line in paragraph), ""]  # forced line breaks
    out += [heading(2, words.steps), ""]
    out += [f"  - {escape(step)}" for step in page.steps]
    out += [""] if page.steps else [f"//{escape(words.no_steps)}//", ""]
    out += [heading(2, words.about), ""]
    for detail in page.details:
        out.append(_field(t, detail.label, ", ".join(escape(v) for v in detail.values)))
    if page.helped is not None:
        out.append(f"  * {escape(page.helped)}")
    out.append(_field(t, words.licence, _licence(page.licence)))
    out += ["", f"[[{page_id(namespace, 'start')}|{link_label(words.back)}]]", ""]
    return "\n".join(out)


def start_page(tutorials: Sequence[Tutorial], t: Translator, words: Wording, namespace: str) -> str:
    """The `start` page of the namespace: every tutorial, grouped by theme."""
    out = [heading(1, words.site_title), ""]
    groups = common.theme_groups(tutorials, t)
    if not groups:
        out += [escape(words.no_tutorials), ""]
    else:
        out += [heading(2, words.index_by_theme), ""]
    for group in groups:
        out += [heading(3, group.name), ""]
        for tutorial in group.tutorials:
            target = page_id(namespace, common.file_stem(tutorial))
            line = f"  * [[{target}|{link_label(tutorial.title)}]]"
            if tutorial.status is not TutorialStatus.PUBLISHED:
                line += f" (//{escape(common.status_name(t, tutorial.status))}//)"
            out.append(line)
        out.append("")
    return "\n".join(out)


def export(
    tutorials: Sequence[Tutorial],
    t: Translator,
    *,
    site_title: str | None = None,
    namespace: str = DEFAULT_NAMESPACE,
) -> dict[str, str]:
    """The DokuWiki pages: `pages/start.txt` and `pages/NNNN-slug.txt`, as text by path."""
    namespace = _check_namespace(namespace)
    words = common.wording(t, site_title)
    tutorials = common.ordered(tutorials)
    files = {"pages/start.txt": start_page(tutorials, t, words, namespace)}
    for tutorial in tutorials:
        page = tutorial_page(tutorial, t, words, namespace)
        files[f"pages/{common.file_stem(tutorial)}.txt"] = page
    return files
