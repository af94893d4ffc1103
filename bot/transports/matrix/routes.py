"""The bot's rooms kept fit for private content: which room reaches a person privately,
opening a direct chat when none does, and leaving rooms that serve nobody.

Rules (the privacy predicate is `rooms.private_with`):
- a member's notices go only to a room where nobody but the bot and that member is; when
  their room is no longer one, another such room is used, or a new direct chat is opened;
- when someone comes into a person's private room, the conversation layer is told (it warns
  the person there, without private content, and moves their notices elsewhere);
- the bot leaves a room where it is alone, and a room where no member remains after someone
  left; at start, also the rooms shared with an account of a homeserver not allowed.
Rooms listed in `allowed_rooms` (the network's group rooms) are left alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from nio import (
    AsyncClient,
    MatrixRoom,
    RoomCreateResponse,
    RoomLeaveError,
    RoomMemberEvent,
    RoomPreset,
    SyncResponse,
)

from bot.chat.types import ChatType, Incoming, RoomEvent
from bot.transports.base import DeliveryError
from bot.transports.matrix.rooms import (
    Change,
    Movement,
    bot_joined,
    homeserver,
    movements,
    people,
    private_room,
    private_with,
)
from bot.transports.matrix.settings import MatrixSettings, MemberDirectory

log = logging.getLogger(__name__)

MEGOLM = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}
# How long a send waits for a direct chat it just opened to appear in the sync.
NEW_ROOM_WAIT = 10.0
# How soon to try again a message for a member invited to an encrypted chat not joined yet.
JOIN_RETRY = 5.0

Answer = Callable[[Incoming], Awaitable[None]]


def display_name(room: MatrixRoom | None, user_id: str) -> str:
    """The person's name in the room, else the local part of their id."""
    name = room.user_name(user_id) if room is not None else None
    return name or user_id.split(":", 1)[0].lstrip("@")


def _event_key(*parts: str) -> str:
    """A short stable id for an event the bot derives from others (the router records it)."""
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=16).hexdigest()
    return f"matrix-room-{digest}"


