"""What people on Matrix read (no Synapse needed here)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.chat.types import ChatType, Incoming, RoomEvent
from bot.config import parse_config
from bot.core import invites
from bot.core.clock import FixedClock
from bot.core.types import Role

BOT = "@samu:example.org"


@pytest.fixture
async def matrix_app(database_url: str, clock: FixedClock) -> AsyncIterator[App]:
    """The app with Matrix enabled in its configuration (nothing connects to a homeserver)."""
    config = parse_config(
        {
            "database": {"url": database_url},
            "network": {"structures": ["Mission locale"]},
            "matrix": {
                "enabled": True,
                "homeserver": "https://matrix.example.org",
                "user_id": BOT,
                "password": "secret",
            },
        },
        "tests",
        {},
    )
    application = App.build(config, clock=clock)
    await application.prepare()
    try:
        yield application
    finally:
        await application.close()


class MatrixPerson:
    """Someone writing to the bot in a Matrix direct chat (through the router)."""

    def __init__(self, app: App, name: str) -> None:
        self.app, self.user_id, self.room = app, f"@{name.lower()}:example.org", f"!{name}:x"
        self.name, self.events = name, 0

    async def say(self, text: str, **extra: object) -> str:
        self.events += 1
        incoming = Incoming(
            platform="matrix",
            user_id=self.user_id,
            chat_id=self.room,
            text=text,
            display_name=self.name,
            event_id=f"$event-{self.name}-{self.events}",
            command_prefix="!",
            **extra,  # type: ignore[arg-type]
        )
        replies = await self.app.router.handle(incoming)
        return "\n".join(reply.text for reply in replies)


async def test_the_bot_joining_a_direct_chat_greets_strangers_and_members(
    matrix_app: App,
) -> None:
    zoe = MatrixPerson(matrix_app, "Zoe")
    hello = await zoe.say("", room_event=RoomEvent.JOINED)
    assert "!start" in hello and "code d'invitation" in hello
    invite = await invites.create_invite(
        matrix_app.services.uow(), matrix_app.services.clock, role=Role.MEMBER
    )
    await zoe.say(f"!start {invites.display_code(invite.code)}")
    assert "Bonjour Zoe, je suis là" in await zoe.say("", room_event=RoomEvent.JOINED)


async def test_someone_coming_into_a_members_chat_moves_only_that_members_notices(
    matrix_app: App,
) -> None:
    amina = MatrixPerson(matrix_app, "Amina")
    invite = await invites.create_invite(
        matrix_app.services.uow(), matrix_app.services.clock, role=Role.MEMBER
    )
    await amina.say(f"!start {invites.display_code(invite.code)}")
    stranger = MatrixPerson(matrix_app, "Mallory")
    stranger.room = amina.room
    assert await stranger.say("", room_event=RoomEvent.SHARED, chat_type=ChatType.GROUP) == ""
    elsewhere = MatrixPerson(matrix_app, "Amina")
    elsewhere.room, elsewhere.events = "!another:x", 100
    assert await elsewhere.say("", room_event=RoomEvent.SHARED, chat_type=ChatType.GROUP) == ""
    warning = await amina.say("", room_event=RoomEvent.SHARED, chat_type=ChatType.GROUP)
    assert "Une autre personne est maintenant dans cette conversation" in warning
    again = await amina.say("", room_event=RoomEvent.SHARED, chat_type=ChatType.GROUP)
    async with matrix_app.services.uow() as uow:
        queued = await uow.outbox.find(kind="private_chat_moved")
    assert len(queued) == 2 and again  # one notice per event that made the room shared
