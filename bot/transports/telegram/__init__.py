"""Telegram, through python-telegram-bot: the adapter only translates."""

from bot.transports.telegram.adapter import (
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
