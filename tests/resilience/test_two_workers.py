"""Two `samu run` workers on one PostgreSQL; the one running the Matrix sync is killed.

Telegram reaches the workers in webhook mode through a round-robin HTTP load balancer (an
update a dead worker cannot take goes to the other one); Matrix is synced by the worker that
holds the election lock. The elected worker is killed (SIGKILL) in the middle of the traffic:
the other takes the Matrix sync over within seconds, the messages the dead one had claimed are
delivered by the survivor, and in the end every request exists once and every message was
delivered once (a Telegram send interrupted by the kill itself excepted: no idempotent send
there).
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from nio import AsyncClient, AsyncClientConfig, LoginResponse, RoomCreateResponse, RoomMemberEvent

from bot.core import invites
from bot.core.clock import SystemClock
from bot.core.services import Services
from bot.core.types import Role
from skills import default_matcher
from storage.db import Database
from tests.conftest import Backend
from tests.fakes.synapse import Synapse, synapse_fixture  # noqa: F401
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import wait_until
from tests.resilience.workers import (
    TOKEN,
    Worker,
    add_members,
    offers_seen_by,
    outbox_state,
    prepare,
    repeated_deliveries,
    requests_and_offers,
    telegram_sends,
    wait_drained,
    worker_config,
)
from tests.transports.test_matrix import PASSWORD, Person

pytestmark = [pytest.mark.slow, pytest.mark.cli_subprocess]

SEED = 7
USERS = list(range(5001, 5007))
SECRET = "lb-secret"
LEADING = "this worker runs the matrix sync"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LoadBalancer:
    """Round-robin HTTP relay to the workers' webhook receivers, failing over on errors."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.port = free_port()
        self.failovers = 0
        self._next = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._relay)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _relay(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-")}
        headers["Content-Type"] = request.headers.get("Content-Type", "application/json")
        for attempt in range(len(self.targets)):
            target = self.targets[(self._next + attempt) % len(self.targets)]
            try:
                async with self._session.post(
                    f"{target}/{request.match_info['path']}", data=body, headers=headers
                ) as answer:
                    await answer.read()
                    self._next += 1
                    return web.Response(status=answer.status)
            except aiohttp.ClientError:
                self.failovers += 1
        return web.Response(status=502)


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as fake:
        yield fake


async def matrix_member(synapse: Synapse, bot: str) -> Person:
    user_id = await synapse.register(f"amina-{uuid.uuid4().hex[:6]}", PASSWORD)
    client = AsyncClient(synapse.url, user_id, config=AsyncClientConfig(encryption_enabled=False))
    assert isinstance(await client.login(PASSWORD, device_name="phone"), LoginResponse)
    person = Person(client)
    created = await client.room_create(is_direct=True, invite=[bot])
    assert isinstance(created, RoomCreateResponse), created
    person.room = created.room_id
    await person.sync_until(
        lambda: any(
            isinstance(e, RoomMemberEvent) and e.state_key == bot and e.membership == "join"
            for e in person.seen
        ),
        timeout=30,
    )
    return person


async def invite_code(database_url: str) -> str:
    db = Database.from_url(database_url)
    try:
        services = Services(uow=db.uow, clock=SystemClock(), matcher=default_matcher())
        invite = await invites.create_invite(services, role=Role.MEMBER, structure_name=None)
    finally:
        await db.dispose()
    return invite.code


async def test_two_workers_one_killed_mid_traffic_every_message_once(
    backend: Backend,
    database_url: str,
    server: FakeBotApi,
    synapse: Synapse,
    tmp_path: Path,
) -> None:
    if backend.name != "postgresql":
        pytest.skip("several workers share a PostgreSQL database")
    rng = random.Random(SEED)
    await prepare(database_url)
    await add_members(database_url, USERS)
    bot = await synapse.register(f"samu-{uuid.uuid4().hex[:6]}", PASSWORD)
    ports = [free_port(), free_port()]
    balancer = LoadBalancer([f"http://127.0.0.1:{port}" for port in ports])
    await balancer.start()
    workers = []
    for index, port in enumerate(ports):
        config = tmp_path / f"worker{index}.toml"
        worker_config(
            config,
            database_url,
            server,
            console=False,
            mode="webhook",
            webhook_port=port,
            webhook_path="hook",
            webhook_public_url=balancer.url,
            webhook_secret=SECRET,
            matrix={
                "homeserver": synapse.url,
                "user_id": bot,
                "password": PASSWORD,
                "store_path": str(tmp_path / "matrix-store"),
                "encryption": False,
                "pace_seconds": 0.01,
            },
        )
        workers.append(Worker(config, name=f"worker{index}"))
    asked: dict[str, int] = {}
    updates = 0

    def telegram_traffic(count: int, tag: str) -> None:
        nonlocal updates
        for _ in range(count):
            user = rng.choice(USERS)
            offers = offers_seen_by(server, user)
            if offers and rng.random() < 0.35:
                message_id, payload = rng.choice(offers)
                server.user_presses(user, message_id, payload)
            else:
                marker = f"{tag}n{len(asked):03d}"
                server.user_sends(user, f"/demande souci ameli dossier {marker}")
                asked[marker] = user
            updates += 1

    async def deliver_updates() -> None:
        """Telegram pushing the queued updates, one at a time, until none is left."""
        while server.pending_updates:
            await server.flush_to_webhook()

    try:
        for worker in workers:  # the first one started is elected for Matrix
            await worker.start()
        leader, standby = workers
        assert any(LEADING in line for line in leader.lines), leader.describe()
        assert not any(LEADING in line for line in standby.lines)

        person = await matrix_member(synapse, bot)
        await person.say(f"!start {await invite_code(database_url)}")
        await person.sync_until(lambda: person.bot_says("Bienvenue", bot), timeout=30)
        await person.say("!demande souci ameli matrix avant")
        await person.sync_until(lambda: person.bot_says("est enregistrée", bot), timeout=30)

        telegram_traffic(30, "a")
        pushing = asyncio.create_task(deliver_updates())
        await asyncio.sleep(rng.uniform(0.3, 1.5))  # the kill lands at a random point
        await leader.kill()
        killed_at = time.monotonic()
        in_flight = Counter((await outbox_state(database_url)).in_flight)
        await wait_until(
            lambda: any(LEADING in line for line in standby.lines), 30, standby.describe
        )
        takeover = time.monotonic() - killed_at

        await person.say("!demande souci ameli matrix après")
        telegram_traffic(20, "b")
        await pushing
        await deliver_updates()
        await person.sync_until(
            lambda: sum("est enregistrée" in getattr(e, "body", "") for e in person.seen) >= 2,
            timeout=60,
        )
        state = await wait_drained(database_url, 60, standby.describe)
        await standby.stop()
    finally:
        for worker in workers:
            await worker.kill()
        await balancer.stop()
        log = [line for worker in workers for line in worker.history]
        (tmp_path / "workers.log").write_text("\n".join(log), encoding="utf-8")

    requests, _ = await requests_and_offers(database_url)
    by_marker = Counter(
        marker for request in requests for marker in asked if marker in (request.text or "")
    )
    assert all(count == 1 for count in by_marker.values()), by_marker.most_common(3)
    given_back = {
        marker
        for marker, user in asked.items()
        if any(
            "J'ai redémarré" in m.get("text", "") and marker in m.get("text", "")
            for m in server.sent_messages(user)
        )
    }
    lost = [marker for marker in asked if by_marker[marker] == 0 and marker not in given_back]
    assert lost == []
    matrix_requests = [r.text for r in requests if r.text and "matrix" in r.text]
    assert sorted(matrix_requests) == ["souci ameli matrix après", "souci ameli matrix avant"]
    matrix_acks = [e for e in person.seen if "est enregistrée" in getattr(e, "body", "")]
    assert len(matrix_acks) == 2  # each answered once, one by each worker
    assert state.pending == 0
    duplicated = repeated_deliveries(telegram_sends(server), state, in_flight)
    await person.client.close()
    print(
        f"\ntwo workers (seed {SEED}): {updates} Telegram updates through the balancer "
        f"({balancer.failovers} failed over), {len(asked)} requests asked, "
        f"{sum(by_marker.values())} stored, {len(given_back)} given back, {len(lost)} lost; "
        f"Matrix taken over {takeover:.1f} s after the kill; {in_flight.total()} send(s) caught "
        f"by the kill, {duplicated} duplicated"
    )
