"""What the operators' monitoring reads from the database: the outbox's backlog and the
requests in each state (counts only: no text, no name)."""

from __future__ import annotations

from bot.core.outbox import MAX_ATTEMPTS
from bot.core.services import Services
from bot.core.types import OutboxBacklog, RequestStatus


async def outbox_backlog(services: Services) -> OutboxBacklog:
    """The undelivered messages: due, kept for later, undeliverable (tried MAX_ATTEMPTS times)."""
    async with services.uow() as uow:
        return await uow.outbox.backlog(services.clock.now(), stuck_at=MAX_ATTEMPTS)


async def requests_by_status(services: Services) -> dict[RequestStatus, int]:
    """How many help requests stand in each state."""
    async with services.uow() as uow:
        return await uow.stats.requests_by_status()
