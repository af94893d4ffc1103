"""Groups: unclaimed requests announced without private details; commands only, no leaks."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.types import Role
from tests.fakes.telegram_api import FakeBotApi
from tests.transports.conftest import Running

AMINA, CLAIRE = 1001, 1009


@pytest.fixture
def telegram_options() -> dict[str, Any]:
    return {"announce_chat_id": "-500"}


async def test_group_gets_unclaimed_requests_without_private_details(
    running: Running, server: FakeBotApi
) -> None:
    server.known_chats.add(-500)
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(CLAIRE, "Claire", Role.COORDINATOR)
    server.user_sends(
        AMINA, "/demande comment utiliser Blender avec Mme Dupont ?", first_name="Amina"
    )
    await running.wait_text(AMINA, "« Mme Dupont »")  # held: nobody sees it yet
    server.user_sends(AMINA, "/envoyer 1 telquel", first_name="Amina")  # her choice
    announcement = await running.wait_text(-500, "#1")
    assert "Blender" in announcement["text"]
    assert "Dupont" not in announcement["text"] and "Amina" not in announcement["text"]
    assert "/competences ajouter blender" in announcement["text"]
    server.user_sends(CLAIRE, "/membres", first_name="Claire", chat_id=-500, chat_type="group")
    await running.wait_text(-500, "privé")
    assert "Écrivez-moi ici : https://t.me/samu_test_bot" in announcement["text"]


GROUP = -500


async def _in_the_group(running: Running, server: FakeBotApi) -> None:
    server.known_chats.add(GROUP)
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(CLAIRE, "Claire", Role.COORDINATOR)


def _buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


async def test_commands_for_another_bot_are_left_to_it(
    running: Running, server: FakeBotApi
) -> None:
    await _in_the_group(running, server)
    said = len(server.sent_messages(GROUP))
    server.user_sends(
        CLAIRE, "/membres@autre_bot", first_name="Claire", chat_id=GROUP, chat_type="group"
    )
    server.user_sends(
        CLAIRE, "/aide@Autre_Bot", first_name="Claire", chat_id=GROUP, chat_type="group"
    )
    server.user_sends(
        CLAIRE, "/membres@samu_test_bot", first_name="Claire", chat_id=GROUP, chat_type="group"
    )
    answer = await running.wait_text(GROUP, "privé", after=said)
    assert "Écrivez-moi ici : https://t.me/samu_test_bot" in answer["text"]
    # Only the command addressed to this bot got an answer (the others were handled first).
    assert len(server.sent_messages(GROUP)) == said + 1
    server.user_sends(
        CLAIRE, "/aide@SAMU_TEST_BOT", first_name="Claire", chat_id=GROUP, chat_type="group"
    )
    await running.wait_text(GROUP, "/", after=said + 1)


async def test_a_button_in_a_group_acts_only_for_whom_it_is(
    running: Running, server: FakeBotApi
) -> None:
    await _in_the_group(running, server)
    server.user_sends(
        CLAIRE, "/confidentialite", first_name="Claire", chat_id=GROUP, chat_type="group"
    )
    notice = await running.wait_text(GROUP, "Qui lit une demande")
    data = _buttons(notice)["Mes données"]
    said = len(server.sent_messages(GROUP))
    query = server.user_presses(AMINA, notice["message_id"], data, chat_id=GROUP)
    await server.wait_for(lambda: query in server.answered_callbacks)
    assert server.callback_texts[query] == "Ce bouton est pour une autre personne."
    # Claire's press is hers: it is acted on (in a group, /mesdonnees asks for a private chat).
    mine = server.user_presses(CLAIRE, notice["message_id"], data, chat_id=GROUP)
    answer = await running.wait_text(GROUP, "privé", after=said)
    assert "https://t.me/samu_test_bot" in answer["text"]
    await server.wait_for(lambda: mine in server.answered_callbacks)
    assert mine not in server.callback_texts
    # Nothing was posted in the group for Amina's press: one message, Claire's answer.
    assert len(server.sent_messages(GROUP)) == said + 1
    assert not [m for m in server.sent_messages(AMINA) if "autre personne" in m.get("text", "")]
