"""The packaged taxonomy loads, is complete and unambiguous; bad data is refused."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from importlib import resources

import pytest

from skills import SkillKind, TaxonomyError, fold, load_taxonomy
from skills.matching import _forms
from skills.taxonomy import THEMES, parse_taxonomy

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_loads_once_with_version() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy is load_taxonomy()
    assert taxonomy.version == "2026.11.1"
    assert [area.code for area in taxonomy.areas] == ["1", "2", "3", "4", "5"]


def test_counts_by_kind() -> None:
    kinds = Counter(skill.kind for skill in load_taxonomy())
    assert kinds[SkillKind.COMPETENCE] == 21
    assert kinds[SkillKind.TOOL] + kinds[SkillKind.SERVICE] >= 60


def test_digcomp_competences_cover_the_framework() -> None:
    competences = [s for s in load_taxonomy() if s.kind is SkillKind.COMPETENCE]
    codes = sorted(s.digcomp[0] for s in competences)
    per_area = Counter(code.split(".")[0] for code in codes)
    assert per_area == {"1": 3, "2": 6, "3": 4, "4": 4, "5": 4}
    assert all(s.crcn for s in competences)
    assert load_taxonomy().get("digcomp-3-4").crcn == ("3.4",)  # type: ignore[union-attr]


def test_entries_are_well_formed() -> None:
    taxonomy = load_taxonomy()
    slugs = [skill.slug for skill in taxonomy]
    assert len(slugs) == len(set(slugs))
    for skill in taxonomy:
        assert SLUG.match(skill.slug), skill.slug
        assert skill.label_fr and skill.label_en
        assert skill.digcomp, skill.slug
        assert set(skill.themes) <= THEMES and skill.themes, skill.slug
        assert all(fold(alias) for alias in skill.aliases), skill.slug


def test_required_entries_are_present() -> None:
    taxonomy = load_taxonomy()
    for slug in (
        "pad-collaboratif",
        "hotglue",
        "scribus",
        "wordpress",
        "agora-project",
        "openstreetmap",
        "flickr",
        "calameo",
        "blender",
        "tutoriel-video",
        "projet-voltaire",
        "tablette",
        "reseaux-sociaux",
        "cv-en-ligne",
        "cv-video",
        "recherche-emploi",
        "identite-numerique",
        "cartes-mobilite",
        "franceconnect",
        "ameli",
        "caf",
        "france-travail",
        "impots-gouv",
        "france-titres",
        "aidants-connect",
        "pix",
        "identite-numerique-la-poste",
        "msa",
        "mon-compte-formation",
        "doctolib",
        "tchap",
    ):
        assert slug in taxonomy, slug


def test_french_labels_keep_their_accents() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.get("calameo").label_fr == "Calaméo"  # type: ignore[union-attr]
    assert "Pôle emploi" in taxonomy.get("france-travail").label_fr  # type: ignore[union-attr]
    assert taxonomy.get("ameli").label("en-GB").startswith("ameli")  # type: ignore[union-attr]
    assert taxonomy.get("reseaux-sociaux").label("fr") == "Réseaux sociaux"  # type: ignore[union-attr]


def test_no_label_or_alias_is_shared_by_two_skills() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    compact: dict[str, set[str]] = defaultdict(set)
    stems: dict[str, set[str]] = defaultdict(set)
    for skill in load_taxonomy():
        for form in _forms(skill):
            owners[form.folded].add(skill.slug)
            compact[form.folded.replace(" ", "")].add(skill.slug)
            if form.stem_key:
                stems[form.stem_key].add(skill.slug)
    for index in (owners, compact, stems):
        shared = {key: slugs for key, slugs in index.items() if len(slugs) > 1}
        assert not shared


def test_data_file_is_packaged() -> None:
    assert resources.files("skills").joinpath("data", "taxonomy.toml").is_file()


GOOD = """
version = "1"
[[area]]
code = "2"
label_fr = "Communication"
label_en = "Communication"
[[skill]]
slug = "digcomp-2-3"
kind = "competence"
label_fr = "Citoyenneté"
label_en = "Citizenship"
area = "2"
digcomp = ["2.3"]
[[skill]]
slug = "caf"
kind = "service"
label_fr = "CAF"
label_en = "CAF"
area = "2"
digcomp = ["2.3"]
aliases = ["démarches CAF"]
themes = ["demarches"]
"""


def test_parse_minimal_taxonomy() -> None:
    taxonomy = parse_taxonomy(GOOD)
    assert len(taxonomy) == 2 and "caf" in taxonomy
    assert taxonomy.get("caf").aliases == ("démarches CAF",)  # type: ignore[union-attr]
    assert [s.slug for s in taxonomy] == ["digcomp-2-3", "caf"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (GOOD + GOOD[GOOD.index('[[skill]]\nslug = "caf"') :], r"'caf'.*duplicate slug"),
        (
            GOOD.replace('area = "2"\ndigcomp = ["2.3"]\naliases', 'area = "9"\naliases'),
            r"unknown area '9'",
        ),
        (GOOD.replace('["demarches"]', '["tricot"]'), r"'caf'.*unknown themes \['tricot'\]"),
        (GOOD.replace('slug = "caf"', 'slug = "Démarches CAF"'), r"invalid slug 'Démarches CAF'"),
        (GOOD.replace('kind = "service"', 'kind = "gadget"'), r"'caf'.*unknown kind 'gadget'"),
        (GOOD.replace('label_en = "CAF"', 'label_en = " "'), r"'caf'.*'label_en'"),
        (GOOD.replace('["démarches CAF"]', '["?!"]'), r"'caf'.*alias '\?!' is empty"),
        (GOOD.replace('["démarches CAF"]', '"caf"'), r"'caf'.*'aliases' must be a list"),
        (GOOD.replace("aliases = ", "alias = "), r"'caf'.*unknown keys \['alias'\]"),
        (
            GOOD.replace('digcomp = ["2.3"]\naliases', 'digcomp = ["2.7"]\naliases'),
            r"'caf'.*DigComp codes \['2.7'\]",
        ),
        (GOOD.replace('version = "1"', ""), r"version"),
        ("version = ", r"invalid TOML"),
    ],
)
def test_parse_rejects_bad_data(bad: str, message: str) -> None:
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(bad)


def test_taxonomy_error_is_a_value_error() -> None:
    assert issubclass(TaxonomyError, ValueError)


def test_parse_keeps_the_parent_and_finds_relatives() -> None:
    taxonomy = parse_taxonomy(
        GOOD.replace('themes = ["demarches"]', 'themes = ["demarches"]\nparent = "digcomp-2-3"')
    )
    assert taxonomy.get("caf").parent == "digcomp-2-3"  # type: ignore[union-attr]
    assert taxonomy.relatives("caf") == ("digcomp-2-3",)
    assert taxonomy.relatives("digcomp-2-3") == ("caf",)
    assert taxonomy.relatives("tricot") == ()


@pytest.mark.parametrize(
    ("parent", "message"),
    [
        ('"tricot"', r"'caf'.*unknown parent 'tricot'"),
        ('"caf"', r"'caf'.*cycle"),
        ("3", r"'caf'.*'parent' must be a skill slug"),
    ],
)
def test_parse_rejects_bad_parents(parent: str, message: str) -> None:
    bad = GOOD.replace('themes = ["demarches"]', f'themes = ["demarches"]\nparent = {parent}')
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(bad)


def test_parse_rejects_a_cycle_of_two() -> None:
    both = GOOD.replace('themes = ["demarches"]', 'themes = ["demarches"]\nparent = "digcomp-2-3"')
    both = both.replace(
        'digcomp = ["2.3"]\n[[skill]]', 'digcomp = ["2.3"]\nparent = "caf"\n[[skill]]'
    )
    with pytest.raises(TaxonomyError, match="cycle"):
        parse_taxonomy(both)


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("iphone", "smartphone"),
        ("smartphone-android", "smartphone"),
        ("gmail", "email"),
        ("ameli", "digcomp-2-3"),
        ("caf", "digcomp-2-3"),
        ("permis-conduire", "france-titres"),
    ],
)
def test_the_packaged_taxonomy_has_a_hierarchy(child: str, parent: str) -> None:
    taxonomy = load_taxonomy()
    assert parent in taxonomy.relatives(child)
    assert child in taxonomy.relatives(parent)
