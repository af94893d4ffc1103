"""Telegram buttons carry at most 64 bytes: a longer command travels as its place."""

from __future__ import annotations

import pytest

from bot.chat.types import Action, payload_position, position_payload
from bot.transports.telegram.formatting import keyboard, valid_callback


def test_every_action_gets_a_button_within_64_bytes() -> None:
    short = Action("Prendre", "/prendre 12")
    long = Action("Retirer", "/competences retirer " + "é" * 30)  # 81 bytes in UTF-8
    markup = keyboard((short, long))
    assert markup is not None
    data = [row[0].callback_data for row in markup.inline_keyboard]
    assert data == ["/prendre 12", "/#2"]
    assert all(valid_callback(item) == item for item in data)


@pytest.mark.parametrize("position", [1, 9, 42, 99])
def test_a_place_reads_back(position: int) -> None:
    assert payload_position(position_payload(position)) == position


@pytest.mark.parametrize(
    "payload", ["/#0", "/#100", "/#01", "/# 1", "/#1 ", "#1", "/#²", "/#١", "/prendre 1", ""]
)
def test_anything_else_is_not_a_place(payload: str) -> None:
    assert payload_position(payload) is None
