"""The composition root: the only module that knows every piece and wires them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TextIO

from bot.chat.commands import all_commands
from bot.chat.commands.requests import ask_from_text
from bot.chat.commands.solving import relay_reply
from bot.chat.router import Router
from bot.config import Config, quiet_window
from bot.core import conversation, matching, members
from bot.core import skills as member_skills
from bot.core.business_hours import QuietHours
from bot.core.clock import Clock, SystemClock
from bot.core.demo import seed_demo
from bot.core.services import InviteDefaults, RequestSettings, Services
from bot.core.types import Urgency
from bot.delivery import Dispatcher
from bot.transports.base import Transport
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


def request_settings(config: Config) -> RequestSettings:
    """The requests section of the configuration, as the use-cases read it."""
    section = config.requests
    start, end = quiet_window(section.quiet_hours)

    def per_urgency(hours: object) -> dict[Urgency, timedelta]:
        return {urgency: timedelta(hours=getattr(hours, urgency.value)) for urgency in Urgency}

    return RequestSettings(
        offers_per_round=section.offers_per_round,
        quiet=QuietHours(
            start=start, end=end, weekends=section.quiet_weekends, timezone=config.bot.timezone
        ),
        first_escalation=per_urgency(section.first_escalation_hours),
        coordinator_alert=per_urgency(section.coordinator_alert_hours),
        auto_confirm_after=timedelta(days=section.auto_confirm_days),
    )


@dataclass
class App:
    """Everything `samu` runs, built from a configuration."""

    config: Config
    db: Database
    services: Services
    router: Router
    dispatcher: Dispatcher | None = None

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
            requests=request_settings(config),
        )
        router = Router(all_commands(), services, free_text=ask_from_text, reply=relay_reply)
        return cls(config=config, db=db, services=services, router=router)

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
        """A terminal chat wired to the router; what it queues is delivered after each line."""
        console = ConsoleTransport(
            handle=self.router.handle,
            persona=persona,
            output=output,
            interactive=interactive,
            language=self.config.bot.default_locale,
        )
        dispatcher = self.use_transports([console])
        console.after_each = dispatcher.run_once
        return console

    def use_transports(self, transports: list[Transport]) -> Dispatcher:
        """Deliver the outbox through these transports."""
        self.dispatcher = Dispatcher(self.services, {t.platform: t for t in transports})
        return self.dispatcher

    async def tick(self) -> None:
        """The periodic work: offer/escalate due requests, auto-confirm, deliver."""
        services = self.services
        await matching.check_due(services.uow, services.clock, services.requests)
        await conversation.auto_confirm_due(services.uow, services.clock, services.requests)
        if self.dispatcher is not None:
            await self.dispatcher.run_once()

    async def _ticking(self, stop: asyncio.Event) -> None:
        period = self.config.requests.check_every_seconds
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("periodic work failed; will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=period)

    async def run(self, console: ConsoleTransport | None) -> None:
        """Run the enabled transports, the dispatcher and the periodic work until they stop."""
        if console is None:
            log.warning("no transport is enabled: nothing to run")
            return
        stop = asyncio.Event()
        background = [asyncio.create_task(self._ticking(stop), name="tick")]
        if self.dispatcher is not None:
            background.append(
                asyncio.create_task(self.dispatcher.run_forever(stop), name="dispatcher")
            )
        try:
            await console.run()
        finally:
            stop.set()
            await asyncio.gather(*background, return_exceptions=True)
            if self.dispatcher is not None:
                await self.dispatcher.run_once()

    async def close(self) -> None:
        """Release the database connections."""
        await self.db.dispose()
