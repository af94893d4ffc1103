"""The fault-injecting reverse proxy: what it forwards untouched, and each fault it makes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from tests.fakes.fault_proxy import DROPPED, FAULTS, FaultProxy, Outcome

NOWHERE = "http://127.0.0.1:9"  # never contacted
SEND = "/_matrix/client/v3/rooms/%21room%3Alocalhost/send/m.room.message/"


@dataclass
class Upstream:
    """A tiny homeserver: remembers requests, and one event per transaction id (as Synapse)."""

    port: int = 0
    requests: list[tuple[str, str, bytes, dict[str, str]]] = field(default_factory=list)
    events: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append((request.method, request.raw_path, body, dict(request.headers)))
        if request.method == "PUT" and "/send/" in request.path:
            txn = request.path.rsplit("/", 1)[1]
            event_id = self.events.setdefault(txn, f"$event{len(self.events) + 1}")
            return web.json_response({"event_id": event_id})
        return web.json_response(
            {"path": request.path, "got": body.decode()},
            status=201 if request.method == "POST" else 200,
            headers={"X-Upstream": "yes"},
        )


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    server = Upstream()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.port = int(runner.addresses[0][1])
    try:
        yield server
    finally:
        await runner.cleanup()


@pytest.fixture
async def proxy(upstream: Upstream) -> AsyncIterator[FaultProxy]:
    async with FaultProxy(upstream.url, seed=3, stall_seconds=0.3) as fault_proxy:
        yield fault_proxy


async def put_send(proxy: FaultProxy, txn: str) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.put(proxy.url + SEND + txn, json={"body": txn}) as response,
    ):
        text = await response.text()
        try:
            return response.status, await response.json(content_type=None)
        except ValueError:
            return response.status, text


async def test_everything_but_message_sends_is_forwarded_untouched(
    proxy: FaultProxy, upstream: Upstream
) -> None:
    proxy.rates = {"500": 1.0}  # every message send would fail; nothing else may
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": "Bearer secret"}
        async with session.get(
            proxy.url + "/_matrix/client/v3/sync?since=s1&timeout=0", headers=headers
        ) as response:
            assert response.status == 200
            assert response.headers["X-Upstream"] == "yes"
            assert (await response.json())["path"] == "/_matrix/client/v3/sync"
        async with session.post(
            proxy.url + "/_matrix/client/v3/keys/upload", data=b'{"a": 1}', headers=headers
        ) as response:
            assert response.status == 201
            assert (await response.json())["got"] == '{"a": 1}'
        # A send-like path with another method is not a message send.
        async with session.get(URL(proxy.url + SEND + "t0", encoded=True)) as response:
            assert response.status == 200
    methods = [(method, path) for method, path, _, _ in upstream.requests]
    assert methods == [
        ("GET", "/_matrix/client/v3/sync?since=s1&timeout=0"),
        ("POST", "/_matrix/client/v3/keys/upload"),
        ("GET", SEND + "t0"),
    ]
    assert upstream.requests[0][3]["Authorization"] == "Bearer secret"
    assert proxy.sends == []


async def test_each_fault(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.fail_next("429", "500", "lost", "stall", "forward")
    assert await put_send(proxy, "t1") == (
        429,
        {"errcode": "M_LIMIT_EXCEEDED", "error": "Too Many Requests", "retry_after_ms": 300},
    )
    status, body = await put_send(proxy, "t2")
    assert (status, body["errcode"]) == (500, "M_UNKNOWN")
    assert upstream.requests == []  # neither was forwarded

    status, body = await put_send(proxy, "t3")
    assert status == 504 and "Gateway Time-out" in body
    assert upstream.events == {"t3": "$event1"}  # stored upstream all the same

    started = time.monotonic()
    assert await put_send(proxy, "t4") == (200, {"event_id": "$event2"})
    assert time.monotonic() - started >= 0.3
    assert await put_send(proxy, "t3") == (200, {"event_id": "$event1"})  # same txn, same event

    assert [s.outcome for s in proxy.sends] == ["429", "500", "lost", "stall", "forward"]
    assert [s.status for s in proxy.sends] == [429, 500, 504, 200, 200]
    assert [s.forwarded for s in proxy.sends] == [False, False, True, True, True]
    assert [s.event_id for s in proxy.sends] == [None, None, "$event1", "$event2", "$event1"]
    assert proxy.sends[0].room_id == "!room:localhost"
    assert proxy.sends[0].event_type == "m.room.message"
    assert proxy.counts() == {"429": 1, "500": 1, "lost": 1, "stall": 1, "forward": 1}


async def test_a_dropped_connection_reaches_the_homeserver_but_gets_no_answer(
    proxy: FaultProxy, upstream: Upstream
) -> None:
    # aiohttp itself retries an idempotent PUT once on a dropped connection: drop both.
    proxy.fail_next("drop", "drop")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await put_send(proxy, "t9")
    assert [(s.txn_id, s.status, s.forwarded) for s in proxy.sends] == [
        ("t9", DROPPED, True),
        ("t9", DROPPED, True),
    ]
    assert upstream.events == {"t9": "$event1"}  # one event: the transaction id deduplicates


def test_random_faults_are_seeded_and_follow_the_rates() -> None:
    rates = {"429": 0.1, "500": 0.1, "lost": 0.05, "drop": 0.05}

    def draws(seed: int) -> list[Outcome]:
        fake = FaultProxy(NOWHERE, seed=seed, rates=rates)
        return [fake.decide() for _ in range(2000)]

    first = draws(11)
    assert first == draws(11) and first != draws(12)
    share: dict[str, float] = {fault: first.count(fault) / len(first) for fault in FAULTS}
    for fault, rate in rates.items():
        assert abs(share[fault] - rate) < 0.03, (fault, share[fault])
    assert share["stall"] == 0 and 0.65 < first.count("forward") / len(first) < 0.75


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        FaultProxy(NOWHERE, rates={"timeout": 0.1}).decide()
    with pytest.raises(ValueError, match="add up"):
        FaultProxy(NOWHERE, rates={"429": 0.7, "500": 0.7}).decide()
    with pytest.raises(ValueError, match="unknown outcome"):
        FaultProxy(NOWHERE).fail_next("boom")  # type: ignore[arg-type]
