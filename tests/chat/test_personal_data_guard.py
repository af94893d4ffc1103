"""Personal data never leaves before its author chose (issue 15).

A request (or a draft sent, or sentences added to a draft) in which personal data is found
is stored at once, shown back to its author with what was found, and offered to nobody
until they choose: hide it, change the text, or send it as it is.
"""

from __future__ import annotations

import re

import pytest

from bot.app import App
from bot.core.types import RequestStatus
from tests.helpers import Conversation, addressed_to

PHONE_REQUEST = "/demande compte ameli pour un jeune, tel 06 12 34 56 78, merci"


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    """Amina asks; Karim and Sophie know ameli."""
    await chat.join("Amina")
    await chat.join("Karim")
    await chat.join("Sophie")
    await chat.declare("Karim", "ameli (former)")
    await chat.declare("Sophie", "ameli")
    return chat


async def status(chat: Conversation, request_id: int) -> RequestStatus:
    async with chat.app.services.uow() as uow:
        request = await uow.requests.get(request_id)
    assert request is not None
    return request.status


def payload(chat: Conversation, persona: str, label_start: str) -> str:
    """The command behind one of the buttons last shown to a persona."""
    pending = chat.console._pending[chat.key(persona)]
    [action] = [a for a in pending if a.label.startswith(label_start)]
    return action.payload


async def test_a_request_with_personal_data_reaches_nobody_before_its_author_chose(
    network: Conversation,
) -> None:
    chat = network
    asked = await chat.say("Amina", PHONE_REQUEST)
    assert "j'ai trouvé des données personnelles" in asked
    assert "un numéro de téléphone : « 06 12 34 56 78 »" in asked
    assert "Masquer et envoyer" in asked and "Envoyer tel quel" in asked and "Modifier" in asked
    assert addressed_to(asked, "Karim") == "" and addressed_to(asked, "Sophie") == ""
    assert await status(chat, 1) is RequestStatus.DRAFT  # stored at once, nothing lost
    assert addressed_to(await chat.tick(), "Karim") == ""  # the periodic check leaves it

    sent = await chat.say("Amina", "1")  # Hide and send
    assert "#1 est enregistrée" in sent
    offer = addressed_to(sent, "Karim")
    assert "[téléphone]" in offer and "06 12 34 56 78" not in offer
    async with chat.app.services.uow() as uow:
        request = await uow.requests.get(1)
    assert request is not None and "06 12" not in (request.text or "")


async def test_sent_as_it_is_then_the_button_pressed_again(network: Conversation) -> None:
    chat = network
    await chat.say("Amina", PHONE_REQUEST)
    as_is = payload(chat, "Amina", "Envoyer tel quel")
    sent = await chat.say("Amina", as_is)
    assert "06 12 34 56 78" in addressed_to(sent, "Karim")
    again = await chat.say("Amina", as_is)  # twice: nothing sent twice, a clear answer
    assert "déjà envoyée" in again
    assert addressed_to(again, "Karim") == ""
    late = await chat.say("Amina", "/envoyer 1 masquer")  # the other choice, too late
    assert "déjà envoyée" in late


async def test_change_the_text_then_it_is_sent(network: Conversation) -> None:
    chat = network
    await chat.say("Amina", PHONE_REQUEST)
    prompt = await chat.say("Amina", "2")  # Change
    assert "nouveau texte de votre demande #1" in prompt
    sent = await chat.say("Amina", "compte ameli pour un jeune de 19 ans, merci")
    assert "#1 est enregistrée" in sent
    assert "19 ans" in addressed_to(sent, "Karim")


async def test_an_old_button_after_the_text_changed_asks_again(network: Conversation) -> None:
    chat = network
    await chat.say("Amina", PHONE_REQUEST)
    old_as_is = payload(chat, "Amina", "Envoyer tel quel")
    changed = await chat.say(
        "Amina", "/demande 1 modifier compte ameli, écrire à nadia [at] orange [dot] fr"
    )
    assert "une adresse e-mail : « nadia [at] orange [dot] fr »" in changed
    pressed = await chat.say("Amina", old_as_is)
    assert "a changé depuis" in pressed and "nadia [at] orange" in pressed
    assert addressed_to(pressed, "Karim") == ""
    assert await status(chat, 1) is RequestStatus.DRAFT


async def test_the_pending_choice_survives_a_restart(network: Conversation, app: App) -> None:
    chat = network
    await chat.say("Amina", PHONE_REQUEST)
    hide = payload(chat, "Amina", "Masquer et envoyer")
    restarted = App.build(app.config, clock=app.services.clock)
    try:
        after = Conversation(restarted)
        sent = await after.say("Amina", hide)
        assert "#1 est enregistrée" in sent
        assert "[téléphone]" in addressed_to(sent, "Karim")
        await after.console.close()
    finally:
        await restarted.close()


async def test_a_typed_send_of_a_draft_with_personal_data_asks_first(
    network: Conversation,
) -> None:
    chat = network
    kept = await chat.say("Amina", "le jeune s'appelle karim diallo, il n'a pas de compte ameli")
    assert "karim diallo" in kept and "Oui, envoyer" not in kept
    assert "Masquer et envoyer" in kept and "Non" in kept
    asked = await chat.say("Amina", "/envoyer 1")
    assert "j'ai trouvé des données personnelles" in asked
    assert addressed_to(asked, "Karim") == ""
    sent = await chat.say("Amina", "/envoyer 1 masquer")  # typed equivalent of the button
    offer = addressed_to(sent, "Karim")
    assert "[nom]" in offer and "diallo" not in offer


