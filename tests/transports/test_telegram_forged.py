"""Polling: an update whose private chat is not its sender's is dropped and logged."""

from __future__ import annotations

import logging

import pytest

from bot.core.types import Role
from tests.fakes.telegram_api import FakeBotApi
from tests.transports.conftest import Running


async def test_a_forged_private_chat_gets_no_answer(
    running: Running, server: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    await running.start()
    await running.join(1001, "Claire", Role.COORDINATOR)
    mine = server.user_sends(6666, "/aide", first_name="Mallory")
    server._updates.clear()
    forged = {**mine, "from": {"id": 1001, "is_bot": False, "first_name": "Claire"}}
    forged["text"] = "/invitation coordinateur"
    before = len(server.sent_messages(1001))
    with caplog.at_level(logging.WARNING, logger="bot.transports.telegram"):
        update_id = server.raw_update({"message": forged})
        # Handled (and acknowledged) like any other update, then a normal one goes through.
        await server.wait_for(
            lambda: update_id not in {u["update_id"] for u in server.pending_updates}
        )
        server.user_sends(1001, "/aide", first_name="Claire")
        await running.wait_text(1001, "/invitation", after=before)
    assert server.sent_messages(6666) == []
    answers = server.sent_messages(1001)[before:]
    assert len(answers) == 1 and "/invitation" in answers[0]["text"]  # only the help
    assert any("does not belong" in record.getMessage() for record in caplog.records)
