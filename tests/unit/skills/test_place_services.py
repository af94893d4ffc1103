"""The schema's services: the file is valid, needs and skills reach the right service."""

from __future__ import annotations

import pytest

from skills import TaxonomyError, default_catalog, default_matcher
from skills.places import parse_catalog

CATALOG = default_catalog()


def test_nine_services_with_distinct_bits_in_the_schemas_wording() -> None:
    assert len(CATALOG.services) == 9
    assert len({s.bit for s in CATALOG}) == 9
    assert CATALOG.get("demarches").label == "Aide aux démarches administratives"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("need", "slug"),
    [
        ("ameli", "demarches"),
        ("CAF", "demarches"),
        ("impôts", "demarches"),
        ("impots", "demarches"),
        ("déclaration d'impots en ligne", "demarches"),
        ("demarhces", "demarches"),
        ("scanner", "acces-materiel"),
        ("scaner un document", "acces-materiel"),
        ("ordinateur", "acces-materiel"),
        ("imprimer une attestation", "acces-materiel"),
        ("wifi", "acces-materiel"),
        ("pôle emploi", "insertion-pro"),
        ("CV", "insertion-pro"),
        ("arnaque", "securite"),
        ("pronote", "parentalite"),
        ("smartphone", "outils-quotidien"),
        ("ordinateur reconditionné", "materiel-solidaire"),
    ],
)
def test_needs_reach_services(need: str, slug: str) -> None:
    found = CATALOG.read_need(need)
    assert found and found[0].slug == slug, [s.slug for s in found]


def test_each_services_short_name_reads_back_as_itself() -> None:
    for service in CATALOG:
        assert CATALOG.read_need(service.aliases[0])[0] == service, service.slug


def test_every_taxonomy_service_or_tool_of_everyday_themes_reaches_a_service() -> None:
    for slug in (
        "ameli",
        "caf",
        "impots-gouv",
        "france-travail",
        "imprimante-scanner",
        "ordinateur",
    ):
        skill = default_matcher().taxonomy.get(slug)
        assert skill is not None and CATALOG.for_skill(skill), slug


def test_unknown_needs_and_names() -> None:
    assert CATALOG.read_need("tricot") == []
    assert CATALOG.named("Tricot") is None
    assert CATALOG.named("ACCES INTERNET ET MATERIEL INFORMATIQUE").slug == "acces-materiel"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "broken",
    [
        '[[service]]\nslug="a"\nbit=3\nlabel="A"\nlabel_en="A"\n',
        '[[service]]\nslug="a"\nbit=1\nlabel="A"\nlabel_en="A"\nskills=["nope"]\n',
        '[[service]]\nslug="a"\nbit=1\nlabel="A"\nlabel_en="A"\n[[service]]\nslug="b"\nbit=1\nlabel="B"\nlabel_en="B"\n',
    ],
)
def test_a_broken_services_file_is_refused(broken: str) -> None:
    with pytest.raises(TaxonomyError):
        parse_catalog(broken, default_matcher())
