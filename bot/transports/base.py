"""What every transport offers the composition root."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from bot.chat.types import Deferred, Incoming, Outgoing, Sent
from bot.transports.spool import Spool

# The conversation layer, as a transport sees it: one message in, the replies out.
Handle = Callable[[Incoming], Awaitable[list[Outgoing]]]
# Told of each answer once delivered, with its platform reference (to remember its buttons).
Delivered = Callable[[Sent], Awaitable[None]]
# What to do with the platform reference of one answer once it is delivered.
AfterSend = Callable[[str], Awaitable[None]]


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


def reply_key(event_id: str, index: int) -> str:
    """A transaction key for the `index`-th answer to an event (URL-safe, stable)."""
    digest = hashlib.blake2b(event_id.encode(), digest_size=12).hexdigest()
    return f"samu-reply-{digest}-{index}"


class Send(Protocol):
    """A transport's `send`."""

    async def __call__(self, chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        """Deliver one message; returns its platform reference."""
        ...


async def reply_now(
    send: Send, chat_id: str, message: Outgoing, *, key: str | None = None
) -> str | None:
    """Send an answer at once, waiting out rate limits and brief outages (a few tries).

    Returns None when the platform refuses the message for good; raises the last
    DeliveryError when it still fails after REPLY_ATTEMPTS tries (the caller keeps it).
    """
    for attempt in range(REPLY_ATTEMPTS):
        try:
            return await send(chat_id, message, key=key)
        except DeliveryError as error:
            if error.permanent:
                log.warning("reply to %s refused: %s", chat_id, error)
                return None
            if attempt == REPLY_ATTEMPTS - 1:
                raise
            await asyncio.sleep(error.retry_after or 2.0**attempt)
    return None


# At most this many messages are kept in memory while the database is away (then the oldest
# are dropped, with an error in the log): a bound, not a figure expected to be reached.
MAX_KEPT = 10_000
RETRY_FIRST = 1.0
MAX_WAITS_IN_PLACE = 12
RETRY_MAX = 30.0
RESEND_MAX = 60.0


@dataclass
class PatientAnswers:
    """Hands each message to the conversation and sends its replies, in order per chat.

    When the database is unavailable the conversation raises Deferred: the person is told
    their message is kept, and it is handed over again (with the messages that follow it in
    the same chat) until the database is back. When another worker may be handling the same
    event (it was alive a moment ago), the answer waits in place for the matter to clear, so
    that the platform does not count the event as delivered before it is settled.

    With a `spool`, each kept message is also written to disk before `answer` returns (before
    the platform is told it was received), and `resume` takes up what a previous run kept.
    `delivered` is told of each answer once the platform has it.
    """

    handle: Handle
    send: Send
    on_handled: Callable[[], None] | None = None
    retry_first: float = RETRY_FIRST
    spool: Spool | None = None
    delivered: Delivered | None = None
    # Each kept message, with its name in the spool (None when it is kept in memory only).
    _kept: deque[tuple[Incoming, str | None]] = field(default_factory=deque)
    _retrying: asyncio.Task[None] | None = None
    _unsent: deque[tuple[str, Outgoing, str | None, AfterSend | None]] = field(
        default_factory=deque
    )
    _resending: asyncio.Task[None] | None = None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def kept(self) -> int:
        """How many messages wait for the database."""
        return len(self._kept)

    async def resume(self) -> None:
        """Take up the messages a previous run kept in the spool (before new ones arrive)."""
        if self.spool is None:
            return
        known = {name for _, name in self._kept}
        left = [(name, incoming) for name, incoming in await self.spool.load() if name not in known]
        if left:
            log.info("%d kept messages from a previous run: handling them", len(left))
        for name, incoming in left:
            self._kept.append((incoming, name))
        self._retry_soon()

    async def answer(self, incoming: Incoming) -> None:
        """Handle one message now, or keep it behind earlier kept messages of its chat."""
        if any(kept.chat_id == incoming.chat_id for kept, _ in self._kept):
            await self._keep(incoming)
            return
        for _ in range(MAX_WAITS_IN_PLACE + 1):
            try:
                replies = await self.handle(incoming)
            except Deferred as deferred:
                if deferred.wait is not None:  # clears soon: wait here, keeping the order
                    await asyncio.sleep(deferred.wait)
                    continue
                await self._keep(deferred.incoming)
                for reply in deferred.replies:
                    await self._reply(reply.chat_id or incoming.chat_id, reply, None)
                return
            await self._deliver(incoming, replies)
            return
        log.warning("event %s still handled elsewhere; keeping it", incoming.event_id)
        await self._keep(incoming)

    async def settle(self) -> None:
        """Wait until the kept messages and the unsent answers are all through."""
        for task in (self._retrying, self._resending):
            if task is not None:
                await asyncio.shield(task)

    async def close(self) -> None:
        """Stop retrying (what is still kept is logged)."""
        for task in (self._retrying, self._resending):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._retrying = self._resending = None
        if self._kept:
            log.error("stopping with %d messages not handled (database unavailable)", self.kept)
        if self._unsent:
            log.error("stopping with %d answers not delivered", len(self._unsent))

    async def _deliver(self, incoming: Incoming, replies: list[Outgoing]) -> None:
        answer = uuid.uuid4().hex  # the messages of one answer are remembered together
        for index, reply in enumerate(replies):
            # A stable key per answer: where sends are idempotent (Matrix), a repeat after a
            # lost acknowledgement is dropped by the platform.
            key = reply_key(incoming.event_id, index) if incoming.event_id else None
            chat_id = reply.chat_id or incoming.chat_id
            after = self._after_send(incoming, reply, chat_id, answer)
            await self._reply(chat_id, reply, key, after)
        if self.on_handled is not None:
            self.on_handled()

    def _after_send(
        self, incoming: Incoming, reply: Outgoing, chat_id: str, answer: str
    ) -> AfterSend | None:
        told = self.delivered
        if told is None:
            return None

        async def after(ref: str) -> None:
            await told(Sent(incoming, reply, chat_id, ref, answer))

        return after

    async def _reply(
        self, chat_id: str, reply: Outgoing, key: str | None, after: AfterSend | None = None
    ) -> None:
        """Send one answer; if the platform keeps failing, keep it and send it later (in
        order: the chat's next answers wait behind it)."""
        if any(chat == chat_id for chat, _, _, _ in self._unsent):
            self._unsent.append((chat_id, reply, key, after))
            return
        try:
            ref = await reply_now(self.send, chat_id, reply, key=key)
        except DeliveryError as error:
            log.warning("reply to %s not delivered yet (%s); will try again", chat_id, error)
            self._unsent.append((chat_id, reply, key, after))
            if self._resending is None or self._resending.done():
                self._resending = asyncio.create_task(self._resend(), name="unsent-replies")
            return
        if ref is not None and after is not None:
            await after(ref)

    async def _resend(self) -> None:
        async def send_first() -> bool:
            chat_id, reply, key, after = self._unsent[0]
            try:
                ref = await reply_now(self.send, chat_id, reply, key=key)
            except DeliveryError:
                return False
            self._unsent.popleft()
            if ref is not None and after is not None:
                await after(ref)
            return True

        await self._drain(self._unsent, send_first, RESEND_MAX)

    async def _drain(
        self, queue: deque[Any], try_first: Callable[[], Awaitable[bool]], longest: float
    ) -> None:
        """Try the head of `queue` until it is empty, backing off while the head fails."""
        delay = self.retry_first
        while queue:
            await asyncio.sleep(delay)
            while queue:
                if not await try_first():
                    delay = min(delay * 2, longest)
                    break
                delay = self.retry_first

    async def _keep(self, incoming: Incoming) -> None:
        name = None
        if self.spool is not None:
            try:
                name = await self.spool.put(incoming)
            except OSError as error:
                log.error("cannot write a kept message to disk (%s): kept in memory only", error)
        if len(self._kept) >= MAX_KEPT:
            lost, lost_name = self._kept.popleft()
            log.error(
                "too many kept messages: one from %s %s",
                lost.chat_id,
                "left on disk for the next start" if lost_name else "dropped",
            )
        self._kept.append((incoming, name))
        self._retry_soon()

    def _retry_soon(self) -> None:
        if self._kept and (self._retrying is None or self._retrying.done()):
            self._retrying = asyncio.create_task(self._retry(), name="kept-messages")

    async def _retry(self) -> None:
        async def handle_first() -> bool:
            incoming, name = self._kept[0]
            try:
                replies = await self.handle(incoming)
            except Deferred as deferred:
                self._kept[0] = (deferred.incoming, name)
                return False
            self._kept.popleft()
            if name is not None and self.spool is not None:
                await self.spool.drop(name)
            await self._deliver(incoming, replies)
            return True

        await self._drain(self._kept, handle_first, RETRY_MAX)
        log.info("the messages kept during the database outage are all handled")


class AnswersPatiently:
    """The network transports' one way to answer a message: through their `PatientAnswers`,
    built at the first message from the transport's own `handle`, `send`, `spool` and
    `delivered`, and telling `on_handled` (read at each message) once one is handled."""

    handle: Handle
    spool: Spool | None
    delivered: Delivered | None
    on_handled: Callable[[], None] | None
    _answers: PatientAnswers | None

    async def send(self, chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        """Deliver one message (the transport's own; see `Transport.send`)."""
        raise NotImplementedError

    async def _answer(self, incoming: Incoming) -> None:
        await self._patient().answer(incoming)

    def _patient(self) -> PatientAnswers:
        if self._answers is None:
            self._answers = PatientAnswers(
                self.handle, self.send, self._handled, spool=self.spool, delivered=self.delivered
            )
        return self._answers

    def _handled(self) -> None:
        if self.on_handled is not None:
            self.on_handled()


class Transport(Protocol):
    """A chat network the bot is reachable on."""

    platform: str
    command_prefix: str
    # How many outbox messages (to different chats) the dispatcher may send at once.
    parallel_sends: int

    @property
    def connected(self) -> bool:
        """True while the network is reachable: messages are received and can be sent (the
        operators' readiness check asks)."""
        ...

    async def run(self) -> None:
        """Receive messages until stopped (returns when the transport is done)."""
        ...

    async def send(self, chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        """Deliver one message to a chat (or edit `message.edit_of`); returns its reference
        (for an edit, the reference of the message edited, which replies and presses name).

        `key` identifies the message across retries: a platform with idempotent sends uses
        it so that a repeat is not delivered twice. Raises DeliveryError when the platform
        refuses or cannot be reached.
        """
        ...


@runtime_checkable
class PrivateRoutes(Protocol):
    """A network where a chat can stop being private (Matrix: anyone may be invited into a
    room): before sending a member private content, the dispatcher asks where to send it."""

    async def private_chat(self, user_id: str, chat_id: str) -> str:
        """A chat where only the bot and `user_id` can read: `chat_id` while it is one, else
        another (found, or opened now). Raises DeliveryError when there is none yet."""
        ...
