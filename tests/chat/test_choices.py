"""Choices cannot misfire: each list belongs to its message, a newer one supersedes it, what
ends something asks first, and lists survive a restart (issues 16 and 17)."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.chat.types import ChatType, Incoming
from bot.core import choices
from bot.core.choices import Shown
from bot.core.clock import FixedClock
from bot.core.types import RequestStatus, Role, ShownAction
from tests.helpers import Conversation, addressed_to


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    """Amina asks; Karim and Sophie know ameli; Claire coordinates."""
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.join("Sophie")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Karim", "ameli (former)")
    await chat.declare("Sophie", "ameli")
    return chat


async def status(chat: Conversation, request_id: int) -> RequestStatus:
    async with chat.app.services.uow() as uow:
        request = await uow.requests.get(request_id)
    assert request is not None
    return request.status


async def test_a_leftover_no_on_a_first_message_cancels_nothing(network: Conversation) -> None:
    """The first incident: [Non] left on the first draft message, pressed after the request
    was sent from the second one, cancelled it without a question and told the helpers."""
    chat = network
    first = await chat.say("Amina", "je n'arrive pas à créer un compte ameli pour un jeune")
    assert "[2] Non" in first
    first_ref = chat.last_ref("Amina")
    await chat.say("Amina", "il a 19 ans et pas de carte vitale")
    sent = await chat.say("Amina", "1")  # "Yes, send it", on the second message
    assert "enregistrée" in sent and "carte vitale" in addressed_to(sent, "Karim")

    leftover = await chat.press("Amina", first_ref, "/annuler 1")
    assert "n'est plus valable" in leftover
    assert "annul" not in addressed_to(leftover, "Karim") + addressed_to(leftover, "Sophie")
    assert await status(chat, 1) is RequestStatus.OFFERED


async def test_typing_1_after_a_draft_and_its_suggestions_sends_the_draft(
    network: Conversation,
) -> None:
    """The second incident: "1" meant for [Oui, envoyer] chose [#2 m'a aidé] of the list
    shown just after it, and closed the request as solved by that tutorial."""
    chat = network
    await chat.say("Amina", "/demande attestation de droits ameli")
    await chat.say("Karim", "/prendre 1")
    await chat.say("Karim", "/resolu 1 oui")
    await chat.say("Karim", "Télécharger une attestation de droits ameli.")
    await chat.say("Karim", "Se connecter sur ameli.fr\nMes démarches, attestation de droits")
    await chat.say("Karim", "Attestation de droits ameli")
    shown = await chat.say("Amina", "comment télécharger une attestation de droits ameli ?")
    assert "[1] Oui, envoyer" in shown and "[2] Non" in shown
    assert "[3] #1 m'a aidé" in shown and "[4] Poster quand même" in shown
    sent = await chat.say("Amina", "1")
    assert "enregistrée" in sent
    assert await status(chat, 2) is RequestStatus.OFFERED


async def test_cancelling_releasing_and_closing_ask_first_naming_the_request(
    network: Conversation,
) -> None:
    chat = network
    await chat.say("Amina", "/demande compte ameli bloqué pour un jeune")
    asked = await chat.say("Amina", "/annuler 1")
    assert "Annuler la demande #1 ?" in asked and "« compte ameli bloqué" in asked
    assert "[1] Oui, annuler la #1" in asked and "[2] Non, la garder" in asked
    kept = await chat.say("Amina", "2")
    assert "on s'arrête là" in kept and kept.startswith("↻")  # the question says so itself
    assert "plus valable" in await chat.say("Amina", "1")  # that question is answered
    assert await status(chat, 1) is RequestStatus.OFFERED

    await chat.say("Karim", "/prendre 1")
    by_number = await chat.say("Karim", "2")  # [Je la rends] of "C'est pour vous"
    assert "Rendre la demande #1" in by_number and await status(chat, 1) is RequestStatus.CLAIMED
    by_button = await chat.say("Karim", "/resolu 1")
    assert "La demande #1 est-elle résolue ?" in by_button
    assert await status(chat, 1) is RequestStatus.CLAIMED
    assert "Vous avez dit que la demande #1 est résolue" not in by_button

    # Someone with no part in it is told nothing about it, not even by the question.
    for attempt in ("/annuler 1", "/lacher 1", "/resolu 1"):
        refused = await chat.say("Claire", attempt)
        assert "Je ne trouve pas de demande #1" in refused and "ameli" not in refused, attempt
    assert "Je ne trouve pas" in await chat.say("Amina", "/lacher 1")  # she is not its helper


async def test_an_older_list_is_no_longer_valid_but_an_offer_is_while_open(
    network: Conversation,
) -> None:
    chat = network
    asked = await chat.say("Amina", "/demande souci ameli pour une attestation")
    stored_ref = chat.last_ref("Amina")
    assert "[4] Annuler la demande" in asked
    offer = addressed_to(asked, "Karim")
    assert "[1] Je prends" in offer
    offer_ref = chat.last_ref("Karim")
    await chat.say("Amina", "/mesdemandes")  # no list: the first one still holds
    await chat.say("Amina", "/profil")  # a newer list
    stale = await chat.press("Amina", stored_ref, "/annuler 1")
    assert "un message plus récent l'a remplacé" in stale and "Annuler la demande" not in stale

    await chat.say("Karim", "/agenda")  # a newer message for Karim, yet his offer holds
    await chat.say("Karim", "/profil")
    taken = await chat.press("Karim", offer_ref, "/prendre 1")
    assert "C'est pour vous : la demande #1" in taken


async def test_forged_presses_and_odd_numbers(network: Conversation) -> None:
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    stored_ref = chat.last_ref("Amina")
    forged = await chat.press("Amina", stored_ref, "/annuler 1 oui")  # not a button it showed
    assert "Ce bouton n'est plus valable" in forged
    unknown = await chat.press("Amina", "amina:99999", "/annuler 1")
    assert "Ce bouton n'est plus valable" in unknown
    in_karims_chat = await chat.press("Karim", stored_ref, "/annuler 1")  # Amina's message
    assert "Ce bouton n'est plus valable" in in_karims_chat
    for odd in ("²", "٣", "99", "0", "007"):
        answer = await chat.say("Amina", odd)
        assert "Annuler la demande" not in answer, odd
    assert await status(chat, 1) is RequestStatus.OFFERED


async def test_numbered_lists_survive_a_restart(network: Conversation, clock: FixedClock) -> None:
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    restarted = App.build(chat.app.config, clock=clock)
    try:
        again = Conversation(restarted)
        try:
            taken = await again.say("Karim", "1")  # "Je prends", shown before the restart
            assert "C'est pour vous : la demande #1" in taken
            assert "Karim" in addressed_to(taken, "Amina")
        finally:
            await again.console.close()
    finally:
        await restarted.close()


async def test_agenda_answers_each_session_and_shows_the_new_count(
    network: Conversation,
) -> None:
    chat = network
    await chat.say("Claire", "/session nouvelle 07/01/2027 9:00-12:00 EPN Résoudre")
    await chat.say("Claire", "/session nouvelle 01/04/2027 9:00-12:00 Mission locale")
    await chat.say("Karim", "/rsvp 2 oui")
    agenda = await chat.say("Amina", "/agenda")
    assert "[1] 7 janv. : Je viens" in agenda and "[4] 1er avr. : Je viens" in agenda
    answered = await chat.say("Amina", "4")
    assert "C'est noté pour le temps d'échange du jeudi 1er avril 2027" in answered
    assert "2 personnes viennent." in answered
    edited = answered.split("↻", 1)[1]  # the listing pressed, edited in place
    assert "Votre réponse : Je viens." in edited and "2 personnes viennent." in edited
    assert "[4] 1er avr. : Je viens" in edited  # answers can still change
    async with chat.app.services.uow() as uow:
        amina = await chat.member("Amina")
        assert await uow.sessions.answer_of(2, amina.id) is not None
        assert await uow.sessions.answer_of(1, amina.id) is None


async def test_a_button_shown_to_someone_in_a_group_is_theirs(network: Conversation) -> None:
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    amina = await chat.member("Amina")
    services = chat.app.services
    shown = Shown(
        platform="console",
        chat_id="-100",
        message_ref="-100:1",
        origin="answer",
        answer="in-the-group",
        actions=(ShownAction("Annuler la demande", "/annuler 1"),),
        request_id=1,
        member_id=amina.id,
    )
    await choices.record(services, shown)
    pressed = Incoming(
        platform="console",
        user_id="karim",
        chat_id="-100",
        text="/annuler 1",
        chat_type=ChatType.GROUP,
        is_button=True,
        choice_of="-100:1",
    )
    [answer] = await chat.app.router.handle(pressed)
    assert "Ce bouton est pour une autre personne." in answer.text
    assert "ameli" not in answer.text
    assert await status(chat, 1) is RequestStatus.OFFERED


async def test_the_question_is_it_solved_holds_while_other_notices_arrive(
    network: Conversation,
) -> None:
    """Seen on Telegram: Karim marked the request solved and wrote its tutorial at once;
    Amina's "Oui, merci !" on the question "Est-ce bien le cas ?" was then refused as
    replaced by a newer message (the tutorial's own notice, which has buttons too)."""
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    await chat.say("Karim", "/prendre 1")
    await chat.say("Karim", "/resolu 1 oui")
    question_ref = chat.last_ref("Amina")
    await chat.say("Karim", "Le jeune n'avait pas d'adresse mail.")
    await chat.say("Karim", "Créer l'adresse, puis le compte ameli.")
    published = await chat.say("Karim", "passer")
    assert "Votre demande #1 est devenue un tutoriel" in addressed_to(published, "Amina")
    assert chat.last_ref("Amina") != question_ref  # a newer list was shown to Amina

    thanked = await chat.press("Amina", question_ref, "/confirmer 1 merci")
    assert "plus récent" not in thanked
    assert "vous dit merci" in addressed_to(thanked, "Karim")
    assert await status(chat, 1) is RequestStatus.CLOSED
    again = await chat.press("Amina", question_ref, "/confirmer 1 merci")
    assert "vous dit merci" not in again  # once closed, the question is answered
