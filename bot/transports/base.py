"""What every transport offers the composition root."""

from __future__ import annotations

import asyncio
import logging
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


log = logging.getLogger(__name__)

REPLY_ATTEMPTS = 4


async def reply_now(
    send: Callable[[str, Outgoing], Awaitable[str]], chat_id: str, message: Outgoing
) -> str | None:
    """Send an answer at once, waiting out rate limits and brief outages (a few tries).

    Answers to the person who just wrote do not go through the outbox; this is their retry.
    """
    for attempt in range(REPLY_ATTEMPTS):
        try:
            return await send(chat_id, message)
        except DeliveryError as error:
            if error.permanent or attempt == REPLY_ATTEMPTS - 1:
                log.warning("reply to %s not delivered: %s", chat_id, error)
                return None
            await asyncio.sleep(error.retry_after or 2.0**attempt)
    return None


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
