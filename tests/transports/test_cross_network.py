"""One person's request answered across networks: a Matrix member and a Telegram member."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

pytest.importorskip("nio", reason="matrix-nio is not installed")

from bot.app import App
from bot.config import parse_config
from bot.core import invites
from bot.core.types import Role
from tests.fakes.synapse import Synapse, synapse_fixture  # noqa: F401
from tests.fakes.telegram_api import FakeBotApi, UploadedFile
from tests.transports.conftest import TOKEN, Running
from tests.transports.test_matrix import PASSWORD, Network, matrix_config


@pytest.fixture
async def both(
    synapse: Synapse, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Network, Running, FakeBotApi]]:
    bot = await synapse.register(f"samu-{uuid.uuid4().hex[:6]}", PASSWORD)
    async with FakeBotApi(token=TOKEN) as server:
        telegram_section = {
            "enabled": True,
            "token": TOKEN,
            "base_url": server.base_url,
            "private_interval": 0.01,
        }
        config = parse_config(
            matrix_config(
                database_url, synapse, bot, tmp_path / "bot-store", telegram=telegram_section
            ),
            "tests",
            {},
        )
        app = App.build(config)
        await app.prepare()
        net = Network(synapse, app, bot, tmp_path)
        stop = asyncio.Event()
        matrix, telegram = app.matrix(), app.telegram()
        net.task = asyncio.create_task(app.run(None, telegram, stop, matrix))
        net.stop_event = stop
        await asyncio.wait_for(matrix.wait_ready(), timeout=30)
        running = Running(app, server)
        try:
            yield net, running, server
        finally:
            stop.set()
            await asyncio.wait_for(net.task, timeout=30)
            for person in net.people:
                await person.client.close()
            await app.close()


async def test_matrix_request_taken_and_answered_on_telegram(
    both: tuple[Network, Running, FakeBotApi],
) -> None:
    network, telegram, server = both
    amina = await network.join("Amina")
    code = await invites.create_invite(
        network.app.services,
        role=Role.MEMBER,
        structure_name="Mission locale",
    )
    server.user_sends(2002, f"/start {code.code}", first_name="Karim")
    await telegram.wait_text(2002, "Bienvenue")
    server.user_sends(2002, "/competences ajouter ameli (former)", first_name="Karim")
    await telegram.wait_text(2002, "C'est noté")
    await amina.say("!demande comment créer un compte ameli pour un jeune ?")
    offer = await telegram.wait_text(2002, "compte ameli")
    server.user_presses(2002, offer["message_id"], "/prendre 1")
    await amina.sync_until(lambda: amina.bot_says("Karim a pris votre demande", network.bot))
    server.user_sends(2002, "/msg 1 Bonjour depuis Telegram", first_name="Karim")
    relayed = await amina.sync_until(lambda: amina.bot_says("Bonjour depuis Telegram", network.bot))
    await amina.say(
        "Merci, depuis Matrix",
        **{"m.relates_to": {"m.in_reply_to": {"event_id": relayed.event_id}}},
    )
    await telegram.wait_text(2002, "Merci, depuis Matrix")


async def test_files_cross_between_telegram_and_an_encrypted_matrix_chat(
    both: tuple[Network, Running, FakeBotApi],
) -> None:
    from nio import RoomEncryptedImage

    from tests.helpers import jpeg

    network, telegram, server = both
    amina = await network.join("Amina", encrypted=True)
    code = await invites.create_invite(
        network.app.services,
        role=Role.MEMBER,
        structure_name="Mission locale",
    )
    server.user_sends(2002, f"/start {code.code}", first_name="Karim")
    await telegram.wait_text(2002, "Bienvenue")
    server.user_sends(2002, "/competences ajouter ameli (former)", first_name="Karim")
    await telegram.wait_text(2002, "C'est noté")
    await amina.say("!demande souci ameli pour un jeune")
    offer = await telegram.wait_text(2002, "souci ameli")
    server.user_presses(2002, offer["message_id"], "/prendre 1")
    await amina.sync_until(lambda: amina.bot_says("Karim a pris votre demande", network.bot))

    photo = jpeg()
    server.user_sends_file(2002, "photo", photo, caption="/msg 1 Voici l'écran", first_name="Karim")
    await amina.sync_until(lambda: amina.bot_says("Voici l'écran", network.bot))
    [picture] = await amina.sync_until(lambda: amina.files_from(network.bot))
    assert isinstance(picture, RoomEncryptedImage)  # an m.image, encrypted in this room
    assert picture.source["content"]["msgtype"] == "m.image"
    assert await amina.download(picture) == photo

    relayed = amina.bot_says("Voici l'écran", network.bot)
    await amina.send_file(
        b"%PDF-1.4 attestation",
        "attestation.pdf",
        "application/pdf",
        extra={"m.relates_to": {"m.in_reply_to": {"event_id": relayed.event_id}}},
    )
    await telegram.wait_text(2002, "vous a envoyé un fichier")

    def documents() -> list[object]:
        return [
            call.params["document"]
            for call in server.calls_to("sendDocument")
            if call.params.get("chat_id") == 2002 and call.response_status == 200
        ]

    await server.wait_for(lambda: bool(documents()))
    [document] = documents()
    assert isinstance(document, UploadedFile), document  # uploaded, not sent by file_id
    assert (document.file_name, document.data) == ("attestation.pdf", b"%PDF-1.4 attestation")
