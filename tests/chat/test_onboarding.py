"""Joining with an invitation code, through the console transport."""

from __future__ import annotations

from datetime import timedelta

from bot.core import invites
from bot.core.clock import FixedClock
from bot.core.types import Role
from tests.helpers import Conversation


async def test_start_with_a_valid_code_makes_a_member_and_asks_for_skills(
    chat: Conversation,
) -> None:
    invite = await chat.invite(structure="Mission locale")
    answer = await chat.say("Alice", f"/start {invites.display_code(invite.code)}")
    assert "Bienvenue dans le réseau, Alice" in answer
    assert "Mission locale" in answer
    assert "compétences" in answer
    # The next line typed answers the question: the skills are declared.
    answer = await chat.say("Alice", "ameli, wordpress")
    assert "Ameli" in answer or "ameli" in answer.lower()
    assert "WordPress" in answer


async def test_code_is_accepted_in_any_case_and_without_dash(chat: Conversation) -> None:
    invite = await chat.invite()
    answer = await chat.say("Alice", f"/start {invite.code.lower()}")
    assert "Bienvenue" in answer


async def test_without_structure_the_bot_asks_for_it_with_buttons(chat: Conversation) -> None:
    answer = await chat.join("Alice", structure=None, settle=False)
    assert "Dans quelle structure" in answer
    assert "[1] EPN Résoudre" in answer and "[2] Mission locale" in answer
    answer = await chat.say("Alice", "2")
    assert "Mission locale" in answer
    assert "compétences" in answer


async def test_stranger_reaches_nothing_but_the_way_to_join(chat: Conversation) -> None:
    await chat.join("Claire", Role.COORDINATOR)
    for attempt in (
        "/competences",
        "/membres",
        "/invitation",
        "/profil",
        "bonjour",
        "/inconnue",
        "/aide",
    ):
        answer = await chat.say("Mallory", attempt)
        assert "code d'invitation" in answer, attempt
        assert "Claire" not in answer
    assert "Mallory" not in await chat.say("Claire", "/membres")


async def test_wrong_code_explains_what_to_do(chat: Conversation) -> None:
    answer = await chat.say("Alice", "/start ZZZZ-ZZZZ")
    assert "ne fonctionne pas" in answer
    assert "coordination" in answer or "coordinat" in answer
    answer = await chat.say("Alice", "/start not a code at all")
    assert "ne fonctionne pas" in answer
    assert "code d'invitation" in await chat.say("Alice", "/competences")


async def test_expired_and_used_up_codes_are_refused(chat: Conversation, clock: FixedClock) -> None:
    invite = await chat.invite()
    code = invites.display_code(invite.code)
    assert "Bienvenue" in await chat.say("Alice", f"/start {code}")
    assert "déjà été utilisé" in await chat.say("Bob", f"/start {code}")
    late = await chat.invite()
    clock.advance(timedelta(days=15))
    assert "expiré" in await chat.say("Carla", f"/start {invites.display_code(late.code)}")


async def test_second_start_with_another_code_changes_nothing(chat: Conversation) -> None:
    await chat.join("Alice")
    other = await chat.invite(Role.COORDINATOR)
    answer = await chat.say("Alice", f"/start {invites.display_code(other.code)}")
    assert "déjà membre" in answer
    async with chat.app.services.uow() as uow:
        unused = await uow.invites.by_code(other.code)
        member = await uow.members.by_identity("console", "alice")
    assert unused is not None and unused.uses == 0
    assert member is not None and member.role is Role.MEMBER


async def test_coordinator_invite_makes_a_coordinator(chat: Conversation) -> None:
    answer = await chat.join("Claire", Role.COORDINATOR)
    assert "coordination" in answer
    help_text = await chat.say("Claire", "/aide")
    assert "/invitation" in help_text and "/membres" in help_text


async def test_member_help_shows_member_commands_only(chat: Conversation) -> None:
    await chat.join("Alice")
    help_text = await chat.say("Alice", "/aide")
    assert "/competences" in help_text and "/profil" in help_text
    assert "/invitation" not in help_text and "/membres" not in help_text
    assert "/language en" in help_text
    assert "coordination" in await chat.say("Alice", "/invitation")


async def test_invitation_from_chat_can_be_used(chat: Conversation) -> None:
    await chat.join("Claire", Role.COORDINATOR)
    answer = await chat.say("Claire", "/invitation 2")
    code = chat_code(answer)
    assert "2 personnes" in answer
    assert "Bienvenue" in await chat.say("Dina", f"/start {code}")
    assert "Bienvenue" in await chat.say("Eli", f"/start {code}")
    assert "déjà été utilisé" in await chat.say("Fred", f"/start {code}")
    assert "Utilisation" in await chat.say("Claire", "/invitation beaucoup")


def chat_code(answer: str) -> str:
    from tests.helpers import CODE

    match = CODE.search(answer)
    assert match, answer
    return match.group(1)
