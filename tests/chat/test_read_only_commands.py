"""Commands that only read use read-only units of work (issue 20): besides the router's
own bookkeeping (who is typing, the event), /agenda, /tuto, /mesdemandes open none that may
write; a read-only one refuses writes (tests/storage/test_read_only_uow.py), so these
commands answering at all shows that they do not write."""

from __future__ import annotations

import pytest

from bot.chat.types import Incoming
from bot.core.types import Role
from storage.db import UnitOfWork
from tests.helpers import Conversation


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each unit of work entered from now on is read-only."""
    seen: list[bool] = []
    enter = UnitOfWork.__aenter__

    async def spy(self: UnitOfWork) -> UnitOfWork:
        seen.append(self.read_only)
        return await enter(self)

    monkeypatch.setattr(UnitOfWork, "__aenter__", spy)
    return seen


@pytest.mark.parametrize(
    "line",
    ["/agenda", "/agenda passees", "/tuto", "/tuto ameli", "/mesdemandes", "/mesdemandes 1"],
)
async def test_reading_commands_only_read(
    chat: Conversation, opened: list[bool], line: str
) -> None:
    await chat.join("Amina")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.say("Claire", "/session nouvelle 07/01/2027 9:00-12:00 EPN Résoudre")
    await chat.say("Amina", "/demande créer un compte ameli pour un jeune")
    opened.clear()
    key = chat.key("Amina")
    replies = await chat.app.router.handle(
        Incoming(platform="console", user_id=key, chat_id=key, text=line)
    )
    answer = "\n".join(reply.text for reply in replies)
    assert answer and "Sorry" not in answer and "Désolé" not in answer, answer
    # The first one is the router's arrival (it records the event and the member's visit);
    # delivering the answer (what its buttons mean) is not part of the command.
    assert opened[0] is False
    assert opened[1:] and all(opened[1:]), opened
