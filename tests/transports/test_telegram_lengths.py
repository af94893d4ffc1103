"""Long texts full of emoji reach Telegram, which counts their length in UTF-16 units."""

from __future__ import annotations

from functools import partial
from typing import Any

from tests.fakes.telegram_api import FakeBotApi
from tests.transports.conftest import Running

AMINA, KARIM, SOPHIE = 1001, 1002, 1003


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


def _offered(server: FakeBotApi, chat: int) -> bool:
    """True once request #1 was offered in `chat` (a message with its take button)."""
    return any("/prendre 1" in buttons(m).values() for m in server.sent_messages(chat))


async def test_a_long_request_with_emoji_reaches_the_helpers_with_its_buttons(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(KARIM, "Karim", skills="ameli")
    await running.join(SOPHIE, "Sophie", skills="ameli")
    # 2,990 characters, 4,474 UTF-16 units: under the bot's limit for a request, over
    # Telegram's for one message.
    text = "/demande compte ameli " + ("ok 🙏🙏🙏🙏 " * 400)[: 2_990 - 22]
    assert _units(text) > 4_096
    server.user_sends(AMINA, text, first_name="Amina")
    await running.wait_text(AMINA, "#1")
    for helper in (KARIM, SOPHIE):
        await server.wait_for(partial(_offered, server, helper), timeout=10)
        offer = [m for m in server.sent_messages(helper) if "🙏" in m.get("text", "")]
        assert len(offer) == 2, [_units(m["text"]) for m in offer]
        assert all(_units(m["text"]) <= 4_096 for m in offer)
        assert not buttons(offer[0]) and buttons(offer[-1]) == {
            "Je prends": "/prendre 1",
            "Pas disponible": "/decliner 1",
        }
    refused = [c for c in server.calls_to("sendMessage") if c.response_status == 400]
    assert not refused


async def test_the_outcome_of_a_long_offer_is_shown_on_its_last_part(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(KARIM, "Karim", skills="ameli")
    await running.join(SOPHIE, "Sophie", skills="ameli")
    text = "/demande compte ameli " + ("ok 🙏🙏🙏🙏 " * 400)[: 2_990 - 22]
    server.user_sends(AMINA, text, first_name="Amina")
    offers = {}
    for helper in (KARIM, SOPHIE):
        await server.wait_for(partial(_offered, server, helper), timeout=10)
        [offers[helper]] = [m for m in server.sent_messages(helper) if buttons(m)][-1:]
    server.user_presses(KARIM, offers[KARIM]["message_id"], "/prendre 1")
    taken = await running.wait_text(KARIM, "✔ Vous avez pris la demande #1.")
    lost = await running.wait_text(SOPHIE, "prise par Karim")
    assert taken["message_id"] == offers[KARIM]["message_id"]
    assert lost["message_id"] == offers[SOPHIE]["message_id"]
    assert all(_units(m["text"]) <= 4_096 and "🙏" in m["text"] for m in (taken, lost))
    assert not buttons(taken) and not buttons(lost)
