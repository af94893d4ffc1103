"""The Synapse harness works, and the facts the Matrix transport relies on hold with nio 0.26.

Run with `-s` to see the measured times and what each scenario needed.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("nio", reason="matrix-nio is not installed (the Matrix transport's dependency)")

from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    JoinResponse,
    LoginResponse,
    MegolmEvent,
    OlmUnverifiedDeviceError,
    ReactionEvent,
    RoomCreateResponse,
    RoomMemberEvent,
    RoomMessageText,
    RoomSendError,
    RoomSendResponse,
    SyncResponse,
)

from tests.fakes.synapse import Synapse, synapse_fixture, synapse_python  # noqa: F401

PASSWORD = "correct horse battery staple"
MEGOLM = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}

Login = Callable[..., Awaitable[AsyncClient]]


def _localpart(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def login(synapse: Synapse) -> AsyncIterator[Login]:
    """Register a fresh user and log a nio client in; every client is closed at teardown."""
    clients: list[AsyncClient] = []

    async def _login(
        name: str,
        *,
        store: Path | None = None,
        server: Synapse | None = None,
        user_id: str | None = None,
        config: AsyncClientConfig | None = None,
    ) -> AsyncClient:
        server = server or synapse
        if user_id is None:
            user_id = await server.register(_localpart(name), PASSWORD)
        if store is not None:
            await asyncio.to_thread(store.mkdir, parents=True, exist_ok=True)
            config = config or AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True)
        client = AsyncClient(
            server.url,
            user_id,
            store_path=str(store) if store else "",
            config=config or AsyncClientConfig(encryption_enabled=False),
        )
        clients.append(client)
        response = await client.login(PASSWORD, device_name=f"{name} (tests)")
        assert isinstance(response, LoginResponse), response
        return client

    yield _login
    for client in clients:
        await client.close()


async def e2e_chores(client: AsyncClient) -> None:
    """What `sync_forever` does after each sync; needed when driving `sync()` by hand.

    Strictly needed for the encrypted tests: `keys_upload()` once after login, before anyone
    shares a room key with this device. `room_send` itself fetches the members, queries and claims
    keys when its room's members are not synced yet; the receiver needs no `keys_query` to decrypt.
    """
    if client.olm is None:
        return
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())


async def sync_until(
    client: AsyncClient,
    found: Callable[[SyncResponse], Any],
    timeout: float = 10.0,
    chores: bool = True,
) -> Any:
    """Long-poll `sync` (1 s server timeout) until `found(response)` is not None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = await client.sync(timeout=1000)
        assert isinstance(response, SyncResponse), response
        if chores:
            await e2e_chores(client)
        result = found(response)
        if result is not None:
            return result
    raise AssertionError(f"{client.user_id} did not see the expected event within {timeout} s")


def timeline(room_id: str, match: Callable[[Any], bool]) -> Callable[[SyncResponse], Any]:
    def find(response: SyncResponse) -> Any:
        room = response.rooms.join.get(room_id)
        for event in room.timeline.events if room else []:
            if match(event):
                return event
        return None

    return find


async def receive(
    client: AsyncClient, room_id: str, *event_ids: str, chores: bool = True
) -> list[Any]:
    """Sync until all these events arrived in the room's timeline (one sync may bring several)."""
    seen: dict[str, Any] = {}

    def find(response: SyncResponse) -> Any:
        room = response.rooms.join.get(room_id)
        seen.update({e.event_id: e for e in (room.timeline.events if room else [])})
        return True if all(i in seen for i in event_ids) else None

    await sync_until(client, find, chores=chores)
    return [seen[i] for i in event_ids]


def invited_to(room_id: str) -> Callable[[SyncResponse], Any]:
    def find(response: SyncResponse) -> Any:
        room = response.rooms.invite.get(room_id)
        return room.invite_state if room else None

    return find


def joined(user_id: str) -> Callable[[Any], bool]:
    return lambda event: (
        isinstance(event, RoomMemberEvent)
        and event.state_key == user_id
        and event.membership == "join"
    )


async def direct_room(
    a: AsyncClient, b: AsyncClient, *, encrypted: bool = False
) -> tuple[str, list[Any]]:
    """A opens a direct chat with B, B accepts; returns the room id and B's invite state."""
    created = await a.room_create(
        is_direct=True, invite=[b.user_id], initial_state=[MEGOLM] if encrypted else []
    )
    assert isinstance(created, RoomCreateResponse), created
    invite_state = await sync_until(b, invited_to(created.room_id))
    assert isinstance(await b.join(created.room_id), JoinResponse)
    await sync_until(a, timeline(created.room_id, joined(b.user_id)))  # A's members include B
    await sync_until(b, timeline(created.room_id, joined(b.user_id)))  # B's room state loaded
    return created.room_id, invite_state


