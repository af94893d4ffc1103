"""Who is in a Matrix room, as the bot's privacy rules read it (pure functions over nio's rooms).

A room is private with a person when everyone in it, joined or invited, is the bot or that
person, and the bot has joined: nothing sent there can be read by anyone else. A person only
invited counts (a direct chat the bot opened and they have not accepted yet): nobody else can
join a room they were not invited to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from nio import MatrixRoom, RoomMemberEvent


def people(room: MatrixRoom, bot: str) -> set[str]:
    """Everyone in the room but the bot, joined or invited."""
    return set(room.users) - {bot}


def bot_joined(room: MatrixRoom, bot: str) -> bool:
    """Whether the bot is a joined member of the room (not only invited, not gone)."""
    user = room.users.get(bot)
    return user is not None and not user.invited


def private_with(room: MatrixRoom | None, bot: str, user_id: str) -> bool:
    """Whether only the bot and `user_id` are in the room."""
    return room is not None and bot_joined(room, bot) and people(room, bot) == {user_id}


def private_room(rooms: Mapping[str, MatrixRoom], bot: str, user_id: str) -> str | None:
    """Another room private with `user_id`: one they joined first, then an encrypted one."""
    found = [room for room in rooms.values() if private_with(room, bot, user_id)]
    if not found:
        return None
    best = min(
        found,
        key=lambda room: (room.users[user_id].invited, not room.encrypted, room.room_id),
    )
    return str(best.room_id)


def homeserver(user_id: str) -> str:
    """`example.org` for `@someone:example.org`."""
    return user_id.split(":", 1)[-1]


class Change(StrEnum):
    """What a membership event did to a room."""

    CAME = "came"  # joined or was invited
    WENT = "went"  # left, was kicked or banned
    NONE = "none"  # a profile change (display name, avatar) or the bot itself


@dataclass(frozen=True, slots=True)
class Movement:
    """One person coming into or going out of a room."""

    user_id: str
    change: Change
    event_id: str


def movements(events: Iterable[object], bot: str) -> list[Movement]:
    """The comings and goings of people other than the bot among `events`."""
    found = []
    for event in events:
        if not isinstance(event, RoomMemberEvent) or event.state_key == bot:
            continue
        change = _change(event.membership, event.prev_membership)
        if change is not Change.NONE:
            found.append(Movement(event.state_key, change, event.event_id))
    return found


def _change(membership: str, before: str | None) -> Change:
    present = ("join", "invite")
    if membership in present and before not in present:
        return Change.CAME
    if membership in ("leave", "ban") and before in present:
        return Change.WENT
    return Change.NONE
