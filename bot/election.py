"""One worker runs a job that must not run twice (the Matrix sync loop); the others stand by.

The elected worker holds a database lock (`storage.leader`) for as long as it runs the job;
the others try to take the lock every `every` seconds, so one of them takes over within that
time once the leader is gone. While another worker leads, this worker's outbox leaves the
job's network to it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from bot.delivery import Dispatcher
from bot.transports.matrix import MatrixTransport
from storage.leader import LeaderLock

log = logging.getLogger(__name__)


@dataclass
class Election:
    """Runs `transport` only while this worker holds `lock`."""

    lock: LeaderLock
    transport: MatrixTransport
    dispatcher: Dispatcher
    every: float
    leading: bool = False
    # Set once this worker knows its part: leading and ready, or standing by.
    settled: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def connected(self) -> bool:
        """For the readiness check: standing by counts as connected (another worker syncs);
        leading, the transport must be."""
        return self.settled.is_set() and (not self.leading or self.transport.connected)

    async def run(self, stop: asyncio.Event) -> None:
        """Campaign until `stop`; a failure of the transport itself ends the run loudly."""
        self.dispatcher.leave_to_another_worker(self.transport.platform)
        try:
            while not stop.is_set():
                if await self._try_to_lead():
                    await self._lead(stop)
                else:
                    self.settled.set()
                    await _pause(stop, self.every)
        finally:
            await self.lock.release()

    async def _try_to_lead(self) -> bool:
        try:
            return await self.lock.try_acquire()
        except Exception as error:
            log.warning("cannot take part in the %s election: %s", self.lock.name, error)
            return False

    async def _lead(self, stop: asyncio.Event) -> None:
        platform = self.transport.platform
        log.info("this worker runs the %s sync", platform)
        self.leading = True
        self.dispatcher.serve(self.transport)
        running = asyncio.create_task(self.transport.run(), name=platform)
        ready = asyncio.create_task(self.transport.wait_ready())
        ready.add_done_callback(lambda _: self._ready())
        try:
            while not running.done() and not stop.is_set():
                await asyncio.wait({running}, timeout=self.every)
                if not running.done() and not await self.lock.held():
                    log.warning("lost the %s lock: another worker may take over", platform)
                    break
        finally:
            ready.cancel()
            self.leading = False
            self.dispatcher.leave_to_another_worker(platform)
            self.transport.stop()
            try:
                await asyncio.wait({running})
            finally:
                running.cancel()  # this worker is cut short itself: the transport goes too
            self.transport.resume()
        running.result()  # a transport that failed (e.g. a refused login) ends the run
        await self.lock.release()

    def _ready(self) -> None:
        """The transport can send: what waited for its start goes out now."""
        self.settled.set()
        self.dispatcher.wake()


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return
