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
