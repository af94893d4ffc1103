"""The product on Matrix: real matrix-nio clients and a real Synapse, through App.run."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("nio", reason="matrix-nio is not installed")

from nio import (
    AsyncClient,
    AsyncClientConfig,
    EncryptionError,
    LoginResponse,
    MegolmEvent,
    MemoryDownloadResponse,
    RoomCreateResponse,
    RoomEncryptedFile,
    RoomEncryptedImage,
    RoomMemberEvent,
    RoomMessageFile,
    RoomMessageImage,
    RoomMessageNotice,
    RoomMessageText,
    SyncResponse,
    UploadResponse,
)
from nio.crypto import decrypt_attachment

from bot.app import App
from bot.chat.types import Attachment, Outgoing
from bot.config import parse_config
from bot.core import invites
from bot.core.types import RequestStatus, Role
from bot.transports.matrix import MatrixTransport
from bot.transports.matrix import routes as matrix_routes
from tests.fakes.synapse import Synapse, synapse_fixture  # noqa: F401

PASSWORD = "correct horse battery staple"
MEGOLM = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}


class Person:
    """A member on Matrix: a real nio client that keeps what the bot said to them."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.room = ""
        self.seen: list[Any] = []
        self.in_room: dict[str, list[Any]] = {}  # the same events, by room
        self.invited_to: list[str] = []  # rooms the person was invited to
        self.accepts_invitations = True  # joins the rooms they are invited to

    async def sync_until(self, found: Callable[[], Any], timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = await self.client.sync(timeout=500)
            assert isinstance(response, SyncResponse), response
            client = self.client
            if client.olm is not None:
                if client.should_upload_keys:
                    await client.keys_upload()
                if client.should_query_keys:
                    await client.keys_query()
                if client.should_claim_keys:
                    await client.keys_claim(client.get_users_for_key_claiming())
            for room_id in response.rooms.invite:
                if room_id not in self.invited_to:
                    self.invited_to.append(room_id)
                    if self.accepts_invitations:
                        await client.join(room_id)
            for room_id, room in response.rooms.join.items():
                self.seen.extend(room.timeline.events)
                self.in_room.setdefault(room_id, []).extend(room.timeline.events)
            self._decrypt_late()
            result = found()
            if result:
                return result
        bodies = [getattr(e, "body", type(e).__name__)[:120] for e in self.seen[-6:]]
        raise AssertionError(f"{self.client.user_id}: not seen in {timeout} s; last: {bodies}")

    def _decrypt_late(self) -> None:
        """Decrypt the events whose room key came after them, as Element does when a key
        arrives (the key of a room the person was invited to may come a sync later)."""
        if self.client.olm is None:
            return
        for events in (self.seen, *self.in_room.values()):
            for index, event in enumerate(events):
                if isinstance(event, MegolmEvent):
                    try:
                        events[index] = self.client.decrypt_event(event)
                    except EncryptionError:
                        continue

    def bot_says(self, fragment: str, bot: str) -> Any:
        for event in reversed(self.seen):
            if (
                isinstance(event, (RoomMessageNotice, RoomMessageText))
                and event.sender == bot
                and fragment in event.body
            ):
                return event
        return None

    async def say(self, text: str, **extra: Any) -> str:
        response = await self.client.room_send(
            self.room,
            "m.room.message",
            {"msgtype": "m.text", "body": text, **extra},
            ignore_unverified_devices=True,
        )
        return str(response.event_id)

    async def send_file(
        self,
        data: bytes,
        name: str,
        mimetype: str,
        *,
        msgtype: str = "m.file",
        body: str | None = None,
        event_type: str = "m.room.message",
        wrong_hash: bool = False,
        extra: Mapping[str, Any] | None = None,
    ) -> str:
        """Upload a file (encrypted when this person's client encrypts) and post it, as
        Element does: `body` is the file name, or a caption beside `filename`; `extra` is
        added to the event's content."""
        encrypt = self.client.olm is not None and event_type != "m.sticker"  # stickers: plain
        uploaded, keys = await self.client.upload(
            lambda *_: io.BytesIO(data),
            content_type=mimetype,
            filename=name,
            encrypt=encrypt,
            filesize=len(data),
        )
        assert isinstance(uploaded, UploadResponse), uploaded
        content: dict[str, Any] = {
            "body": body or name,
            "info": {"mimetype": mimetype, "size": len(data)},
            **(extra or {}),
        }
        if event_type == "m.room.message":
            content["msgtype"] = msgtype
        if body is not None:
            content["filename"] = name
        if keys is not None:
            if wrong_hash:
                keys["hashes"]["sha256"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
            content["file"] = {"url": uploaded.content_uri, **keys}
        else:
            content["url"] = uploaded.content_uri
        response = await self.client.room_send(
            self.room, event_type, content, ignore_unverified_devices=True
        )
        return str(response.event_id)

    def files_from(self, bot: str) -> list[Any]:
        """The files and pictures the bot posted to this person."""
        kinds = (RoomEncryptedFile, RoomEncryptedImage, RoomMessageFile, RoomMessageImage)
        return [e for e in self.seen if isinstance(e, kinds) and e.sender == bot]

    async def download(self, event: Any) -> bytes:
        """The content of a file event, decrypted if needed."""
        downloaded = await self.client.download(mxc=event.url)
        assert isinstance(downloaded, MemoryDownloadResponse), downloaded
        if isinstance(event, RoomEncryptedFile | RoomEncryptedImage):
            return bytes(
                decrypt_attachment(
                    downloaded.body, event.key["k"], event.hashes["sha256"], event.iv
                )
            )
        return bytes(downloaded.body)

    async def react(self, event_id: str, key: str, room: str | None = None) -> None:
        await self.client.room_send(
            room or self.room,
            "m.reaction",
            {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}},
        )


class Network:
    """The bot running on Synapse, plus helpers to bring people in."""

    def __init__(self, synapse: Synapse, app: App, bot: str, tmp: Path) -> None:
        self.synapse, self.app, self.bot, self.tmp = synapse, app, bot, tmp
        self.people: list[Person] = []
        self.stop_event = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.matrix: MatrixTransport | None = None

    async def start(self) -> None:
        self.stop_event = asyncio.Event()
        self.matrix = matrix = self.app.matrix()
        self.task = asyncio.create_task(self.app.run(None, None, self.stop_event, matrix))
        await asyncio.wait_for(matrix.wait_ready(), timeout=30)

    async def stop(self) -> None:
        self.stop_event.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, timeout=30)

    async def person(self, name: str, *, encrypted: bool = False) -> Person:
        user_id = await self.synapse.register(f"{name.lower()}-{uuid.uuid4().hex[:6]}", PASSWORD)
        store = self.tmp / f"store-{name}"
        if encrypted:
            await asyncio.to_thread(store.mkdir, parents=True, exist_ok=True)
        client = AsyncClient(
            self.synapse.url,
            user_id,
            store_path=str(store) if encrypted else "",
            config=AsyncClientConfig(encryption_enabled=encrypted, store_sync_tokens=encrypted),
        )
        assert isinstance(await client.login(PASSWORD, device_name=name), LoginResponse)
        if encrypted:
            await client.keys_upload()
        person = Person(client)
        self.people.append(person)
        created = await client.room_create(
            is_direct=True, invite=[self.bot], initial_state=[MEGOLM] if encrypted else []
        )
        assert isinstance(created, RoomCreateResponse), created
        person.room = created.room_id
        await person.sync_until(
            lambda: any(
                isinstance(e, RoomMemberEvent)
                and e.state_key == self.bot
                and e.membership == "join"
                for e in person.seen
            )
        )
        return person

    async def join(
        self, name: str, role: Role = Role.MEMBER, *, encrypted: bool = False, skills: str = ""
    ) -> Person:
        person = await self.person(name, encrypted=encrypted)
        code = await invites.create_invite(
            self.app.services,
            role=role,
            structure_name="Mission locale",
        )
        await person.say(f"!start {code.code}")
        await person.sync_until(lambda: person.bot_says("Bienvenue", self.bot))
        await person.say("!annuler")
        await person.sync_until(lambda: person.bot_says("on s'arrête là", self.bot))
        if skills:
            await person.say(f"!competences ajouter {skills}")
            await person.sync_until(lambda: person.bot_says("C'est noté", self.bot))
        return person


