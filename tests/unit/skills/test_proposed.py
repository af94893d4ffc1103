"""Proposed skills found by similar text, and the network's own skills in the matcher."""

from __future__ import annotations

from skills import Skill, SkillKind, default_matcher
from skills.proposed import PROPOSED_DISCOUNT, label_stems, similar_to


def test_every_significant_stem_of_the_label_must_be_in_the_text() -> None:
    labels = ["logiciel de paie", "Genially", "logiciel libre"]
    assert similar_to("Le logiciel pour la paie plante", labels) == [0]
    assert similar_to("une présentation sur genially", labels) == [1]
    assert similar_to("la paie du mois", labels) == []  # "logiciel" is missing


def test_stems_tolerate_inflections_and_order() -> None:
    assert similar_to("ses présentations Genially", ["présentation genially"]) == [0]


def test_labels_without_anything_worth_looking_for_never_match() -> None:
    assert label_stems("aide") == frozenset()  # one short stem: found in too many texts
    assert label_stems("de la") == frozenset()
    assert label_stems("²") == frozenset()
    assert similar_to("aide pour la caf", ["aide", "", "de la"]) == []
    assert similar_to("", ["Genially"]) == []


def test_the_discount_keeps_a_proposed_skill_under_the_need_at_an_equal_level() -> None:
    # Teaching a proposed skill similar to the text (4 x discount) stays under practising
    # the need (2 x 1): a level higher is not enough to pass it.
    assert 4 * PROPOSED_DISCOUNT < 2 * 1.0


def _network_skill(slug: str, label: str, *aliases: str, parent: str | None = None) -> Skill:
    return Skill(slug, SkillKind.TOOL, label, label, "", (), (), aliases, (), parent)


def test_the_network_skills_are_found_in_texts_and_keep_the_taxonomy_intact() -> None:
    base = default_matcher()
    genially = _network_skill("x-genially", "Genially", "genialy", parent="canva")
    extended = base.with_skills((genially,))
    assert [m.skill.slug for m in extended.extract("elle n'arrive pas à utiliser genialy")] == [
        "x-genially"
    ]
    assert extended.match("Genially") is not None
    assert "x-genially" in extended.taxonomy.relatives("canva")
    assert base.match("Genially") is None  # the packaged matcher is unchanged
    assert extended.match("ameli") == base.match("ameli")
    assert base.with_skills(()) is base
    assert base.with_skills((genially,)) is extended  # remembered
