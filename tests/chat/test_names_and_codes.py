"""Names people give themselves (or their chat account gives them) and invitation codes:
invisible characters are removed, a name that shows nothing or reads as a coordinator's is
refused; codes are read however they are typed, tries are throttled, coordinators list and
cancel codes."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.app import App
from bot.chat.types import Incoming
from bot.core import invites, members
from bot.core.clock import FixedClock
from bot.core.errors import InviteProblem, InviteRejected
from bot.core.types import Role
from tests.helpers import Conversation


async def name_of(chat: Conversation, persona: str) -> str:
    return (await chat.member(persona)).display_name


async def start(app: App, platform: str, user_id: str, code: str, name: str) -> str:
    """A stranger writes `/start CODE` from a chat network whose account has `name`."""
    incoming = Incoming(
        platform=platform,
        user_id=user_id,
        chat_id=user_id,
        text=f"/start {code}",
        display_name=name,
    )
    return "\n".join(message.text for message in await app.router.handle(incoming))


async def stored_name(app: App, platform: str, user_id: str) -> str | None:
    async with app.services.uow() as uow:
        member = await uow.members.by_identity(platform, user_id)
    return member.display_name if member else None


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    await chat.join("Amina")
    await chat.join("Claire", Role.COORDINATOR)
    return chat


async def test_invisible_characters_are_removed_from_a_chosen_name(network: Conversation) -> None:
    answer = await network.say("Amina", "/nom Ami\u200bna\u2066 B\u200d.\ufeff\u00ad")
    assert "Amina B." in answer
    assert await name_of(network, "Amina") == "Amina B."
    await network.say("Amina", "/nom Amina \u200d👩🏽\u200d💻\u200d")  # an emoji keeps its joiner
    assert await name_of(network, "Amina") == "Amina 👩🏽\u200d💻"


@pytest.mark.parametrize("invisible", ["\u200b\u200c", "\u3164", "\u2800 \u115f", "\u0301\u0301"])
async def test_a_name_that_shows_nothing_is_refused(network: Conversation, invisible: str) -> None:
    answer = await network.say("Amina", f"/nom {invisible}")
    assert "ne peut pas être lu" in answer or "est vide" in answer
    assert await name_of(network, "Amina") == "Amina"


@pytest.mark.parametrize("lookalike", ["Claire", "claire", "CLAIRE.", "Clàire", "Ｃｌａｉｒｅ"])
async def test_a_coordinators_name_is_refused(network: Conversation, lookalike: str) -> None:
    answer = await network.say("Amina", f"/nom {lookalike}")
    assert "coordination a déjà ce nom" in answer
    assert await name_of(network, "Amina") == "Amina"
    assert "maintenant claire" in await network.say("Claire", "/nom claire")  # her own name


@pytest.mark.parametrize("platform", ["telegram", "matrix"])
async def test_a_chat_account_name_is_cleaned_or_replaced(
    network: Conversation, platform: str
) -> None:
    app = network.app
    code = invites.display_code((await network.invite()).code)
    answer = await start(app, platform, "u1", code, "\u202eKa\x00rim\u200b\u2069")
    assert "Bienvenue dans le réseau, Karim" in answer
    assert await stored_name(app, platform, "u1") == "Karim"
    code = invites.display_code((await network.invite()).code)
    answer = await start(app, platform, "u2", code, "C\u200blaire")
    assert "Bienvenue dans le réseau, Membre" in answer
    assert "coordination a déjà le nom de votre compte" in answer
    assert await stored_name(app, platform, "u2") == "Membre"
    code = invites.display_code((await network.invite()).code)
    answer = await start(app, platform, "u3", code, "\u3164\u200b")
    assert "Bienvenue dans le réseau, Membre" in answer
    assert await stored_name(app, platform, "u3") == "Membre"


@pytest.mark.parametrize(
    "typed",
    ["{a}{b}", "{a} {b}", "{a}-{b}", "{la}-{lb}", "{la} {lb}", "{a}\u2013{b}", "{la}{lb} merci"],
)
async def test_a_code_is_read_however_it_is_typed(network: Conversation, typed: str) -> None:
    code = (await network.invite()).code
    a, b = code[:4], code[4:]
    text = typed.format(a=a, b=b, la=a.lower(), lb=b.lower())
    answer = await start(network.app, "telegram", "t1", text, "Zoé")
    assert "Bienvenue dans le réseau, Zoé" in answer, text


async def test_failed_tries_are_throttled_and_logged(
    network: Conversation, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    app = network.app
    good = invites.display_code((await network.invite()).code)
    with caplog.at_level(logging.WARNING, logger="bot.core.members"):
        for wrong in ("AAAA-AAAA", "BBBB-BBBB", "hello", "CCCC-CCCC", "DDDD-DDDD"):
            assert "ne fonctionne pas" in await start(app, "telegram", "m1", wrong, "Mallory")
        answer = await start(app, "telegram", "m1", good, "Mallory")
    assert "trop de codes" in answer and "dans 60 minutes" in answer  # even the right one
    refused = [r.getMessage() for r in caplog.records if "m1" in r.getMessage()]
    assert len(refused) == 6 and "too many" in refused[-1]
    assert await stored_name(app, "telegram", "m1") is None
    # Another worker (or a restart) sees the same count.
    config = app.config
    other = App.build(config, clock=clock)
    try:
        clock.advance(timedelta(minutes=45))
        answer = await start(other, "telegram", "m1", good, "Mallory")
        assert "dans 15 minutes" in answer
        assert "ne fonctionne pas" in await start(other, "telegram", "m2", "EEEE-EEEE", "Eve")
        clock.advance(timedelta(minutes=16))
        answer = await start(other, "telegram", "m1", good, "Mallory")
        assert "Bienvenue" in answer
    finally:
        await other.close()


async def test_tries_made_at_once_are_all_counted(network: Conversation) -> None:
    services = network.app.services

    async def attempt(n: int) -> InviteProblem:
        try:
            await members.join(
                services,
                account=members.Account("telegram", "burst", "burst"),
                typed_code=f"ZZZZ-ZZ{'23456789'[n % 8]}{'23456789'[n // 8]}",
                display_name="Burst",
                locale="fr",
            )
        except InviteRejected as rejected:
            return rejected.problem
        raise AssertionError("joined with a wrong code")

    problems = await asyncio.gather(*(attempt(n) for n in range(12)))
    assert problems.count(InviteProblem.TOO_MANY_TRIES) == 12 - members.MAX_TRIES


async def test_coordinators_list_and_revoke_codes(network: Conversation) -> None:
    kept = invites.display_code((await network.invite(uses=3)).code)
    revoked = invites.display_code((await network.invite(Role.COORDINATOR)).code)
    listing = await network.say("Claire", "/invitation liste")
    assert kept in listing and revoked in listing
    assert "membre, utilisé 0 fois sur 3" in listing
    answer = await network.say("Claire", f"/invitation revoquer {revoked.lower()}")
    assert "est annulé" in answer
    assert revoked not in await network.say("Claire", "/invitation liste")
    assert "annulé" in await start(network.app, "telegram", "x1", revoked, "Xavier")
    assert "Aucun code" in await network.say("Claire", f"/invitation revoquer {revoked}")
    assert "coordination" in (await network.say("Amina", "/invitation liste")).lower()
    await network.say("Claire", "/langue en")
    english = await network.say("Claire", "/invite list")
    assert kept in english and "used 0 of 3 times" in english
    assert "cancelled" in await network.say("Claire", f"/invite revoke {kept}")
