"""The level a member declares on a skill: discovering, practising or teaching."""

from __future__ import annotations

import re
from enum import StrEnum

from skills.normalize import fold

__all__ = ["DEFAULT_LEVEL", "SkillLevel", "parse_level", "split_level"]


class SkillLevel(StrEnum):
    """How well a member knows a skill (stored by value in the database)."""

    DISCOVERING = "discovering"
    PRACTISING = "practising"
    TEACHING = "teaching"

    @property
    def weight(self) -> int:
        """Ranking weight: 1 discovering, 2 practising, 4 teaching (each level doubles, so
        that teaching the need outweighs practising it plus a side skill)."""
        return _WEIGHTS[self]


_WEIGHTS = {SkillLevel.DISCOVERING: 1, SkillLevel.PRACTISING: 2, SkillLevel.TEACHING: 4}

DEFAULT_LEVEL = SkillLevel.PRACTISING
"""The level assumed when a member names a skill without a level."""

# Folded words (no accents) after the optional "je", "je peux", "i can"... prefix.
_WORDS: dict[str, SkillLevel] = {
    **dict.fromkeys(
        (
            "former", "forme", "formateur", "formatrice", "enseigner", "enseigne",
            "expert", "experte", "transmettre", "teach", "teaching", "teacher", "trainer",
        ),
        SkillLevel.TEACHING,
    ),
    **dict.fromkeys(
        (
            "pratique", "pratiquer", "pratiquant", "pratiquante", "utilise", "utiliser",
            "practise", "practice", "practising", "practicing", "use",
        ),
        SkillLevel.PRACTISING,
    ),
    **dict.fromkeys(
        (
            "decouvre", "decouvrir", "decouverte", "debutant", "debutante", "debute",
            "debuter", "apprends", "apprendre", "discover", "discovering", "beginner", "learning",
        ),
        SkillLevel.DISCOVERING,
    ),
}  # fmt: skip
_PREFIXES = ("je peux ", "je sais ", "je ", "j ", "i can ", "can ", "i ")
_TRAILING_PARENS = re.compile(r"^(?P<head>.*?)\s*[(\[](?P<level>[^()\[\]]*)[)\]]\s*$", re.DOTALL)
_TRAILING_COLON = re.compile(r"^(?P<head>[^:]*?)\s*:\s*(?P<level>[^:]*)$", re.DOTALL)


def parse_level(text: str) -> SkillLevel | None:
    """Read a level word, French or English, accents and "je (peux)" optional.

    >>> parse_level("Je peux former")
    <SkillLevel.TEACHING: 'teaching'>
    >>> parse_level("débutante")
    <SkillLevel.DISCOVERING: 'discovering'>
    """
    folded = fold(text)
    if folded in _WORDS:
        return _WORDS[folded]
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            return _WORDS.get(folded.removeprefix(prefix))
    return None


def split_level(item: str) -> tuple[str, SkillLevel | None]:
    """Split a trailing level off a declared skill.

    Only a recognised level in trailing parentheses/brackets or after a colon
    is split off: ``"ameli (former)"`` gives ``("ameli", TEACHING)``,
    ``"ameli : je pratique"`` gives ``("ameli", PRACTISING)``, while
    ``"scribus (xyz)"`` stays ``("scribus (xyz)", None)``.
    """
    stripped = item.strip()
    for pattern in (_TRAILING_PARENS, _TRAILING_COLON):
        found = pattern.match(stripped)
        if found and found["head"].strip():
            level = parse_level(found["level"])
            if level is not None:
                return found["head"].strip(), level
    return stripped, None
