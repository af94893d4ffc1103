"""The outbox dispatcher: delivers queued messages through the transports, once each.

It claims due rows (several workers can share the outbox), words each one for its recipient,
picks the recipient's preferred identity on a running transport, sends, and records the
result. Transient failures are retried with backoff; permanent ones are reported to
coordinators. A row is marked sent right after the platform accepted it and is never resent.

Several workers: each one shows it is alive (a heartbeat row); the rows claimed by a worker
silent for `takeover_after` are taken over by the others. A send that began before such a
worker died may have reached the platform: Matrix drops the repeat (the row's id is the
transaction id), Telegram has no such key, so the message may arrive twice there (logged).
A network served by another worker (`elsewhere`, e.g. Matrix on the elected worker) is left
to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import timedelta

from bot.chat.notifications import render, render_for_chat
from bot.chat.types import Outgoing
from bot.core import members, outbox
from bot.core.services import Services
from bot.core.types import MemberStatus, OutboxMessage
from bot.transports.base import DeliveryError, Transport

log = logging.getLogger(__name__)

# How long a message for a network served by another worker is left to it before a new look.
ELSEWHERE_DELAY = timedelta(seconds=2)


class Dispatcher:
    """Delivers the outbox through the running transports."""

    def __init__(
        self,
        services: Services,
        transports: Mapping[str, Transport],
        *,
        worker: str | None = None,
        batch: int = 50,
        takeover_after: timedelta | None = None,
    ) -> None:
        self.services = services
        self.transports = dict(transports)
        self.elsewhere: set[str] = set()
        self.worker = worker or services.worker.name
        self.batch = batch
        self.takeover_after = takeover_after or services.worker.takeover_after
        self._wake = asyncio.Event()
        # One delivery pass at a time in this process: a caller that must see what is due
        # delivered (the terminal, after each line) waits for a pass already under way.
        self._pass = asyncio.Lock()

    def wake(self) -> None:
        """Deliver as soon as possible (something was just queued)."""
        self._wake.set()

    async def run_once(self) -> int:
        """Deliver everything due now; returns how many messages were handled."""
        async with self._pass:
            return await self._deliver_due()

    async def _deliver_due(self) -> int:
        handled = 0
        while True:
            claimed = await outbox.claim_due(
                self.services.uow(),
                self.services.clock,
                self.worker,
                self.batch,
                takeover_after=self.takeover_after,
            )
            if not claimed:
                return handled
            for message in claimed:
                await self._deliver(message)
                handled += 1

    async def run_forever(self, stop: asyncio.Event, interval: float = 1.0) -> None:
        """Deliver until `stop` is set, waking every `interval` seconds or when told to."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("outbox dispatch failed; will retry")
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            await asyncio.wait(waiters, timeout=interval, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def keep_alive(self, stop: asyncio.Event, every: float) -> None:
        """Show this worker is alive every `every` seconds, even during a long delivery pass."""
        first = True
        while not stop.is_set():
            try:
                await outbox.heartbeat(
                    self.services.uow(), self.services.clock, self.worker, forget_silent=first
                )
                first = False
            except Exception as error:
                log.warning("heartbeat not recorded: %s", error)
            try:
                await asyncio.wait_for(stop.wait(), timeout=every)
            except TimeoutError:
                continue

    async def leave(self) -> None:
        """Stop cleanly: what this worker had claimed is free for the others at once."""
        await outbox.leave(self.services.uow(), self.worker)

    async def _deliver(self, message: OutboxMessage) -> None:
        if message.recipient_id is None:
            await self._deliver_to_chat(message)
            return
        services = self.services
        recipient = await members.get(services.uow(), message.recipient_id)
        if recipient is None or recipient.status is MemberStatus.LEFT:
            await outbox.settle_skipped(
                services.uow(), services.clock, message.id, "recipient left"
            )
            return
        identity = next(
            (
                i
                for i in await members.identities(services.uow(), recipient.id)
                if i.platform in self.transports or i.platform in self.elsewhere
            ),
            None,
        )
        if identity is not None and identity.platform not in self.transports:
            await outbox.defer(services.uow(), services.clock, message.id, ELSEWHERE_DELAY)
            return
        if identity is None:
            await outbox.settle_failure(
                services.uow(), services.clock, message, "no reachable identity", permanent=True
            )
            return
        transport = self.transports[identity.platform]
        try:
            rendered = await render(
                services, recipient, message, identity.platform, transport.command_prefix
            )
        except Exception as exc:
            log.exception("cannot word outbox message %s", message.id)
            await outbox.settle_failure(
                services.uow(), services.clock, message, f"render: {exc}", permanent=False
            )
            return
        if rendered is None:
            await outbox.settle_skipped(services.uow(), services.clock, message.id, "stale")
            return
        await self._send(message, transport, identity.chat_id, rendered)

    async def _deliver_to_chat(self, message: OutboxMessage) -> None:
        """An announcement for a chat (a group), worded in the network's default language."""
        services = self.services
        platform, chat_id = message.target_platform, message.target_chat
        if platform in self.elsewhere and platform not in self.transports:
            await outbox.defer(services.uow(), services.clock, message.id, ELSEWHERE_DELAY)
            return
        transport = self.transports.get(platform or "")
        if transport is None or chat_id is None:
            await outbox.settle_failure(
                services.uow(), services.clock, message, "no transport for chat", permanent=True
            )
            return
        rendered = await render_for_chat(
            services, message, transport.platform, transport.command_prefix
        )
        if rendered is None:
            await outbox.settle_skipped(services.uow(), services.clock, message.id, "stale")
            return
        await self._send(message, transport, chat_id, rendered)

    async def _send(
        self, message: OutboxMessage, transport: Transport, chat_id: str, rendered: Outgoing
    ) -> None:
        services = self.services
        if message.attempted_at is not None:
            log.warning(
                "outbox message %s: a worker died while sending it; sending again "
                "(%s drops a repeat only if it supports idempotent sends)",
                message.id,
                transport.platform,
            )
        await outbox.begin_attempt(services.uow(), services.clock, message.id)
        try:
            ref = await transport.send(chat_id, rendered, key=f"samu-outbox-{message.id}")
        except DeliveryError as error:
            await outbox.settle_failure(
                services.uow(),
                services.clock,
                message,
                str(error),
                permanent=error.permanent,
                retry_after=error.retry_after,
            )
            return
        except Exception as exc:
            log.warning("delivery of outbox message %s failed: %s", message.id, exc)
            await outbox.settle_failure(
                services.uow(), services.clock, message, repr(exc), permanent=False
            )
            return
        await outbox.settle_sent(
            services.uow(),
            services.clock,
            message.id,
            platform=transport.platform,
            chat_id=chat_id,
            ref=ref,
        )
