"""What every transport offers the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.chat.types import Incoming, Outgoing

# The conversation layer, as a transport sees it: one message in, the replies out.
Handle = Callable[[Incoming], Awaitable[list[Outgoing]]]


class Transport(Protocol):
    """A chat network the bot is reachable on."""

    platform: str

    async def run(self) -> None:
        """Receive messages until stopped (returns when the transport is done)."""
        ...

    async def send(self, chat_id: str, message: Outgoing) -> str:
        """Deliver one message to a chat; returns the platform's reference of it."""
        ...
