"""What the operators' monitoring reads from the database: the outbox's backlog and the
requests in each state (counts only: no text, no name)."""

from __future__ import annotations

from bot.core.clock import Clock
from bot.core.outbox import MAX_ATTEMPTS
from bot.core.types import OutboxBacklog, RequestStatus
from storage.db import UnitOfWork


async def outbox_backlog(uow: UnitOfWork, clock: Clock) -> OutboxBacklog:
    """The undelivered messages: due, kept for later, undeliverable (tried MAX_ATTEMPTS times)."""
    async with uow:
        return await uow.outbox.backlog(clock.now(), stuck_at=MAX_ATTEMPTS)


async def requests_by_status(uow: UnitOfWork) -> dict[RequestStatus, int]:
    """How many help requests stand in each state."""
    async with uow:
        return await uow.stats.requests_by_status()
