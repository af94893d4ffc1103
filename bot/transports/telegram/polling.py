"""Long polling that acknowledges an update only once it is handled.

python-telegram-bot's updater asks for the next updates (which acknowledges the previous
ones) while those are still queued, so a process that dies loses them. Here the offset moves
past an update only after the application handled it: after a crash, Telegram sends it again
and the database's record of handled updates keeps it from being handled twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram.error import Conflict, TelegramError
from telegram.ext import Application

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0
UPDATE_TYPES = ["message", "callback_query"]


async def poll_updates(
    app: Application[Any, Any, Any, Any, Any, Any],
    stop: asyncio.Event,
    long_poll_seconds: float,
    on_conflict: Callable[[], None],
) -> None:
    """Long-poll getUpdates until `stop`; on 409 Conflict, call `on_conflict` and return."""
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        try:
            updates = await app.bot.get_updates(
                offset=offset,
                timeout=timedelta(seconds=long_poll_seconds),
                allowed_updates=UPDATE_TYPES,
            )
        except Conflict:
            on_conflict()
            return
        except TelegramError as error:
            log.warning("Telegram polling error (retrying in %.0f s): %s", backoff, error)
            await _pause(stop, backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        backoff = 1.0
        for update in updates:
            await app.process_update(update)
            offset = update.update_id + 1


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return
