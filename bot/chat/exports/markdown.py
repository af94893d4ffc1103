"""Markdown export: one file per tutorial with a YAML front matter block, and an index.

The front matter is written by hand so that it is the same byte for byte on every run: keys
in a fixed order, every string a double-quoted JSON string (which YAML reads as it is), lists
as flow sequences and dates as ISO dates. Text written by members is escaped so that
Markdown shows it literally.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from bot.chat.exports import common
from bot.chat.exports.common import Wording
from bot.chat.exports.page import tutorial_page as tutorial_model
from bot.chat.i18n import Translator
from bot.core.types import Tutorial, TutorialStatus

# Characters Markdown (CommonMark and its usual extensions) may read as markup.
_SPECIAL = re.compile(r"([\\`*_\[\]()#<>|&~!{}])")
# What starts a list, a quote or a setext heading when it opens a line.
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])", re.MULTILINE)
# Characters YAML refuses raw, or reads as line breaks, that JSON leaves raw.
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def escape(text: str) -> str:
    """`text` escaped so that Markdown renders it literally."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(
        lambda match: f"{match[1]}\\{match[2]}" if match[1] is not None else f"\\{match[3]}",
        escaped,
    )


def yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted scalar (a JSON string, some characters \\u-escaped)."""
    return _YAML_UNSAFE.sub(
        lambda match: f"\\u{ord(match[0]):04x}", json.dumps(text, ensure_ascii=False)
    )


def _yaml_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(yaml_string(item) for item in items) + "]"


def front_matter(tutorial: Tutorial) -> str:
    """The YAML front matter block of a tutorial, `---` lines included."""
    fields = {
        "id": str(tutorial.id),
        "title": yaml_string(tutorial.title),
        "status": yaml_string(tutorial.status.value),
        "language": yaml_string(tutorial.language),
        "licence": yaml_string(tutorial.licence),
        "skills": _yaml_list(sorted({skill.slug for skill in tutorial.skills})),
        "themes": _yaml_list(sorted(set(tutorial.themes))),
        "audience": _yaml_list(common.unique_texts(tutorial.audience, sort=True)),
        "authors": _yaml_list(common.unique_texts(tutorial.authors, sort=False)),
        "created": tutorial.created_at.date().isoformat(),
        "updated": tutorial.updated_at.date().isoformat(),
        "checked": tutorial.checked_at.date().isoformat(),
        "source_request": "null" if tutorial.request_id is None else str(tutorial.request_id),
        "helped": str(tutorial.helped_count),
    }
    lines = [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


def _field(t: Translator, label: str, value: str) -> str:
    return f"- **{escape(common.labelled(t, label))}** {value}"


def _licence(licence: str) -> str:
    shown = escape(common.one_line(licence))
    return f"[{shown}]({common.ETALAB_URL})" if common.is_etalab(licence) else shown


def tutorial_page(tutorial: Tutorial, t: Translator, words: Wording) -> str:
    """The Markdown file of one tutorial."""
    page = tutorial_model(tutorial, t, words)
    out = [front_matter(tutorial), f"# {escape(page.title)}", ""]
    if page.outdated:
        out += [f"> **{escape(common.labelled(t, words.status))}** {escape(page.status)}. "
                f"{escape(words.outdated_notice)}", ""]  # fmt: skip
    out += [f"## {escape(words.problem)}", ""]
    for paragraph in page.problem:
        out += ["\\\n".join(escape(line) for line in paragraph), ""]  # hard line breaks
    out += [f"## {escape(words.steps)}", ""]
    out += [f"{number}. {escape(step)}" for number, step in enumerate(page.steps, 1)]
    out += [""] if page.steps else [f"*{escape(words.no_steps)}*", ""]
    out += [f"## {escape(words.about)}", ""]
    for detail in page.details:
        out.append(_field(t, detail.label, ", ".join(escape(v) for v in detail.values)))
    if page.helped is not None:
        out.append(f"- {escape(page.helped)}")
    out.append(_field(t, words.licence, _licence(page.licence)))
    out += ["", f"[{escape(words.back)}](../index.md)", ""]
    return "\n".join(out)


def _link(t: Translator, tutorial: Tutorial) -> str:
    title = escape(common.one_line(tutorial.title))
    line = f"- [{title}](tutorials/{common.file_stem(tutorial)}.md)"
    if tutorial.status is not TutorialStatus.PUBLISHED:
        line += f" *({escape(common.status_name(t, tutorial.status))})*"
    return line


def index_page(tutorials: Sequence[Tutorial], t: Translator, words: Wording) -> str:
    """`index.md`: the tutorials by theme, then by skill, with relative links."""
    out = [f"# {escape(words.site_title)}", ""]
    if not tutorials:
        out += [escape(words.no_tutorials), ""]
    for heading, groups in (
        (words.index_by_theme, common.theme_groups(tutorials, t)),
        (words.index_by_skill, common.skill_groups(tutorials, t)),
    ):
        if not groups:
            continue
        out += [f"## {escape(heading)}", ""]
        for group in groups:
            out += [f"### {escape(group.name)}", ""]
            out += [_link(t, tutorial) for tutorial in group.tutorials]
            out.append("")
    return "\n".join(out)


def export(
    tutorials: Sequence[Tutorial], t: Translator, *, site_title: str | None = None
) -> dict[str, str]:
    """The Markdown files: `index.md` and `tutorials/NNNN-slug.md`, as text by path."""
    words = common.wording(t, site_title)
    tutorials = common.ordered(tutorials)
    files = {"index.md": index_page(tutorials, t, words)}
    for tutorial in tutorials:
        files[f"tutorials/{common.file_stem(tutorial)}.md"] = tutorial_page(tutorial, t, words)
    return files
