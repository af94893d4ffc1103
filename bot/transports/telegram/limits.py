"""Telegram's sending limits, kept before sending instead of discovered through 429s.

At most 30 messages per second overall, one per second in a private chat, 20 per minute in
a group. Each send waits for its turn; nothing is dropped. The pace keeps a small margin
under each limit, because requests spaced exactly at the limit reach the server with jitter.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

# Times closer than this are the same moment (float sums such as t + 1.0 - t may fall short).
_EPSILON = 1e-9


@dataclass
class SendPacer:
    """Spaces sends overall and per chat; every call is made inside `turn`.

    Sends are booked evenly spaced (`per_second`). A send waiting for its chat (the second
    message to the same person within a second) does not hold an overall slot meanwhile.

    Telegram counts a request when it reaches it, somewhere between the moment it left and
    the moment its answer came back; a request held up on its way (a busy event loop, the
    network) could otherwise arrive bunched with the next ones. So a call counts against the
    overall limit from the moment it leaves until one second after it returned, and no more
    than `most_in_a_second` calls count at once: Telegram can never see more than that in
    one second. Within a chat, the next message waits its interval after the previous call
    returned.
    """

    per_second: float = 28.5
    private_interval: float = 1.05
    group_interval: float = 3.1
    most_in_a_second: int = 29
    # The clock and the wait, the running loop's unless given (tests drive virtual time).
    time: Callable[[], float] | None = None
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _next_global: float = 0.0
    _next_by_chat: dict[str, float] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _in_flight: int = 0
    _returned: deque[float] = field(default_factory=deque)  # when the last calls returned
    _a_call_returned: asyncio.Event = field(default_factory=asyncio.Event)

    @asynccontextmanager
    async def turn(self, chat_id: str, *, group: bool) -> AsyncIterator[None]:
        """Wait for this chat's turn, make the call inside, then record when it returned."""
        interval = self.group_interval if group else self.private_interval
        await self._wait_slot(chat_id, interval)
        await self._leave()
        try:
            yield
        finally:
            now = self._now()
            self._in_flight -= 1
            self._returned.append(now)
            self._a_call_returned.set()
            booked = self._next_by_chat.get(chat_id, 0.0)
            self._next_by_chat[chat_id] = max(booked, now + interval)

    def _now(self) -> float:
        return (self.time or asyncio.get_running_loop().time)()

    async def _wait_slot(self, chat_id: str, interval: float) -> None:
        """Wait for an evenly spaced overall slot at which this chat is free, and book it."""
        while True:
            async with self._lock:
                now = self._now()
                start = max(now, self._next_global)
                chat_free = self._next_by_chat.get(chat_id, 0.0)
                if chat_free <= start:
                    self._next_global = start + 1.0 / self.per_second
                    self._next_by_chat[chat_id] = start + interval
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
        if len(self._next_by_chat) > 10_000:
            for chat_id in [c for c, t in self._next_by_chat.items() if t < now]:
                del self._next_by_chat[chat_id]
