"""Waiting on a network that may not answer: backoff between tries, and work a stop cuts short.

A chat network that cannot be reached is waited out (tried again later, one log line per try),
and a stop asked meanwhile is never held up by a request hanging on a silent server.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# Once stop is asked, how long a transport's own shutdown may take before it is cancelled.
STOP_GRACE = 1.0


@dataclass
class Backoff:
    """Delays that double from `first` up to `cap`, each drawn in its upper half (jitter:
    several workers that lost the network together do not all come back at the same instant)."""

    first: float = 1.0
    cap: float = 60.0
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def next(self) -> float:
        """The delay before the next try (counts the try that just failed)."""
        ceiling = min(self.cap, self.first * 2.0 ** min(self.attempts, 32))
        self.attempts += 1
        return self.rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        """The network answered: the next failure starts from `first` again."""
        self.attempts = 0


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less if `stop` is set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return


async def until_stopped(
    work: Coroutine[Any, Any, T], stop: asyncio.Event, *, grace: float = STOP_GRACE
) -> T | None:
    """Run `work`; once `stop` is set, give it `grace` seconds to end by itself, then cancel it.

    Returns what `work` returns (None when it was cancelled by the stop) and raises what it
    raises. Cancelling the caller cancels `work` too.
    """
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            await asyncio.wait({task}, timeout=grace)
    finally:
        stopper.cancel()
        if not task.done():
            task.cancel()
            await asyncio.wait({task})
    if task.cancelled():
        return None
    return task.result()
