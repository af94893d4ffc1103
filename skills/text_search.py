"""Text analysis for the tutorial base's full-text search (pure, shared by both backends).

Indexed text and queries go through the same steps: fold (case, accents), split into
words, drop stop words, stem with Snowball in the entry's language. PostgreSQL does the
same with its ``french``/``english`` configurations behind ``unaccent``; the stop-word list
here includes PostgreSQL's so that a query means the same thing on both databases.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from skills.normalize import STOP_WORDS, fold, snowball

__all__ = [
    "LANGUAGES",
    "SEARCH_STOP_WORDS",
    "QueryTerm",
    "index_words",
    "query_words",
    "stem_in",
    "stemmed_text",
    "typo_distance",
]

LANGUAGES = ("fr", "en")
_SNOWBALL = {"fr": "french", "en": "english"}
MIN_WORD = 2
MAX_WORD = 64

# PostgreSQL's French and English stop words (folded), plus the matcher's own.
_POSTGRES_STOP_WORDS = """
au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me
meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te
tes toi ton tu un une vos votre vous c d j l a m n s t y ete etee etees etes etant etante
etants etantes suis es est sommes sont serai seras sera serons serez seront serais serait
serions seriez seraient etais etait etions etiez etaient fus fut fumes futes furent sois
soit soyons soyez soient fusse fusses fussions fussiez fussent ayant ayante ayantes ayants
eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais aurait
aurions auriez auraient avais avait avions aviez avaient eut eumes eutes eurent aie aies
ait ayons ayez aient eusse eusses eussions eussiez eussent
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
she her hers herself it its itself they them their theirs themselves what which who whom
this that these those am is are was were be been being have has had having do does did
doing an the and but if or because as until while of at by for with about against between
into through during before after above below to from up down in out on off over under
again further then once here there when where why how all any both each few more most
other some such no nor not only own same so than too very can will just don should now
"""
SEARCH_STOP_WORDS: frozenset[str] = STOP_WORDS | frozenset(_POSTGRES_STOP_WORDS.split())


@functools.lru_cache(maxsize=65536)
def stem_in(language: str, word: str) -> str:
    """The Snowball stem of one folded word in a language (`fr` or `en`)."""
    return str(snowball(_SNOWBALL.get(language, "french")).stemWord(word))


def _content_words(text: str) -> list[str]:
    return [
        word
        for word in fold(text).split()
        if MIN_WORD <= len(word) <= MAX_WORD and word not in SEARCH_STOP_WORDS
    ]


def index_words(text: str) -> list[str]:
    """The folded content words of a text, in order (for the typo vocabulary)."""
    return _content_words(text)


def stemmed_text(text: str, language: str) -> str:
    """The text as the index stores it: stems of its content words, space-separated."""
    return " ".join(stem_in(language, word) for word in _content_words(text))


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One word of a query: the folded forms that may match it (the word, a typo fix)."""

    forms: tuple[str, ...]

    def stems(self) -> tuple[str, ...]:
        """Every stem the forms take in every language, without repeats, in a fixed order."""
        seen: dict[str, None] = {}
        for form in self.forms:
            for language in LANGUAGES:
                seen.setdefault(stem_in(language, form), None)
        return tuple(seen)


def query_words(text: str, limit: int = 12) -> list[str]:
    """The distinct content words of a query, in order, at most `limit`."""
    seen: dict[str, None] = {}
    for word in _content_words(text):
        seen.setdefault(word, None)
    return list(seen)[:limit]


def typo_distance(word: str) -> int:
    """How many edits a misspelt query word may be from a known word (0: never corrected)."""
    if len(word) < 5 or word.isdigit():
        return 0
    return 1 if len(word) < 9 else 2
