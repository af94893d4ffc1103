"""Folding, tokenising, stemming and slugs."""

from __future__ import annotations

import pytest

from skills import fold, slugify
from skills.normalize import stem, stems, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Démarches CAF", "demarches caf"),
        ("l'ANTS", "l ants"),
        ("l\u2019ANTS", "l ants"),
        ("Œuvre cœur", "oeuvre coeur"),
        ("ÆTHER Straße", "aether strasse"),
        ("impots.gouv.fr", "impots gouv fr"),
        ("  Pôle-emploi   !! ", "pole emploi"),
        ("e-mail\tà\ncréer", "e mail a creer"),
        ("Wi-Fi_4G", "wi fi 4g"),
        ("", ""),
        ("?!…", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_words() -> None:
    assert words("Je n'arrive pas à l'ANTS") == ["je", "n", "arrive", "pas", "a", "l", "ants"]


def test_stems_drop_stop_words_and_accents_do_not_matter() -> None:
    assert stems("mon compte de l'Assurance maladie") == stems("compte assurance maladie")
    assert stems("les tablettes") == [stem("tablette")]
    assert stems("Identités numériques") == stems("identite numerique")
    assert stems("how to create my CV for the job") == stems("create cv job")
    assert stems("de la") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Démarches CAF", "demarches-caf"),
        ("L'Identité Numérique La Poste", "l-identite-numerique-la-poste"),
        ("  Œuvre & cœur  ", "oeuvre-coeur"),
        ("1 jeune 1 solution", "1-jeune-1-solution"),
        ("", ""),
        ("---", ""),
        ("日本語", ""),
    ],
)
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_slugify_is_bounded_ascii() -> None:
    slug = slugify("très long titre " * 10)
    assert len(slug) <= 60 and slug.isascii() and not slug.endswith("-")
