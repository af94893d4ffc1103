"""Numbers are ASCII digits: "²", Arabic-Indic or full-width digits get the usage with an
example; a number too large for the database names nothing ("#N introuvable"), on both."""

from __future__ import annotations

import pytest

from bot.core.types import Role
from tests.helpers import Conversation

LOOKALIKES = ["²", "١٢", "１２", "12²", "߁", "𝟙𝟚"]
TOO_LARGE = ["2147483648", "99999999999", "#123456789012345678901234567890"]


@pytest.fixture
async def people(chat: Conversation) -> Conversation:
    await chat.join("Amina")
    await chat.join("Claire", Role.COORDINATOR)
    return chat


@pytest.mark.parametrize("typed", LOOKALIKES)
async def test_digits_that_are_not_ascii_get_the_usage_and_an_example(
    people: Conversation, typed: str
) -> None:
    answer = await people.say("Amina", f"/prendre {typed}")
    assert "Utilisation : /prendre N" in answer
    assert "Par exemple : /prendre 12" in answer
    answer = await people.say("Amina", f"/msg {typed} bonjour")
    assert "Par exemple : /msg 12 votre message" in answer
    assert "Utilisation : /rsvp" in await people.say("Amina", f"/rsvp {typed} oui")
    assert "Utilisation : /agenda" in await people.say("Amina", f"/agenda {typed} oui")
    assert "Utilisation : /session" in await people.say("Claire", f"/session annuler {typed}")
    assert "Utilisation : /invitation" in await people.say("Claire", f"/invitation {typed}")
    # a number alone is a search word for /tuto and the start of a request for /demande
    assert "Aucun tutoriel" in await people.say("Amina", f"/tuto {typed}")


@pytest.mark.parametrize("typed", TOO_LARGE)
async def test_numbers_beyond_the_database_range_name_nothing(
    people: Conversation, typed: str
) -> None:
    number = typed.lstrip("#")
    for persona, command in (
        ("Amina", "/prendre {n}"),
        ("Amina", "/demande {n}"),
        ("Amina", "/demande {n} urgence aujourd'hui"),
        ("Amina", "/tuto {n}"),
        ("Amina", "/tuto merci {n}"),
        ("Amina", "/rsvp {n} oui"),
        ("Amina", "/agenda {n} oui"),
        ("Amina", "/annuler {n}"),
        ("Claire", "/session annuler {n}"),
        ("Claire", "/assigner {n} Amina"),
    ):
        answer = await people.say(persona, command.format(n=typed))
        assert f"#{number} introuvable" in answer, (command, answer)


async def test_a_member_number_beyond_the_range_is_nobody(people: Conversation) -> None:
    from bot.core import privacy

    for typed in ("2147483648", "#99999999999", "²"):
        assert await privacy.members_matching(people.app.services, typed) == []


async def test_a_lookalike_digit_never_chooses_an_action(people: Conversation) -> None:
    """In the terminal (as on Matrix), typing the number of an action chooses it: not "²"."""
    await people.say("Amina", "/profil")
    answer = await people.say("Amina", "²")
    assert "Profil" not in answer and "Erreur" not in answer
