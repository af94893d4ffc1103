"""Matrix rooms: private content only where only the member can read it, greetings, and the
rooms the bot leaves. Real matrix-nio clients, the real Synapse, plain and encrypted."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

pytest.importorskip("nio", reason="matrix-nio is not installed")

from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinedRoomsResponse,
    LoginResponse,
    RoomCreateResponse,
    RoomMemberEvent,
)

from tests.fakes.synapse import synapse_fixture  # noqa: F401
from tests.helpers import wait_until
from tests.transports.test_matrix import (
    MEGOLM,
    PASSWORD,
    Network,
    Person,
    bot_events,
    network_fixture,  # noqa: F401
)

ENCRYPTION = pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])


async def outsider(network: Network, name: str, *, encrypted: bool) -> Person:
    """Someone with a Matrix account and no chat with the bot."""
    user_id = await network.synapse.register(f"{name.lower()}-{uuid.uuid4().hex[:6]}", PASSWORD)
    store = network.tmp / f"store-{name}"
    if encrypted:
        await asyncio.to_thread(store.mkdir, parents=True, exist_ok=True)
    client = AsyncClient(
        network.synapse.url,
        user_id,
        store_path=str(store) if encrypted else "",
        config=AsyncClientConfig(encryption_enabled=encrypted, store_sync_tokens=encrypted),
    )
    assert isinstance(await client.login(PASSWORD, device_name=name), LoginResponse)
    person = Person(client)
    network.people.append(person)
    return person


def left(person: Person, room: str, user_id: str) -> Any:
    """The event of `user_id` leaving `room`, as `person` saw it."""
    return next(
        (
            e
            for e in person.in_room.get(room, [])
            if isinstance(e, RoomMemberEvent) and e.state_key == user_id and e.membership == "leave"
        ),
        None,
    )


async def bot_rooms(network: Network) -> set[str]:
    """The rooms the bot's account is in, asked of the homeserver (another session of it)."""
    client = AsyncClient(network.synapse.url, network.bot)
    try:
        assert isinstance(await client.login(PASSWORD, device_name="test"), LoginResponse)
        joined = await client.joined_rooms()
        assert isinstance(joined, JoinedRoomsResponse), joined
        return set(joined.rooms)
    finally:
        await client.logout()
        await client.close()


async def until_bot_left(network: Network, room: str, timeout: float = 15.0) -> None:
    """Wait for the bot's own sync (in this event loop) to see that it left `room`."""

    async def left() -> bool:
        return room not in await bot_rooms(network)

    await wait_until(left, timeout, f"the bot is still in {room}", every=0.2)


@ENCRYPTION
@pytest.mark.parametrize("accepted", [True, False], ids=["joined", "only-invited"])
async def test_when_someone_else_comes_in_private_content_moves_to_a_new_direct_chat(
    network: Network, encrypted: bool, accepted: bool
) -> None:
    bot = network.bot
    amina = await network.join("Amina", encrypted=encrypted, skills="ameli (former)")
    karim = await network.join("Karim", encrypted=encrypted)
    shared = amina.room
    mallory = await outsider(network, "Mallory", encrypted=encrypted)
    mallory.accepts_invitations = accepted
    await amina.client.room_invite(shared, mallory.client.user_id)
    await mallory.sync_until(
        lambda: shared in (mallory.in_room if accepted else mallory.invited_to)
    )

    warning = await amina.sync_until(
        lambda: bot_events(amina, bot, "Une autre personne est maintenant", room=shared)
    )
    assert "privé" in warning[0].body
    moved_to = await amina.sync_until(
        lambda: next(
            (r for r in amina.invited_to if bot_events(amina, bot, "conversation privée", room=r)),
            None,
        )
    )
    await karim.say("!demande souci ameli, le secret de Karim")
    offer = await amina.sync_until(
        lambda: bot_events(amina, bot, "le secret de Karim", room=moved_to)
    )
    assert offer[0].decrypted is encrypted
    await amina.react(offer[0].event_id, "✅", room=moved_to)
    await karim.sync_until(lambda: karim.bot_says("a pris votre demande", bot))
    async with network.app.services.uow() as uow:
        member = await uow.members.by_identity("matrix", amina.client.user_id)
        assert member is not None
        [identity] = await uow.members.identities(member.id)
    assert identity.chat_id == moved_to  # the member's route, from now on
    await mallory.sync_until(lambda: True)
    assert not bot_events(mallory, bot, "secret")
    assert not bot_events(amina, bot, "secret", room=shared)

    await amina.client.room_leave(shared)  # only the outsider and the bot remain
    if accepted:
        await mallory.sync_until(lambda: left(mallory, shared, bot))
    else:
        await until_bot_left(network, shared)
    await karim.say("!msg 1 Toujours là ?")
    await amina.sync_until(lambda: bot_events(amina, bot, "Toujours là", room=moved_to))
    assert not bot_events(mallory, bot, "Toujours là")


