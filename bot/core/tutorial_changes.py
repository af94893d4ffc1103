"""What can be changed in a tutorial, and a change applied to its texts (no storage here)."""

from __future__ import annotations

import re
from dataclasses import replace
from enum import StrEnum

from bot.core.errors import InvalidValue
from bot.core.types import Tutorial
from skills import fold
from skills.taxonomy import THEMES

MAX_STEPS = 20
TITLE_MAX = 200
AUDIENCE_MAX = 200
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}\s*[.)/-]|étape\s*\d+\s*:?)\s*", re.IGNORECASE)


class Field(StrEnum):
    """What can be changed in a tutorial."""

    TITLE = "title"
    PROBLEM = "problem"
    STEPS = "steps"
    ADD_STEP = "add_step"
    THEMES = "themes"
    AUDIENCE = "audience"


def split_steps(text: str) -> list[str]:
    """Steps typed one per line, without the bullets or numbers people put in front."""
    steps = [_BULLET.sub("", line).strip() for line in text.splitlines()]
    return [step for step in steps if step][:MAX_STEPS]


def with_change(tutorial: Tutorial, field: Field, value: str) -> Tutorial:
    """The tutorial with one part changed as typed; InvalidValue for themes it does not know."""
    if field is Field.THEMES:
        themes = [word for word in fold(value).replace("-", " ").split() if word in THEMES]
        themes += ["reseaux-sociaux"] if "reseaux sociaux" in fold(value) else []
        if not themes:
            raise InvalidValue("themes")
        return replace(tutorial, themes=tuple(dict.fromkeys(themes)))
    if field is Field.AUDIENCE:
        tags = [tag.strip() for tag in value.split(",") if tag.strip()]
        return replace(tutorial, audience=tuple(tags))
    if field is Field.STEPS:
        return replace(tutorial, steps=tuple(split_steps(value)))
    if field is Field.ADD_STEP:
        return replace(tutorial, steps=tuple([*tutorial.steps, *split_steps(value)][:MAX_STEPS]))
    if field is Field.TITLE:
        return replace(tutorial, title=value.strip()[:TITLE_MAX])
    return replace(tutorial, problem=value.strip())
