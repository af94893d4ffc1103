"""A loopback reverse proxy in front of a Matrix homeserver that makes message sends fail.

Synapse cannot be told to fail, so the bot talks to the homeserver through this proxy:

    proxy = FaultProxy(synapse.url, seed=7)
    await proxy.start()                      # the bot's homeserver URL is now `proxy.url`
    proxy.rates = {"429": 0.1, "500": 0.1}   # from now on, ~20 % of message sends fail
    proxy.fail_next("lost")                  # or decide the next send's outcome explicitly
    ...
    await proxy.stop()

Every request is forwarded untouched (sync, login, keys, media…: the whole body is read, then
the whole answer is sent back; no streaming), except a message send —
`PUT /_matrix/client/{v3,r0}/rooms/{room}/send/{type}/{txn}` — whose outcome is drawn from
a seeded `random.Random` (or taken from the `fail_next` queue first):

- `"forward"`: passed to the homeserver as usual;
- `"429"`: answered 429 `M_LIMIT_EXCEEDED` with `retry_after_ms`, not forwarded;
- `"500"`: answered 500 `M_UNKNOWN`, not forwarded;
- `"stall"`: held `stall_seconds`, then forwarded (a slow homeserver; sent once);
- `"lost"`: forwarded (the homeserver stores the event), but the client gets a 504 from the
  "gateway" instead of the answer — as when a reverse proxy gives up on a slow Synapse;
- `"drop"`: forwarded, then the connection is closed without an answer (the client sees a
  disconnection; a client that retries with the same transaction id is deduplicated).

`sends` records every message send the proxy saw, in order, with its outcome.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

import aiohttp
from aiohttp import web
from yarl import URL

__all__ = ["OUTCOMES", "FaultProxy", "Outcome", "SendAttempt"]

Outcome = Literal["forward", "429", "500", "stall", "lost", "drop"]
OUTCOMES: tuple[Outcome, ...] = ("forward", "429", "500", "stall", "lost", "drop")
FAULTS: tuple[Outcome, ...] = OUTCOMES[1:]

SEND_PATH = re.compile(
    r"/_matrix/client/(?:v3|r0)/rooms/(?P<room>[^/]+)/send/(?P<type>[^/]+)/(?P<txn>[^/]+)"
)
# Hop-by-hop headers (RFC 9110 §7.6.1) and those aiohttp recomputes for the new message.
_NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
_GATEWAY_TIMEOUT = (
    "<html><head><title>504 Gateway Time-out</title></head>"
    "<body><center><h1>504 Gateway Time-out</h1></center></body></html>"
)
DROPPED = 0  # SendAttempt.status of a send whose connection was closed without an answer


@dataclass
class SendAttempt:
    """One message send the proxy saw.

    `status` is what the client received (0 when the connection was dropped); `forwarded`
    tells whether the homeserver got the request, and `event_id` is what it answered; `done`
    turns true once the proxy answered (or dropped the connection).
    """

    room_id: str
    event_type: str
    txn_id: str
    outcome: Outcome
    at: float
    status: int = 0
    forwarded: bool = False
    event_id: str | None = None
    done: bool = False


class FaultProxy:
    """A reverse proxy on 127.0.0.1 to `upstream`, failing message sends at random (seeded)."""

    def __init__(
        self,
        upstream: str,
        *,
        seed: int = 0,
        rates: Mapping[str, float] | None = None,
        retry_after_ms: int = 300,
        stall_seconds: float = 0.5,
        lost_after: float = 0.05,
    ) -> None:
        self.upstream = upstream.rstrip("/")
        self.rates: dict[str, float] = dict(rates or {})
        self.retry_after_ms = retry_after_ms
        self.stall_seconds = stall_seconds
        self.lost_after = lost_after
        self.port = 0
        self.sends: list[SendAttempt] = []
        self.forwarded_requests = 0
        self._random = random.Random(seed)
        self._planned: deque[Outcome] = deque()
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """The base URL to give the client instead of the homeserver's."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen on a free loopback port (see `url`)."""
        self._check_rates(self.rates)
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=10),
            auto_decompress=False,
        )
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Close the listener (pending requests are cancelled) and the upstream session."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> FaultProxy:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ faults

    def fail_next(self, *outcomes: Outcome) -> None:
        """Decide the outcome of the next message sends, in order (before any random draw)."""
        for outcome in outcomes:
            if outcome not in OUTCOMES:
                raise ValueError(f"unknown outcome {outcome!r}; expected one of {OUTCOMES}")
            self._planned.append(outcome)

    def reseed(self, seed: int) -> None:
        """Restart the random draws from `seed` (e.g. when faults are switched on)."""
        self._random.seed(seed)

    def counts(self) -> Counter[str]:
        """How many message sends got each outcome so far."""
        return Counter(send.outcome for send in self.sends)

    @staticmethod
    def _check_rates(rates: Mapping[str, float]) -> None:
        unknown = set(rates) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown fault(s) {sorted(unknown)}; expected some of {FAULTS}")
        if any(rate < 0 for rate in rates.values()) or sum(rates.values()) > 1:
            raise ValueError(f"fault rates must be ≥ 0 and add up to at most 1: {rates}")

    def decide(self) -> Outcome:
        """The outcome of the next message send: the `fail_next` queue first, then a draw."""
        if self._planned:
            return self._planned.popleft()
        if not self.rates:
            return "forward"
        self._check_rates(self.rates)
        draw = self._random.random()
        for fault in FAULTS:
            draw -= self.rates.get(fault, 0.0)
            if draw < 0:
                return fault
        return "forward"

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        match = SEND_PATH.fullmatch(request.path) if request.method == "PUT" else None
        if match is None:
            return await self._forward(request, body)
        attempt = SendAttempt(
            room_id=unquote(match["room"]),
            event_type=unquote(match["type"]),
            txn_id=unquote(match["txn"]),
            outcome=self.decide(),
            at=time.monotonic(),
        )
        self.sends.append(attempt)
        try:
            return await self._send(request, body, attempt)
        finally:
            attempt.done = True

    async def _send(
        self, request: web.Request, body: bytes, attempt: SendAttempt
    ) -> web.StreamResponse:
        if attempt.outcome == "429":
            attempt.status = 429
            return web.json_response(
                {
                    "errcode": "M_LIMIT_EXCEEDED",
                    "error": "Too Many Requests",
                    "retry_after_ms": self.retry_after_ms,
                },
                status=429,
            )
        if attempt.outcome == "500":
            attempt.status = 500
            return web.json_response(
                {"errcode": "M_UNKNOWN", "error": "Internal server error"}, status=500
            )
        if attempt.outcome == "stall":
            await asyncio.sleep(self.stall_seconds)
        response = await self._forward(request, body)
        attempt.forwarded = True
        attempt.event_id = _event_id(response)
        if attempt.outcome == "lost":
            await asyncio.sleep(self.lost_after)
            attempt.status = 504
            return web.Response(status=504, text=_GATEWAY_TIMEOUT, content_type="text/html")
        if attempt.outcome == "drop":
            attempt.status = DROPPED
            if request.transport is not None:
                request.transport.close()
            raise asyncio.CancelledError  # aiohttp ends the request without writing anything
        attempt.status = response.status
        return response

    async def _forward(self, request: web.Request, body: bytes) -> web.Response:
        assert self._session is not None, "start() the proxy first"
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
        async with self._session.request(
            request.method,
            URL(self.upstream + request.raw_path, encoded=True),  # the path exactly as sent
            headers=headers,
            data=body if body else None,
            allow_redirects=False,
        ) as upstream:
            payload = await upstream.read()
            answer_headers = {
                k: v for k, v in upstream.headers.items() if k.lower() not in _NOT_FORWARDED
            }
            self.forwarded_requests += 1
            return web.Response(status=upstream.status, body=payload, headers=answer_headers)


def _event_id(response: web.Response) -> str | None:
    """The `event_id` of a successful send answer, if any."""
    if response.status != 200 or not isinstance(response.body, bytes):
        return None
    try:
        parsed = json.loads(response.body)
    except ValueError:
        return None
    event_id = parsed.get("event_id") if isinstance(parsed, dict) else None
    return event_id if isinstance(event_id, str) else None