@ENCRYPTION
async def test_the_bot_greets_whoever_opens_a_direct_chat(
    network: Network, encrypted: bool
) -> None:
    zoe = await network.person("Zoe", encrypted=encrypted)
    hello = await zoe.sync_until(lambda: zoe.bot_says("!start", network.bot))
    assert "Bonjour" in hello.body and "/start" not in hello.body
    amina = await network.join("Amina", encrypted=encrypted)
    await network.stop()
    await network.start()
    second = await amina.client.room_create(
        is_direct=True, invite=[network.bot], initial_state=[MEGOLM] if encrypted else []
    )
    assert isinstance(second, RoomCreateResponse)
    greeting = await amina.sync_until(
        lambda: bot_events(amina, network.bot, "je suis là", room=second.room_id)
    )
    assert "!aide" in greeting[0].body
    await zoe.sync_until(lambda: True)
    assert len(bot_events(zoe, network.bot, "!start")) == 1  # greeted once, not at each start


async def test_the_bot_leaves_rooms_it_is_alone_in_and_foreign_homeservers_at_start(
    network: Network,
) -> None:
    amina = await network.join("Amina")
    zoe = await network.person("Zoe")
    await zoe.client.room_leave(zoe.room)  # the bot is alone there
    await until_bot_left(network, zoe.room)

    karim = await network.person("Karim")
    await network.stop()
    await karim.client.room_leave(karim.room)  # while the bot is stopped
    matrix = network.app.config.matrix.model_copy(update={"allowed_homeservers": ["example.org"]})
    network.app.config = network.app.config.model_copy(update={"matrix": matrix})
    await network.start()
    await amina.sync_until(lambda: left(amina, amina.room, network.bot))  # localhost: not allowed
    await until_bot_left(network, karim.room)


@ENCRYPTION
@pytest.mark.parametrize("invited", [True, False], ids=["invited", "public-room"])
async def test_when_someone_else_joins_private_content_goes_to_another_existing_direct_chat(
    network: Network, encrypted: bool, invited: bool
) -> None:
    bot = network.bot
    amina = await network.join("Amina", encrypted=encrypted, skills="ameli (former)")
    karim = await network.join("Karim", encrypted=encrypted)
    shared = amina.room  # where Amina typed `!start`
    created = await amina.client.room_create(
        is_direct=True, invite=[bot], initial_state=[MEGOLM] if encrypted else []
    )
    assert isinstance(created, RoomCreateResponse), created
    second = created.room_id
    await amina.sync_until(lambda: bot_events(amina, bot, "je suis là", room=second))
    mallory = await outsider(network, "Mallory", encrypted=encrypted)
    if invited:
        await amina.client.room_invite(shared, mallory.client.user_id)  # Mallory accepts
    else:  # Amina opened the room to anyone: Mallory joins, uninvited
        await amina.client.room_put_state(shared, "m.room.join_rules", {"join_rule": "public"})
        await mallory.client.join(shared)
    await mallory.sync_until(lambda: shared in mallory.in_room)  # joined

    warning = await amina.sync_until(
        lambda: bot_events(amina, bot, "Une autre personne est maintenant", room=shared)
    )
    assert "privé" in warning[0].body
    await amina.sync_until(lambda: bot_events(amina, bot, "conversation privée", room=second))
    await karim.say("!demande souci ameli, le secret de Karim")
    offer = await amina.sync_until(
        lambda: bot_events(amina, bot, "le secret de Karim", room=second)
    )
    assert offer[0].decrypted is encrypted
    await amina.react(offer[0].event_id, "✅", room=second)
    await karim.sync_until(lambda: karim.bot_says("a pris votre demande", bot))
    await karim.say("!msg 1 Encore un secret")
    await amina.sync_until(lambda: bot_events(amina, bot, "Encore un secret", room=second))
    async with network.app.services.uow() as uow:
        member = await uow.members.by_identity("matrix", amina.client.user_id)
        assert member is not None
        [identity] = await uow.members.identities(member.id)
    assert identity.chat_id == second  # the member's route, from now on
    assert amina.invited_to == []  # no new direct chat was opened
    assert await bot_rooms(network) == {shared, second, karim.room}
    await mallory.sync_until(lambda: True)
    assert not bot_events(mallory, bot, "secret")
    assert not bot_events(amina, bot, "secret", room=shared)
