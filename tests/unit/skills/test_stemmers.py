"""PyStemmer (Snowball in C) gives the stems Snowball's pure-Python stemmers gave.

The SQLite search index stores stems computed when each tutorial was written, by
`snowballstemmer` before PyStemmer took its place: a query must still find them. The words
compared are the application's own texts (skills, catalogs, demo tutorials) and every tenth
word form of simplemma's French and English dictionaries (~60,000 words).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import simplemma.strategies.dictionaries.dictionary_factory as dictionaries
from snowballstemmer.english_stemmer import EnglishStemmer
from snowballstemmer.french_stemmer import FrenchStemmer

import bot
import skills
from skills.normalize import fold, snowball, stem
from skills.text_search import stem_in

_WORD = re.compile(r"[^\W\d_]{2,}")
_PURE = {"french": FrenchStemmer, "english": EnglishStemmer}


def _texts() -> Iterator[str]:
    """The application's own texts: the skills' taxonomy, the catalogs, the demo content."""
    yield from (path.read_text("utf-8") for path in Path(skills.__file__).parent.glob("data/*"))
    root = Path(bot.__file__).parent
    yield from (path.read_text("utf-8") for path in root.glob("chat/locales/*/LC_MESSAGES/*.po"))
    yield from (path.read_text("utf-8") for path in root.glob("core/demo*.py"))


def _dictionary_words(language: str) -> set[str]:
    """Every tenth word form of simplemma's dictionary of a language, with the lemmas."""
    found: set[str] = set()
    entries = dictionaries.DefaultDictionaryFactory().get_dictionary(language).items()
    for number, entry in enumerate(sorted(entries)):
        if number % 10 == 0:
            found.update(w.decode() if isinstance(w, bytes) else w for w in entry)
    return found


@pytest.mark.parametrize(("algorithm", "language"), [("french", "fr"), ("english", "en")])
def test_pystemmer_gives_the_pure_python_stems(algorithm: str, language: str) -> None:
    own = {word for text in _texts() for word in _WORD.findall(text.casefold())}
    words = sorted({fold(word) for word in own} | own | _dictionary_words(language))
    assert len(words) > 15_000
    pure, ours = _PURE[algorithm](), snowball(algorithm)
    different = [(w, ours.stemWord(w), pure.stemWord(w)) for w in words]
    assert [row for row in different if row[1] != row[2]] == []


def test_the_stems_the_application_reads() -> None:
    assert stem("accompagnement") == "accompagn"
    assert stem_in("fr", "demarches") == "demarch"
    assert stem_in("en", "printing") == "print"
    assert snowball("french") is snowball("french")