def matrix_config(
    database_url: str, synapse: Synapse, bot: str, store: Path, **sections: dict[str, Any]
) -> dict[str, Any]:
    """The configuration of a bot on this Synapse, awake at all hours, terminal off."""
    matrix = {
        "enabled": True,
        "homeserver": synapse.url,
        "user_id": bot,
        "password": PASSWORD,
        "store_path": str(store),
        "pace_seconds": 0.01,
        **sections.pop("matrix", {}),
    }
    return {
        "database": {"url": database_url},
        "network": {"structures": ["Mission locale"]},
        "requests": {"quiet_hours": "00:00-00:00", "quiet_weekends": False},
        "console": {"enabled": False},
        "workers": {"kept_dir": str(store.parent / "kept")},
        "matrix": matrix,
        **sections,
    }


@pytest.fixture(name="network")
async def network_fixture(
    synapse: Synapse, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Network]:
    """The bot running on the shared Synapse (other modules import it as `network_fixture`)."""
    # A message for a direct chat the person has not joined yet is retried 5 s later (an
    # encrypted room's key reaches only joined members): here the person's client joins at
    # once, and the test would wait those 5 s out at each new encrypted direct chat.
    monkeypatch.setattr(matrix_routes, "JOIN_RETRY", 0.5)
    bot = await synapse.register(f"samu-{uuid.uuid4().hex[:6]}", PASSWORD)
    config = parse_config(
        matrix_config(database_url, synapse, bot, tmp_path / "bot-store"), "tests", {}
    )
    app = App.build(config)
    await app.prepare()
    net = Network(synapse, app, bot, tmp_path)
    await net.start()
    try:
        yield net
    finally:
        if net.task is not None and not net.task.done():
            await net.stop()
        for person in net.people:
            await person.client.close()
        await app.close()


