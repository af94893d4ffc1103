"""Small values the transports persist in the database (sync tokens, logins)."""

from __future__ import annotations

from bot.core.services import Services


async def get_state(services: Services, key: str) -> str | None:
    """A persisted transport value (e.g. a sync token)."""
    async with services.uow() as uow:
        return await uow.events.get_state(key)


async def set_state(services: Services, key: str, value: str) -> None:
    """Persist a transport value."""
    async with services.uow() as uow:
        await uow.events.set_state(key, value, services.clock.now())
        await uow.commit()
