"""Command menus for platforms that show one (Telegram): names and one-line help per language."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.context import Command
from bot.chat.i18n import translator
from bot.chat.permissions import allowed
from bot.core.types import Role


def command_menu(commands: Sequence[Command], locale: str, role: Role) -> list[tuple[str, str]]:
    """The (name, description) pairs a person of `role` sees, in their language."""
    t = translator(locale)
    menu = []
    for command in commands:
        if command.in_help and allowed(command.name, role):
            name = command.name_en if t.locale == "en" else command.name
            menu.append((name, t._(command.summary)))
    return menu
