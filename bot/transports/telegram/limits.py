"""Telegram's sending limits, kept before sending instead of discovered through 429s.

At most 30 messages per second overall, one per second in a private chat, 20 per minute in
a group. Each send waits for its slot; nothing is dropped. The pace keeps a small margin
under each limit, because requests spaced exactly at the limit reach the server with jitter.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class SendPacer:
    """Spaces sends globally and per chat (times from the running loop's clock)."""

    per_second: float = 28.5
    private_interval: float = 1.05
    group_interval: float = 3.1
    _next_global: float = 0.0
    _next_by_chat: dict[str, float] = field(default_factory=dict)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def wait_turn(self, chat_id: str, *, group: bool) -> None:
        """Wait until a message may be sent to this chat, and book the slot."""
        loop = asyncio.get_running_loop()
        async with self._lock:
            now = loop.time()
            start = max(now, self._next_global, self._next_by_chat.get(chat_id, 0.0))
            self._next_global = start + 1.0 / self.per_second
            interval = self.group_interval if group else self.private_interval
            self._next_by_chat[chat_id] = start + interval
            self._forget_idle(now)
        delay = start - now
        if delay > 0:
            await asyncio.sleep(delay)

    def _forget_idle(self, now: float) -> None:
        if len(self._next_by_chat) > 10_000:
            for chat_id in [c for c, t in self._next_by_chat.items() if t < now]:
                del self._next_by_chat[chat_id]
