"""Telegram's limits kept by the pacer, in virtual time (no real waiting)."""

from __future__ import annotations

import asyncio
import bisect
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
        pending = {id(task) for task in tasks}
        for task in tasks:
            task.add_done_callback(lambda done: pending.discard(id(done)))
        while pending:
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


def _most_in(times: list[float], window: float = 1.0) -> int:
    """The most of `times` that fall within any `window` seconds."""
    times = sorted(times)
    ends = (bisect.bisect_left(times, start + window - 1e-9) for start in times)
    return max(end - i for i, end in enumerate(ends))


def _within_telegram_chat_limit(arrivals: list[float], interval: float, burst: int) -> bool:
    """Whether Telegram, counting each message when it arrives, sees no more than `burst` at
    once and one every `interval` on average (its tolerance for a private chat, as modelled by
    the loopback server): a token bucket over the arrivals."""
    full_at = float("-inf")
    for arrived in sorted(arrivals):
        if full_at - arrived > (burst - 1) * interval + 1e-9:
            return False
        full_at = max(full_at, arrived) + interval
    return True


async def _one_chat(
    pacer: SendPacer, clock: VirtualTime, messages: int, *, senders: int = 1, group: bool = False
) -> list[Call]:
    """`messages` sent to one chat by `senders` tasks at once, each call taking 50 ms."""
    calls: list[Call] = []
    chat = "-100" if group else "42"

    async def sender(count: int) -> None:
        for _ in range(count):
            async with pacer.turn(chat, group=group):
                left = clock.now
                await clock.sleep(0.05)
            calls.append(Call(chat, left, left + 0.025, clock.now))

    share, extra = divmod(messages, senders)
    await clock.run([sender(share + (n < extra)) for n in range(senders)])
    return calls


async def test_three_answers_in_a_row_in_a_private_chat_leave_at_once() -> None:
    # Three commands typed one after the other: each answer leaves as soon as the previous
    # call returned, none waits a second (the fourth message does).
    clock = VirtualTime()
    calls = await _one_chat(_pacer(clock), clock, 4)
    lefts = [c.left for c in calls]
    assert lefts[:3] == [0.0, 0.05, 0.1]
    assert lefts[3] >= 1.0


async def test_an_answer_after_a_quiet_while_leaves_at_once() -> None:
    clock = VirtualTime()
    pacer = _pacer(clock)
    lefts: list[float] = []

    async def person() -> None:
        for pause in (0, 0, 0, 0, 0, 3 * 1.05, 0, 0):  # five, a quiet while, three more
            await clock.sleep(pause)
            async with pacer.turn("42", group=False):
                lefts.append(clock.now)
                await clock.sleep(0.05)

    await clock.run([person()])
    quiet_from = lefts[4] + 0.05
    assert [round(t - quiet_from, 2) for t in lefts[5:]] == [3.15, 3.2, 3.25]


async def test_a_flood_to_one_person_is_held_to_the_average_rate() -> None:
    # A chat sent 40 messages, one after another or by eight tasks at once: after the first
    # three, one every 1.05 s; Telegram never sees more than its tolerance.
    for senders in (1, 8):
        clock = VirtualTime()
        calls = await _one_chat(_pacer(clock), clock, 40, senders=senders)
        assert len(calls) == 40
        lefts = sorted(c.left for c in calls)
        assert lefts[-1] >= (40 - 3) * 1.05 - 1e-9
        assert _most_in(lefts, 1.0) <= 3
        assert _most_in(lefts, 10.0) <= 3 + 10 / 1.05
        assert _within_telegram_chat_limit([c.arrived for c in calls], 1.0, burst=3)


async def test_a_flood_from_a_busy_loop_still_keeps_the_chat_limit() -> None:
    # Waits that end late and calls that come back late bunch nothing up: each message counts
    # from its return when that is later than its turn.
    clock = VirtualTime(late_every=3, lateness=0.4)
    pacer = _pacer(clock)
    calls: list[Call] = []
    rng = random.Random(3)

    async def sender() -> None:
        for _ in range(10):
            async with pacer.turn("42", group=False):
                left = clock.now
                duration = rng.uniform(0.001, 0.8)
                await clock.sleep(duration)
                arrived = left + rng.uniform(0, duration)
            calls.append(Call("42", left, arrived, clock.now))

    await clock.run([sender() for _ in range(4)])
    assert len(calls) == 40
    assert _within_telegram_chat_limit([c.arrived for c in calls], 1.0, burst=3)


async def _one_each(people: int) -> list[float]:
    """One task answers `people` people in turn, each call taking 5 ms: when each left."""
    clock = VirtualTime()
    pacer = _pacer(clock)
    lefts: list[float] = []

    async def answers() -> None:
        for person in range(people):
            async with pacer.turn(f"chat-{person}", group=False):
                lefts.append(clock.now)
                await clock.sleep(0.005)

    await clock.run([answers()])
    return lefts


async def test_answers_to_people_who_wrote_at_the_same_moment_leave_at_once() -> None:
    # Five people write within a few milliseconds: their answers leave one after the other as
    # each call returns, none waits for an overall slot 35 ms after the previous one.
    lefts = await _one_each(5)
    assert [round(t, 3) for t in lefts] == [0.0, 0.005, 0.01, 0.015, 0.02]


async def test_past_the_overall_burst_sends_are_spaced_by_the_overall_rate() -> None:
    # 100 people: the first five answers leave at once, then one every 1/28.5 s, and
    # Telegram never counts more than 29 in a second.
    lefts = await _one_each(100)
    assert lefts[4] < 0.05
    assert lefts[-1] >= (100 - 5) / 28.5 - 1e-6
    assert _most_in(lefts) <= 29


async def test_two_messages_per_chat_leave_together_and_keep_the_overall_limit() -> None:
    clock = VirtualTime()
    calls = await _fan_out(_pacer(clock), clock, chats=60, parallel=20)
    assert len(calls) == 120
    assert _most_in([c.arrived for c in calls]) <= 29
    # Only the overall pace holds the second messages back, never their chat: 120 messages
    # at 28.5/s take 4.2 s (a second per chat waiting its 1.05 s took 5.0 s).
    assert max(c.returned for c in calls) <= 120 / 28.5 + 0.1


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
        assert _most_in([c.arrived for c in calls]) <= 29


async def test_the_overall_limit_holds_with_five_thousand_people() -> None:
    clock = VirtualTime()
    calls = await _fan_out(_pacer(clock), clock, chats=5_000, parallel=32)
    assert len(calls) == 10_000
    assert _most_in([c.arrived for c in calls]) <= 29
    # and close to the limit: 10,000 messages at 28.5/s take 351 s
    assert max(c.returned for c in calls) <= 10_000 / 28.5 * 1.08


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


async def test_a_flood_to_a_group_stays_within_twenty_a_minute() -> None:
    # No burst allowance in a group: 45 messages from five tasks at once, 3.1 s apart.
    clock = VirtualTime()
    calls = await _one_chat(_pacer(clock), clock, 45, senders=5, group=True)
    lefts = sorted(c.left for c in calls)
    assert min(b - a for a, b in itertools.pairwise(lefts)) >= 3.1 - 1e-9
    assert _most_in([c.arrived for c in calls], 60.0) <= 20
