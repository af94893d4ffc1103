"""A shared position answers with the nearest places: Telegram's location message through
the real PTB stack, Matrix's `m.location` through a real Synapse."""

from __future__ import annotations

from pathlib import Path

from bot.app import App
from bot.core.place_files import FileFormat
from bot.core.place_import import import_places
from bot.transports.matrix.geo import location_of
from tests.fakes.synapse import synapse_fixture  # noqa: F401 (the fixture)
from tests.fakes.telegram_api import FakeBotApi
from tests.transports.conftest import Running
from tests.transports.test_matrix import Network, network_fixture  # noqa: F401 (the fixture)

SAMPLE = Path(__file__).parent.parent / "data" / "places_sample.csv"
AMINA = 1001


async def load_sample(app: App) -> None:
    services = app.services
    await import_places(services, SAMPLE, FileFormat.CSV)


async def test_telegram_location_gives_the_nearest_places(
    running: Running, server: FakeBotApi
) -> None:
    await load_sample(running.app)
    await running.start()
    server.user_shares_location(4242, 47.3941, 0.6848)  # a stranger: how to join, nothing else
    stranger = await running.wait_text(4242, "invitation")
    assert "Lieux pour" not in stranger["text"]
    await running.join(AMINA, "Amina")
    before = len(server.sent_messages(AMINA))
    server.user_shares_location(AMINA, 47.3941, 0.6848)
    answer = await running.wait_text(AMINA, "près de votre position", after=before)
    assert "1. " in answer["text"] and "5. " in answer["text"]
    server.user_shares_location(AMINA, 48.2, 16.37)  # Vienna
    await running.wait_text(AMINA, "pas en France", after=before)


async def test_matrix_location_gives_the_nearest_places(network: Network) -> None:
    await load_sample(network.app)
    amina = await network.join("Amina")
    await amina.client.room_send(
        amina.room,
        "m.room.message",
        {"msgtype": "m.location", "body": "Ma position", "geo_uri": "geo:47.3941,0.6848;u=20"},
    )
    answer = await amina.sync_until(lambda: amina.bot_says("près de votre position", network.bot))
    assert "1. " in answer.body and "5. " in answer.body
    await amina.client.room_send(
        amina.room, "m.room.message", {"msgtype": "m.location", "body": "x", "geo_uri": "geo:nope"}
    )
    await amina.say("!orienter scanner 37000")
    answer = await amina.sync_until(lambda: amina.bot_says("près de 37000", network.bot))
    assert "1. " in answer.body


def test_geo_uris_are_read_strictly() -> None:
    assert location_of({"geo_uri": "geo:47.39,0.68"}) is not None
    assert (
        location_of({"org.matrix.msc3488.location": {"uri": "geo:-20.88,55.45;u=10"}}) is not None
    )
    for bad in ("geo:91,0", "geo:1", "http://x", "geo:1,2\x00", "geo:1e9,2", None, 42):
        assert location_of({"geo_uri": bad}) is None, bad
