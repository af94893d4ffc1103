"""Telegram, through python-telegram-bot: the adapter only translates."""

import sys

# httpx imports its command-line client (click, rich, pygments: ~8 MiB) whenever those happen
# to be installed (test tools pull them); the bot never runs it, so it stays unimported.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

from bot.transports.telegram.adapter import (  # noqa: E402
    CommandMenu,
    TelegramConflict,
    TelegramSettings,
    TelegramTransport,
    bot_username,
    deep_link,
)

__all__ = [
    "CommandMenu",
    "TelegramConflict",
    "TelegramSettings",
    "TelegramTransport",
    "bot_username",
    "deep_link",
]
