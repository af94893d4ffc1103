"""The run loop of `samu run`: starts what the application built, waits, and stops it in order.

`App.run` builds the pieces (dispatcher, election, monitoring endpoint) and hands them over;
the supervisor owns the tasks: the chat networks, the delivery of the outbox, the heartbeat,
the periodic work on its scheduler, and the ordered stop within a few seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.scheduler import build_scheduler
from bot.stopping import StopBudget

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.delivery import Dispatcher
    from bot.election import Election
    from bot.monitoring.server import MonitoringServer
    from bot.transports.console import ConsoleTransport
    from bot.transports.matrix import MatrixTransport
    from bot.transports.telegram import TelegramTransport

# The run's lines keep the logger name they have always had: operators, probes and the
# benchmarks look for `INFO bot.app: samu run:` and `INFO bot.app: ready:`.
log = logging.getLogger("bot.app")


@dataclass(frozen=True, slots=True)
class _Running:
    """What a run started: stopped in order at its end."""

    scheduler: AsyncIOScheduler
    networks: list[asyncio.Task[None]]
    beside: list[asyncio.Task[None]]
    # The background work; the last one announces the start (`_announce_ready`).
    background: list[asyncio.Task[None]]


@dataclass
class Supervisor:
    """Runs the transports, the dispatcher and the periodic work until the run ends."""

    dispatcher: Dispatcher
    # The periodic work (`App.tick`), run now and every `tick_every` seconds.
    tick: Callable[[], Awaitable[None]]
    tick_every: float
    timezone: str
    heartbeat_seconds: float
    # The line logged at start, given where the monitoring endpoint answers ("" when off).
    summary: Callable[[str], str]
    console: ConsoleTransport | None = None
    telegram: TelegramTransport | None = None
    # Matrix runs under its election (only the worker that holds the lock syncs).
    matrix: MatrixTransport | None = None
    election: Election | None = None
    monitor: MonitoringServer | None = None
    # Work started beside the start and cancelled at the stop if not done (the candidate
    # index: matching asks SQL until it is built, ~0.7 s at 10,000 members).
    beside: Callable[[], Coroutine[Any, Any, None]] | None = None
    _ticking: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set, a chat network fails, or (the terminal alone) its input
        ends; then stop everything in order within the stop's budget."""
        if self.monitor is not None:
            await self.monitor.start()  # first: a port already taken stops the start here
        log.info("%s", self.summary(self.monitor.address if self.monitor else ""))
        running = self._start(stop)
        terminal: asyncio.Task[None] | None = None
        stopper = asyncio.create_task(stop.wait())
        try:
            watched = {stopper, *running.networks}
            if self.console is not None:
                terminal = asyncio.create_task(self.console.run(), name="console")
                if not running.networks:  # the terminal alone: its input's end ends the run
                    watched.add(terminal)
            done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
            for task in done - {stopper}:
                task.result()  # a transport that failed (e.g. 409 Conflict) ends the run loudly
        finally:
            stopper.cancel()
            if terminal is not None and not terminal.done():
                terminal.cancel()  # a signal stops the run even while the terminal waits
            if self.console is not None:
                await self.console.close()
            stop.set()
            await self._stop_in_order(running)

    def _start(self, stop: asyncio.Event) -> _Running:
        """Start the periodic work, the chat networks and the background tasks."""
        scheduler = build_scheduler(
            self._safe_tick,
            period_seconds=self.tick_every,
            timezone=self.timezone,
            now=datetime.now(UTC),
        )
        scheduler.start()
        networks = []
        if self.election is not None:
            networks.append(asyncio.create_task(self.election.run(stop), name="matrix-election"))
        if self.telegram is not None:
            networks.append(asyncio.create_task(self.telegram.run(), name="telegram"))
        beside = [asyncio.create_task(self.beside(), name="beside")] if self.beside else []
        dispatcher = self.dispatcher
        background = [
            *beside,
            asyncio.create_task(dispatcher.run_forever(stop), name="dispatcher"),
            asyncio.create_task(
                dispatcher.keep_alive(stop, self.heartbeat_seconds), name="heartbeat"
            ),
            asyncio.create_task(_announce_ready(self.console, self.telegram, self.election)),
        ]
        return _Running(scheduler, networks, beside, background)

    async def _stop_in_order(self, running: _Running) -> None:
        """Stop what `_start` started. Every step gets a share of the stop's few seconds
        (`keep`: what it leaves to the next ones); what overruns it, e.g. a send to a silent
        server, is cancelled."""
        budget = StopBudget()
        running.scheduler.pause()
        # A tick under way may finish for a moment, rather than be cancelled at once.
        ticked = await budget.run(self._ticking.acquire(), "the periodic work", keep=2.5)
        running.scheduler.shutdown(wait=False)  # cancels a tick still under way
        if ticked:
            self._ticking.release()
        running.background[-1].cancel()
        for task in running.beside:
            task.cancel()  # matching reads SQL without the index; nothing is lost
        await budget.finish(running.background, "the outbox delivery", keep=2.0)
        # Deliver what is due while the transports are still up, for a moment (the rest of
        # a long fan-out is handed over to the other workers or the restart).
        last = self.dispatcher.run_once(until=lambda: budget.spent(keep=1.25))
        await budget.run(last, "the last deliveries", keep=0.75)
        for network in (self.telegram, self.matrix):
            if network is not None:
                network.stop()
        await budget.finish(running.networks, "the chat networks", keep=0.25)
        try:
            await budget.run(self.dispatcher.leave(), "handing messages over")
        except Exception as error:
            log.warning("could not hand this worker's messages over: %s", error)
        if self.monitor is not None:
            await self.monitor.stop()

    async def _safe_tick(self) -> None:
        async with self._ticking:
            try:
                await self.tick()
            except Exception:
                log.exception("periodic work failed; will retry at the next tick")


async def _announce_ready(
    console: ConsoleTransport | None,
    telegram: TelegramTransport | None,
    election: Election | None,
) -> None:
    """Log one line once every enabled transport receives messages (for operators and probes)."""
    names = ["console"] if console is not None else []
    if telegram is not None:
        await telegram.wait_ready()
        names.append("telegram")
    if election is not None:
        await election.settled.wait()
        names.append("matrix" if election.leading else "matrix (standby: another worker syncs)")
    log.info("ready: %s", ", ".join(names))
