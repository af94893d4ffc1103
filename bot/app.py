"""The composition root: the only module that knows every piece and wires them."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TextIO

from bot.chat.commands import all_commands
from bot.chat.router import Router
from bot.config import Config
from bot.core import members
from bot.core import skills as member_skills
from bot.core.clock import Clock, SystemClock
from bot.core.demo import seed_demo
from bot.core.services import InviteDefaults, Services
from bot.transports.console import ConsoleTransport
from skills import default_matcher, load_taxonomy
from storage.db import Database
from storage.migrate import SchemaStatus, schema_status, upgrade

log = logging.getLogger(__name__)


class SchemaOutOfDate(Exception):
    """The database schema is older than the code (or empty): `samu db upgrade` fixes it."""

    def __init__(self, status: SchemaStatus) -> None:
        super().__init__(
            f"database at revision {status.current or 'none'}, code needs {status.head}"
        )
        self.status = status


@dataclass
class App:
    """Everything `samu` runs, built from a configuration."""

    config: Config
    db: Database
    services: Services
    router: Router

    @classmethod
    def build(cls, config: Config, clock: Clock | None = None) -> App:
        """Wire the database, the use-case services and the router (connects lazily)."""
        db = Database.from_url(config.database.url)
        services = Services(
            uow=db.uow,
            clock=clock or SystemClock(),
            matcher=default_matcher(),
            invites=InviteDefaults(
                expires_days=config.invites.expires_days, uses=config.invites.uses
            ),
            default_locale=config.bot.default_locale,
        )
        return cls(
            config=config,
            db=db,
            services=services,
            router=Router(all_commands(), services),
        )

    async def schema(self) -> SchemaStatus:
        """Where the database schema stands."""
        return await schema_status(self.db.engine)

    async def prepare(self, *, migrate: bool = False) -> None:
        """Check (or bring) the schema up to date, then load the taxonomy and structures."""
        if migrate:
            await upgrade(self.db.engine)
        status = await self.schema()
        if not status.up_to_date:
            raise SchemaOutOfDate(status)
        await member_skills.sync_taxonomy(self.services.uow(), self.services.clock, load_taxonomy())
        if self.config.network.structures:
            await members.ensure_structures(
                self.services.uow(), self.services.clock, self.config.network.structures
            )

    async def seed_demo(self) -> bool:
        """Add the demo network (false when it is already there)."""
        return await seed_demo(self.services.uow(), self.services.clock)

    def console(self, persona: str, output: TextIO, *, interactive: bool) -> ConsoleTransport:
        """A terminal chat wired to the router."""
        return ConsoleTransport(
            handle=self.router.handle,
            persona=persona,
            output=output,
            interactive=interactive,
            language=self.config.bot.default_locale,
        )

    async def run(self, console: ConsoleTransport | None) -> None:
        """Run the enabled transports until they stop."""
        tasks = []
        if console is not None:
            tasks.append(asyncio.create_task(console.run(), name="console"))
        if not tasks:
            log.warning("no transport is enabled: nothing to run")
            return
        await asyncio.gather(*tasks)

    async def close(self) -> None:
        """Release the database connections."""
        await self.db.dispose()
