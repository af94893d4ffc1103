"""What the monitoring looks at on each request, and whether it makes the bot ready.

Ready means: the database answers `SELECT 1` in time, every enabled chat network is
connected, the periodic work started recently (within `late_ticks` periods), and no message
due for delivery has waited longer than `outbox_stuck_seconds` (undeliverable messages, tried
too often, are counted apart: they are logged and the coordinators are told of them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core import health
from bot.core.services import Services
from bot.core.types import OutboxBacklog, RequestStatus

OK = "ok"
# Error texts longer than this are cut (a driver's message may carry the SQL it ran).
MAX_DETAIL = 200


class Connected(Protocol):
    """A chat network that says whether it is connected (a transport, or its election)."""

    @property
    def connected(self) -> bool:
        """True while messages can be received and sent."""
        ...


@dataclass(frozen=True, slots=True)
class Limits:
    """When /readyz turns to 503."""

    outbox_stuck_after: timedelta
    tick_late_after: timedelta
    database_timeout: float


@dataclass(frozen=True, slots=True)
class Look:
    """What the monitoring saw at one moment (`database_error` None: the database answered,
    in `database_seconds`)."""

    at: datetime
    database_error: str | None
    database_seconds: float | None
    backlog: OutboxBacklog | None
    requests: Mapping[RequestStatus, int] | None
    connected: Mapping[str, bool]
    last_tick: datetime | None

    @property
    def oldest_due_age(self) -> float:
        """Seconds the longest-waiting due message has waited (0 when none waits)."""
        if self.backlog is None or self.backlog.oldest_due is None:
            return 0.0
        return max(0.0, (self.at - self.backlog.oldest_due).total_seconds())

    def checks(self, limits: Limits) -> dict[str, str]:
        """Each readiness check and its verdict: `ok`, or what is wrong."""
        verdicts = {"database": OK if self.database_error is None else self.database_error}
        for platform, connected in sorted(self.connected.items()):
            verdicts[platform] = OK if connected else "not connected"
        if self.last_tick is None:
            verdicts["scheduler"] = "the periodic work has not run yet"
        else:
            since = self.at - self.last_tick
            late = since > limits.tick_late_after
            verdicts["scheduler"] = (
                f"the periodic work last started {since.total_seconds():.0f} s ago" if late else OK
            )
        if self.backlog is None:
            verdicts["outbox"] = "unknown (database)"
        elif self.oldest_due_age > limits.outbox_stuck_after.total_seconds():
            verdicts["outbox"] = f"a message due has waited {self.oldest_due_age:.0f} s"
        else:
            verdicts["outbox"] = OK
        return verdicts


@dataclass(frozen=True, slots=True)
class Probe:
    """Looks at the database, the chat networks and the periodic work."""

    ping: Callable[[], Awaitable[None]]
    services: Services
    links: Mapping[str, Connected]
    last_tick: Callable[[], datetime | None]
    limits: Limits

    async def look(self, *, requests: bool = False) -> Look:
        """Look now (with `requests`, also count the requests in each state)."""
        loop = asyncio.get_running_loop()
        error = seconds = backlog = counts = None
        timeout = self.limits.database_timeout
        try:
            started = loop.time()
            await asyncio.wait_for(self.ping(), timeout)
            seconds = loop.time() - started
            backlog = await asyncio.wait_for(health.outbox_backlog(self.services), timeout)
            if requests:
                counts = await asyncio.wait_for(health.requests_by_status(self.services), timeout)
        except TimeoutError:
            error = f"no answer within {timeout:g} s"
        except Exception as problem:  # whatever the driver says, the database is not usable
            first_line = (str(problem).splitlines() or [""])[0][:MAX_DETAIL]
            error = f"unreachable ({type(problem).__name__}: {first_line})"
        return Look(
            at=self.services.clock.now(),
            database_error=error,
            database_seconds=seconds,
            backlog=backlog if error is None else None,
            requests=counts if error is None else None,
            connected={platform: link.connected for platform, link in self.links.items()},
            last_tick=self.last_tick(),
        )
