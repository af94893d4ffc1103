"""Screenshots and files through the terminal: with a request, in a thread, or on their own,
and what careless or hostile files get."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.chat.types import Incoming
from bot.core.clock import FixedClock
from storage.models import AttachmentModel
from tests.helpers import Conversation, addressed_to, png


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    """Amina asks; Karim teaches ameli."""
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.declare("Karim", "ameli (former)")
    return chat


@pytest.fixture
def screenshot(tmp_path: Path) -> Path:
    path = tmp_path / "capture ameli.png"
    path.write_bytes(png())
    return path


async def stored_files(chat: Conversation) -> list[tuple[str, str, int | None, int | None]]:
    """(name, media type, request, message) of every kept file."""
    async with chat.app.services.uow() as uow:
        rows = await uow.session.execute(
            select(
                AttachmentModel.filename,
                AttachmentModel.media_type,
                AttachmentModel.request_id,
                AttachmentModel.relay_id,
            ).order_by(AttachmentModel.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def claimed(chat: Conversation) -> None:
    """Amina's request #1, taken by Karim."""
    await chat.say("Amina", "/demande souci ameli pour un jeune")
    await chat.say("Karim", "/prendre 1")


async def test_a_screenshot_with_a_request_caption_goes_with_the_offer(
    network: Conversation, screenshot: Path
) -> None:
    chat = network
    asked = await chat.say("Amina", f'/fichier "{screenshot}" /demande souci ameli pour un jeune')
    assert "Votre demande #1 est enregistrée" in asked
    assert "Avec votre fichier : « capture ameli.png »" in asked
    assert "capture d'écran montre souvent des données personnelles" in asked
    offer = addressed_to(asked, "Karim")
    assert "souci ameli pour un jeune" in offer
    assert "📎 [image: capture ameli.png, 1 kB]" in offer
    assert await stored_files(chat) == [("capture ameli.png", "image/png", 1, None)]


async def test_a_screenshot_then_a_sentence_makes_a_draft_with_it(
    network: Conversation, screenshot: Path
) -> None:
    chat = network
    alone = await chat.say("Amina", f'/fichier "{screenshot}"')
    assert "Que faire de votre image « capture ameli.png » ?" in alone
    assert "[1] En faire une demande d'aide" in alone and "Supprimer" in alone
    assert addressed_to(alone, "Karim") == ""
    draft = await chat.say("Amina", "je n'arrive pas à me connecter sur ameli")
    assert "Avec votre fichier : « capture ameli.png »" in draft
    assert "données personnelles" in draft
    sent = await chat.say("Amina", "1")  # "Yes, send it"
    assert "📎 [image: capture ameli.png" in addressed_to(sent, "Karim")


async def test_the_request_button_then_the_description_takes_the_file(
    network: Conversation, screenshot: Path
) -> None:
    chat = network
    await chat.say("Amina", f'/fichier "{screenshot}"')
    prompt = await chat.say("Amina", "1")  # "Make it a help request"
    assert "Décrivez" in prompt
    again = await chat.say("Amina", f'/fichier "{screenshot}"')  # another one while it waits
    assert "Je garde votre fichier « capture ameli.png » pour votre demande." in again
    assert "Que faire" not in again
    asked = await chat.say("Amina", "souci ameli : le site refuse le mot de passe")
    assert "Avec vos 2 fichiers" in asked
    assert addressed_to(asked, "Karim").count("📎 [image: capture ameli.png") == 2
    await chat.say("Amina", f'/fichier "{screenshot}"')
    await chat.say("Amina", "1")  # "Make it a help request"
    cancelled = await chat.say("Amina", "1")  # "Cancel": the file goes too
    assert "Je ne garde plus votre fichier." in cancelled
    assert "Avec" not in await chat.say("Amina", "/demande autre souci ameli sans capture")


async def test_files_in_a_thread_reach_the_other_side(
    network: Conversation, screenshot: Path, tmp_path: Path
) -> None:
    chat = network
    await claimed(chat)
    document = tmp_path / "attestation.pdf"
    document.write_bytes(b"%PDF-1.4 attestation de droits")
    assert "Écrivez votre message" in await chat.say("Amina", "/msg 1")
    sent = await chat.say("Amina", f"/fichier {document}")
    assert "envoyé à Karim" in sent and "données personnelles" in sent
    to_karim = addressed_to(sent, "Karim")
    assert "Amina vous a envoyé un fichier pour la demande #1." in to_karim
    assert "📎 [file: attestation.pdf, 1 kB]" in to_karim
    second = await chat.say("Amina", f'/fichier "{screenshot}" /msg 1 et voici l\'écran')
    assert "données personnelles" not in second  # reminded once per request
    to_karim = addressed_to(second, "Karim")
    assert "« et voici l'écran »" in to_karim and "📎 [image: capture ameli.png" in to_karim
    back = await chat.say("Karim", f'/fichier "{screenshot}" /msg 1 voici ce que je vois')
    assert "données personnelles" in back  # Karim's first file in this request
    assert "📎 [image: capture ameli.png" in addressed_to(back, "Amina")
    assert [(r, m is not None) for _, _, r, m in await stored_files(chat)] == [(1, True)] * 3


