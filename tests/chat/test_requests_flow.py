"""Help requests end to end through the console transport: ask, offer, claim, talk, solve."""

from __future__ import annotations

import pytest

from bot.core.types import RequestStatus, Role
from tests.helpers import Conversation, addressed_to


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    """Amina asks; Karim teaches ameli; Sophie practises it; Bruno does other things."""
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.join("Sophie")
    await chat.join("Bruno", structure="EPN Résoudre")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Karim", "ameli (former)")
    await chat.declare("Sophie", "ameli")
    await chat.declare("Bruno", "scribus (former), wordpress")
    return chat


async def test_the_whole_flow_from_question_to_tutorial(network: Conversation) -> None:
    chat = network
    asked = await chat.say("Amina", "/demande comment créer un compte ameli pour un jeune ?")
    assert "#1" in asked and "enregistrée" in asked
    assert "ameli" in asked.lower()
    karim_offer = addressed_to(asked, "Karim")
    assert "Amina (Mission locale)" in karim_offer and "compte ameli" in karim_offer
    assert "Je prends" in karim_offer
    assert "compte ameli" in addressed_to(asked, "Sophie")
    assert addressed_to(asked, "Bruno") == ""

    claimed = await chat.say("Karim", "1")  # "I'll take it" on the offer
    assert "#1" in claimed
    assert "Karim" in addressed_to(claimed, "Amina")
    assert "Karim" in addressed_to(claimed, "Sophie")  # the other offer now says who took it

    refused = await chat.say("Sophie", "/prendre 1")
    assert "Karim" in refused and "Trop tard" in refused
    assert "je ne trouve" in (await chat.say("Bruno", "/prendre 1")).lower()

    relayed = await chat.say("Amina", "/msg 1 Il n'a pas d'adresse mail.")
    assert "Il n'a pas d'adresse mail." in addressed_to(relayed, "Karim")
    relayed = await chat.say("Karim", "/msg 1 Créons-en une d'abord.")
    assert "Créons-en une d'abord." in addressed_to(relayed, "Amina")

    asked_first = await chat.say("Karim", "/resolu 1")
    assert "La demande #1 est-elle résolue ?" in asked_first and "compte ameli" in asked_first
    solved = await chat.say("Karim", "1")  # "Yes, #1 is solved"
    assert "1/3" in solved
    assert "/confirmer 1" in chat.console._pending["amina"][0].payload
    step2 = await chat.say("Karim", "Le jeune n'avait pas d'adresse mail pour ameli.")
    assert "2/3" in step2
    step3 = await chat.say("Karim", "Créer une adresse mail\n2. Puis le compte sur ameli.fr")
    assert "3/3" in step3 and "Le jeune n'avait pas d'adresse mail pour ameli" in step3
    published = await chat.say("Karim", "1")  # "Keep this title"
    assert "tutoriel #1 est publié" in published
    credit = addressed_to(published, "Amina")
    assert (
        "Votre demande #1 est devenue un tutoriel" in credit and "votre nom figure aussi" in credit
    )

    confirmed = await chat.say("Amina", "/confirmer 1 merci")
    assert "#1" in confirmed
    assert "merci" in addressed_to(confirmed, "Karim").lower()
    tutorials = await chat.say("Amina", "/tuto ameli")
    assert "#1 Le jeune n'avait pas d'adresse mail" in tutorials
    opened = await chat.say("Amina", "/tuto 1")
    assert "1. Créer une adresse mail" in opened and "2. Puis le compte sur ameli.fr" in opened
    assert "Écrit par Karim" in opened and "Etalab-2.0" in opened
    assert "votre nom figure sur le tutoriel #1" in await chat.say("Amina", "/tuto credit 1")
    assert "Écrit par Karim, Amina" in await chat.say("Sophie", "/tuto 1")

    async with chat.app.services.uow() as uow:
        request = await uow.requests.get(1)
        thread = await uow.requests.thread(1)
    assert request is not None and request.status is RequestStatus.CLOSED
    assert [m.text for m in thread] == ["Il n'a pas d'adresse mail.", "Créons-en une d'abord."]


async def test_a_plain_sentence_becomes_a_draft_then_a_request(network: Conversation) -> None:
    chat = network
    answer = await chat.say("Amina", "je n'arrive pas à créer un compte ameli pour un jeune")
    assert "[1]" in answer and "[2]" in answer
    assert addressed_to(answer, "Karim") == ""  # a draft is not offered
    more = await chat.say("Amina", "il a 19 ans et pas de carte vitale")
    assert "#1" in more
    sent = await chat.say("Amina", "1")
    assert "Karim" not in sent.split("\n— ")[0]
    assert "pas de carte vitale" in addressed_to(sent, "Karim")
    assert "je n'arrive pas" in addressed_to(sent, "Karim")


async def test_short_unclear_text_is_not_a_request(network: Conversation) -> None:
    answer = await network.say("Amina", "ok")
    assert "/aide" in answer
    async with network.app.services.uow() as uow:
        assert await uow.requests.get(1) is None


async def test_urgency_and_skills_can_be_corrected(network: Conversation) -> None:
    chat = network
    answer = await chat.say("Amina", "/demande besoin d'aide pour notre journal de quartier")
    assert "aucune compétence" in answer
    corrected = await chat.say("Amina", "/demande 1 competences wordpress")
    assert "WordPress" in corrected
    assert "journal de quartier" in addressed_to(corrected, "Bruno")
    urgent = await chat.say("Amina", "/demande 1 urgence aujourdhui")
    assert "aujourd'hui" in urgent
    assert "Utilisation" in await chat.say("Amina", "/demande 1 urgence demain")