def text(body: str) -> dict[str, Any]:
    return {"msgtype": "m.text", "body": body}


async def test_direct_message_round_trip(login: Login) -> None:
    a = await login("alice")
    b = await login("bob")
    room_id, invite_state = await direct_room(a, b)

    # The invite B sees says it is a direct chat (how a bot recognises a DM invitation).
    invite = next(
        e for e in invite_state if isinstance(e, InviteMemberEvent) and e.state_key == b.user_id
    )
    assert invite.membership == "invite"
    assert invite.content.get("is_direct") is True
    assert invite.sender == a.user_id

    started = time.perf_counter()
    sent = await a.room_send(room_id, "m.room.message", text("bonjour"))
    assert isinstance(sent, RoomSendResponse), sent
    got = (await receive(b, room_id, sent.event_id))[0]
    elapsed = (time.perf_counter() - started) * 1000
    print(f"\n[matrix] plain DM: send → received in B's sync in {elapsed:.0f} ms")
    assert isinstance(got, RoomMessageText)
    assert (got.body, got.sender) == ("bonjour", a.user_id)


async def test_reaction_and_edit_are_recognisable(login: Login) -> None:
    a = await login("alice")
    b = await login("bob")
    room_id, _ = await direct_room(a, b)
    original = await a.room_send(room_id, "m.room.message", text("Quel jour ?"))
    assert isinstance(original, RoomSendResponse), original

    reaction = await b.room_send(
        room_id,
        "m.reaction",
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": original.event_id, "key": "👍"}},
    )
    assert isinstance(reaction, RoomSendResponse), reaction
    edit = await b.room_send(
        room_id,
        "m.room.message",
        {
            **text("* lundi"),
            "m.new_content": text("lundi"),
            "m.relates_to": {"rel_type": "m.replace", "event_id": original.event_id},
        },
    )
    assert isinstance(edit, RoomSendResponse), edit

    got, edited = await receive(a, room_id, reaction.event_id, edit.event_id)
    assert isinstance(got, ReactionEvent)
    assert (got.reacts_to, got.key, got.sender) == (original.event_id, "👍", b.user_id)

    got = edited
    # nio has no edit class: an edit is a RoomMessageText whose source carries the relation.
    assert isinstance(got, RoomMessageText)
    assert got.body == "* lundi"
    relates_to = got.source["content"]["m.relates_to"]
    assert relates_to == {"rel_type": "m.replace", "event_id": original.event_id}
    assert got.source["content"]["m.new_content"]["body"] == "lundi"
    print("\n[matrix] reaction → nio.ReactionEvent(reacts_to, key); edit → RoomMessageText")


async def test_encrypted_direct_message(login: Login, tmp_path: Path) -> None:
    a = await login("alice", store=tmp_path / "a")
    b = await login("bob", store=tmp_path / "b")
    assert a.olm is not None and b.olm is not None  # the store is loaded by login()
    for client in (a, b):
        await e2e_chores(client)  # uploads the device keys and one-time keys
    room_id, _ = await direct_room(a, b, encrypted=True)
    assert a.rooms[room_id].encrypted and b.rooms[room_id].encrypted

    # By default nio refuses to share the room key with a device nobody verified.
    with pytest.raises(OlmUnverifiedDeviceError):
        await a.room_send(room_id, "m.room.message", text("secret"))

    started = time.perf_counter()
    sent = await a.room_send(
        room_id, "m.room.message", text("secret"), ignore_unverified_devices=True
    )
    assert isinstance(sent, RoomSendResponse), sent
    got = (await receive(b, room_id, sent.event_id))[0]
    elapsed = (time.perf_counter() - started) * 1000
    assert isinstance(got, RoomMessageText), got  # decrypted, not a MegolmEvent
    assert got.body == "secret" and got.decrypted and not got.verified
    print(f"\n[matrix] encrypted DM (ignore_unverified_devices): {elapsed:.0f} ms")

    # The other way round, B trusts A's device(s) instead of ignoring them.
    for device in b.device_store.active_user_devices(a.user_id):
        b.verify_device(device)
    reply = await b.room_send(room_id, "m.room.message", text("reçu"))
    assert isinstance(reply, RoomSendResponse), reply
    got = (await receive(a, room_id, reply.event_id))[0]
    assert isinstance(got, RoomMessageText) and got.body == "reçu", got

    # An edit in an encrypted room is encrypted too and decrypts to a RoomMessageText.
    edit = await b.room_send(
        room_id,
        "m.room.message",
        {
            **text("* reçu !"),
            "m.new_content": text("reçu !"),
            "m.relates_to": {"rel_type": "m.replace", "event_id": reply.event_id},
        },
    )
    assert isinstance(edit, RoomSendResponse), edit
    got = (await receive(a, room_id, edit.event_id))[0]
    assert isinstance(got, RoomMessageText), got
    assert got.source["content"]["m.relates_to"]["rel_type"] == "m.replace"

    # A device that joins later (e.g. the bot with a wiped store) cannot read older messages:
    # nio hands them over as MegolmEvent (still encrypted), with what is needed to ask for keys.
    late = await login("bob", user_id=b.user_id, store=tmp_path / "b2")
    await e2e_chores(late)
    old = (await receive(late, room_id, sent.event_id))[0]
    assert isinstance(old, MegolmEvent), old
    assert old.session_id and old.sender == a.user_id
    print("[matrix] undecryptable event → nio.MegolmEvent (session_id, sender_key, device_id)")


