"""Buttons tell the truth: when a request changes state, every message still showing its
buttons is edited to say what became of it, once, whoever made the change (issue 17)."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.core import claims
from bot.core.types import Role
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


def edits(output: str, persona: str = "") -> list[str]:
    """The messages edited in place (printed again, marked ↻) for a persona (by default, the
    one who typed: their messages come without a header)."""
    found = []
    for message in output.split("\n\n"):
        head, _, rest = message.strip("\n").partition("\n")
        to = ""
        if head.startswith("— ") and head.endswith(" —"):
            to, message = head[2:-2], rest
        if to == persona.lower() and message.startswith("↻ "):
            found.append(message[2:])
    return found


async def test_a_claim_edits_every_message_showing_the_requests_buttons(
    network: Conversation,
) -> None:
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    offer_ref = chat.last_ref("Karim")
    taken = await chat.press("Karim", offer_ref, "/prendre 1")
    [winner] = edits(taken)
    assert "souci ameli" in winner and "✔ Vous avez pris la demande #1." in winner
    [loser] = edits(taken, "Sophie")
    assert "souci ameli" in loser and "Demande #1 : prise par Karim." in loser
    assert "✔" not in loser and "[1]" not in loser
    [author] = edits(taken, "Amina")
    assert author == "Demande #1 : prise par Karim."

    again = await chat.press("Karim", offer_ref, "/prendre 1")  # a double press
    assert "Vous avez déjà pris la demande #1." in again and "Trop tard" not in again
    typed = await chat.say("Karim", "/prendre 1")
    assert "Vous avez déjà pris la demande #1." in typed and "Trop tard" not in typed
    late = await chat.say("Sophie", "1")  # her offer's [Je prends], now closed
    assert "n'est plus valable" in late and "déjà prise par Karim" in late


async def test_cancelled_and_reassigned_requests_say_so_on_their_buttons(
    network: Conversation,
) -> None:
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    await chat.say("Karim", "/prendre 1")
    cancelled = await chat.say("Amina", "/annuler 1 oui")
    assert "Demande #1 : annulée par Amina." in edits(cancelled, "Karim")
    assert "annulée" in await chat.say("Sophie", "/prendre 1")
    assert "déjà pris" not in await chat.say("Sophie", "/prendre 1")

    await chat.say("Amina", "/demande autre souci ameli, carte vitale")
    given = await chat.say("Claire", "/assigner 2 Bruno")
    for helper in ("Karim", "Sophie"):
        [offer] = edits(given, helper)
        assert "Demande #2 : confiée à Bruno par la coordination." in offer, helper
    assert "Demande #2 : confiée à Bruno par la coordination." in edits(given, "Amina")

    declined = await chat.say("Amina", "/demande troisième souci ameli")
    assert "Je prends" in addressed_to(declined, "Sophie")
    no = await chat.say("Sophie", "2")  # "Not available"
    assert "Vous n'êtes pas disponible pour la demande #3." in edits(no)[0]


async def test_an_edit_delivered_after_a_cancel_never_says_taken(
    network: Conversation,
) -> None:
    """Sophie's offer is closed by Karim's claim, and the request is cancelled before that
    edit goes out: it says cancelled, not "taken by Karim"."""
    chat = network
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    services = chat.app.services
    karim, amina = await chat.member("Karim"), await chat.member("Amina")
    await claims.claim(services, 1, karim)
    await claims.cancel(services, 1, amina)
    delivered = await chat.tick()
    [sophie] = edits(delivered, "Sophie")
    assert "Demande #1 : annulée par Amina." in sophie and "Karim" not in sophie
    async with services.uow() as uow:
        queued = await uow.outbox.find(kind="choice_outcome")
    per_message = Counter(message.params["choice_id"] for message in queued)
    assert per_message and max(per_message.values()) == 1  # each message edited once
