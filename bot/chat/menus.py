"""Command menus for platforms that show one (Telegram): names and one-line help per language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.chat.i18n import translator
from bot.chat.permissions import allowed
from bot.core.types import Role

if TYPE_CHECKING:
    from bot.chat.context import Command


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """A command as a menu lists it: its French and English names and its one-line help (a
    message id of the catalogs)."""

    name: str
    name_en: str
    summary: str


def menu_entries(commands: Sequence[Command]) -> tuple[MenuEntry, ...]:
    """The entries of the commands help lists, in their order (`bot.chat.menu_table` is this,
    written out for the commands of this version)."""
    return tuple(
        MenuEntry(command.name, command.name_en, command.summary)
        for command in commands
        if command.in_help
    )


def command_menu(entries: Sequence[MenuEntry], locale: str, role: Role) -> list[tuple[str, str]]:
    """The (name, description) pairs a person of `role` sees, in their language."""
    t = translator(locale)
    return [
        (entry.name_en if t.locale == "en" else entry.name, t._(entry.summary))
        for entry in entries
        if allowed(entry.name, role)
    ]