async def test_decline_offers_the_next_candidate_at_once(chat: Conversation) -> None:
    await chat.join("Amina")
    for name in ("H1", "H2", "H3", "H4"):
        await chat.join(name)
        await chat.declare(name, "ameli")
    asked = await chat.say("Amina", "/demande aide pour ameli svp")
    offered = [n for n in ("H1", "H2", "H3", "H4") if addressed_to(asked, n)]
    assert len(offered) == 3
    [left_out] = [n for n in ("H1", "H2", "H3", "H4") if n not in offered]
    declined = await chat.say(offered[0], "/decliner 1")
    assert "ameli" in addressed_to(declined, left_out)
    assert "je ne trouve" in (await chat.say(offered[0], "/prendre 2")).lower()


async def test_release_cancel_and_reopen(network: Conversation) -> None:
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    await chat.say("Karim", "/prendre 1")
    assert "Rendre la demande #1" in await chat.say("Karim", "/lacher 1")
    released = await chat.say("Karim", "1")  # "Yes, give #1 back"
    assert "#1" in released
    assert "Karim" in addressed_to(released, "Amina")
    await chat.say("Sophie", "/prendre 1")
    assert "Annuler la demande #1 ?" in await chat.say("Amina", "/annuler 1")
    cancelled = await chat.say("Amina", "1")  # "Yes, cancel #1"
    assert "#1" in cancelled
    assert "annul" in addressed_to(cancelled, "Sophie")
    assert "#1" in await chat.say("Amina", "/relancer 1")
    async with chat.app.services.uow() as uow:
        request = await uow.requests.get(1)
    assert request is not None and request.status in (RequestStatus.OPEN, RequestStatus.OFFERED)
    assert "pas possible" in await chat.say("Amina", "/relancer 1")


async def test_skill_gap_is_told_to_coordinators_and_recorded(network: Conversation) -> None:
    chat = network
    answer = await chat.say("Amina", "/demande comment utiliser Blender pour un atelier 3D ?")
    assert "coordination" in answer
    alert = addressed_to(answer, "Claire")
    assert "#1" in alert and "Blender" in alert
    assert "atelier 3D" not in alert  # coordinators do not read the request's text
    async with chat.app.services.uow() as uow:
        assert len(await uow.requests.gaps(1)) == 1


async def test_coordinator_assigns_a_request(network: Conversation) -> None:
    chat = network
    await chat.say("Amina", "/demande comment utiliser Blender pour un atelier ?")
    assert "coordination" in await chat.say("Amina", "/assigner 1 Bruno")
    given = await chat.say("Claire", "/assigner 1 Bruno")
    assert "Bruno" in given
    assert "Blender" in addressed_to(given, "Bruno")
    assert "Bruno" in addressed_to(given, "Amina")
    assert "Bruno" in await chat.say("Amina", "/demande 1")


async def test_my_requests_lists_both_sides(network: Conversation) -> None:
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    await chat.say("Karim", "/prendre 1")
    mine = await chat.say("Amina", "/mesdemandes")
    assert "#1" in mine and "prise en charge" in mine
    helping = await chat.say("Karim", "/mesdemandes")
    assert "#1" in helping and "[1]" in helping
    assert "Vous n'avez" in await chat.say("Bruno", "/mesdemandes")


async def test_relay_by_replying_to_the_bots_message(network: Conversation) -> None:
    from bot.chat.types import Incoming

    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    await chat.say("Karim", "/prendre 1")
    async with chat.app.services.uow() as uow:
        amina = await chat.member("Amina")
        [claimed] = await uow.outbox.find(recipient_id=amina.id, kind="claimed")
    assert claimed.delivery_ref is not None
    reply = Incoming(
        platform="console",
        user_id="amina",
        chat_id="amina",
        text="Merci, je vous appelle ?",
        reply_to=claimed.delivery_ref,
    )
    [answer] = await chat.app.router.handle(reply)
    assert "Karim" in answer.text
    async with chat.app.services.uow() as uow:
        [message] = await uow.requests.thread(1)
    assert message.text == "Merci, je vous appelle ?"


async def test_a_reply_to_a_relayed_message_is_relayed_even_while_a_question_waits(
    network: Conversation,
) -> None:
    from bot.chat.types import Incoming

    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    await chat.say("Karim", "/prendre 1")
    await chat.say("Amina", "/msg 1 Vous êtes disponible demain ?")
    await chat.say("Karim", "/nom")  # a question now waits for his next message
    karim = await chat.member("Karim")
    async with chat.app.services.uow() as uow:
        [relayed] = await uow.outbox.find(recipient_id=karim.id, kind="relay")
    assert relayed.delivery_ref is not None

    def reply(text: str, to: str) -> Incoming:
        return Incoming(
            platform="console", user_id="karim", chat_id="karim", text=text, reply_to=to
        )

    [answer] = await chat.app.router.handle(reply("Oui, à 10 h.", relayed.delivery_ref))
    assert "Amina" in answer.text
    async with chat.app.services.uow() as uow:
        thread = [m.text for m in await uow.requests.thread(1)]
    assert thread == ["Vous êtes disponible demain ?", "Oui, à 10 h."]
    assert (await chat.member("Karim")).display_name == "Karim"
    # The question still waits: his next plain message answers it.
    await chat.say("Karim", "Karim B.")
    assert (await chat.member("Karim")).display_name == "Karim B."
