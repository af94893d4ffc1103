"""Finding the skills mentioned in a free help-request sentence."""

from __future__ import annotations

import pytest

from skills import SkillMatcher, default_matcher


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return default_matcher()


@pytest.mark.parametrize(
    ("sentence", "slugs"),
    [
        ("je n'arrive pas à créer un compte ameli pour une personne que j'accompagne", {"ameli"}),
        ("comment déclarer ses revenus sur impots.gouv", {"impots-gouv"}),
        (
            "mettre à jour son CV sur France Travail (ex pôle emploi)",
            {"france-travail", "cv-en-ligne"},
        ),
        (
            "quelqu'un sait faire une pré-demande de carte d'identité sur le site de l'ANTS ?",
            {"france-titres"},
        ),
        (
            "besoin d'aide pour installer WordPress et créer un blog pour l'atelier d'écriture",
            {"wordpress"},
        ),
        (
            "une jeune n'a pas reçu son code FranceConnect, elle ne peut pas se connecter à la CAF",
            {"franceconnect", "caf"},
        ),
        ("qui peut animer un atelier Scribus pour le journal de l'EPN ?", {"scribus"}),
        ("comment prendre rendez-vous sur Doctolib avec une tablette", {"doctolib", "tablette"}),
        (
            "mon bénéficiaire veut utiliser son CPF pour passer le permis de conduire",
            {"mon-compte-formation", "permis-conduire"},
        ),
        (
            "problème d'actualisation sur pole emploi depuis un smartphone android",
            {"france-travail", "smartphone-android"},
        ),
        (
            "faire un tutoriel vidéo avec OBS pour expliquer Mon Espace Santé",
            {"tutoriel-video", "mon-espace-sante"},
        ),
        (
            "une dame s'est fait arnaquer par un faux SMS de l'assurance maladie",
            {"ameli", "arnaques-en-ligne"},
        ),
        (
            "aide pour mettre un document en PDF et l'envoyer par mail à la CAF",
            {"pdf", "email", "caf"},
        ),
        ("souci avec amelie et le compte de la secu", {"ameli"}),
        (
            "créer une adresse gmail pour s'inscrire sur Indeed et LinkedIn",
            {"gmail", "indeed", "linkedin"},
        ),
        ("on lance un atelier Pix Emploi en septembre", {"pix-emploi"}),
        ("il veut faire son CV vidéo pour la Mission locale", {"cv-video"}),
        ("besoin d'un coup de main sur wordpresss et scribuss", {"wordpress", "scribus"}),
        (
            "un jeune doit faire ses voeux sur Parcoursup mais n'a pas d'ordinateur",
            {"parcoursup", "ordinateur"},
        ),
        ("comment protéger ses données personnelles sur Facebook", {"digcomp-4-2", "facebook"}),
        ("elle a oublié son mot de passe France Connect", {"franceconnect", "mots-de-passe"}),
        (
            "activer L'Identité Numérique La Poste pour une personne âgée",
            {"identite-numerique-la-poste"},
        ),
        (
            "atelier sur l'identité numérique et les réseaux sociaux",
            {"identite-numerique", "reseaux-sociaux"},
        ),
        ("Quelqu'un maîtrise Agora-Project et Etherpad ?", {"agora-project", "pad-collaboratif"}),
    ],
)
def test_extract_finds_skills(matcher: SkillMatcher, sentence: str, slugs: set[str]) -> None:
    assert {m.skill.slug for m in matcher.extract(sentence)} == slugs


@pytest.mark.parametrize(
    "sentence",
    [
        "je voudrais des conseils pour animer un atelier avec des jeunes",
        "bonjour à tous, merci pour la réunion",
        "on se retrouve au café après la formation ?",
        "des cafés numériques le mardi",
        "quelqu'un a des idées pour mobiliser les bénéficiaires en insertion ?",
        "le programme de la journée est prêt",
        "j'ai l'impression que le groupe avance bien",
        "pouvez-vous me rappeler demain matin ?",
        "nous organisons une visite du Funlab le mois prochain",
        "la personne accompagnée a peur de l'inconnu et manque de confiance en elle",
        "il faut penser à l'orientation professionnelle des jeunes",
        "je suis disponible pour co-animer la séance de septembre",
        "la dématérialisation tue la communication traditionnelle",
        "il est décidé de poursuivre les temps d'échange une fois par trimestre",
        "accès à la citoyenneté et partage d'infos",
        "",
    ],
)
def test_extract_ignores_ordinary_sentences(matcher: SkillMatcher, sentence: str) -> None:
    assert matcher.extract(sentence) == []


def test_extract_is_deduplicated_and_sorted(matcher: SkillMatcher) -> None:
    found = matcher.extract("ameli, Ameli et encore amelie : l'assurance maladie, sur ameli.fr")
    assert [m.skill.slug for m in found] == ["ameli"]
    assert found[0].confidence == 1.0
    mixed = matcher.extract("wordpresss et la CAF")
    assert [m.skill.slug for m in mixed] == ["caf", "wordpress"]
    assert mixed[0].confidence > mixed[1].confidence >= 0.9


def test_extract_prefers_the_longer_name(matcher: SkillMatcher) -> None:
    found = matcher.extract("passer la certification Pix puis Pix Emploi")
    assert {m.skill.slug for m in found} == {"pix", "pix-emploi"}
    assert [m.skill.slug for m in matcher.extract("un smartphone android")] == [
        "smartphone-android"
    ]


def test_generic_competences_need_a_specific_name(matcher: SkillMatcher) -> None:
    assert matcher.extract("la programmation de l'atelier") == []
    assert matcher.match("programmation") is not None


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("elle reçoit des faux mails de la banque et a cliqué sur un lien", "arnaques-en-ligne"),
        ("on lui demande de payer des frais de douane par sms", "arnaques-en-ligne"),
        ("elle a donné le numéro de sa carte bancaire sur un site", "arnaques-en-ligne"),
        ("son compte facebook a été piraté", "arnaques-en-ligne"),
        ("Mr n'a plus de place sur son téléphone", "cle-usb"),
        ("sauvegarder les photos avant de changer de portable", "cle-usb"),
        ("elle veut mettre ses photos sur icloud", "google-drive"),
    ],
)
def test_everyday_wording_of_scams_and_backups(text: str, slug: str) -> None:
    assert slug in [match.skill.slug for match in default_matcher().extract(text)]