@dataclass
class Routes:
    """Keeps track of the bot's rooms after each sync, and finds a person's private room."""

    settings: MatrixSettings
    answer: Answer
    directory: MemberDirectory | None = None
    command_prefix: str = "!"
    wait_turn: Callable[[], Awaitable[None]] | None = None
    # Rooms joined on an invitation, greeted once the sync shows them: room → who invited.
    _greet: dict[str, str] = field(default_factory=dict)
    _opening: dict[str, asyncio.Task[str]] = field(default_factory=dict)
    _synced: asyncio.Event = field(default_factory=asyncio.Event)

    def joined_on_invitation(self, room_id: str, inviter: str) -> None:
        """The bot accepted `inviter`'s invitation: greet them once the room is known."""
        self._greet[room_id] = inviter

    async def after_sync(
        self, client: AsyncClient, response: SyncResponse, *, start: bool, history: bool
    ) -> None:
        """Look at what a sync changed: greet, warn, leave.

        `start`: the full-state sync of a start (its state is everything; only its timeline
        tells what changed since the last run). `history`: the first sync ever, nothing in
        it is news.
        """
        bot = str(client.user_id)
        if start:
            await self._check_all(client, bot)
        for room_id, info in response.rooms.join.items():
            if history:
                break
            changes = [*info.timeline.events, *([] if start else info.state)]
            await self._changed(client, bot, room_id, movements(changes, bot))
        for room_id in [r for r in self._greet if r in client.rooms]:
            await self._greet_in(client, room_id, response)
        self._synced.set()
        self._synced = asyncio.Event()

    async def private_chat(self, client: AsyncClient, user_id: str, chat_id: str) -> str:
        """A room where only the bot and `user_id` are: `chat_id` while it is one, else
        another such room, else a direct chat opened now."""
        bot = str(client.user_id)
        if private_with(client.rooms.get(chat_id), bot, user_id):
            return _readable(client, chat_id, user_id)
        found = private_room(client.rooms, bot, user_id)
        if found is not None:
            return _readable(client, found, user_id)
        if not self.settings.homeserver_allowed(user_id):
            raise DeliveryError(f"{user_id}: homeserver not allowed", permanent=True)
        opening = self._opening.get(user_id)
        if opening is None:
            # Encrypted like the room it replaces (the person's choice), else when the bot can.
            before = client.rooms.get(chat_id)
            encrypted = client.olm is not None and (before is None or before.encrypted)
            opening = asyncio.create_task(self._open(client, user_id, encrypted=encrypted))
            self._opening[user_id] = opening
            opening.add_done_callback(lambda _: self._opening.pop(user_id, None))
        return _readable(client, await asyncio.shield(opening), user_id)

    def chat_type(self, client: AsyncClient, room_id: str, sender: str) -> ChatType:
        """Private when only the bot and the sender are in the room."""
        room = client.rooms.get(room_id)
        private = private_with(room, str(client.user_id), sender)
        return ChatType.PRIVATE if private else ChatType.GROUP

    async def _open(self, client: AsyncClient, user_id: str, *, encrypted: bool) -> str:
        if self.wait_turn is not None:
            await self.wait_turn()
        created = await client.room_create(
            is_direct=True,
            preset=RoomPreset.private_chat,
            invite=[user_id],
            initial_state=[MEGOLM] if encrypted else [],
        )
        if not isinstance(created, RoomCreateResponse):
            raise DeliveryError(f"cannot open a direct chat with {user_id}: {created}")
        room_id = str(created.room_id)
        log.info("opened direct chat %s with %s", room_id, user_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + NEW_ROOM_WAIT
        while room_id not in client.rooms:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise DeliveryError(f"direct chat {room_id} not synced yet", retry_after=2)
            try:
                await asyncio.wait_for(self._synced.wait(), remaining)
            except TimeoutError:
                continue
        return room_id

    async def _check_all(self, client: AsyncClient, bot: str) -> None:
        """At start: leave the rooms where the bot is alone, or that hold an account of a
        homeserver no longer allowed."""
        for room_id, room in list(client.rooms.items()):
            if room_id in self.settings.allowed_rooms or not bot_joined(room, bot):
                continue
            others = people(room, bot)
            if not others:
                await self._leave(client, room_id, "the bot is alone there")
                continue
            strangers = [u for u in others if not self.settings.homeserver_allowed(u)]
            if strangers:
                await self._leave(
                    client, room_id, f"homeserver not allowed: {homeserver(strangers[0])}"
                )

    async def _changed(
        self, client: AsyncClient, bot: str, room_id: str, moved: list[Movement]
    ) -> None:
        room = client.rooms.get(room_id)
        if not moved or room is None or room_id in self.settings.allowed_rooms:
            return
        if not bot_joined(room, bot):
            return
        others = people(room, bot)
        if not others:
            await self._leave(client, room_id, "the bot is alone there")
            return
        went = any(m.change is Change.WENT for m in moved)
        if went and not await self._any_member(others):
            await self._leave(client, room_id, "no member remains")
            return
        came = [m for m in moved if m.change is Change.CAME]
        if not came or len(others) < 2:
            return
        newcomers = {m.user_id for m in came}
        for person in sorted(others - newcomers):
            if room.users[person].invited:
                continue
            event_id = _event_key("shared", room_id, came[-1].event_id, person)
            await self.answer(self._room_incoming(client, room, person, RoomEvent.SHARED, event_id))

    async def _any_member(self, users: set[str]) -> bool:
        if self.directory is None:
            return True
        for user_id in users:
            if await self.directory.is_member(user_id):
                return True
        return False

    async def _greet_in(self, client: AsyncClient, room_id: str, response: SyncResponse) -> None:
        inviter = self._greet.pop(room_id)
        info = response.rooms.join.get(room_id)
        joins = [
            event.event_id
            for event in (info.timeline.events if info is not None else [])
            if isinstance(event, RoomMemberEvent)
            and event.state_key == client.user_id
            and event.membership == "join"
        ]
        event_id = _event_key("joined", room_id, joins[-1] if joins else "")
        room = client.rooms[room_id]
        await self.answer(self._room_incoming(client, room, inviter, RoomEvent.JOINED, event_id))

    def _room_incoming(
        self, client: AsyncClient, room: MatrixRoom, user_id: str, event: RoomEvent, event_id: str
    ) -> Incoming:
        return Incoming(
            platform="matrix",
            user_id=user_id,
            chat_id=room.room_id,
            text="",
            chat_type=self.chat_type(client, room.room_id, user_id),
            display_name=display_name(room, user_id),
            event_id=event_id,
            command_prefix=self.command_prefix,
            room_event=event,
        )

    async def _leave(self, client: AsyncClient, room_id: str, why: str) -> None:
        log.info("leaving room %s: %s", room_id, why)
        self._greet.pop(room_id, None)
        response = await client.room_leave(room_id)
        if isinstance(response, RoomLeaveError):
            log.warning("could not leave room %s: %s", room_id, response)


def _readable(client: AsyncClient, room_id: str, user_id: str) -> str:
    """`room_id`, once the member can read what is sent there: in an encrypted room only
    after they joined (the room key is shared with the devices of joined members; an
    invited person's device may never get it, nor one the bot has not seen in the room yet).
    Until then, a refusal to retry shortly."""
    room = client.rooms.get(room_id)
    member = room.users.get(user_id) if room is not None else None
    if room is not None and room.encrypted and (member is None or member.invited):
        raise DeliveryError(
            f"waiting for {user_id} to join the direct chat {room_id}", retry_after=JOIN_RETRY
        )
    return room_id
