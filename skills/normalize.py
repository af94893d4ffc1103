"""Pure text helpers shared by the taxonomy and the matcher.

Everything here is deterministic and free of I/O: folding (case, accents,
punctuation), tokenising, French stemming and slug making.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Protocol

__all__ = ["STOP_WORDS", "fold", "slugify", "snowball", "stem", "stems", "words"]

# Ligatures that NFKD leaves alone; ß is already handled by casefold().
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
# Anything that is not a letter or a digit (in any script) separates words.
_SEPARATORS = re.compile(r"[\W_]+")
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")
_SLUG_MAX = 60

STOP_WORDS: frozenset[str] = frozenset(
    {
        # French, already folded (no accents): articles, prepositions, pronouns...
        "a", "au", "aux", "avec", "c", "ce", "ces", "comment", "creer", "d", "dans",
        "de", "des", "du", "en", "et", "faire", "j", "je", "l", "la", "le", "les",
        "m", "ma", "me", "mes", "mon", "n", "ne", "nos", "notre", "par", "pas",
        "pour", "qu", "que", "qui", "s", "sa", "se", "ses", "son", "sur", "t",
        "ta", "tes", "ton", "un", "une", "vos", "votre",
        # ...and the few English words that show up in English labels.
        "an", "for", "how", "my", "of", "the", "to",
    }
)  # fmt: skip


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...  # the third-party method name


def fold(text: str) -> str:
    """Return ``text`` lowercased, without accents, punctuation or extra spaces.

    >>> fold("  L'Identité  Numérique — Œuvre ")
    'l identite numerique oeuvre'
    """
    lowered = text.casefold().translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", lowered)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", bare).strip()


def words(text: str) -> list[str]:
    """Return the tokens of ``fold(text)``."""
    return fold(text).split()


@functools.cache
def snowball(algorithm: str) -> _Stemmer:
    """The Snowball stemmer of a language ("french", "english"), made once.

    PyStemmer runs Snowball's C code: the same stems as the pure-Python `snowballstemmer`,
    20-30 times faster, and 1 MB resident for every language instead of 4 MB. A stemmer
    must not be called from two threads at once: the bot stems in its event loop only.
    """
    import Stemmer  # PyStemmer, loaded with the first word stemmed

    # Its own cache of 10,000 words is off: `stem` and `stem_in` remember theirs.
    stemmer: _Stemmer = Stemmer.Stemmer(algorithm, 0)
    return stemmer


@functools.lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """Return the French Snowball stem of one (already folded) word."""
    return str(snowball("french").stemWord(word))


def stems(text: str) -> list[str]:
    """Return the stems of the words of ``text``, French/English stop words dropped."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]


def slugify(text: str) -> str:
    """Return an ASCII slug (``a-z0-9`` words joined by ``-``, at most 60 chars).

    >>> slugify("Démarches CAF : l'aide !")
    'demarches-caf-l-aide'
    """
    parts = _NOT_ASCII_WORD.sub(" ", fold(text)).split()
    slug = "-".join(parts)
    if len(slug) > _SLUG_MAX:
        slug = slug[:_SLUG_MAX].rstrip("-")
    return slug
