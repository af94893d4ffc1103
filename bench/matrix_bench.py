"""Matrix latency through a real Synapse on 127.0.0.1 (installed by the test harness).

Median and p95 time from a member's `!demande` to the bot's reply, next to a bare matrix-nio
echo bot on the same homeserver; the ratio is the figure (target ≤ 1.3×). The bot's sending
pace is set to 0 here (it is 1 message/s by default, Tchap's guidance), so that the figure
measures the work, not the pacing.

Run: .venv/bin/python bench/matrix_bench.py [--requests 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nio import AsyncClient, AsyncClientConfig, RoomMessageNotice, RoomMessageText, SyncResponse

from bot.app import App
from bot.config import parse_config
from bot.core.types import Role
from tests.fakes.synapse import Synapse, synapse_python
from tests.transports.test_matrix import PASSWORD, Network

Reply = RoomMessageNotice | RoomMessageText


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def timed_replies(client: AsyncClient, room: str, bot: str, texts: list[str]) -> list[float]:
    """Send each text and sync until the bot's next message in the room."""
    latencies = []
    for text in texts:
        start = time.perf_counter()
        await client.room_send(room, "m.room.message", {"msgtype": "m.text", "body": text})
        answered = False
        while not answered:
            response = await client.sync(timeout=1000)
            assert isinstance(response, SyncResponse)
            room_info = response.rooms.join.get(room)
            events = room_info.timeline.events if room_info else []
            answered = any(isinstance(e, Reply) and e.sender == bot for e in events)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


async def echo_bot(synapse: Synapse, count: int) -> list[float]:
    echo_id = await synapse.register(f"echo-{uuid.uuid4().hex[:6]}", PASSWORD)
    user_id = await synapse.register(f"user-{uuid.uuid4().hex[:6]}", PASSWORD)
    echo = AsyncClient(synapse.url, echo_id, config=AsyncClientConfig(encryption_enabled=False))
    user = AsyncClient(synapse.url, user_id, config=AsyncClientConfig(encryption_enabled=False))
    await echo.login(PASSWORD)
    await user.login(PASSWORD)
    room = (await user.room_create(is_direct=True, invite=[echo_id])).room_id
    await echo.sync(timeout=1000)
    await echo.join(room)
    token = (await echo.sync(timeout=0)).next_batch
    await user.sync(timeout=0)

    async def serve() -> None:
        since = token
        while True:
            response = await echo.sync(timeout=30_000, since=since)
            since = response.next_batch
            for event in (
                response.rooms.join.get(room, None).timeline.events
                if room in response.rooms.join
                else []
            ):
                if isinstance(event, RoomMessageText) and event.sender == user_id:
                    await echo.room_send(
                        room, "m.room.message", {"msgtype": "m.notice", "body": event.body}
                    )

    server = asyncio.create_task(serve())
    try:
        return await timed_replies(
            user, room, echo_id, [f"!demande echo {i}" for i in range(count)]
        )
    finally:
        server.cancel()
        await echo.close()
        await user.close()


async def samu_bot(synapse: Synapse, count: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        bot = await synapse.register(f"samu-{uuid.uuid4().hex[:6]}", PASSWORD)
        app = App.build(
            parse_config(
                {
                    "database": {"url": f"sqlite:///{folder}/bench.db"},
                    "network": {"structures": ["Mission locale"]},
                    "requests": {"quiet_hours": "00:00-00:00", "quiet_weekends": False},
                    "console": {"enabled": False},
                    "matrix": {
                        "enabled": True,
                        "homeserver": synapse.url,
                        "user_id": bot,
                        "password": PASSWORD,
                        "encryption": False,
                        "pace_seconds": 0,
                    },
                },
                "bench",
                {},
            )
        )
        await app.prepare(migrate=True)
        network = Network(synapse, app, bot, Path(folder))
        await network.start()
        amina = await network.join("Amina", Role.MEMBER)
        await amina.client.sync(timeout=0)
        latencies = await timed_replies(
            amina.client,
            amina.room,
            bot,
            [f"!demande souci numéro {i} avec un compte ameli" for i in range(count)],
        )
        await network.stop()
        await amina.client.close()
        await app.close()
        return latencies


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    if await asyncio.to_thread(synapse_python) is None:
        sys.exit("Synapse cannot be installed here")
    async with Synapse() as synapse:
        echo = await echo_bot(synapse, args.requests)
        ours = await samu_bot(synapse, args.requests)
    print(f"latency !demande → reply through Synapse, {args.requests} requests (ms):")
    print(f"  samu      median {statistics.median(ours):6.1f}  p95 {percentile(ours, 0.95):6.1f}")
    print(f"  echo bot  median {statistics.median(echo):6.1f}  p95 {percentile(echo, 0.95):6.1f}")
    ratio = statistics.median(ours) / statistics.median(echo)
    print(f"  ratio     median {ratio:.2f}x   (target ≤ 1.3x)")


if __name__ == "__main__":
    asyncio.run(main())
