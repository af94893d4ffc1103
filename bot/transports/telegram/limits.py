"""Telegram's sending limits, kept before sending instead of discovered through 429s.

At most 30 messages per second overall, one per second on average in a private chat, 20 per
minute in a group. Each send waits for its turn; nothing is dropped. The pace keeps a small
margin under each limit, because requests spaced exactly at the limit reach the server with
jitter.

Telegram's Bot FAQ asks for no more than one message per second in a chat and says it allows
short bursts over that, without saying how long; python-telegram-bot's own rate limiter does
not limit private chats at all. So a private chat has a token bucket: `private_burst` messages
may leave at once (the answer to a person who just wrote, or to three commands typed in a row,
never waits for the previous one), then one every `private_interval`. A group keeps a fixed
interval (`group_burst` 1), well inside its 20 per minute.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

# Times closer than this are the same moment (float sums such as t + 1.0 - t may fall short).
_EPSILON = 1e-9


@dataclass
class SendPacer:
    """Spaces sends overall and per chat; every call is made inside `turn`.

    Overall, sends are booked by a token bucket too: after a quiet moment `overall_burst` of
    them leave at once (answers to people who wrote at the same moment do not wait 35 ms for
    each other), then they are evenly spaced (`per_second`). python-telegram-bot's own limiter
    lets 30 leave at once; the cap below keeps any second under 30 whatever the burst. A send
    waiting for its chat (a message past the chat's allowance) does not hold an overall slot
    meanwhile.

    Telegram counts a request when it reaches it, somewhere between the moment it left and
    the moment its answer came back; a request held up on its way (a busy event loop, the
    network) could otherwise arrive bunched with the next ones. So a call counts against the
    overall limit from the moment it leaves until one second after it returned, and no more
    than `most_in_a_second` calls count at once: Telegram can never see more than that in
    one second.

    Within a chat, one call at a time, in the order they came (so they also reach Telegram in
    that order), and a token bucket, held as the moment the chat's allowance is whole again
    (the generic cell rate algorithm): each message takes `interval` from it, counted from the
    moment its call returned if that is later than its turn. Telegram, whenever it counts each
    message between its leaving and its return, then never sees more than `burst` at once nor
    more than one per `interval` on average.
    """

    per_second: float = 28.5
    overall_burst: int = 5
    private_interval: float = 1.05
    private_burst: int = 3
    group_interval: float = 3.1
    group_burst: int = 1
    most_in_a_second: int = 29
    # The clock and the wait, the running loop's unless given (tests drive virtual time).
    time: Callable[[], float] | None = None
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _next_global: float = 0.0
    # When each chat's allowance is whole again (the bucket full); a past moment: it is whole.
    _full_at: dict[str, float] = field(default_factory=dict)
    # The chats with a call under way or waiting, and how many.
    _chat_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _chat_users: Counter[str] = field(default_factory=Counter)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _in_flight: int = 0
    _returned: deque[float] = field(default_factory=deque)  # when the last calls returned
    _a_call_returned: asyncio.Event = field(default_factory=asyncio.Event)

    @asynccontextmanager
    async def turn(self, chat_id: str, *, group: bool) -> AsyncIterator[None]:
        """Wait for this chat's turn, make the call inside, then record when it returned."""
        interval = self.group_interval if group else self.private_interval
        burst = max(1, self.group_burst if group else self.private_burst)
        async with self._one_at_a_time(chat_id):
            await self._wait_slot(chat_id, interval, burst)
            await self._leave()
            try:
                yield
            finally:
                now = self._now()
                self._in_flight -= 1
                self._returned.append(now)
                self._a_call_returned.set()
                # The message counts from its return if it came back later than its turn.
                full_at = self._full_at.get(chat_id, 0.0)
                self._full_at[chat_id] = max(full_at, now + interval)

    @asynccontextmanager
    async def _one_at_a_time(self, chat_id: str) -> AsyncIterator[None]:
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        self._chat_users[chat_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._chat_users[chat_id] -= 1
            if not self._chat_users[chat_id]:
                del self._chat_users[chat_id], self._chat_locks[chat_id]

    def _now(self) -> float:
        return (self.time or asyncio.get_running_loop().time)()

    async def _wait_slot(self, chat_id: str, interval: float, burst: int) -> None:
        """Wait for an evenly spaced overall slot at which this chat has some allowance left,
        and book it."""
        while True:
            async with self._lock:
                now = self._now()
                spacing = 1.0 / self.per_second
                # `_next_global` is when the overall allowance is whole again; one more send
                # fits while at most `overall_burst - 1` spacings of it are in use.
                start = max(now, self._next_global - (max(1, self.overall_burst) - 1) * spacing)
                full_at = max(self._full_at.get(chat_id, 0.0), start)
                # `full_at - start` is the allowance in use, in intervals: one more message
                # fits while at most `burst - 1` of them are in use.
                chat_free = full_at - (burst - 1) * interval
                if chat_free <= start + _EPSILON:
                    self._next_global = max(self._next_global, start) + spacing
                    self._full_at[chat_id] = full_at + interval
                    self._forget_idle(now)
                    break
            await self.sleep(chat_free - now)
        if start > now:
            await self.sleep(start - now)

    async def _leave(self) -> None:
        """Wait until one more call keeps fewer than `most_in_a_second` counting at once."""
        while True:
            async with self._lock:
                now = self._now()
                returned = self._returned
                while returned and now - returned[0] >= 1.0 - _EPSILON:
                    returned.popleft()
                if self._in_flight + len(returned) < self.most_in_a_second:
                    self._in_flight += 1
                    return
                self._a_call_returned.clear()
                free_at = returned[0] + 1.0 if returned else None
            if free_at is not None:
                await self.sleep(free_at - now)
            else:  # every counted call is still under way: the first to return frees a place
                await self._a_call_returned.wait()

    def _forget_idle(self, now: float) -> None:
        if len(self._full_at) > 10_000:
            for chat_id in [c for c, t in self._full_at.items() if t < now]:
                del self._full_at[chat_id]