async def test_dm_onboarding_and_refused_rooms(network: Network) -> None:
    amina = await network.join("Amina")
    welcome = amina.bot_says("Bienvenue", network.bot)
    assert welcome.source["content"]["format"] == "org.matrix.custom.html"
    await amina.say("!aide")
    help_text = await amina.sync_until(lambda: amina.bot_says("!competences", network.bot))
    assert "!demande" in help_text.body
    room = await amina.client.room_create(invite=[network.bot], is_direct=False)
    assert isinstance(room, RoomCreateResponse)
    left = await amina.sync_until(
        lambda: any(
            isinstance(e, RoomMemberEvent)
            and e.state_key == network.bot
            and e.membership == "leave"
            for e in amina.seen
        )
    )
    assert left


async def test_request_flow_claim_by_reaction_and_by_number(network: Network) -> None:
    amina = await network.join("Amina")
    karim = await network.join("Karim", skills="ameli (former)")
    await amina.say("!demande comment créer un compte ameli pour un jeune <b>vite</b> ?")
    offer = await karim.sync_until(lambda: karim.bot_says("compte ameli", network.bot))
    assert "<b>vite</b>" in offer.body  # shown as typed
    assert "&lt;b&gt;vite&lt;/b&gt;" in offer.source["content"]["formatted_body"]
    assert "1. Je prends" in offer.body
    await karim.react(offer.event_id, "✅")
    await amina.sync_until(lambda: amina.bot_says("a pris votre demande", network.bot))
    await amina.say("!msg 1 Merci, il n'a pas d'adresse mail.")
    await karim.sync_until(lambda: karim.bot_says("pas d'adresse mail", network.bot))
    await amina.say("!demande souci ameli pour une attestation")
    await karim.sync_until(lambda: karim.bot_says("attestation", network.bot))
    await karim.say("1")
    await karim.sync_until(lambda: karim.bot_says("C'est pour vous : la demande #2", network.bot))
    async with network.app.services.uow() as uow:
        first, second = await uow.requests.get(1), await uow.requests.get(2)
    assert first is not None and first.status is RequestStatus.CLAIMED
    assert second is not None and second.status is RequestStatus.CLAIMED


