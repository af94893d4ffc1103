"""Replies reach the thread: answering any of the bot's messages about a request goes to
that request's conversation when the person is its author or helper, never to a new draft
(issue 17). On the terminal, a line starting with `>` replies to the last message shown."""

from __future__ import annotations

import pytest

from bot.core.types import RequestStatus, Role
from tests.helpers import Conversation, addressed_to


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    """Amina asks; Karim and Sophie know ameli; Bruno does not; Claire coordinates."""
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.join("Sophie")
    await chat.join("Bruno", structure="EPN Résoudre")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Karim", "ameli (former)")
    await chat.declare("Sophie", "ameli")
    return chat


async def thread(chat: Conversation, request_id: int) -> list[str | None]:
    async with chat.app.services.uow() as uow:
        return [message.text for message in await uow.requests.thread(request_id)]


async def request_count(chat: Conversation) -> int:
    async with chat.app.services.uow() as uow:
        return len(await uow.requests.list_involving((await chat.member("Karim")).id))


async def test_every_notice_that_invites_a_reply_leads_to_the_thread(
    network: Conversation,
) -> None:
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    taken = await chat.say("Karim", "1")
    assert "répondez à mon message" in taken  # "C'est pour vous …"
    to_amina = await chat.say("Karim", "> Bonjour, il a quel âge ?")
    assert "Message envoyé à Amina" in to_amina
    assert "Bonjour, il a quel âge ?" in addressed_to(to_amina, "Amina")

    # Amina's last message is the relay; her "claimed" notice came before it.
    to_karim = await chat.say("Amina", "> 19 ans")
    assert "19 ans" in addressed_to(to_karim, "Karim")
    claimed_ref = (await notice_refs(chat, "Amina", "claimed"))[0]
    await chat.reply("Amina", claimed_ref, "Merci d'avoir pris ma demande")
    sent_ref = chat.last_ref("Amina")  # "Message envoyé à Karim."
    await chat.reply("Amina", sent_ref, "Et il n'a pas de carte vitale")

    await chat.say("Karim", "/resolu 1 oui")
    await chat.say("Karim", "/annuler")  # no write-up now
    not_yet = await chat.say("Amina", "/pasresolu 1")
    assert "répondez à mon message" in not_yet
    await chat.say("Amina", "> Ça bloque encore à la connexion")
    not_solved_ref = (await notice_refs(chat, "Karim", "not_solved"))[0]
    await chat.reply("Karim", not_solved_ref, "Je regarde demain")

    assert await thread(chat, 1) == [
        "Bonjour, il a quel âge ?",
        "19 ans",
        "Merci d'avoir pris ma demande",
        "Et il n'a pas de carte vitale",
        "Ça bloque encore à la connexion",
        "Je regarde demain",
    ]
    assert await request_count(chat) == 1  # no draft was made of any of them


async def test_the_helper_a_coordinator_gave_it_to_replies_to_that_notice(
    network: Conversation,
) -> None:
    chat = network
    await chat.say("Amina", "/demande affiche Scribus pour un atelier")
    given = await chat.say("Claire", "/assigner 1 Bruno")
    assert "répondez à ce message" in addressed_to(given, "Bruno")
    answered = await chat.say("Bruno", "> Je vous appelle cet après-midi")
    assert "Je vous appelle cet après-midi" in addressed_to(answered, "Amina")
    assert await thread(chat, 1) == ["Je vous appelle cet après-midi"]


async def test_a_bare_number_replying_to_a_relayed_message_is_text_for_the_thread(
    network: Conversation,
) -> None:
    """Issue 16: a helper answering "2" to the asker's question gave the request back."""
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    await chat.say("Karim", "/prendre 1")  # his last list: [1] solved [2] give it back
    await chat.say("Amina", "/msg 1 Combien de personnes faut-il inscrire ?")
    answered = await chat.say("Karim", "> 2")
    assert "Message envoyé à Amina" in answered and "Rendre" not in answered
    assert "« 2 »" in addressed_to(answered, "Amina")
    async with chat.app.services.uow() as uow:
        request = await uow.requests.get(1)
    assert request is not None and request.status is RequestStatus.CLAIMED


async def test_replies_that_reach_no_thread_are_never_a_new_request(
    network: Conversation,
) -> None:
    chat = network
    asked = await chat.say("Amina", "/demande souci ameli pour une attestation")
    assert "compte" not in asked
    offer_ref = chat.last_ref("Sophie")
    outsider = await chat.reply("Sophie", offer_ref, "Je peux aider mardi si besoin")
    assert "Votre message n'est pas envoyé" in outsider
    assert addressed_to(outsider, "Amina") == ""
    waiting = await chat.say("Amina", "> Précision : c'est pour un jeune de 19 ans")
    assert "Votre message n'est pas envoyé" in waiting and "Personne n'a encore pris" in waiting

    await chat.say("Karim", "/prendre 1")
    claim_ref = chat.last_ref("Karim")
    await chat.say("Amina", "/annuler 1 oui")
    very_old = await chat.reply("Karim", claim_ref, "Je repasse demain")
    assert "Votre message n'est pas envoyé" in very_old and "annulée" in very_old
    assert addressed_to(very_old, "Amina") == ""
    async with chat.app.services.uow() as uow:
        assert await uow.requests.get(2) is None  # no draft from any reply
    assert await thread(chat, 1) == []


async def test_a_reply_to_ones_draft_question_adds_to_the_draft(network: Conversation) -> None:
    chat = network
    await chat.say("Amina", "je n'arrive pas à créer un compte ameli pour un jeune")
    added = await chat.say("Amina", "> il a 19 ans et pas de carte vitale")
    assert "J'ai ajouté ce message à votre brouillon #1" in added
    async with chat.app.services.uow() as uow:
        draft = await uow.requests.get(1)
    assert draft is not None and "carte vitale" in (draft.text or "")


async def notice_refs(chat: Conversation, persona: str, kind: str) -> list[str]:
    """The platform references of the notices of a kind delivered to a persona."""
    member = await chat.member(persona)
    async with chat.app.services.uow() as uow:
        sent = await uow.outbox.find(recipient_id=member.id, kind=kind)
    return [message.delivery_ref for message in sent if message.delivery_ref]
