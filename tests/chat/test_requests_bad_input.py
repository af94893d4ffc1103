"""Bad input around requests: nothing leaks, nothing breaks."""

from __future__ import annotations

import pytest

from bot.core.types import Role
from tests.helpers import Conversation, addressed_to


@pytest.fixture
async def pair(chat: Conversation) -> Conversation:
    await chat.join("Amina")
    await chat.join("Karim")
    await chat.join("Eve")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Karim", "ameli (former)")
    return chat


async def test_claiming_what_does_not_exist_is_ones_own_or_is_closed(pair: Conversation) -> None:
    chat = pair
    assert "je ne trouve" in (await chat.say("Karim", "/prendre 99")).lower()
    await chat.say("Amina", "/demande souci avec mon compte ameli")
    assert "propre demande" in await chat.say("Amina", "/prendre 1")
    await chat.say("Amina", "/annuler 1 oui")
    closed = await chat.say("Karim", "/prendre 1")
    assert "annulée" in closed or "pas possible" in closed
    assert "Utilisation" in await chat.say("Karim", "/prendre un")
    assert "Utilisation" in await chat.say("Karim", "/prendre")


async def test_outsiders_never_see_a_request_text(pair: Conversation) -> None:
    chat = pair
    await chat.say("Amina", "/demande secret ameli de Mme X")
    await chat.say("Karim", "/prendre 1")
    for attempt in (
        "/demande 1",
        "/msg 1 coucou",
        "/resolu 1",
        "/lacher 1",
        "/annuler 1",
        "/prendre 1",
    ):
        answer = await chat.say("Eve", attempt)
        assert "secret" not in answer, attempt
        assert "je ne trouve" in answer.lower(), attempt
    assert "secret" not in await chat.say("Claire", "/demande 1")
    assert "secret" in await chat.say("Karim", "/demande 1")


async def test_long_texts_emoji_and_right_to_left(pair: Conversation) -> None:
    chat = pair
    long_text = "ameli " + "x" * 3990
    answer = await chat.say("Amina", "/demande " + long_text[:3000])  # the longest request
    assert "#1" in answer
    assert "3\u202f000 caractères au plus" in await chat.say(
        "Amina", "/demande " + long_text[:3001]
    )
    too_long = await chat.say("Amina", "/demande " + "y" * 4000)
    assert "4 000" in too_long
    mixed = "مرحبا 👩🏽‍💻 compte ameli bloqué"
    answer = await chat.say("Amina", f"/demande {mixed}")
    assert "#2" in answer
    assert mixed in addressed_to(answer, "Karim")


async def test_relay_requires_someone_on_the_other_side(pair: Conversation) -> None:
    chat = pair
    await chat.say("Amina", "/demande souci avec mon compte ameli")
    assert "personne" in (await chat.say("Amina", "/msg 1 allo ?")).lower()
    assert "Utilisation" in await chat.say("Amina", "/msg")


async def test_a_lost_race_for_an_action_is_explained(pair: Conversation) -> None:
    chat = pair
    await chat.say("Amina", "/demande souci avec mon compte ameli")
    await chat.say("Karim", "/prendre 1")
    await chat.say("Karim", "/resolu 1 oui")
    await chat.say("Amina", "/confirmer 1")
    again = await chat.say("Amina", "/confirmer 1")
    assert "close" in again or "pas possible" in again
    assert "pas possible" in await chat.say("Karim", "/resolu 1 oui")
