"""Persisted multi-step dialogs: the bot waits for a free-text answer, across restarts."""

from __future__ import annotations

from typing import Any

from bot.core.services import Services
from bot.core.types import DialogState


async def open_dialog(
    services: Services,
    member_id: int,
    kind: str,
    step: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Open (or move) the member's dialog; any other open dialog is replaced."""
    async with services.uow() as uow:
        now = services.clock.now()
        await uow.dialogs.save(member_id, kind=kind, step=step, data=data or {}, now=now)
        await uow.commit()


async def close_dialog(services: Services, member_id: int) -> None:
    """Close the member's dialog, if any."""
    async with services.uow() as uow:
        await uow.dialogs.clear(member_id)
        await uow.commit()


async def current(services: Services, member_id: int) -> DialogState | None:
    """The member's open dialog, if any."""
    async with services.uow() as uow:
        return await uow.dialogs.get(member_id)
