"""How much each skill found in a help request weighs in its need (skills.weighting)."""

from __future__ import annotations

import math

import pytest

from skills.matching import default_matcher
from skills.weighting import CENTRAL, FIRST, NEGATED, centrality, need_weights, specificity


def central(text: str) -> dict[str, float]:
    return centrality(text, default_matcher().extract(text))


def test_the_object_of_a_need_outweighs_a_passing_mention() -> None:
    weights = central("Mme B. n'arrive pas à se connecter à ameli, elle a oublié son mot de passe")
    assert weights["ameli"] > 2 * weights["mots-de-passe"]


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("comment déclarer ses impôts, il n'a pas d'adresse mail", "email"),
        ("pas de compte ameli ni de mail, comment utiliser son smartphone", "ameli"),
        ("pas de compte ameli ni de mail, comment utiliser son smartphone", "email"),
        ("remplir la demande info retraite sans compte franceconnect", "franceconnect"),
    ],
)
def test_a_negated_mention_counts_little(text: str, negated: str) -> None:
    assert central(text)[negated] == pytest.approx(NEGATED)


def test_not_managing_to_do_something_is_a_need_not_a_negation() -> None:
    weights = central("les parents ne savent pas utiliser pronote, ils ont un mail")
    assert weights["ent-pronote"] >= CENTRAL


@pytest.mark.parametrize(
    ("text", "need", "aside"),
    [
        ("remplir un document word et l'enregistrer en pdf", "microsoft-word", "pdf"),
        ("prendre rendez-vous sur doctolib depuis son smartphone", "doctolib", "smartphone"),
        ("transformer des photos en un seul pdf pour la MDPH", "pdf", "mdph"),
        ("aide pour ses impots, elle a un iphone", "impots-gouv", "iphone"),
        ("remplir un formulaire cerfa en pdf sur l'ordinateur", "pdf", "ordinateur"),
        ("se connecter à ameli, et veut son attestation en pdf", "ameli", "pdf"),
        (
            "il a reçu un sms de l'assurance maladie, c'est une arnaque",
            "arnaques-en-ligne",
            "ameli",
        ),
    ],
)
def test_format_destination_and_possession_are_asides(text: str, need: str, aside: str) -> None:
    weights = central(text)
    assert weights[need] > weights[aside]


def test_the_first_need_named_leads_among_equals() -> None:
    weights = central("Il veut utiliser son CPF pour passer le permis de conduire")
    assert weights["mon-compte-formation"] > weights["permis-conduire"]


def test_a_skill_set_by_a_coordinator_but_not_in_the_text_counts_as_central() -> None:
    weights = need_weights(
        "aide pour la caf",
        default_matcher().extract("aide pour la caf"),
        {"caf": 3, "pdf": 3},
        30,
        requested={"caf", "pdf"},
    )
    # As central as the need "aide pour la caf", short of the first named's extra quarter.
    assert weights["pdf"] == pytest.approx(CENTRAL / (CENTRAL * FIRST))


def test_rarer_skills_matter_more() -> None:
    specific = specificity({"ameli", "mdph", "nobody"}, {"ameli": 10, "mdph": 1}, 40)
    assert specific["mdph"] > specific["ameli"]
    assert specific["nobody"] == pytest.approx(math.log1p(40))


def test_weights_are_scaled_to_one_and_empty_without_skills() -> None:
    text = "besoin d'aide pour la caf, elle a scanné ses papiers en pdf"
    weights = need_weights(text, default_matcher().extract(text), {"caf": 2, "pdf": 2}, 30)
    assert max(weights.values()) == pytest.approx(1.0)
    assert weights["pdf"] < weights["caf"]
    assert need_weights("bonjour", [], {}, 30) == {}


def test_a_text_whose_folding_changes_word_count_still_weighs() -> None:
    # Clause splitting and folding disagree ("l'ANTS" vs "ANTS"): weights still come out.
    text = "œuvre: carte grise l'ANTS!!, et ameli"
    assert set(central(text)) >= {"france-titres", "ameli"}
