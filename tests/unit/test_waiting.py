"""Backoff between tries, work a stop cuts short, and the stop's time budget."""

from __future__ import annotations

import asyncio
import random

from bot.stopping import LEAST, StopBudget
from bot.transports.waiting import Backoff, until_stopped


def test_backoff_doubles_with_jitter_up_to_its_cap_and_starts_again_after_a_reset() -> None:
    backoff = Backoff(first=1.0, cap=60.0, rng=random.Random(18))
    delays = [backoff.next() for _ in range(12)]
    ceilings = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling
    assert len(set(delays)) == len(delays)  # drawn, not fixed: workers do not retry in step
    assert backoff.attempts == 12
    backoff.reset()
    assert backoff.next() <= 1.0


def test_backoff_survives_a_very_long_outage() -> None:
    backoff = Backoff(first=1.0, cap=60.0, rng=random.Random(1))
    for _ in range(5000):
        delay = backoff.next()
    assert 30.0 <= delay <= 60.0


async def test_work_ends_on_its_own_its_result_is_returned() -> None:
    async def work() -> str:
        return "done"

    assert await until_stopped(work(), asyncio.Event()) == "done"


async def test_work_hanging_on_a_silent_network_is_cancelled_after_the_grace() -> None:
    cancelled = asyncio.Event()

    async def hangs() -> str:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()
        return "never"

    stop = asyncio.Event()
    stop.set()
    assert await until_stopped(hangs(), stop, grace=0.0) is None
    assert cancelled.is_set()


async def test_work_that_fails_raises_its_error() -> None:
    async def fails() -> None:
        raise ValueError("refused")

    try:
        await until_stopped(fails(), asyncio.Event())
    except ValueError as error:
        assert str(error) == "refused"
    else:
        raise AssertionError("the error was swallowed")


async def test_a_step_over_its_share_of_the_stop_is_cancelled_and_the_next_ones_run() -> None:
    budget = StopBudget(seconds=0.0)  # already spent: each step gets the least there is
    assert budget.spent() and budget.left(keep=10) == LEAST
    gone = asyncio.Event()

    async def hangs() -> int:
        try:
            await asyncio.Event().wait()
        finally:
            gone.set()
        return 1

    async def quick() -> int:
        return 2

    assert await budget.run(hangs(), "a send to a silent server") is None
    assert gone.is_set()
    assert await budget.run(quick(), "handing over") == 2
