"""Comparing a phrase only with the choices of a reachable length, their words sorted
beforehand (plain Indel similarity instead of token_sort_ratio), changes no result."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from skills import default_matcher
from skills.matching import _EXTRACT_FUZZY, RECOGNISED, SUGGEST, SkillMatcher
from skills.normalize import fold

MATCHER = default_matcher()
CORPUS = tomllib.loads(
    (Path(__file__).resolve().parents[2] / "data" / "tutorial_corpus.toml").read_text("utf-8")
)


def _everything(matcher: SkillMatcher, folded: str, limit: int, cutoff: float) -> list[object]:
    """The fuzzy lookup over every choice by token_sort_ratio, as before the length filter
    and the sorted choices."""
    damping = 0.9 if len(folded) <= 5 else 1.0
    found = process.extract(
        folded,
        matcher._indexes.fuzzy_choices,
        scorer=fuzz.token_sort_ratio,
        processor=None,
        limit=limit,
        score_cutoff=100 * cutoff / damping,
    )
    return [
        (matcher._indexes.fuzzy_forms[i], round(score / 100 * damping, 4)) for _, score, i in found
    ]


def _windows() -> list[str]:
    texts = [
        entry["problem"]
        for entries in CORPUS.values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict) and "problem" in entry
    ]
    phrases: set[str] = set()
    for text in texts:
        tokens = fold(text).split()
        for size in (1, 2, 3):
            phrases.update(" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1))
    return sorted(phrases)


def test_every_window_of_the_corpus_finds_the_same_choices() -> None:
    windows = _windows()
    assert len(windows) > 1000
    for phrase in windows:
        for cutoff in (_EXTRACT_FUZZY, RECOGNISED, SUGGEST):
            assert MATCHER._fuzzy(phrase, 5, cutoff) == _everything(MATCHER, phrase, 5, cutoff)


@settings(max_examples=300, deadline=None)
@given(
    choice=st.sampled_from(MATCHER._indexes.fuzzy_choices),
    edits=st.lists(st.tuples(st.integers(0, 40), st.sampled_from("abcdeéilmnorstu ")), max_size=4),
    cutoff=st.sampled_from([_EXTRACT_FUZZY, RECOGNISED, SUGGEST]),
    limit=st.integers(1, 12),
)
def test_misspelt_skill_names_find_the_same_choices(
    choice: str, edits: list[tuple[int, str]], cutoff: float, limit: int
) -> None:
    text = choice
    for position, letter in edits:
        at = position % (len(text) + 1)
        text = (
            text[:at] + letter + text[at + 1 :] if position % 2 else text[:at] + letter + text[at:]
        )
    phrase = fold(text)
    if phrase:
        assert MATCHER._fuzzy(phrase, limit, cutoff) == _everything(MATCHER, phrase, limit, cutoff)
