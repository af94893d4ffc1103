"""The permission table, cell by cell: every command × stranger/member/coordinator × chat type.

The router's behaviour is observed from outside: each command's handler is replaced by one
that records it ran, and the reply says which refusal was given.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.chat.commands import all_commands
from bot.chat.context import Context, Reply
from bot.chat.permissions import PERMISSIONS, Decision, decide
from bot.chat.router import Router
from bot.chat.types import ChatType, Incoming, Outgoing
from bot.core.types import Role
from tests.helpers import Conversation, addressed_to

RAN = "handler ran"
PEOPLE = {None: "Stranger", Role.MEMBER: "Mia", Role.COORDINATOR: "Cora"}


def test_every_command_has_exactly_one_row() -> None:
    names = [command.name for command in all_commands()]
    assert sorted(names) == sorted(PERMISSIONS)


@pytest.mark.parametrize(
    ("command", "role", "chat", "expected"),
    [  # written by hand: the cells that matter most
        ("demande", None, ChatType.PRIVATE, Decision.JOIN_FIRST),
        ("demande", None, ChatType.GROUP, Decision.SILENT),
        ("demande", Role.MEMBER, ChatType.GROUP, Decision.PRIVATE_ONLY),
        ("demande", Role.MEMBER, ChatType.PRIVATE, Decision.RUN),
        ("stats", Role.MEMBER, ChatType.PRIVATE, Decision.COORDINATORS_ONLY),
        ("stats", Role.COORDINATOR, ChatType.PRIVATE, Decision.RUN),
        ("stats", Role.COORDINATOR, ChatType.GROUP, Decision.PRIVATE_ONLY),
        ("rapport", Role.MEMBER, ChatType.PRIVATE, Decision.COORDINATORS_ONLY),
        ("assigner", Role.MEMBER, ChatType.PRIVATE, Decision.COORDINATORS_ONLY),
        ("invitation", Role.MEMBER, ChatType.PRIVATE, Decision.COORDINATORS_ONLY),
        ("oublier", None, ChatType.PRIVATE, Decision.JOIN_FIRST),
        ("mesdonnees", Role.MEMBER, ChatType.GROUP, Decision.PRIVATE_ONLY),
        ("tuto", None, ChatType.PRIVATE, Decision.JOIN_FIRST),
        ("start", None, ChatType.PRIVATE, Decision.RUN),
        ("confidentialite", None, ChatType.PRIVATE, Decision.RUN),
        ("confidentialite", None, ChatType.GROUP, Decision.RUN),
        ("aide", Role.MEMBER, ChatType.GROUP, Decision.RUN),
        ("demande", Role.COORDINATOR, ChatType.PRIVATE, Decision.RUN),
    ],
)
def test_key_cells(command: str, role: Role | None, chat: ChatType, expected: Decision) -> None:
    assert decide(command, role, chat) is expected


async def _recorder(ctx: Context, args: str) -> Reply:
    return [Outgoing(text=RAN)]


def _observed(reply: Reply) -> Decision:
    """Which decision a reply shows (French wording of the router's refusals)."""
    text = "\n".join(message.text for message in reply)
    if not reply:
        return Decision.SILENT
    if RAN in text:
        return Decision.RUN
    if "coordination" in text and "réservée" in text:
        return Decision.COORDINATORS_ONLY
    if "message privé" in text:
        return Decision.PRIVATE_ONLY
    if "invitation" in text:
        return Decision.JOIN_FIRST
    raise AssertionError(text)


async def test_the_router_enforces_every_cell(chat: Conversation) -> None:
    await chat.join(PEOPLE[Role.MEMBER])
    await chat.join(PEOPLE[Role.COORDINATOR], Role.COORDINATOR)
    app = chat.app
    router = Router(
        [replace(command, handler=_recorder) for command in all_commands()], app.services
    )
    wrong = []
    cells = 0
    for command in all_commands():
        for role, person in PEOPLE.items():
            for chat_type in ChatType:
                incoming = Incoming(
                    platform="console",
                    user_id=chat.key(person),
                    chat_id=chat.key(person) if chat_type is ChatType.PRIVATE else "group",
                    text=f"/{command.name}",
                    chat_type=chat_type,
                )
                seen = _observed(await router.handle(incoming))
                cells += 1
                if seen is not decide(command.name, role, chat_type):
                    wrong.append((command.name, person, chat_type.value, seen.value))
    assert cells == len(PERMISSIONS) * 3 * 2
    assert wrong == []


async def test_help_lists_only_what_the_person_may_use(chat: Conversation) -> None:
    await chat.join("Mia")
    await chat.join("Cora", Role.COORDINATOR)
    member_help = await chat.say("Mia", "/aide")
    coordinator_help = await chat.say("Cora", "/aide")
    assert "/stats" not in member_help and "/stats" in coordinator_help
    assert "/demande" in member_help and "/demande" in coordinator_help


async def test_a_request_text_is_seen_only_by_its_author_helper_and_those_offered_it(
    chat: Conversation,
) -> None:
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.join("Bruno")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Karim", "ameli (former)")
    secret = "Attestation ameli pour un jeune SECRET-TEXT"
    asked = await chat.say("Amina", f"/demande {secret}")
    assert "SECRET-TEXT" in addressed_to(asked, "Karim")  # offered
    assert addressed_to(asked, "Bruno") == "" and addressed_to(asked, "Claire") == ""
    for person in ("Bruno", "Claire"):  # neither author, nor offered, nor helper
        for command in ("/demande 1", "/msg 1 bonjour", "/mesdemandes", "/suivi attente"):
            assert "SECRET-TEXT" not in await chat.say(person, command)
    assert "SECRET-TEXT" in await chat.say("Karim", "/demande 1")
    assert "SECRET-TEXT" in await chat.say("Amina", "/demande 1")
    await chat.say("Karim", "/prendre 1")
    assert "SECRET-TEXT" not in await chat.say("Claire", "/demande 1")
    assert "SECRET-TEXT" not in await chat.say("Claire", "/stats")
