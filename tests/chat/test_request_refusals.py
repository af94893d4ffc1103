"""Every action on a request gets the same refusal when the request is not there (or is not
the person's to act on), and when its state does not allow the action: the router gives it,
naming the request and where to look; no handler repeats it."""

from __future__ import annotations

import pytest

from tests.helpers import Conversation

UNKNOWN = 4242

# Each action on a request, as typed (`{n}`: the request's number).
ACTIONS = [
    "/prendre {n}",
    "/decliner {n}",
    "/lacher {n} oui",
    "/relancer {n}",
    "/annuler {n} oui",
    "/resolu {n} oui",
    "/confirmer {n}",
    "/pasresolu {n}",
    "/msg {n} bonjour",
    "/demande {n}",
    "/demande {n} texte Un autre texte pour ma demande",
]


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    """Amina asks; Karim teaches ameli; Bruno is a member with nothing to do with it."""
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.join("Bruno")
    await chat.declare("Karim", "ameli (former)")
    return chat


@pytest.mark.parametrize("action", ACTIONS)
async def test_an_action_on_a_request_that_does_not_exist_names_it_and_where_to_look(
    network: Conversation, action: str
) -> None:
    answer = await network.say("Amina", action.format(n=UNKNOWN))
    assert f"Je ne trouve pas de demande #{UNKNOWN} pour vous." in answer
    assert "Vos demandes : /mesdemandes" in answer
    assert "Sorry" not in answer and "Désolé" not in answer


@pytest.mark.parametrize("action", ["/lacher {n} oui", "/msg {n} bonjour", "/demande {n}"])
async def test_a_stranger_to_the_request_is_told_it_is_not_there(
    network: Conversation, action: str
) -> None:
    """Someone who neither asked nor helps learns nothing of the request: the same words as
    for a number that names nothing."""
    asked = await network.say("Amina", "/demande comment créer un compte ameli pour un jeune ?")
    assert "#1" in asked
    answer = await network.say("Bruno", action.format(n=1))
    assert "Je ne trouve pas de demande #1 pour vous." in answer
    assert "compte ameli" not in answer


@pytest.mark.parametrize(
    ("who", "action", "state"),
    [
        ("Karim", "/prendre {n}", "annulée"),
        ("Amina", "/annuler {n} oui", "annulée"),
        ("Amina", "/resolu {n} oui", "annulée"),
        ("Amina", "/pasresolu {n}", "annulée"),
        ("Amina", "/confirmer {n}", "annulée"),
    ],
)
async def test_an_action_the_state_does_not_allow_says_the_state(
    network: Conversation, who: str, action: str, state: str
) -> None:
    asked = await network.say("Amina", "/demande comment créer un compte ameli pour un jeune ?")
    assert "#1" in asked
    cancelled = await network.say("Amina", "/annuler 1 oui")
    assert "annulée" in cancelled
    answer = await network.say(who, action.format(n=1))
    assert f"La demande #1 est {state} : ce n'est pas possible maintenant." in answer
    assert "Vos demandes : /mesdemandes" in answer


async def test_reopening_a_request_that_is_not_over_says_its_state(
    network: Conversation,
) -> None:
    await network.say("Amina", "/demande comment créer un compte ameli pour un jeune ?")
    assert "#1" in await network.say("Karim", "/prendre 1")
    answer = await network.say("Amina", "/relancer 1")
    assert "La demande #1 est prise en charge : ce n'est pas possible maintenant." in answer
