"""Matrix through a real Synapse on 127.0.0.1 (installed by the test harness).

1. Round trip of `!aide`: median and p95 time from a member's message to the bot's reply,
   next to a bare matrix-nio echo bot on the same homeserver; the ratio of the medians is the
   figure (target ≤ 1.1). The bot's sending pace is set to 0 here (it is 1 message/s by
   default, Tchap's guidance), so that the figure measures the work, not the pacing.
2. Restart → first notice to a quiet member: the bot is stopped, a relay is queued for a
   member who has not written since (as a helper's message would be), and the time from the
   start of the bot (login, full-state sync) until that member's client has the message is
   measured, over `--restarts` restarts, with `--members` members in the network (each a
   direct chat, so the start's full-state sync has that many rooms to read).

The bot runs without end-to-end encryption, like the echo bot (`--encryption` turns it on).

Run: .venv/bin/python bench/matrix_bench.py [--requests 50] [--restarts 5] [--members 10]
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

from bench.common import percentile
from bot.app import App
from bot.config import parse_config
from bot.core import claims, conversation, requests
from bot.core.types import Role
from tests.fakes.synapse import Synapse, synapse_python
from tests.transports.test_matrix import PASSWORD, Network, Person

Reply = RoomMessageNotice | RoomMessageText


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


async def echo_bot(synapse: Synapse, texts: list[str]) -> list[float]:
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
            joined = response.rooms.join.get(room)
            for event in joined.timeline.events if joined else []:
                if isinstance(event, RoomMessageText) and event.sender == user_id:
                    await echo.room_send(
                        room, "m.room.message", {"msgtype": "m.text", "body": event.body}
                    )

    server = asyncio.create_task(serve())
    try:
        return await timed_replies(user, room, echo_id, texts)
    finally:
        server.cancel()
        await echo.close()
        await user.close()


def bot_config(synapse: Synapse, bot: str, folder: str, encryption: bool) -> App:
    return App.build(
        parse_config(
            {
                "database": {"url": f"sqlite:///{folder}/bench.db"},
                "network": {"structures": ["Mission locale"]},
                "requests": {"quiet_hours": "00:00-00:00", "quiet_weekends": False},
                "console": {"enabled": False},
                "workers": {"kept_dir": f"{folder}/kept"},
                "matrix": {
                    "enabled": True,
                    "homeserver": synapse.url,
                    "user_id": bot,
                    "password": PASSWORD,
                    "store_path": f"{folder}/store",
                    "encryption": encryption,
                    "pace_seconds": 0,
                },
            },
            "bench",
            {},
        )
    )


async def samu_bot(
    synapse: Synapse, texts: list[str], restarts: int, members: int, encryption: bool
) -> tuple[list[float], list[float]]:
    """The `!aide` round trips, then the restart → first notice times (ms)."""
    with tempfile.TemporaryDirectory() as folder:
        bot = await synapse.register(f"samu-{uuid.uuid4().hex[:6]}", PASSWORD)
        app = bot_config(synapse, bot, folder, encryption)
        await app.prepare(migrate=True)
        network = Network(synapse, app, bot, Path(folder))
        await network.start()
        try:
            amina = await network.join("Amina", Role.MEMBER)
            await amina.client.sync(timeout=0)
            round_trips = await timed_replies(amina.client, amina.room, bot, texts)
            karim = await network.join("Karim", Role.MEMBER, skills="ameli (former)")
            for number in range(members - 2):
                await network.join(f"Membre{number}", Role.MEMBER)
            restart_times = await restart_to_notice(network, amina, karim, restarts)
        finally:
            await network.stop()
            for person in network.people:
                await person.client.close()
            await app.close()
        return round_trips, restart_times


async def restart_to_notice(
    network: Network, amina: Person, karim: Person, restarts: int
) -> list[float]:
    """Karim took Amina's request; he writes nothing. The bot stops, Amina's message to him is
    queued, the bot starts: how long until Karim's client has it."""
    services = network.app.services
    async with services.uow() as uow:
        author = await uow.members.by_identity("matrix", amina.client.user_id)
        helper = await uow.members.by_identity("matrix", karim.client.user_id)
    assert author is not None and helper is not None
    asked = await requests.ask(services, author, "souci ameli")
    await claims.claim(services, asked.request.id, helper)
    await amina.sync_until(lambda: amina.bot_says("a pris votre demande", network.bot))
    times = []
    for number in range(restarts):
        await network.stop()
        text = f"Relance numéro {number}"
        await conversation.relay(services, asked.request.id, author, text)
        start = time.perf_counter()
        await network.start()
        await karim.sync_until(lambda text=text: karim.bot_says(text, network.bot), timeout=60)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument(
        "--encryption",
        action="store_true",
        help="the bot with end-to-end encryption on (the echo bot has none)",
    )
    args = parser.parse_args()
    if await asyncio.to_thread(synapse_python) is None:
        sys.exit("Synapse cannot be installed here")
    texts = ["!aide"] * args.requests
    async with Synapse() as synapse:
        echo = await echo_bot(synapse, texts)
        ours, restarts = await samu_bot(
            synapse, texts, args.restarts, max(2, args.members), args.encryption
        )
    print(f"round trip !aide → reply through Synapse, {args.requests} messages (ms):")
    print(f"  samu      median {statistics.median(ours):6.1f}  p95 {percentile(ours, 0.95):6.1f}")
    print(f"  echo bot  median {statistics.median(echo):6.1f}  p95 {percentile(echo, 0.95):6.1f}")
    ratio = statistics.median(ours) / statistics.median(echo)
    print(f"  ratio     median {ratio:.2f}x   (target ≤ 1.1x)")
    print(
        f"restart → first notice delivered to a quiet member, {args.restarts} restarts, "
        f"{max(2, args.members)} members (ms):"
    )
    print(
        f"  median {statistics.median(restarts):6.1f}  max {max(restarts):6.1f}  "
        f"all {', '.join(f'{t:.0f}' for t in restarts)}"
    )


if __name__ == "__main__":
    asyncio.run(main())
