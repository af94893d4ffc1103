"""Which Matrix room is private with a person: the pure rules over nio's room state."""

from __future__ import annotations

import pytest

pytest.importorskip("nio", reason="matrix-nio is not installed")

from nio import MatrixRoom

from bot.transports.matrix.rooms import private_room, private_with

BOT = "@samu:example.org"
AMINA = "@amina:example.org"
MALLORY = "@mallory:example.org"


def room(
    room_id: str,
    joined: tuple[str, ...] = (BOT, AMINA),
    invited: tuple[str, ...] = (),
    *,
    encrypted: bool = False,
) -> MatrixRoom:
    made = MatrixRoom(room_id, BOT, encrypted=encrypted)
    for user_id in joined:
        made.add_member(user_id, None, None)
    for user_id in invited:
        made.add_member(user_id, None, None, invited=True)
    return made


def test_a_room_is_private_only_with_the_bot_joined_and_nobody_else() -> None:
    assert private_with(room("!a"), BOT, AMINA)
    assert private_with(room("!a", joined=(BOT,), invited=(AMINA,)), BOT, AMINA)
    assert not private_with(None, BOT, AMINA)
    assert not private_with(room("!a", joined=(AMINA,), invited=(BOT,)), BOT, AMINA)
    assert not private_with(room("!a", joined=(BOT, AMINA, MALLORY)), BOT, AMINA)
    assert not private_with(room("!a", invited=(MALLORY,)), BOT, AMINA)  # invited counts
    assert not private_with(room("!a"), BOT, MALLORY)


def test_another_private_room_is_found_joined_first_then_encrypted() -> None:
    shared = room("!shared", joined=(BOT, AMINA, MALLORY))
    someone_else = room("!other", joined=(BOT, MALLORY))
    assert private_room({"!shared": shared, "!other": someone_else}, BOT, AMINA) is None
    plain = room("!b-plain")
    rooms = {r.room_id: r for r in (shared, someone_else, plain)}
    assert private_room(rooms, BOT, AMINA) == "!b-plain"
    encrypted = room("!c-encrypted", encrypted=True)
    rooms[encrypted.room_id] = encrypted
    assert private_room(rooms, BOT, AMINA) == "!c-encrypted"
    pending = room("!a-pending", joined=(BOT,), invited=(AMINA,), encrypted=True)
    rooms[pending.room_id] = pending
    assert private_room(rooms, BOT, AMINA) == "!c-encrypted"  # one she joined, first
    del rooms["!c-encrypted"], rooms["!b-plain"]
    assert private_room(rooms, BOT, AMINA) == "!a-pending"
