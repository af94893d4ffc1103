"""Matching one typed phrase to one skill, and "did you mean" suggestions."""

from __future__ import annotations

import pytest

from skills import RECOGNISED, SUGGEST, SkillMatcher, Taxonomy, default_matcher, load_taxonomy


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return default_matcher()


def test_default_matcher_is_cached(matcher: SkillMatcher) -> None:
    assert default_matcher() is matcher
    assert matcher.taxonomy is load_taxonomy()


@pytest.mark.parametrize(
    ("phrase", "slug"),
    [
        # exact labels and aliases, any case or accents
        ("WordPress", "wordpress"),
        ("WORDPRESS", "wordpress"),
        ("Calaméo", "calameo"),
        ("calameo", "calameo"),
        ("démarches CAF", "caf"),
        ("demarches caf", "caf"),
        ("allocations familiales", "caf"),
        ("sécu", "ameli"),
        ("assurance maladie", "ameli"),
        ("CPF", "mon-compte-formation"),
        ("france-titres", "france-titres"),
        ("digcomp-3-4", "digcomp-3-4"),
        ("Programmer", "digcomp-3-4"),
        # old names
        ("Pôle emploi", "france-travail"),
        ("pole emploi", "france-travail"),
        ("ANTS", "france-titres"),
        ("l'ANTS", "france-titres"),
        ("la sécu", "ameli"),
        ("les réseaux sociaux", "reseaux-sociaux"),
        ("Mon compte formation", "mon-compte-formation"),
        # misspellings (listed as aliases or caught by stems / fuzzy matching)
        ("wordpres", "wordpress"),
        ("Word Press", "wordpress"),
        ("wordpresse", "wordpress"),
        ("scribuss", "scribus"),
        ("scrybus", "scribus"),
        ("amelie", "ameli"),
        ("libre office", "libreoffice"),
        ("Libre-Office", "libreoffice"),
        ("impot gouv", "impots-gouv"),
        ("impôts.gouv.fr", "impots-gouv"),
        ("Open Street Map", "openstreetmap"),
        ("linkdin", "linkedin"),
        ("tablettes", "tablette"),
        ("réseau social", "reseaux-sociaux"),
        ("identites numeriques", "identite-numerique"),
        # English labels
        ("tax website", "impots-gouv"),
        ("Online job search", "recherche-emploi"),
        ("Social networks", "reseaux-sociaux"),
        ("Protecting personal data and privacy", "digcomp-4-2"),
    ],
)
def test_match(matcher: SkillMatcher, phrase: str, slug: str) -> None:
    found = matcher.match(phrase)
    assert found is not None, phrase
    assert found.skill.slug == slug
    assert RECOGNISED <= found.confidence <= 1.0


def test_exact_match_is_certain(matcher: SkillMatcher) -> None:
    found = matcher.match("Démarches CAF")
    assert found is not None
    assert found.confidence == 1.0 and found.matched == "démarches caf"


def test_fuzzy_match_is_less_certain(matcher: SkillMatcher) -> None:
    found = matcher.match("scrybus")
    assert found is not None and found.confidence < 1.0


@pytest.mark.parametrize(
    "phrase",
    [
        "tricot",
        "xyz",
        "bido",
        "ca",
        "ab",
        "",
        "   ",
        "?!",
        "café",
        "cuisine",
        "formation",
        "france",
    ],
)
def test_unknown_phrases(matcher: SkillMatcher, phrase: str) -> None:
    assert matcher.match(phrase) is None


@pytest.mark.parametrize("phrase", ["ca", "pi", "wd", "cfa", "amz"])
def test_short_inputs_only_match_exactly(matcher: SkillMatcher, phrase: str) -> None:
    assert matcher.match(phrase) is None
    assert matcher.suggest(phrase) == []


def test_suggest(matcher: SkillMatcher) -> None:
    suggestions = matcher.suggest("wordpr")
    assert "wordpress" in [s.skill.slug for s in suggestions]
    assert len(suggestions) <= 3
    confidences = [s.confidence for s in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert all(c >= SUGGEST for c in confidences)
    assert len({s.skill.slug for s in suggestions}) == len(suggestions)


def test_suggest_below_recognition(matcher: SkillMatcher) -> None:
    assert matcher.match("café") is None
    assert [s.skill.slug for s in matcher.suggest("café")] == ["caf"]


def test_suggest_limit(matcher: SkillMatcher) -> None:
    assert len(matcher.suggest("google", limit=5)) <= 5
    assert matcher.suggest("google", limit=0) == []
    assert matcher.suggest("xyz") == []


def test_a_matcher_given_a_loader_reads_the_taxonomy_only_when_first_needed() -> None:
    loads: list[int] = []

    def load() -> Taxonomy:
        loads.append(1)
        return load_taxonomy()

    lazy = SkillMatcher(load)
    assert loads == []  # built, as `App.build` does for every command, without reading it
    found = lazy.match("wordpress")
    assert found is not None and found.skill.slug == "wordpress"
    assert lazy.taxonomy.get("wordpress") is not None
    assert loads == [1]
