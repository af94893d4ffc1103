"""Who a request is offered to first, as a coordinator would choose (issue 21)."""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import FixedClock
from bot.core.types import Role
from tests.helpers import Conversation, addressed_to


async def offered(chat: Conversation, request_id: int) -> list[str]:
    """Who the request was offered to, in the order they were asked."""
    async with chat.app.services.uow() as uow:
        return [name for name, _, _ in await uow.offers.shown_to(request_id)]


async def test_the_teacher_of_the_need_comes_before_a_generalist(chat: Conversation) -> None:
    await chat.join("Amina")
    await chat.join("Gérard")  # practises everything the request mentions
    await chat.join("Karim")  # teaches the need itself
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Gérard", "ameli, email, pdf, mots de passe")
    await chat.declare("Karim", "ameli (je peux former)")
    await chat.say(
        "Amina",
        "/demande elle n'arrive pas à se connecter à son compte ameli, elle n'a pas de mail "
        "et veut son attestation en pdf",
    )
    assert (await offered(chat, 1))[0] == "Karim"


async def test_a_request_about_android_reaches_who_knows_smartphones(chat: Conversation) -> None:
    await chat.join("Amina")
    await chat.join("Sophie")
    await chat.join("Bruno")
    await chat.declare("Sophie", "smartphone (je peux former)")
    await chat.declare("Bruno", "scribus (former)")
    asked = await chat.say("Amina", "/demande son téléphone android ne reçoit plus les sms")
    assert await offered(chat, 1) == ["Sophie"]
    assert addressed_to(asked, "Sophie")


async def test_equal_helpers_go_to_who_was_asked_longest_ago_not_who_joined_first(
    chat: Conversation, clock: FixedClock
) -> None:
    await chat.join("Amina")
    await chat.join("Anne")  # joined first: the lowest member number
    await chat.join("Zoé")
    await chat.declare("Anne", "caf (je peux former), scribus (je peux former)")
    await chat.declare("Zoé", "caf (je peux former)")
    await chat.say("Amina", "/demande mettre en page une affiche avec scribus")
    assert await offered(chat, 1) == ["Anne"]
    clock.advance(timedelta(days=14))  # out of the recent window: no load left for anyone
    await chat.say("Amina", "/demande aide pour la caf")
    assert await offered(chat, 2) == ["Zoé", "Anne"]
