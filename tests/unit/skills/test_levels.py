"""Declared levels: parsing words and splitting them off skill items."""

from __future__ import annotations

import pytest

from skills import DEFAULT_LEVEL, SkillLevel, parse_level, split_level

TEACHING = [
    "former",
    "je peux former",
    "formateur",
    "formatrice",
    "enseigner",
    "expert",
    "teach",
    "can teach",
    "teaching",
    "Je peux Former",
    "EXPERTE",
    "I can teach",
]
PRACTISING = [
    "pratique",
    "je pratique",
    "pratiquer",
    "practise",
    "practice",
    "practising",
    "practicing",
    "J'utilise",
]
DISCOVERING = ["découvre", "je découvre", "découverte", "decouverte", "debutant", "débutante",
               "discover", "discovering", "beginner", "Débutant"]  # fmt: skip


@pytest.mark.parametrize("word", TEACHING)
def test_teaching_words(word: str) -> None:
    assert parse_level(word) is SkillLevel.TEACHING


@pytest.mark.parametrize("word", PRACTISING)
def test_practising_words(word: str) -> None:
    assert parse_level(word) is SkillLevel.PRACTISING


@pytest.mark.parametrize("word", DISCOVERING)
def test_discovering_words(word: str) -> None:
    assert parse_level(word) is SkillLevel.DISCOVERING


@pytest.mark.parametrize("word", ["", "je", "tricot", "xyz", "ameli", "je peux", "pas du tout"])
def test_unknown_words(word: str) -> None:
    assert parse_level(word) is None


def test_weights_and_default() -> None:
    assert [level.weight for level in SkillLevel] == [1, 2, 4]
    assert DEFAULT_LEVEL is SkillLevel.PRACTISING
    assert SkillLevel("teaching") is SkillLevel.TEACHING


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("ameli (former)", ("ameli", SkillLevel.TEACHING)),
        ("ameli(former)", ("ameli", SkillLevel.TEACHING)),
        ("  Canva [expert] ", ("Canva", SkillLevel.TEACHING)),
        ("ameli : je pratique", ("ameli", SkillLevel.PRACTISING)),
        ("Démarches CAF: débutante", ("Démarches CAF", SkillLevel.DISCOVERING)),
        ("wordpress", ("wordpress", None)),
        ("scribus (xyz)", ("scribus (xyz)", None)),
        ("France Titres (ex-ANTS)", ("France Titres (ex-ANTS)", None)),
        ("(former)", ("(former)", None)),
        ("ameli : CAF", ("ameli : CAF", None)),
        ("", ("", None)),
    ],
)
def test_split_level(item: str, expected: tuple[str, SkillLevel | None]) -> None:
    assert split_level(item) == expected
