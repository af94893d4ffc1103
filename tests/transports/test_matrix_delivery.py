"""Matrix: notices after a restart, what rings, reactions to invitations, the bot's login.

Real matrix-nio clients against the real Synapse of the test session, plain and encrypted.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

pytest.importorskip("nio", reason="matrix-nio is not installed")

from nio import RoomGetStateEventResponse, RoomMessageText

from bot.app import App
from bot.chat.i18n import translator
from bot.config import parse_config
from bot.core import outbox, sessions
from bot.core.notices import SessionReminder
from bot.core.types import Role, RsvpAnswer
from bot.doctor import diagnose
from tests.fakes.synapse import Synapse, synapse_fixture  # noqa: F401
from tests.transports.test_matrix import (
    PASSWORD,
    Network,
    bot_events,
    matrix_config,
    network_fixture,  # noqa: F401
)

ENCRYPTION = pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])


@ENCRYPTION
async def test_a_member_quiet_since_a_restart_gets_each_notice_once(
    network: Network, encrypted: bool
) -> None:
    amina = await network.join("Amina", encrypted=encrypted)
    karim = await network.join("Karim", encrypted=encrypted, skills="ameli (former)")
    services = network.app.services
    start = services.clock.now() + timedelta(days=30)
    session = await sessions.create(services, start=start, end=start + timedelta(hours=3))
    await karim.say(f"!rsvp {session.id} oui")
    await karim.sync_until(lambda: karim.bot_says("C'est noté", network.bot))
    await amina.say("!demande souci ameli pour un jeune")
    offer = await karim.sync_until(lambda: karim.bot_says("pour un jeune", network.bot))
    await karim.react(offer.event_id, "✅")
    await amina.sync_until(lambda: amina.bot_says("a pris votre demande", network.bot))

    await network.stop()
    await network.start()  # Karim writes nothing from now on
    await amina.say("!demande souci ameli pour une attestation")
    await amina.say("!msg 1 Il n'a pas d'adresse mail.")
    async with services.uow() as uow:
        helper = await uow.members.by_identity("matrix", karim.client.user_id)
        assert helper is not None
        await outbox.notify(
            uow,
            services.clock.now(),
            helper.id,
            SessionReminder(session.id, days=1),
            dedup_key=f"session-remind:1:{session.id}:{session.sequence}:{helper.id}",
        )
        await uow.commit()
    assert network.app.dispatcher is not None
    network.app.dispatcher.wake()
    fragments = ("pour une attestation", "pas d'adresse mail", "Rappel : le temps d'échange")
    await karim.sync_until(
        lambda: all(bot_events(karim, network.bot, f) for f in fragments), timeout=30
    )
    await karim.sync_until(lambda: True)
    for fragment in fragments:
        [event] = bot_events(karim, network.bot, fragment)
        assert isinstance(event, RoomMessageText), fragment  # m.text: the person is notified
        assert event.decrypted is encrypted


@ENCRYPTION
async def test_reactions_answer_a_session_invitation_and_name_the_session(
    network: Network, encrypted: bool
) -> None:
    amina = await network.join("Amina", encrypted=encrypted)
    services = network.app.services
    start = services.clock.now() + timedelta(days=10)
    session = await sessions.create(services, start=start, end=start + timedelta(hours=3))
    await sessions.due_notices(services)
    assert network.app.dispatcher is not None
    network.app.dispatcher.wake()
    invitation = await amina.sync_until(
        lambda: amina.bot_says("prochain temps d'échange", network.bot)
    )
    assert isinstance(invitation, RoomMessageText)  # an invitation rings
    for count, (key, answer, said) in enumerate(
        (
            ("✅", RsvpAnswer.YES, "Je viens"),
            ("🤔", RsvpAnswer.MAYBE, "Peut-être"),
            ("❌", RsvpAnswer.NO, "Je ne viens pas"),
        ),
        start=1,
    ):
        await amina.react(invitation.event_id, key)

        def all_noted(count: int = count) -> bool:
            return len(bot_events(amina, network.bot, "C'est noté")) == count

        await amina.sync_until(all_noted)
        noted = bot_events(amina, network.bot, "C'est noté")[-1]
        assert f" : {said}." in noted.body
        day = start.astimezone(ZoneInfo(session.timezone)).day
        assert "C'est noté pour le temps d'échange du " in noted.body  # which session
        assert f" {day} " in noted.body
        names = await sessions.attendees(services, session.id)
        assert bool(names.coming) is (answer is RsvpAnswer.YES)
        assert bool(names.maybe) is (answer is RsvpAnswer.MAYBE)
    await amina.react(invitation.event_id, "🎉")  # no answer means nothing: ignored
    await amina.sync_until(lambda: True)
    assert not amina.bot_says("pas compris", network.bot)


async def test_a_notice_the_bot_cannot_post_stays_pending_and_coordinators_are_told(
    network: Network, caplog: pytest.LogCaptureFixture
) -> None:
    bot = network.bot
    claire = await network.join("Claire", Role.COORDINATOR)
    amina = await network.join("Amina")
    karim = await network.join("Karim", skills="ameli (former)")
    levels = await karim.client.room_get_state_event(karim.room, "m.room.power_levels")
    assert isinstance(levels, RoomGetStateEventResponse), levels
    # Karim lets only himself speak in his room: the bot is still in it, and may not post.
    await karim.client.room_put_state(
        karim.room, "m.room.power_levels", {**levels.content, "events_default": 100}
    )
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        await amina.say("!demande souci ameli, pour un jeune")
        alert = await claire.sync_until(
            lambda: claire.bot_says("Je n'ai pas pu transmettre un message à", bot), timeout=30
        )
    assert karim.client.user_id.split(":")[0].lstrip("@") in alert.body  # about Karim
    assert bot_events(claire, bot, "pas pu transmettre", room=claire.room)  # her own route
    services = network.app.services
    async with services.uow() as uow:
        helper = await uow.members.by_identity("matrix", karim.client.user_id)
        assert helper is not None
        [offer] = await uow.outbox.find(recipient_id=helper.id, kind="offer")
        [told] = await uow.outbox.find(kind="delivery_failed")
    assert offer.sent_at is None and offer.failed_at is None  # kept, not dropped
    assert offer.attempts == outbox.MAX_ATTEMPTS  # tried again hourly from now on
    assert offer.last_error is not None and "M_FORBIDDEN" in offer.last_error
    assert told.sent_at is not None and told.chat_id == claire.room
    errors = [r for r in caplog.records if "cannot be delivered" in r.getMessage()]
    assert [r.levelname for r in errors] == ["ERROR"]
    assert f"outbox message {offer.id} " in errors[0].getMessage()
    await karim.sync_until(lambda: True)
    assert not bot_events(karim, bot, "pour un jeune")


async def test_samu_run_says_what_runs_with_the_device(
    network: Network, caplog: pytest.LogCaptureFixture
) -> None:
    await network.stop()
    with caplog.at_level(logging.INFO):
        await network.start()
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    [running] = [line for line in lines if line.startswith("samu run:")]
    assert "matrix" in running and "database" in running
    [device] = [line for line in lines if line.startswith("Matrix: ")]
    assert network.bot in device and "fingerprint" in device
    fingerprint = device.rsplit(" ", 1)[-1]
    assert len(fingerprint) > 20  # the ed25519 key clients show when verifying the device


async def test_doctor_logs_in_and_reports_the_device(
    synapse: Synapse, database_url: str, tmp_path: Path
) -> None:
    bot = await synapse.register(f"samu-{uuid.uuid4().hex[:6]}", PASSWORD)
    t = translator("fr")

    async def doctor(password: str) -> list[str]:
        settings = matrix_config(database_url, synapse, bot, tmp_path / "bot-store")
        settings["matrix"]["password"] = password
        app = App.build(parse_config(settings, "tests", {}))
        try:
            await app.prepare()
            return [("✔ " if c.ok else "✘ ") + c.what for c in await diagnose(app, t)]
        finally:
            await app.close()

    refused = await doctor("not the password")
    assert any(line.startswith("✘ Connexion à Matrix impossible") for line in refused), refused
    first = await doctor(PASSWORD)
    [logged] = [line for line in first if "connecté en tant que" in line]
    assert logged.startswith("✔") and bot in logged
    assert await doctor(PASSWORD) == first  # the same device again, not a new one each time
