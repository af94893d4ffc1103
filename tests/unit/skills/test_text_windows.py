"""Reading a text only through the windows that can match changes no result.

`find_in_text` looks up exactly only the windows that start with the first word of a form
found in free text (up to that form's length), and by stems or fuzzily only the windows that
start and end on a content word. A matcher that reads every window, as before, must find the
same skills at the same places in any text: the corpus's, and texts made of the taxonomy's
own words (misspelt or not) among stop words.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from skills import default_matcher, load_taxonomy
from skills.matching import SkillMatcher, _framed
from skills.normalize import STOP_WORDS

CORPUS = tomllib.loads(
    (Path(__file__).resolve().parents[2] / "data" / "tutorial_corpus.toml").read_text("utf-8")
)


class EveryWindow(SkillMatcher):
    """The matcher as it read texts before: every window up to the widest form."""

    def _every(self, tokens: list[str]) -> Iterator[tuple[int, int]]:
        for size in range(min(self._indexes.window, len(tokens)), 0, -1):
            for start in range(len(tokens) - size + 1):
                yield start, start + size

    def _exact_windows(self, tokens: list[str]) -> Iterator[tuple[int, int]]:
        return self._every(tokens)

    def _framed_windows(self, tokens: list[str]) -> Iterator[tuple[int, int]]:
        return ((s, e) for s, e in self._every(tokens) if _framed(tokens[s:e]))


MATCHER = default_matcher()
EVERY_WINDOW = EveryWindow(load_taxonomy)
WORDS = sorted(
    {
        word
        for skill in MATCHER.taxonomy
        for form in (skill.label_fr, skill.label_en, skill.slug, *skill.aliases)
        for word in form.split()
    }
)


def _found(matcher: SkillMatcher, text: str) -> list[tuple[str, float, str, tuple[int, int]]]:
    return [(m.skill.slug, m.confidence, m.matched, m.span) for m in matcher.find_in_text(text)]


def test_the_corpus_texts_find_the_same_skills() -> None:
    texts = [
        entry[field]
        for entries in CORPUS.values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
        for field in ("problem", "solution", "title")
        if isinstance(entry.get(field), str)
    ]
    assert len(texts) > 100
    for text in texts:
        assert _found(MATCHER, text) == _found(EVERY_WINDOW, text)


def _misspelt(word: str, at: int, letter: str) -> str:
    position = at % (len(word) + 1)
    return word[:position] + letter + word[position + 1 :]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(WORDS),
            st.sampled_from(sorted(STOP_WORDS)),
            st.builds(
                _misspelt, st.sampled_from(WORDS), st.integers(0, 20), st.sampled_from("aeinrst")
            ),
        ),
        min_size=1,
        max_size=24,
    )
)
def test_texts_of_skill_words_find_the_same_skills(words: list[str]) -> None:
    text = " ".join(words)
    assert _found(MATCHER, text) == _found(EVERY_WINDOW, text)