async def test_encrypted_direct_chats_whole_flow(network: Network) -> None:
    amina = await network.join("Amina", encrypted=True)
    welcome = amina.bot_says("Bienvenue", network.bot)
    assert welcome is not None and welcome.decrypted
    karim = await network.join("Karim", encrypted=True, skills="ameli (former)")
    await amina.say("!demande souci ameli, message chiffré")
    offer = await karim.sync_until(lambda: karim.bot_says("message chiffré", network.bot))
    assert offer.decrypted
    await karim.react(offer.event_id, "✅")
    await amina.sync_until(lambda: amina.bot_says("a pris votre demande", network.bot))
    await karim.say("!msg 1 Réponse chiffrée")
    relayed = await amina.sync_until(lambda: amina.bot_says("Réponse chiffrée", network.bot))
    assert relayed.decrypted
    device = await network.app.matrix_device()
    assert device is not None and len(device[1]) > 20  # what `samu doctor` shows


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_a_calendar_invitation_arrives_as_a_file(network: Network, encrypted: bool) -> None:
    amina = await network.join("Amina", encrypted=encrypted)
    invitation = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    message = Outgoing(
        text="Échange trimestriel le 12 mars. L'invitation est jointe.",
        attachments=(Attachment("echange.ics", invitation, "text/calendar"),),
    )
    assert network.matrix is not None
    await network.matrix.send(amina.room, message, key="samu-outbox-file-test")
    await network.matrix.send(amina.room, message, key="samu-outbox-file-test")  # a repeat

    def files() -> list[Any]:
        kinds = (RoomEncryptedFile, RoomMessageFile)
        return [e for e in amina.seen if isinstance(e, kinds) and e.sender == network.bot]

    [file] = await amina.sync_until(files)
    assert amina.bot_says("L'invitation est jointe", network.bot) is not None
    assert file.body == "echange.ics"
    downloaded = await amina.client.download(mxc=file.url)
    assert isinstance(downloaded, MemoryDownloadResponse), downloaded
    if encrypted:
        assert isinstance(file, RoomEncryptedFile)
        content = decrypt_attachment(downloaded.body, file.key["k"], file.hashes["sha256"], file.iv)
    else:
        assert isinstance(file, RoomMessageFile)
        content = downloaded.body
    assert content == invitation
    await amina.sync_until(lambda: True)
    assert len(files()) == 1  # the repeat was stored once (same transaction ids)


async def test_restart_runs_no_command_twice(network: Network) -> None:
    amina = await network.join("Amina")
    await amina.say("!demande souci ameli pour un jeune")
    await amina.sync_until(lambda: amina.bot_says("#1", network.bot))
    await network.stop()
    await network.start()
    await amina.say("!mesdemandes")
    listing = await amina.sync_until(lambda: amina.bot_says("Vos demandes", network.bot))
    assert "#1" in listing.body and "#2" not in listing.body
    assert len(bot_events(amina, network.bot, "est enregistrée")) == 1


async def test_bad_input_strangers_long_messages_and_stale_reactions(network: Network) -> None:
    stranger = await network.person("Mallory")
    await stranger.say("!competences")
    refusal = await stranger.sync_until(lambda: network_says(stranger, network, "invitation"))
    assert "code d'invitation" in refusal.body
    amina = await network.join("Amina")
    await amina.say("x" * 10_000)
    await amina.sync_until(lambda: amina.bot_says("trop long", network.bot))
    karim = await network.join("Karim", skills="ameli")
    sophie = await network.join("Sophie", skills="ameli")
    await amina.say("!demande souci ameli pour un jeune")
    offer_k = await karim.sync_until(lambda: karim.bot_says("souci ameli", network.bot))
    offer_s = await sophie.sync_until(lambda: sophie.bot_says("souci ameli", network.bot))
    await karim.react(offer_k.event_id, "✅")
    await karim.sync_until(lambda: karim.bot_says("C'est pour vous", network.bot))
    edited = await sophie.sync_until(
        lambda: next(
            (
                e
                for e in sophie.seen
                if e.source.get("content", {}).get("m.relates_to", {}).get("event_id")
                == offer_s.event_id
            ),
            None,
        )
    )
    new_content = edited.source["content"]["m.new_content"]
    assert "prise par karim" in new_content["body"].lower()
    assert new_content["org.samu.actions"] == [] and "1. Je prends" not in new_content["body"]
    assert new_content["msgtype"] == "m.notice"  # no ringing
    await sophie.react(offer_s.event_id, "✅")  # reactions stay: the bot stops honouring them
    stale = await sophie.sync_until(lambda: sophie.bot_says("n'est plus valable", network.bot))
    assert "déjà prise par karim" in stale.body.lower()


def bot_events(person: Person, bot: str, fragment: str, room: str | None = None) -> list[Any]:
    """The bot's messages (plain or decrypted, in one room or all) in which `fragment`
    appears, edits left out."""
    return [
        event
        for event in (person.seen if room is None else person.in_room.get(room, []))
        if isinstance(event, (RoomMessageNotice, RoomMessageText))
        and event.sender == bot
        and fragment in event.body
        and "m.new_content" not in event.source.get("content", {})
    ]