async def test_a_file_alone_offers_the_threads_and_can_be_deleted(
    network: Conversation, screenshot: Path
) -> None:
    chat = network
    await claimed(chat)
    alone = await chat.say("Amina", f'/fichier "{screenshot}"')
    assert "[2] L'envoyer dans #1 (Karim)" in alone
    sent = await chat.say("Amina", "2")
    assert "envoyé à Karim" in sent
    assert "📎 [image: capture ameli.png" in addressed_to(sent, "Karim")
    await chat.say("Amina", f'/fichier "{screenshot}"')
    deleted = await chat.say("Amina", "3")  # "Delete it"
    assert "je ne garde plus votre fichier" in deleted
    assert "aucun fichier en attente" in await chat.say("Amina", "/joindre 1")
    assert len(await stored_files(chat)) == 1


async def test_a_file_for_someone_elses_thread_is_refused(
    network: Conversation, screenshot: Path
) -> None:
    chat = network
    await chat.join("Bruno")
    await claimed(chat)
    await chat.say("Bruno", f'/fichier "{screenshot}"')
    refused = await chat.say("Bruno", "/joindre 1")
    assert "Je ne trouve pas de demande #1" in refused
    assert addressed_to(refused, "Karim") == addressed_to(refused, "Amina") == ""
    assert [r for _, _, r, _ in await stored_files(chat)] == [None]


async def test_hostile_and_careless_files(network: Conversation, tmp_path: Path) -> None:
    chat = network
    huge = tmp_path / "film.mp4"
    with huge.open("wb") as file:
        file.truncate(60 * 1024 * 1024)  # sparse: 60 MB on paper, nothing read
    too_big = await chat.say("Amina", f"/fichier {huge} /demande souci ameli avec vidéo")
    assert "Votre fichier est trop gros : 10 Mo au maximum." in too_big
    assert "#1" not in too_big
    odd = tmp_path / "\u202egnp.exe\x07 rapport.png"
    odd.write_bytes(b"MZ this is not a picture")
    answer = await chat.say("Amina", f'/fichier "{odd}" /demande souci ameli pour un jeune')
    assert "« gnp.exe rapport.png »" in answer
    assert "📎 [file: gnp.exe rapport.png," in addressed_to(answer, "Karim")  # not an image
    assert await stored_files(chat) == [
        ("gnp.exe rapport.png", "application/octet-stream", 1, None)
    ]
    missing = await chat.say("Amina", f"/fichier {tmp_path / 'nulle-part.png'}")
    assert "Je n'ai pas pu récupérer votre fichier." in missing
    stranger = await chat.say("Mallory", f"/fichier {odd}")
    assert "code d'invitation" in stranger
    assert len(await stored_files(chat)) == 1


async def test_my_data_lists_files_and_forgetting_erases_them(
    network: Conversation, screenshot: Path
) -> None:
    chat = network
    await chat.say("Amina", f'/fichier "{screenshot}" /demande souci ameli pour un jeune')
    await chat.say("Karim", "/prendre 1")
    await chat.say("Karim", f'/fichier "{screenshot}" /msg 1 regardez')
    key = chat.key("Amina")
    [exported] = await chat.app.router.handle(
        Incoming(platform="console", user_id=key, chat_id=key, text="/mesdonnees")
    )
    files = json.loads(exported.attachments[0].content)["files"]
    assert [(f["filename"], f["direction"], f["request_id"]) for f in files] == [
        ("capture ameli.png", "sent", 1),
        ("capture ameli.png", "received", 1),
    ]
    assert "content" not in files[0]
    await chat.say("Amina", "/oublier confirmer")
    assert await stored_files(chat) == []


async def test_unplaced_files_and_expired_requests_lose_their_files(
    network: Conversation, screenshot: Path, clock: FixedClock
) -> None:
    chat = network
    await chat.say("Amina", f'/fichier "{screenshot}" /demande souci ameli pour un jeune')
    await chat.say("Karim", "/prendre 1")
    await chat.say("Karim", "/resolu 1 oui")
    await chat.say("Karim", "/annuler")
    await chat.say("Amina", "/confirmer 1")
    await chat.say("Amina", f'/fichier "{screenshot}"')  # never placed
    clock.advance(timedelta(minutes=31))
    await chat.tick()
    assert [r for _, _, r, _ in await stored_files(chat)] == [1]
    clock.advance(timedelta(days=2 * 366))
    await chat.tick()
    async with chat.app.services.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(AttachmentModel)) == 0
