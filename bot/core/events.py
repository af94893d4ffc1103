"""Platform events already handled, so that a replay after a restart changes nothing."""

from __future__ import annotations

from bot.core.clock import Clock
from bot.core.services import UowFactory


async def first_time(uows: UowFactory, clock: Clock, platform: str, event_id: str) -> bool:
    """Record the event; false when it was already handled (a replay or a duplicate)."""
    async with uows() as uow:
        fresh = await uow.events.mark_processed(platform, event_id, clock.now())
        await uow.commit()
    return fresh


async def get_state(uows: UowFactory, key: str) -> str | None:
    """A persisted transport value (e.g. a sync token)."""
    async with uows() as uow:
        return await uow.events.get_state(key)


async def set_state(uows: UowFactory, clock: Clock, key: str, value: str) -> None:
    """Persist a transport value."""
    async with uows() as uow:
        await uow.events.set_state(key, value, clock.now())
        await uow.commit()