def network_says(person: Person, network: Network, fragment: str) -> Any:
    return person.bot_says(fragment, network.bot)


async def test_homeserver_restart_is_waited_out_and_queued_messages_arrive(
    network: Network,
) -> None:
    from bot.core import conversation

    amina = await network.join("Amina")
    karim = await network.join("Karim", skills="ameli")
    await amina.say("!demande souci ameli pour un jeune")
    offer = await karim.sync_until(lambda: karim.bot_says("souci ameli", network.bot))
    await karim.react(offer.event_id, "✅")
    await amina.sync_until(lambda: amina.bot_says("a pris", network.bot))
    await network.synapse.stop()
    services = network.app.services
    async with services.uow() as uow:
        helper = await uow.members.get(2)
    assert helper is not None
    await conversation.relay(services, 1, helper, "Pendant la panne")
    await asyncio.sleep(0)  # the dispatcher tries, fails, and schedules a retry
    await network.synapse.start()
    await amina.sync_until(lambda: amina.bot_says("Pendant la panne", network.bot), timeout=60)


async def test_undecryptable_message_gets_a_notice(network: Network) -> None:
    amina = await network.join("Amina")
    await amina.client.room_send(
        amina.room,
        "m.room.encrypted",
        {
            "algorithm": "m.megolm.v1.aes-sha2",
            "ciphertext": "AwgAEnAccidentallyNotDecryptable",
            "sender_key": "c2VuZGVyX2tleV9ub3RfcmVhbA",
            "session_id": "c2Vzc2lvbl9pZF9ub3RfcmVhbA",
            "device_id": "NOPE",
        },
    )
    notice = await amina.sync_until(lambda: amina.bot_says("pas pu lire", network.bot))
    assert "renvoyer" in notice.body


async def test_files_in_encrypted_chats(network: Network) -> None:
    from tests.helpers import png

    amina = await network.join("Amina", encrypted=True)
    karim = await network.join("Karim", encrypted=True, skills="ameli (former)")
    screenshot = png()
    # A picture with a caption (clients that support captions send the name apart).
    await amina.send_file(
        screenshot, "capture.png", "image/png", msgtype="m.image", body="!demande souci ameli"
    )
    asked = await amina.sync_until(lambda: amina.bot_says("#1", network.bot))
    assert "« capture.png »" in asked.body and "données personnelles" in asked.body
    await karim.sync_until(lambda: karim.bot_says("souci ameli", network.bot))
    [picture] = await karim.sync_until(lambda: karim.files_from(network.bot))
    assert isinstance(picture, RoomEncryptedImage) and picture.body == "capture.png"
    assert await karim.download(picture) == screenshot

    await karim.say("!prendre 1")
    await amina.sync_until(lambda: amina.bot_says("a pris votre demande", network.bot))
    await karim.say("!msg 1")
    await karim.sync_until(lambda: karim.bot_says("Écrivez votre message", network.bot))
    await karim.send_file(b"%PDF-1.4 guide", "guide/../ameli.pdf", "application/pdf")
    await karim.sync_until(lambda: karim.bot_says("Message envoyé à", network.bot))
    [document] = await amina.sync_until(lambda: amina.files_from(network.bot))
    assert isinstance(document, RoomEncryptedFile) and document.body == "ameli.pdf"
    assert await amina.download(document) == b"%PDF-1.4 guide"

    await amina.send_file(b"%PDF secret", "broken.pdf", "application/pdf", wrong_hash=True)
    await amina.sync_until(lambda: amina.bot_says("pas pu ouvrir votre fichier", network.bot))
    await amina.send_file(
        b"OggS", "voice.ogg", "audio/ogg", msgtype="m.audio", extra={"org.matrix.msc3245.voice": {}}
    )
    await amina.sync_until(lambda: amina.bot_says("messages vocaux", network.bot))
    await amina.send_file(png(), "sticker.png", "image/png", event_type="m.sticker", body="👍")
    await amina.sync_until(lambda: amina.bot_says("autocollants", network.bot))
    async with network.app.services.uow() as uow:
        assert len(await uow.attachments.of_request(1)) == 1  # nothing kept of the rest
