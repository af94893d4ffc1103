"""Telegram's sending limits, kept before sending instead of discovered through 429s.

At most 30 messages per second overall, one per second in a private chat, 20 per minute in
a group. Each send waits for its slot; nothing is dropped. The pace keeps a small margin
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
    """Spaces sends globally and per chat.

    A send waiting for its chat (the second message to the same person within a second)
    does not hold an overall slot meanwhile: sends to other chats use the slots it cannot.
    Slots are booked evenly spaced; a send that wakes late (a busy event loop) could then
    leave close behind the next ones, so the moments sends actually leave are counted too:
    never more than `most_in_a_second` in any second. Within a chat, the next message waits
    for the interval after the previous call returned (`turn`), not after it left: a
    request held up on its way would otherwise reach Telegram less than a second before
    the next one.
    """

    per_second: float = 28.5
    private_interval: float = 1.05
    group_interval: float = 3.1
    most_in_a_second: int = 28
    # The clock and the wait, the running loop's unless given (tests drive virtual time).
    time: Callable[[], float] | None = None
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _next_global: float = 0.0
    _next_by_chat: dict[str, float] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _left: deque[float] = field(default_factory=deque)  # when the last sends left

    async def wait_turn(self, chat_id: str, *, group: bool) -> None:
        """Wait until a message may be sent to this chat, and book the slot."""
        time = self.time or asyncio.get_running_loop().time
        interval = self.group_interval if group else self.private_interval
        while True:
            async with self._lock:
                now = time()
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
        await self._leave(time, chat_id, interval)

    async def _leave(self, time: Callable[[], float], chat_id: str, interval: float) -> None:
        """Wait, if need be, until one more send keeps the count of the last second (the
        chat's next message is then spaced from the moment this one really leaves)."""
        while True:
            async with self._lock:
                now = time()
                left = self._left
                while left and now - left[0] >= 1.0 - _EPSILON:
                    left.popleft()
                if len(left) < self.most_in_a_second:
                    left.append(now)
                    booked = self._next_by_chat.get(chat_id, 0.0)
                    self._next_by_chat[chat_id] = max(booked, now + interval)
                    return
                free_at = left[0] + 1.0
            await self.sleep(free_at - now)

    @asynccontextmanager
    async def turn(self, chat_id: str, *, group: bool) -> AsyncIterator[None]:
        """Wait for this chat's turn, make the call inside, and space the chat's next
        message from the moment the call returned."""
        await self.wait_turn(chat_id, group=group)
        try:
            yield
        finally:
            time = self.time or asyncio.get_running_loop().time
            interval = self.group_interval if group else self.private_interval
            returned = time() + interval
            self._next_by_chat[chat_id] = max(self._next_by_chat.get(chat_id, 0.0), returned)

    def _forget_idle(self, now: float) -> None:
        if len(self._next_by_chat) > 10_000:
            for chat_id in [c for c, t in self._next_by_chat.items() if t < now]:
                del self._next_by_chat[chat_id]
