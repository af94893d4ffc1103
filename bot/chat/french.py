"""French elision before a name: "de la part d'Amina", "de Karim", "en tant qu'Émile".

A French message cannot write "de {name}": the right word depends on the name. The French
translation writes the placeholder with a format spec instead — `{name:de}`, `{name:que}` —
and the English message keeps a plain `{name}`, so both have the same placeholders:

    msgid  "Message from {name} about request {number}:"
    msgstr "Message de la part {name:de} sur la demande {number} :"

`Translator` returns such a translation as an :class:`ElidingText`, whose `format` knows the
specs (a plain `str.format` would refuse them). The rule is conservative: a name is elided
before a vowel (accented or not) and before the silent h of a short list of first names;
"y", other h, digits and anything unsure keep the full word ("de Yasmine", "de Hakim").
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

VOWELS = frozenset("aeiouœæ")
SILENT_H_NAMES = frozenset(
    {"hector", "hélène", "héloïse", "henri", "henriette", "hervé", "hippolyte", "honoré",
     "hortense", "hubert", "hugo", "hugues", "hélie", "hermine"}
)  # fmt: skip
"""First names with a silent h ("d'Hugo"); any other h keeps "de" (the safe choice)."""

WORDS = {"de": "d'", "que": "qu'", "le": "l'", "la": "l'"}
"""The words that drop their vowel before a vowel sound, and their short form."""


def elides(name: str) -> bool:
    """Whether a name (or a place, a word) starts with a vowel sound for French elision."""
    text = name.strip()
    if not text:
        return False
    first = unicodedata.normalize("NFD", text[0].lower())[0]
    if first in VOWELS:
        return True
    if first == "h":
        word = text.split()[0].split("-")[0].lower()
        return word in SILENT_H_NAMES
    return False


def with_word(word: str, name: str) -> str:
    """`word` ("de", "que", "le", "la") then `name`, elided when French requires it."""
    if word not in WORDS:
        raise ValueError(f"no elision rule for {word!r}")
    text = name.strip()
    return f"{WORDS[word]}{text}" if elides(text) else f"{word} {text}"


def de(name: str) -> str:
    """ "d'Amina", "d'Émile", "de Karim"."""
    return with_word("de", name)


def que(name: str) -> str:
    """ "qu'Amina", "que Karim"."""
    return with_word("que", name)


class _ElidingFormatter(string.Formatter):
    """`str.format` plus the specs `de`, `que`, `le` and `la` (on any value, as text)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in WORDS:
            return with_word(format_spec, str(value))
        return str(super().format_field(value, format_spec))


_FORMATTER = _ElidingFormatter()


class ElidingText(str):
    """A translated message whose placeholders may carry an elision spec (`{name:de}`)."""

    __slots__ = ()

    def format(self, *args: object, **kwargs: object) -> str:
        """Like `str.format`; `{name:de}` gives "d'Amina" or "de Karim"."""
        return _FORMATTER.vformat(str(self), args, kwargs)

    def format_map(self, mapping: Mapping[str, Any]) -> str:  # type: ignore[override]
        """Like `str.format_map`, with the elision specs."""
        return _FORMATTER.vformat(str(self), (), mapping)


def uses_elision(text: str) -> bool:
    """Whether a message has a placeholder with an elision spec."""
    try:
        fields: Sequence[tuple[str, str | None, str | None, str | None]] = list(
            string.Formatter().parse(text)
        )
    except ValueError:
        return False
    return any(name is not None and spec in WORDS for _, name, spec, _ in fields)


def eliding(text: str) -> str:
    """`text` itself, able to format its elision specs if it has any."""
    return ElidingText(text) if uses_elision(text) else text
