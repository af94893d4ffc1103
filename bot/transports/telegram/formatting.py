"""Plain text to Telegram HTML, long texts split, actions to an inline keyboard."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat.types import Action

MAX_LENGTH = 4096
MAX_CALLBACK_BYTES = 64
# The parts one message may be cut into (16,384 characters; a request or a relayed message is
# at most 3,000, the input 4,000: only the bot's own longest lists come near).
MAX_PARTS = 4


def to_html(text: str) -> str:
    """Escape everything: the bot's text is plain and users' words must never become markup."""
    return html.escape(text, quote=False)


def split_text(text: str, limit: int = MAX_LENGTH) -> list[str]:
    """Cut a text in parts of at most `limit` characters, at line or sentence ends if possible.

    At most MAX_PARTS parts: one message never floods a chat (the rest is cut, marked "…").
    """
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        if len(parts) == MAX_PARTS - 1:
            parts.append(rest[: limit - 1].rstrip() + "…")
            rest = ""
            break
        window = rest[:limit]
        cut = max(window.rfind("\n"), window.rfind(". "), window.rfind("? "), window.rfind("! "))
        if cut < limit // 2:
            cut = window.rfind(" ")
        cut = cut + 1 if cut >= limit // 2 else limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [part for part in parts if part] or [""]


def fits_callback(payload: str) -> bool:
    """Whether an action payload can travel as callback data."""
    return 0 < len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES


def keyboard(actions: tuple[Action, ...]) -> InlineKeyboardMarkup | None:
    """One button per row (easy to tap on a phone); actions too long for Telegram are left out."""
    rows = [
        [InlineKeyboardButton(action.label[:64], callback_data=action.payload)]
        for action in actions
        if fits_callback(action.payload)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def valid_callback(data: object) -> str | None:
    """The command carried by a button, or None when the data cannot be one of ours."""
    if not isinstance(data, str) or not fits_callback(data) or not data.startswith("/"):
        return None
    if any(not ch.isprintable() for ch in data):
        return None
    return data
