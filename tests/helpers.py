"""Test helpers: console conversations and invite codes."""

from __future__ import annotations

import io
import re

from bot.app import App
from bot.core import invites
from bot.core.types import Invite, Role
from bot.transports.console import ConsoleTransport, persona_key

CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")


class Conversation:
    """Drives the console transport as a person would type, and returns what the bot printed."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.output = io.StringIO()
        self.console = ConsoleTransport(
            handle=app.router.handle, persona="Nobody", output=self.output, interactive=False
        )

    async def say(self, persona: str, text: str) -> str:
        """`persona` types `text`; returns everything printed in reply."""
        self.console.persona = persona
        start = self.output.tell()
        await self.console.receive(text)
        return self.output.getvalue()[start:]

    async def invite(
        self, role: Role = Role.MEMBER, *, uses: int = 1, structure: str | None = None
    ) -> Invite:
        """Create an invitation directly (as the CLI does)."""
        return await invites.create_invite(
            self.app.services.uow(),
            self.app.services.clock,
            role=role,
            uses=uses,
            structure_name=structure,
        )

    async def join(
        self, persona: str, role: Role = Role.MEMBER, structure: str | None = "Mission locale"
    ) -> str:
        """Make `persona` a member with a fresh invite; returns the bot's answer."""
        invite = await self.invite(role, structure=structure)
        return await self.say(persona, f"/start {invites.display_code(invite.code)}")

    def key(self, persona: str) -> str:
        """The console identity of a persona."""
        return persona_key(persona)
