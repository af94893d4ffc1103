"""Photos, documents, voice notes and stickers on Telegram, through the real PTB stack and
the loopback Bot API (getFile and downloads, sendPhoto and sendDocument uploads)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.telegram_api import FakeBotApi, UploadedFile
from tests.helpers import jpeg, png
from tests.transports.conftest import Running

AMINA, KARIM, MALLORY, GROUP = 1001, 1002, 4242, -500
MB = 1024 * 1024


def uploads(server: FakeBotApi, method: str, chat_id: int) -> list[UploadedFile]:
    """The files the bot uploaded to a chat with sendPhoto or sendDocument."""
    field = "photo" if method == "sendPhoto" else "document"
    return [
        call.params[field]
        for call in server.calls_to(method)
        if call.params.get("chat_id") == chat_id and call.response_status == 200
    ]


async def claimed_request(running: Running, server: FakeBotApi) -> dict[str, Any]:
    """Amina's request #1 taken by Karim; the message telling Amina so."""
    await running.join(AMINA, "Amina")
    await running.join(KARIM, "Karim", skills="ameli (former)")
    server.user_sends(AMINA, "/demande souci ameli pour un jeune", first_name="Amina")
    await running.wait_text(KARIM, "souci ameli")
    server.user_sends(KARIM, "/prendre 1", first_name="Karim")
    return await running.wait_text(AMINA, "a pris votre demande")


async def test_a_photo_with_a_request_caption_reaches_the_helper_with_the_offer(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(KARIM, "Karim", skills="ameli (former)")
    photo = jpeg()
    server.user_sends_file(
        AMINA, "photo", photo, caption="/demande souci ameli, voici l'écran", first_name="Amina"
    )
    asked = await running.wait_text(AMINA, "#1")
    assert "Avec votre fichier : « image.jpg »" in asked["text"]
    assert "données personnelles" in asked["text"]
    await running.wait_text(KARIM, "voici l'écran")
    await server.wait_for(lambda: bool(uploads(server, "sendPhoto", KARIM)))
    [sent] = uploads(server, "sendPhoto", KARIM)
    assert sent.data == photo and sent.file_name == "image.jpg"
    assert [c.params["file_id"] for c in server.calls_to("getFile")] == [
        server.history[-1]["message"]["photo"][-1]["file_id"]  # the largest size
    ]


async def test_files_in_a_thread_cross_as_photo_or_document(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    claimed = await claimed_request(running, server)
    document = b"%PDF-1.4 attestation"
    server.user_sends_file(
        AMINA,
        "document",
        document,
        file_name="../attestation\u202e.pdf",
        mime_type="application/pdf",
        first_name="Amina",
        reply_to_message_id=claimed["message_id"],
    )
    relayed = await running.wait_text(KARIM, "vous a envoyé un fichier")
    await server.wait_for(lambda: bool(uploads(server, "sendDocument", KARIM)))
    [received] = uploads(server, "sendDocument", KARIM)
    assert (received.file_name, received.data) == ("attestation.pdf", document)

    # Karim answers the relayed message with an uncompressed screenshot (a PNG document):
    # it reaches Amina as a photo, with his words.
    screenshot = png()
    server.user_sends_file(
        KARIM,
        "document",
        screenshot,
        file_name="écran.png",
        mime_type="image/png",
        caption="Cliquez ici",
        first_name="Karim",
        reply_to_message_id=relayed["message_id"],
    )
    await running.wait_text(AMINA, "Cliquez ici")
    await server.wait_for(lambda: bool(uploads(server, "sendPhoto", AMINA)))
    assert uploads(server, "sendPhoto", AMINA)[0].data == screenshot

    # A "picture" that is not one goes as a document, never as a photo.
    server.user_sends_file(
        KARIM,
        "document",
        b"GIF89a? no: plain text",
        file_name="faux.png",
        mime_type="image/png",
        caption="/msg 1 et celui-ci",
        first_name="Karim",
    )
    await running.wait_text(AMINA, "et celui-ci")
    await server.wait_for(lambda: len(uploads(server, "sendDocument", AMINA)) == 1)
    assert uploads(server, "sendDocument", AMINA)[0].file_name == "faux.png"
    assert len(uploads(server, "sendPhoto", AMINA)) == 1


async def test_files_too_big_are_refused_without_downloading(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    server.user_sends_file(
        AMINA, "video", b"\0" * (60 * MB), file_name="film.mp4", mime_type="video/mp4"
    )
    refused = await running.wait_text(AMINA, "trop gros")
    assert "10 Mo au maximum" in refused["text"] and "Rien n'a été envoyé" in refused["text"]
    assert server.calls_to("getFile") == []


@pytest.mark.parametrize("config_sections", [{"files": {"max_size_mb": 50}}])
async def test_above_the_bot_api_download_limit(running: Running, server: FakeBotApi) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    big = b"%PDF" + b"\0" * (21 * MB)
    server.user_sends_file(
        AMINA, "document", big, file_name="gros.pdf", mime_type="application/pdf"
    )
    refused = await running.wait_text(AMINA, "trop gros")
    assert "20 Mo au maximum" in refused["text"]  # Telegram's limit, below the configured one
    assert server.calls_to("getFile") == []
    # A document whose size Telegram did not give: getFile says it is too big.
    message = server.user_sends_file(
        AMINA, "document", big, file_name="gros.pdf", mime_type="application/pdf"
    )
    server.history.pop()
    server._updates.pop()
    del message["document"]["file_size"]
    server.raw_update({"message": message})
    await running.wait_text(AMINA, "trop gros", after=len(server.sent_messages(AMINA)))
    [call] = server.calls_to("getFile")
    assert call.response is not None and call.response["description"].endswith("file is too big")


async def test_voice_stickers_contacts_groups_and_strangers(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    server.user_sends_file(AMINA, "voice", b"OggS voice", mime_type="audio/ogg")
    await running.wait_text(AMINA, "messages vocaux")
    server.user_sends_file(AMINA, "sticker", b"RIFF webp")
    await running.wait_text(AMINA, "autocollants")
    # A shared contact (a location answers with the nearest places: test_places_transports).
    contact = server.user_sends(AMINA, "x", first_name="Amina")
    server.history.pop()
    server._updates.pop()
    contact.pop("text")
    contact.pop("entities", None)
    contact["contact"] = {"phone_number": "+33600000000", "first_name": "Léa"}
    server.raw_update({"message": contact})
    await running.wait_text(AMINA, "Je ne sais lire que du texte, des images et des fichiers")
    server.user_sends_file(MALLORY, "photo", jpeg(), first_name="Mallory")
    await running.wait_text(MALLORY, "code d'invitation")
    server.user_sends_file(AMINA, "photo", jpeg(), chat_id=GROUP, chat_type="group")
    server.user_sends_file(
        AMINA, "photo", jpeg(), caption="/demande souci ameli", chat_id=GROUP, chat_type="group"
    )
    await running.wait_text(GROUP, "message privé")
    assert len(server.sent_messages(GROUP)) == 1  # the photo without a command: no answer
    assert server.calls_to("getFile") == []  # nothing fetched from a stranger or a group
