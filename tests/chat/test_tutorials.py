"""The tutorial base through the console: write-up, personal-data guard, search, feedback."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.core import tutorials
from bot.core.clock import FixedClock
from bot.core.tutorials import Outcome
from bot.core.types import RequestStatus, Role, TutorialStatus
from tests.helpers import Conversation, addressed_to

PHONE = "06 12 34 56 78"


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    """Amina asks, Karim helps (ameli), Sophie reads, Claire coordinates."""
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.join("Sophie")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Karim", "ameli (former)")
    return chat


async def solve(chat: Conversation, question: str) -> None:
    """Amina asks, Karim takes it and marks it solved (the write-up question is then open)."""
    asked = await chat.say("Amina", f"/demande {question}")
    number = asked.split("#", 1)[1].split()[0]
    await chat.say("Karim", f"/prendre {number}")
    assert "1/3" in await chat.say("Karim", f"/resolu {number} oui")


async def write_up(chat: Conversation, problem: str, steps: str, title: str = "passer") -> str:
    """Karim answers the three questions; returns the last answer."""
    assert "2/3" in await chat.say("Karim", problem)
    assert "3/3" in await chat.say("Karim", steps)
    return await chat.say("Karim", title)


async def test_personal_data_stops_publication_until_masked(network: Conversation) -> None:
    chat = network
    await solve(chat, "attestation ameli pour un jeune")
    blocked = await write_up(
        chat,
        f"Mme Lefebvre ({PHONE}) ne trouvait pas son attestation ameli.",
        "Se connecter avec FranceConnect\nTélécharger l'attestation",
        "Attestation ameli sans mot de passe",
    )
    assert "données personnelles" in blocked and PHONE in blocked
    assert "Masquer et publier" in blocked and "Modifier le texte" in blocked
    assert "Je ne trouve pas de tutoriel #1" in await chat.say("Sophie", "/tuto 1")
    assert "Aucun tutoriel" in await chat.say("Sophie", "/tuto attestation")

    published = await chat.say("Karim", "1")  # "Hide and publish"
    assert "tutoriel #1 est publié" in published
    shown = await chat.say("Sophie", "/tuto 1")
    assert "[téléphone]" in shown and PHONE not in shown
    async with chat.app.services.uow() as uow:
        stored = (await uow.session.execute(text("SELECT problem FROM tutorials"))).scalar_one()
    assert PHONE not in stored and "[téléphone]" in stored
    async with chat.app.services.uow() as uow:
        vocabulary = set(
            (await uow.session.execute(text("SELECT word FROM tutorial_words"))).scalars()
        )
    assert "lefebvre" not in vocabulary and "attestation" in vocabulary  # the name was masked


async def test_skipping_every_question_keeps_a_draft_from_the_request(
    network: Conversation,
) -> None:
    chat = network
    await solve(chat, "comment retrouver son attestation ameli ?")
    kept = await write_up(chat, "passer", "passer")
    assert "gardé en brouillon" in kept and "/tuto modifier 1 etapes" in kept
    assert "brouillon" in await chat.say("Karim", "/tuto mes")
    assert "Je ne trouve pas de tutoriel #1" in await chat.say("Sophie", "/tuto 1")
    assert "brouillon" in await chat.say("Claire", "/tuto 1")  # coordinators see drafts

    question = await chat.say("Karim", "/tuto modifier 1 etapes")
    assert "une par ligne" in question
    await chat.say("Karim", "1. Ouvrir ameli.fr\n2. Mes démarches\n3. Attestation de droits")
    published = await chat.say("Karim", "/tuto publier 1")
    assert "est publié" in published
    shown = await chat.say("Sophie", "/tuto 1")
    assert "Problème : comment retrouver son attestation ameli ?" in shown
    assert "2. Mes démarches" in shown


async def test_an_edit_adding_personal_data_unpublishes(network: Conversation) -> None:
    chat = network
    await solve(chat, "attestation ameli")
    await write_up(chat, "Attestation introuvable.", "Aller sur ameli.fr")
    assert "Ça m'a aidé" in await chat.say("Karim", "/tuto 1")  # published
    guarded = await chat.say("Karim", "/tuto modifier 1 ajouter Appeler le 3646 ou Mme Lefebvre")
    assert "données personnelles" in guarded
    assert "Je ne trouve pas de tutoriel #1" in await chat.say("Sophie", "/tuto 1")
    assert "Je ne trouve pas de tutoriel #1" in await chat.say("Amina", "/tuto modifier 1 titre X")


async def test_the_search_vocabulary_never_learns_unmasked_personal_data(
    network: Conversation,
) -> None:
    """An edit bringing a name into a published entry: the typo vocabulary ("did you mean")
    must not learn it, neither before the entry goes back to draft nor after it is masked."""
    chat = network
    await solve(chat, "attestation ameli")
    await write_up(chat, "Attestation introuvable.", "Aller sur ameli.fr")
    await chat.say("Karim", "/tuto modifier 1 ajouter Rappeler Mme Lefebvre au 06 12 34 56 78")
    async with chat.app.services.uow() as uow:
        assert await uow.tutorials.search.known_words(["lefebvre", "attestation"]) == {
            "attestation"
        }
    await chat.say("Karim", "/tuto masquer 1")
    async with chat.app.services.uow() as uow:
        known = await uow.tutorials.search.known_words(["lefebvre", "attestation", "rappeler"])
    assert known == {"attestation", "rappeler"}
    assert "Lefebvre" not in await chat.say("Sophie", "/tuto lefebvre")


async def test_search_open_thank_and_report(network: Conversation) -> None:
    chat = network
    await solve(chat, "attestation ameli")
    await write_up(chat, "Attestation de droits ameli introuvable.", "Aller sur ameli.fr")
    found = await chat.say("Sophie", "/tuto attestations")
    assert "#1 Attestation de droits ameli introuvable" in found
    assert "J'ai aussi cherché" in await chat.say("Sophie", "/tuto atestation")
    assert "#1" in await chat.say("Sophie", "/tuto #sante")
    assert "Aucun tutoriel" in await chat.say("Sophie", "/tuto #emploi")
    assert "Il a aidé" not in await chat.say("Sophie", "/tuto 1")
    await chat.say("Sophie", "/tuto merci 1")
    await chat.say("Sophie", "/tuto merci 1")  # counted once
    assert "Il a aidé 1 personne." in await chat.say("Amina", "/tuto 1")

    reported = await chat.say("Sophie", "/tuto signaler 1")
    assert "La coordination va vérifier" in reported
    notice = addressed_to(reported, "Claire")
    assert "plus à jour" in notice and "Toujours juste" in notice
    assert "#1" in await chat.say("Claire", "/tuto asuivre")
    assert "réservé à la coordination" in await chat.say("Sophie", "/tuto asuivre")
    assert "vérifié aujourd'hui" in await chat.say("Claire", "/tuto verifie 1")
    assert "Aucun tutoriel à vérifier" in await chat.say("Claire", "/tuto asuivre")
    assert "plus à jour" in await chat.say("Claire", "/tuto perime 1")
    assert "peut-être plus à jour" in await chat.say("Sophie", "/tuto ameli")


async def test_suggestions_before_posting_and_deflection(network: Conversation) -> None:
    chat = network
    await solve(chat, "attestation ameli")
    await write_up(
        chat,
        "Télécharger une attestation de droits ameli pour un dossier CAF.",
        "Se connecter sur ameli.fr\nMes démarches, attestation de droits",
        "Télécharger une attestation de droits ameli",
    )
    asked = await chat.say(
        "Amina", "/demande comment télécharger une attestation de droits ameli ?"
    )
    assert "Ça peut déjà vous aider" in asked and "#1 Télécharger une attestation" in asked
    assert "Poster quand même" in asked and addressed_to(asked, "Karim") == ""
    question = await chat.say("Amina", "1")  # "#1 helped me"
    assert "Le tutoriel #1 a-t-il répondu à votre demande #2 ?" in question
    deflected = await chat.say("Amina", "1")  # "Yes, close #2"
    assert "Je n'ai pas posté la demande #2" in deflected
    async with chat.app.services.uow() as uow:
        request = await uow.requests.get(2)
        tutorial = await uow.tutorials.get(1)
        solved_by = (
            await uow.session.execute(
                text("SELECT solved_by_tutorial_id FROM help_requests WHERE id = 2")
            )
        ).scalar_one()
    assert request is not None and request.status is RequestStatus.CLOSED
    assert solved_by == 1 and tutorial is not None and tutorial.helped_count == 1
    chat.app.services.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    assert "Résolues par un tutoriel, sans être postées : 1." in await chat.say("Claire", "/suivi")

    again = await chat.say("Amina", "/demande télécharger une attestation ameli, autre cas")
    assert "Ça peut déjà vous aider" in again
    posted = await chat.say("Amina", "/envoyer 3")
    assert "enregistrée" in posted and "compte ameli" not in posted
    assert "#3" in addressed_to(posted, "Karim")
    unrelated = await chat.say("Amina", "/demande besoin d'aide pour une affiche Scribus")
    assert "Ça peut déjà vous aider" not in unrelated and "enregistrée" in unrelated


async def test_review_by_a_coordinator_when_required(network: Conversation) -> None:
    chat = network
    await solve(chat, "attestation ameli")
    services = chat.app.services
    assert "2/3" in await chat.say("Karim", "Attestation introuvable.")
    await chat.say("Karim", "Aller sur ameli.fr")
    await chat.say("Karim", "/annuler")  # leaves the title question
    karim = await chat.member("Karim")
    strict = replace(services, tutorials=replace(services.tutorials, review_required=True))
    waiting = await tutorials.publish(strict, 1, karim)
    assert waiting.outcome is Outcome.REVIEW
    assert waiting.tutorial.status is TutorialStatus.REVIEW
    delivered = await chat.tick()
    assert "attend votre relecture" in addressed_to(delivered, "Claire")
    assert "Je ne trouve pas de tutoriel #1" in await chat.say("Sophie", "/tuto 1")
    claire = await chat.member("Claire")
    approved = await tutorials.publish(strict, 1, claire)
    assert approved.outcome is Outcome.PUBLISHED
    assert "Attestation introuvable" in await chat.say("Sophie", "/tuto 1")


async def test_entries_not_checked_for_a_year_reach_the_digest(
    network: Conversation, clock: FixedClock
) -> None:
    chat = network
    await solve(chat, "attestation ameli")
    await write_up(chat, "Attestation introuvable.", "Aller sur ameli.fr")
    assert "Tutoriels à vérifier" not in await chat.say("Claire", "/suivi")
    clock.advance(timedelta(days=370))
    digest = await chat.say("Claire", "/suivi")
    assert "Tutoriels à vérifier" in digest and "#1 Attestation introuvable" in digest


async def test_english_reader(network: Conversation) -> None:
    chat = network
    await solve(chat, "attestation ameli")
    await write_up(chat, "Attestation introuvable.", "Aller sur ameli.fr")
    await chat.say("Sophie", "/langue en")
    shown = await chat.say("Sophie", "/tutorial 1")
    assert "Problem: Attestation introuvable." in shown and "It helped me" in shown


async def test_themes_and_audience_can_be_changed(network: Conversation) -> None:
    chat = network
    await solve(chat, "attestation ameli")
    await write_up(chat, "Attestation introuvable.", "Aller sur ameli.fr")
    assert "Je connais ces thèmes" in await chat.say("Karim", "/tuto modifier 1 themes cuisine")
    changed = await chat.say("Karim", "/tuto modifier 1 themes emploi réseaux sociaux")
    assert "Thèmes : Emploi, Réseaux sociaux" in changed
    await chat.say("Karim", "/tuto modifier 1 public jeunes, seniors")
    assert "#1" in await chat.say("Sophie", "/tuto #emploi")
    async with chat.app.services.uow() as uow:
        tutorial = await uow.tutorials.get(1)
    assert tutorial is not None and tutorial.audience == ("jeunes", "seniors")
