"""Synapse's default message rate limit on: every message still arrives, in order."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

pytest.importorskip("nio", reason="matrix-nio is not installed")

from nio import RoomMessageText

from bot.app import App
from bot.config import parse_config
from bot.core import claims, conversation, requests
from bot.core.types import Role
from tests.fakes.synapse import Synapse, synapse_python
from tests.transports.test_matrix import PASSWORD, Network, matrix_config

# A Synapse of its own, at its real rate limit (0.2 message/s): a minute by design.
pytestmark = [pytest.mark.slow, pytest.mark.synapse]

MESSAGES = 12


@pytest.fixture
async def limited(database_url: str, tmp_path: Path) -> AsyncIterator[Network]:
    if await asyncio.to_thread(synapse_python) is None:
        pytest.skip("Synapse cannot be installed here")
    async with Synapse(default_rc_message=True) as synapse:
        bot = await synapse.register(f"samu-{uuid.uuid4().hex[:6]}", PASSWORD)
        config = parse_config(
            matrix_config(
                database_url, synapse, bot, tmp_path / "bot-store", matrix={"encryption": False}
            ),
            "tests",
            {},
        )
        app = App.build(config)
        await app.prepare()
        net = Network(synapse, app, bot, tmp_path)
        await net.start()
        try:
            yield net
        finally:
            await net.stop()
            for person in net.people:
                await person.client.close()
            await app.close()


async def test_every_message_arrives_in_order_under_rate_limits(limited: Network) -> None:
    network = limited
    amina = await network.join("Amina")
    services = network.app.services
    async with services.uow() as uow:
        author = await uow.members.by_identity("matrix", amina.client.user_id)
        helper = await uow.members.add(
            display_name="Karim",
            role=Role.MEMBER,
            locale="fr",
            structure_id=None,
            now=services.clock.now(),
        )
        await uow.commit()
    assert author is not None
    asked = await requests.ask(
        services,
        author,
        "souci avec un compte ameli",
    )
    async with services.uow() as uow:
        await uow.offers.add_many(
            request_id=asked.request.id,
            helper_ids=[helper.id],
            round_number=1,
            now=services.clock.now(),
        )
        await uow.commit()
    await claims.claim(services, asked.request.id, helper)
    for number in range(1, MESSAGES + 1):
        await conversation.relay(services, asked.request.id, helper, f"m{number}.")
    assert network.app.dispatcher is not None
    network.app.dispatcher.wake()

    def relayed() -> list[str]:
        return [
            e.body.split("« ")[1].split(" »")[0]
            for e in amina.seen
            if isinstance(e, RoomMessageText) and "« m" in e.body
        ]

    await amina.sync_until(lambda: len(relayed()) >= MESSAGES, timeout=120)
    assert relayed() == [f"m{n}." for n in range(1, MESSAGES + 1)]