async def test_sentences_added_to_a_draft_are_checked_too(network: Conversation) -> None:
    chat = network
    first = await chat.say("Amina", "je n'arrive pas à créer un compte ameli pour un jeune")
    assert "Oui, envoyer" in first
    more = await chat.say("Amina", "son numéro de sécu 1 85 05 78 006 084 pour info")
    assert "brouillon #1" in more and "« 1 85 05 78 006 084 »" in more
    assert "Oui, envoyer" not in more
    sent = await chat.say("Amina", "/envoyer 1")
    assert addressed_to(sent, "Karim") == ""


async def test_tutorial_suggestions_and_personal_data_are_one_question(
    network: Conversation,
) -> None:
    chat = network
    await chat.say("Amina", "/demande attestation ameli introuvable")
    await chat.say("Karim", "/prendre 1")
    await chat.say("Karim", "/resolu 1 oui")
    await chat.say("Karim", "Attestation ameli introuvable.")
    await chat.say("Karim", "Aller sur ameli.fr")
    await chat.say("Karim", "1")  # keep the title: published
    asked = await chat.say("Amina", "/demande attestation ameli pour Fatima Benali")
    assert "Ça peut déjà vous aider" in asked and "#1 Attestation ameli introuvable" in asked
    assert "« Fatima Benali »" in asked
    assert "Publier quand même" not in asked  # one way to send: the personal-data choices
    assert asked.count("Masquer et envoyer") == 1
    assert addressed_to(asked, "Sophie") == ""


async def test_a_request_over_the_length_limit_is_refused_with_the_limit(
    network: Conversation,
) -> None:
    chat = network
    long_text = "ameli " + "😊 détail " * 400
    refused = await chat.say("Amina", f"/demande {long_text}")
    assert re.search(r"3\u202f000 caractères au plus", refused)
    async with chat.app.services.uow() as uow:
        assert await uow.requests.get(1) is None
    await chat.say("Amina", "je n'arrive pas à créer un compte ameli pour un jeune")
    too_much = await chat.say("Amina", "et aussi " + "encore un détail " * 180)
    assert "serait trop long" in too_much
    async with chat.app.services.uow() as uow:
        draft = await uow.requests.get(1)
    assert draft is not None and "encore un détail" not in (draft.text or "")


@pytest.fixture
async def thread(network: Conversation) -> Conversation:
    """Request #1 (no personal data), taken by Karim: the two can talk."""
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    await chat.say("Karim", "/prendre 1")
    return chat


async def test_a_relayed_message_with_personal_data_is_held_the_first_time(
    thread: Conversation,
) -> None:
    chat = thread
    held = await chat.say("Amina", "/msg 1 vous pouvez l'appeler au 06 12 34 56 78")
    assert "Avant de transmettre" in held and "« 06 12 34 56 78 »" in held
    assert addressed_to(held, "Karim") == ""
    assert addressed_to(await chat.tick(), "Karim") == ""
    hide = payload(chat, "Amina", "Masquer et envoyer")
    sent = await chat.say("Amina", hide)
    message = addressed_to(sent, "Karim")
    assert "[téléphone]" in message and "06 12" not in message
    again = await chat.say("Amina", hide)  # pressed twice
    assert "déjà transmis" in again and addressed_to(again, "Karim") == ""

    await chat.say("Amina", "/msg 1 et sa sœur : fatima benali")
    as_is = payload(chat, "Amina", "Envoyer tel quel")
    assert "fatima benali" in addressed_to(await chat.say("Amina", as_is), "Karim")
    # She chose to pass personal data on in this thread: not asked again.
    direct = await chat.say("Amina", "/msg 1 son mail : nadia@orange.fr")
    assert "nadia@orange.fr" in addressed_to(direct, "Karim")


async def test_a_reply_to_a_relayed_message_with_an_email_is_held(thread: Conversation) -> None:
    from bot.chat.types import Incoming

    chat = thread
    await chat.say("Amina", "/msg 1 Vous êtes disponible demain ?")
    karim = await chat.member("Karim")
    async with chat.app.services.uow() as uow:
        [relayed] = await uow.outbox.find(recipient_id=karim.id, kind="relay")
    assert relayed.delivery_ref is not None
    reply = Incoming(
        platform="console",
        user_id="karim",
        chat_id="karim",
        text="Oui, écrivez à karim (at) epn-resoudre.fr",
        reply_to=relayed.delivery_ref,
    )
    [answer] = await chat.app.router.handle(reply)
    assert "Avant de transmettre" in answer.text and "karim (at) epn-resoudre.fr" in answer.text
    amina = await chat.member("Amina")
    async with chat.app.services.uow() as uow:
        assert await uow.outbox.find(recipient_id=amina.id, kind="relay") == []
    [change] = [a.payload for a in answer.actions if a.label == "Modifier"]
    prompt = await chat.say("Karim", change)
    assert "Écrivez à nouveau votre message" in prompt
    sent = await chat.say("Karim", "Oui, écrivez-moi par le bot.")
    assert "Oui, écrivez-moi par le bot." in addressed_to(sent, "Amina")
    async with chat.app.services.uow() as uow:
        texts = [m.text for m in await uow.requests.thread(1)]
    assert texts == ["Vous êtes disponible demain ?", "Oui, écrivez-moi par le bot."]


async def test_a_relayed_message_over_the_length_limit_is_refused(thread: Conversation) -> None:
    chat = thread
    refused = await thread.say("Amina", "/msg 1 " + "blabla " * 500)
    assert "3\u202f000 caractères au plus" in refused
    assert addressed_to(refused, "Karim") == ""
    async with chat.app.services.uow() as uow:
        assert await uow.requests.thread(1) == []
