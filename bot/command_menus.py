"""Telegram's command menus: for everyone at start, and for a coordinator as soon as they join
or change language (not at the next restart).

Everyone: the menu in the network's default language for every language (no language code),
and one per language the bot speaks (`fr`, `en`). A coordinator: their own, longer menu in
their private chat with the bot, in their language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.chat.i18n import LOCALES
from bot.core.services import UowFactory
from bot.core.types import Member, Role

if TYPE_CHECKING:
    from bot.chat.menus import MenuEntry
    from bot.transports.telegram import CommandMenu, TelegramTransport

log = logging.getLogger(__name__)

PLATFORM = "telegram"


@dataclass
class MenuKeeper:
    """Builds the menus, and sets a coordinator's on the running Telegram transport."""

    uows: UowFactory
    default_locale: str
    # The commands as menus list them, asked for when a menu is built (a table: no command
    # module is loaded for a menu).
    entries: Callable[[], Sequence[MenuEntry]]
    transport: TelegramTransport | None = None

    async def all(self) -> list[CommandMenu]:
        """Every menu, as set when the transport starts."""
        from bot.chat.menus import command_menu
        from bot.core import members  # loaded by what sets menus, not by every `samu` command
        from bot.transports.telegram import CommandMenu  # see the note on the imports in app.py

        menus = [self._everyone("", self.default_locale)]
        menus += [self._everyone(locale, locale) for locale in LOCALES]
        for coordinator, identity in await members.coordinators_on(self.uows, PLATFORM):
            entries = command_menu(self.entries(), coordinator.locale, Role.COORDINATOR)
            menus.append(CommandMenu("", tuple(entries), chat_id=identity.chat_id))
        return menus

    def _everyone(self, language: str, locale: str) -> CommandMenu:
        from bot.chat.menus import command_menu
        from bot.transports.telegram import CommandMenu  # see the note on the imports in app.py

        return CommandMenu(language, tuple(command_menu(self.entries(), locale, Role.MEMBER)))

    async def member_changed(self, member: Member) -> None:
        """A member joined or changed language: a coordinator's menu is set at once."""
        transport = self.transport
        if transport is None or not member.role.allows(Role.COORDINATOR):
            return
        from bot.chat.menus import command_menu
        from bot.core import members  # see `all`
        from bot.transports.telegram import CommandMenu  # see the note on the imports in app.py

        try:
            identities = await members.identities(self.uows, member.id)
        except Exception as error:  # a menu is a convenience: the answer goes on without it
            log.warning("cannot read member %s's accounts for their menu: %s", member.id, error)
            return
        entries = tuple(command_menu(self.entries(), member.locale, Role.COORDINATOR))
        for identity in identities:
            if identity.platform == PLATFORM and identity.chat_id:
                await transport.set_menu(CommandMenu("", entries, chat_id=identity.chat_id))
