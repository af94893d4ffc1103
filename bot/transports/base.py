"""What every transport offers the composition root."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.chat.types import Deferred, Incoming, Outgoing

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


Send = Callable[[str, Outgoing], Awaitable[str]]

# At most this many messages are kept in memory while the database is away (then the oldest
# are dropped, with an error in the log): a bound, not a figure expected to be reached.
MAX_KEPT = 10_000
RETRY_FIRST = 1.0
MAX_WAITS_IN_PLACE = 12
RETRY_MAX = 30.0


@dataclass
class PatientAnswers:
    """Hands each message to the conversation and sends its replies, in order per chat.

    When the database is unavailable the conversation raises Deferred: the person is told
    their message is kept, and it is handed over again (with the messages that follow it in
    the same chat) until the database is back. When another worker may be handling the same
    event (it was alive a moment ago), the answer waits in place for the matter to clear, so
    that the platform does not count the event as delivered before it is settled.
    """

    handle: Handle
    send: Send
    on_handled: Callable[[], None] | None = None
    _kept: deque[Incoming] = field(default_factory=deque)
    _retrying: asyncio.Task[None] | None = None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def kept(self) -> int:
        """How many messages wait for the database."""
        return len(self._kept)

    async def answer(self, incoming: Incoming) -> None:
        """Handle one message now, or keep it behind earlier kept messages of its chat."""
        if any(kept.chat_id == incoming.chat_id for kept in self._kept):
            self._keep(incoming)
            return
        for _ in range(MAX_WAITS_IN_PLACE + 1):
            try:
                replies = await self.handle(incoming)
            except Deferred as deferred:
                if deferred.wait is not None:  # clears soon: wait here, keeping the order
                    await asyncio.sleep(deferred.wait)
                    continue
                for reply in deferred.replies:
                    await reply_now(self.send, reply.chat_id or incoming.chat_id, reply)
                self._keep(deferred.incoming)
                return
            await self._deliver(incoming, replies)
            return
        log.warning("event %s still handled elsewhere; keeping it", incoming.event_id)
        self._keep(incoming)

    async def close(self) -> None:
        """Stop retrying (what is still kept is logged)."""
        if self._retrying is not None:
            self._retrying.cancel()
            await asyncio.gather(self._retrying, return_exceptions=True)
            self._retrying = None
        if self._kept:
            log.error("stopping with %d messages not handled (database unavailable)", self.kept)

    async def _deliver(self, incoming: Incoming, replies: list[Outgoing]) -> None:
        for reply in replies:
            await reply_now(self.send, reply.chat_id or incoming.chat_id, reply)
        if self.on_handled is not None:
            self.on_handled()

    def _keep(self, incoming: Incoming) -> None:
        if len(self._kept) >= MAX_KEPT:
            lost = self._kept.popleft()
            log.error("too many kept messages: dropping one from %s", lost.chat_id)
        self._kept.append(incoming)
        if self._retrying is None or self._retrying.done():
            self._retrying = asyncio.create_task(self._retry(), name="kept-messages")

    async def _retry(self) -> None:
        delay = RETRY_FIRST
        while self._kept:
            await asyncio.sleep(delay)
            while self._kept:
                incoming = self._kept[0]
                try:
                    replies = await self.handle(incoming)
                except Deferred as deferred:
                    self._kept[0] = deferred.incoming
                    delay = min(delay * 2, RETRY_MAX)
                    break
                self._kept.popleft()
                delay = RETRY_FIRST
                await self._deliver(incoming, replies)
        log.info("the messages kept during the database outage are all handled")


class Transport(Protocol):
    """A chat network the bot is reachable on."""

    platform: str
    command_prefix: str

    async def run(self) -> None:
        """Receive messages until stopped (returns when the transport is done)."""
        ...

    async def send(self, chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        """Deliver one message to a chat (or edit `message.edit_of`); returns its reference.

        `key` identifies the message across retries: a platform with idempotent sends uses
        it so that a repeat is not delivered twice. Raises DeliveryError when the platform
        refuses or cannot be reached.
        """
        ...
