"""The stop of `samu run` in bounded time, whatever the networks do.

SIGTERM or Ctrl-C must end the process within seconds even when a homeserver or the Bot API
never answers: each step of the stop gets a share of one budget, and what overruns its share
is cancelled (with one log line) so that the next steps, down to closing the database, run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# The whole stop, from the signal to the database closed: under the 5 s an operator (or
# systemd's TimeoutStopSec, or a container runtime) is promised.
STOP_SECONDS = 3.5
# The least a step is given, even once the budget is spent (a database round trip).
LEAST = 0.25


class StopBudget:
    """The time left to stop, shared by the steps of the stop."""

    def __init__(self, seconds: float = STOP_SECONDS) -> None:
        self._loop = asyncio.get_running_loop()
        self._ends = self._loop.time() + seconds

    def left(self, keep: float = 0.0) -> float:
        """Seconds left for a step that leaves `keep` seconds to the steps after it."""
        return max(self._ends - keep - self._loop.time(), LEAST)

    def spent(self, keep: float = 0.0) -> bool:
        """Whether no time is left once `keep` seconds are kept for the steps after."""
        return self._loop.time() >= self._ends - keep

    async def finish(
        self, tasks: Iterable[asyncio.Future[T]], what: str, keep: float = 0.0
    ) -> None:
        """Let `tasks` end within their share; cancel the ones still running (and give them a
        moment to unwind). Their results and errors are theirs: nothing is raised here."""
        pending = {task for task in tasks if not task.done()}
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=self.left(keep))
        if not late:
            return
        log.warning("stop: %s did not end in time; cancelled", what)
        for task in late:
            task.cancel()
        await asyncio.wait(late, timeout=LEAST)

    async def run(self, step: Awaitable[T], what: str, keep: float = 0.0) -> T | None:
        """Run one step within its share; None when it was cut short."""
        task = asyncio.ensure_future(step)
        await self.finish([task], what, keep)
        if not task.done() or task.cancelled():
            return None
        return task.result()
