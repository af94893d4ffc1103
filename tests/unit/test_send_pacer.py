"""Telegram's limits kept by the pacer, in virtual time (no real waiting)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from collections.abc import Awaitable
from dataclasses import dataclass

from bot.transports.telegram.limits import SendPacer


class VirtualTime:
    """A clock that jumps to the next wake-up once every task is waiting."""

    def __init__(self, late_every: int = 0, lateness: float = 0.0) -> None:
        self.now = 0.0
        # Every `late_every`-th wait ends `lateness` seconds late, as on a busy event loop.
        self.late_every, self.lateness = late_every, lateness
        self._waits = 0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def time(self) -> float:
        """The virtual now."""
        return self.now

    async def sleep(self, delay: float) -> None:
        """Wait `delay` virtual seconds."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waits += 1
        if self.late_every and self._waits % self.late_every == 0:
            delay += self.lateness
        heapq.heappush(self._sleepers, (self.now + max(delay, 0.0), next(self._order), future))
        await future

    async def run(self, jobs: list[Awaitable[None]]) -> None:
        """Run the jobs to the end, moving time forward whenever they all wait."""
        tasks = [asyncio.ensure_future(job) for job in jobs]
        while not all(task.done() for task in tasks):
            for _ in range(20):  # let every runnable task reach its next wait
                await asyncio.sleep(0)
            if self._sleepers:
                wake_at, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake_at)
                future.set_result(None)
        for task in tasks:
            task.result()


def _pacer(clock: VirtualTime) -> SendPacer:
    return SendPacer(time=clock.time, sleep=clock.sleep)


@dataclass
class Call:
    """One Bot API call: when it left, when Telegram counted it, when it returned."""

    chat: str
    left: float
    arrived: float
    returned: float


async def _fan_out(
    pacer: SendPacer,
    clock: VirtualTime,
    chats: int,
    parallel: int,
    *,
    seed: int = 7,
    slowest: float = 0.03,
) -> list[Call]:
    """Each chat gets a text then a document, `parallel` chats at a time (as the dispatcher);
    each call takes up to `slowest` seconds and reaches Telegram at a random moment of it."""
    rng = random.Random(seed)
    calls: list[Call] = []
    gate = asyncio.Semaphore(parallel)

    async def announce(chat: str) -> None:
        async with gate:
            for _ in range(2):
                async with pacer.turn(chat, group=False):
                    left = clock.now
                    duration = rng.uniform(0.001, slowest)
                    await clock.sleep(duration)
                    arrived = left + rng.uniform(0, duration)
                calls.append(Call(chat, left, arrived, clock.now))

    await clock.run([announce(f"chat-{n}") for n in range(chats)])
    return calls


def _most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + 1.0 - 1e-9) for i, start in enumerate(times))


async def test_two_messages_per_chat_keep_both_limits() -> None:
    clock = VirtualTime()
    calls = await _fan_out(_pacer(clock), clock, chats=60, parallel=20)
    assert len(calls) == 120
    assert _most_in_one_second([c.arrived for c in calls]) <= 29
    for chat in {c.chat for c in calls}:
        first, second = (c for c in calls if c.chat == chat)
        assert second.left - first.returned >= 1.05 - 1e-9


async def test_a_chat_waiting_its_turn_leaves_the_overall_slots_to_others() -> None:
    clock = VirtualTime()
    calls = await _fan_out(_pacer(clock), clock, chats=300, parallel=16)
    # 600 messages at 28.5/s take 21.1 s; holding the overall slot while a chat waited for its
    # second message took 31.5 s.
    assert max(c.returned for c in calls) <= 600 / 28.5 * 1.08


async def test_calls_held_up_on_their_way_never_reach_telegram_bunched() -> None:
    # Calls that take up to 0.4 s and reach Telegram anywhere in that time, some of them
    # woken late as on a busy event loop: Telegram still never counts 30 in one second.
    for seed in range(5):
        clock = VirtualTime(late_every=5, lateness=0.3)
        calls = await _fan_out(_pacer(clock), clock, chats=200, parallel=32, seed=seed, slowest=0.4)
        assert len(calls) == 400
        assert _most_in_one_second([c.arrived for c in calls]) <= 29


async def test_groups_are_spaced_by_their_own_interval() -> None:
    clock = VirtualTime()
    pacer = _pacer(clock)
    times: list[float] = []

    async def post() -> None:
        for _ in range(3):
            async with pacer.turn("-100", group=True):
                times.append(clock.now)

    jobs: list[Awaitable[None]] = [post()]
    await clock.run(jobs)
    assert [round(b - a, 2) for a, b in itertools.pairwise(times)] == [3.1, 3.1]
