"""A button press in a Telegram group, while it is handled: answered once, and a short
answer meant for the presser alone shown as the press's answer (see `Outgoing.brief`)."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass

from telegram import CallbackQuery
from telegram.error import TelegramError

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Press:
    """A button press in a group, while it is handled: answered once, with a short text or
    without one."""

    query: CallbackQuery
    chat_id: str
    shown: str  # the message the button was on
    answered: bool = False


# The group press being handled, seen by the `send` calls its handling makes (set and reset
# around that handling only).
PRESS: ContextVar[Press | None] = ContextVar("telegram_press", default=None)
# Telegram shows at most 200 characters in the answer to a press.
MAX_PRESS_ANSWER = 200


async def answer_press(query: CallbackQuery, text: str | None = None) -> bool:
    """Answer a press (stops its spinner; `text` is shown to the presser alone)."""
    try:
        await query.answer(text=text)
    except TelegramError as error:  # e.g. a press received again after a restart: too old
        log.info("callback query not answered: %s", error)
        return False
    return True
