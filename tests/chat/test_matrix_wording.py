"""What people on Matrix read: `!` commands everywhere, the bot's address beside an invitation
code, which messages ring, and reactions standing for answers (no Synapse needed here)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import App
from bot.chat.notifications import render
from bot.chat.types import Action, Answer, Attention, ChatType, Incoming, RoomEvent
from bot.core import invites, outbox
from bot.core.clock import FixedClock
from bot.core.notices import DigestNotice
from bot.core.types import Role
from tests.helpers import CODE, Conversation, prepared_app

BOT = "@samu:example.org"
# A command written with Telegram's (and the terminal's) prefix: `/aide`, `/language`…
SLASH_COMMAND = re.compile(r"(^|[\s(«“:])/[a-z]")


@pytest.fixture
async def matrix_app(database_url: str, clock: FixedClock) -> AsyncIterator[App]:
    """The app with Matrix enabled in its configuration (nothing connects to a homeserver)."""
    matrix = {
        "enabled": True,
        "homeserver": "https://matrix.example.org",
        "user_id": BOT,
        "password": "secret",
    }
    async with prepared_app(
        database_url, clock, network={"structures": ["Mission locale"]}, matrix=matrix
    ) as application:
        yield application


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


async def test_help_errors_and_usage_on_matrix_use_the_bang_prefix(matrix_app: App) -> None:
    amina = MatrixPerson(matrix_app, "Amina")
    stranger = MatrixPerson(matrix_app, "Mallory")
    invite = await invites.create_invite(matrix_app.services, role=Role.MEMBER)
    answers = [await stranger.say("!aide"), await stranger.say("bonjour")]
    answers.append(await amina.say(f"!start {invites.display_code(invite.code)}"))
    for text in ("!annuler", "!aide", "!inconnue", "!rsvp", "!langue xx", "!aide demande", ""):
        answers.append(await amina.say(text))
    for answer in answers:
        assert answer and not SLASH_COMMAND.search(answer), answer
    help_text = answers[4]
    assert "!demande" in help_text and "In English: !language en" in help_text


async def test_an_invitation_shows_the_bots_matrix_address(matrix_app: App) -> None:
    chat = Conversation(matrix_app)
    try:
        await chat.join("Claire", Role.COORDINATOR)
        answer = await chat.say("Claire", "/invitation")
    finally:
        await chat.console.close()
    code = CODE.findall(answer)[0]
    assert f"/start {code}" in answer  # on the coordinator's own network (the terminal here)
    assert f"{BOT} (https://matrix.to/#/{BOT})" in answer
    assert f"écrivez : !start {code}" in answer
    claire = MatrixPerson(matrix_app, "Malik")
    coordinator = await invites.create_invite(matrix_app.services, role=Role.COORDINATOR)
    await claire.say(f"!start {invites.display_code(coordinator.code)}")
    answer = await claire.say("!invitation")
    code = CODE.findall(answer)[0]
    assert f"!start {code}" in answer and f"https://matrix.to/#/{BOT}" in answer
    assert not SLASH_COMMAND.search(answer)


async def test_without_matrix_an_invitation_says_nothing_of_it(chat: Conversation) -> None:
    await chat.join("Claire", Role.COORDINATOR)
    answer = await chat.say("Claire", "/invitation")
    assert "Matrix" not in answer and "matrix.to" not in answer


async def test_the_bot_joining_a_direct_chat_greets_strangers_and_members(
    matrix_app: App,
) -> None:
    zoe = MatrixPerson(matrix_app, "Zoe")
    hello = await zoe.say("", room_event=RoomEvent.JOINED)
    assert "!start" in hello and "code d'invitation" in hello
    invite = await invites.create_invite(matrix_app.services, role=Role.MEMBER)
    await zoe.say(f"!start {invites.display_code(invite.code)}")
    assert "Bonjour Zoe, je suis là" in await zoe.say("", room_event=RoomEvent.JOINED)


async def test_someone_coming_into_a_members_chat_moves_only_that_members_notices(
    matrix_app: App,
) -> None:
    amina = MatrixPerson(matrix_app, "Amina")
    invite = await invites.create_invite(matrix_app.services, role=Role.MEMBER)
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


async def test_offers_and_reminders_ring_digests_and_edits_do_not(
    app: App, chat: Conversation, clock: FixedClock
) -> None:
    await chat.join("Amina")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.join("Karim")
    await chat.declare("Karim", "ameli (former)")
    await chat.say("Amina", "/demande souci ameli pour un jeune")
    karim, claire = await chat.member("Karim"), await chat.member("Claire")
    async with app.services.uow() as uow:
        [offer] = await uow.outbox.find(recipient_id=karim.id, kind="offer")
        await outbox.notify(
            uow,
            clock.now(),
            claire.id,
            DigestNotice(since=clock.now() - timedelta(days=7), until=clock.now()),
        )
        await uow.commit()
        [digest] = await uow.outbox.find(recipient_id=claire.id, kind="digest")
    rendered_offer = await render(app.services, karim, offer, "matrix", "!")
    rendered_digest = await render(app.services, claire, digest, "matrix", "!")
    assert rendered_offer is not None and rendered_offer.attention is Attention.NOTIFY
    assert rendered_digest is not None and rendered_digest.attention is Attention.QUIET


def test_actions_say_which_reaction_answers_them() -> None:
    from bot.transports.matrix.formatting import action_for_reaction, content

    actions = (
        Action("Je viens", "/rsvp 3 oui", Answer.YES),
        Action("Je ne viens pas", "/rsvp 3 non", Answer.NO),
        Action("Peut-être", "/rsvp 3 peutetre", Answer.MAYBE),
        Action("Autre chose", "/agenda"),
    )
    loud = content("Invitation", actions, notice=False)
    assert loud["msgtype"] == "m.text"
    assert content("Résumé", (), notice=True)["msgtype"] == "m.notice"
    kept = loud["org.samu.actions"]
    assert action_for_reaction("✅", kept) == "/rsvp 3 oui"
    assert action_for_reaction("❌", kept) == "/rsvp 3 non"
    assert action_for_reaction("🤔", kept) == "/rsvp 3 peutetre"
    assert action_for_reaction("4️⃣", kept) == "/agenda"
    assert action_for_reaction("🎉", kept) is None
    assert action_for_reaction("🤔", kept[:2]) is None  # no "maybe" here: nothing is chosen
