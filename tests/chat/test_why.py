"""`/pourquoi N`: coordinators see why a request went to whom (issue 21)."""

from __future__ import annotations

from bot.core.types import Role
from tests.helpers import Conversation


async def test_a_coordinator_sees_the_weights_levels_and_loads(chat: Conversation) -> None:
    await chat.join("Amina")
    await chat.join("Karim")
    await chat.join("Gérard")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Karim", "ameli (je peux former)")
    await chat.declare("Gérard", "ameli, email")
    await chat.say(
        "Amina", "/demande elle n'arrive pas à se connecter à ameli, elle n'a pas de mail"
    )
    answer = await chat.say("Claire", "/pourquoi 1")
    assert "Pourquoi la demande #1" in answer
    assert "ameli (Assurance Maladie) — 1,00" in answer
    assert "Courriel (e-mail) — 0,12" in answer  # a negated mention weighs little
    # Offered in this order, each with their levels on the request's skills and load.
    karim = answer.index("Karim : ameli (Assurance Maladie) — je peux former ; demandes prises : 0")
    assert karim < answer.index("Gérard : ameli (Assurance Maladie) — je pratique, Courriel")
    assert "propositions ces 7 derniers jours : 1" in answer
    assert "Je ne trouve pas de demande #9" in await chat.say("Claire", "/pourquoi 9")


async def test_members_cannot_ask_why(chat: Conversation) -> None:
    await chat.join("Amina")
    await chat.join("Karim")
    await chat.declare("Karim", "ameli (je peux former)")
    await chat.say("Amina", "/demande compte ameli")
    answer = await chat.say("Amina", "/pourquoi 1")
    assert "Karim" not in answer and "coordination" in answer
