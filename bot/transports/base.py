"""What every transport offers the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.chat.types import Incoming, Outgoing

# The conversation layer, as a transport sees it: one message in, the replies out.
Handle = Callable[[Incoming], Awaitable[list[Outgoing]]]


class DeliveryError(Exception):
    """A message could not be delivered. `permanent` failures are not retried; the others are,
    after `retry_after` seconds when the platform says how long to wait.
    """

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


class Transport(Protocol):
    """A chat network the bot is reachable on."""

    platform: str
    command_prefix: str

    async def run(self) -> None:
        """Receive messages until stopped (returns when the transport is done)."""
        ...

    async def send(self, chat_id: str, message: Outgoing) -> str:
        """Deliver one message to a chat (or edit `message.edit_of`); returns its reference.

        Raises DeliveryError when the platform refuses or cannot be reached.
        """
        ...