async def test_encrypted_room_needs_device_keys_uploaded_first(
    login: Login, tmp_path: Path
) -> None:
    # Pitfall: a device that has not uploaded its keys when the sender shares the room key is
    # skipped, and the sender's session counts as shared: later messages stay unreadable to it.
    a = await login("alice", store=tmp_path / "a")
    b = await login("bob", store=tmp_path / "b")
    await a.keys_upload()  # but not B
    created = await a.room_create(is_direct=True, invite=[b.user_id], initial_state=[MEGOLM])
    assert isinstance(created, RoomCreateResponse), created
    room_id = created.room_id
    await sync_until(b, invited_to(room_id), chores=False)  # plain syncs: no keys_upload
    assert isinstance(await b.join(room_id), JoinResponse)
    await sync_until(a, timeline(room_id, joined(b.user_id)))
    sent = await a.room_send(
        room_id, "m.room.message", text("perdu"), ignore_unverified_devices=True
    )
    assert isinstance(sent, RoomSendResponse), sent
    got = (await receive(b, room_id, sent.event_id, chores=False))[0]
    assert isinstance(got, MegolmEvent), got


async def test_restart_keeps_accounts_and_sync_resumes(synapse: Synapse, login: Login) -> None:
    a = await login("alice")
    b = await login("bob")
    room_id, _ = await direct_room(a, b)
    port = synapse.port

    started = time.perf_counter()
    await synapse.stop()
    # While the server is down nio's sync does not fail: it retries (backoff 0.1 s × 2ⁿ, max 60 s)
    # for ever, unless AsyncClientConfig(max_timeouts=N) is set.
    pending = asyncio.ensure_future(b.sync(timeout=1000))
    done, _ = await asyncio.wait({pending}, timeout=0.5)
    assert not done
    await synapse.start()
    print(f"\n[matrix] restart: healthy again after {time.perf_counter() - started:.1f} s")
    assert synapse.port == port
    resumed = await asyncio.wait_for(pending, 30)
    assert isinstance(resumed, SyncResponse), resumed
    assert resumed.next_batch and b.next_batch == resumed.next_batch  # == token when idle

    sent = await a.room_send(room_id, "m.room.message", text("toujours là ?"))
    assert isinstance(sent, RoomSendResponse), sent  # the access tokens survived the restart
    got = (await receive(b, room_id, sent.event_id))[0]
    assert isinstance(got, RoomMessageText) and got.body == "toujours là ?"

    await synapse.restart()  # the one-call form
    assert synapse.url == f"http://127.0.0.1:{port}"
    sent = await b.room_send(room_id, "m.room.message", text("oui"))
    assert isinstance(sent, RoomSendResponse), sent
    got = (await receive(a, room_id, sent.event_id))[0]
    assert isinstance(got, RoomMessageText) and got.body == "oui"


async def test_default_rc_message_rate_limits(login: Login) -> None:
    python = synapse_python()
    assert python is not None  # the session fixture has installed it already
    async with Synapse(default_rc_message=True, python=python) as limited:
        # max_limit_exceeded=0: return the 429 instead of nio's default (sleep retry_after_ms
        # and try again, for ever).
        config = AsyncClientConfig(encryption_enabled=False, max_limit_exceeded=0)
        a = await login("alice", server=limited, config=config)
        b = await login("bob", server=limited)
        room_id, _ = await direct_room(a, b)
        for n in range(30):
            sent = await a.room_send(room_id, "m.room.message", text(f"spam {n}"))
            if isinstance(sent, RoomSendError):
                break
        else:
            pytest.fail("Synapse's default rc_message never limited 30 quick messages")
        assert sent.status_code == "M_LIMIT_EXCEEDED", sent
        assert sent.retry_after_ms and sent.retry_after_ms > 0
        print(
            f"\n[matrix] default rc_message: M_LIMIT_EXCEEDED at message {n + 1}, "
            f"retry_after_ms={sent.retry_after_ms}"
        )
