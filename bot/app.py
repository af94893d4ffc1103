"""The composition root: the only module that knows every piece and wires them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.command_menus import MenuKeeper
from bot.config import Config
from bot.config_settings import matrix_settings, probe_limits, services_of, telegram_settings
from bot.core.clock import Clock, SystemClock
from bot.core.observe import QUIET
from bot.core.services import Services
from skills import default_matcher
from storage.db import Database, create_sqlite_file
from storage.migrate import (
    HEAD_REVISION,
    SchemaStatus,
    known_revisions,
    schema_status,
    upgrade,
)

# The chat networks' libraries (matrix-nio ~20 MiB, python-telegram-bot with httpx ~15 MiB) are
# imported only by the methods that build an enabled transport, not by every `samu` command;
# the chat layer (commands, router, renderers) only when a command needs the router; the
# use-cases of the periodic work, the scheduler and the spool only by what runs them (a
# one-shot command such as `samu invite list` loads none of them).
if TYPE_CHECKING:
    from bot.chat.context import Command, Reply
    from bot.chat.menus import MenuEntry
    from bot.chat.router import Router
    from bot.chat.types import FileSource, Incoming, Sent
    from bot.core.periodic import Job
    from bot.delivery import Dispatcher
    from bot.monitoring.metrics import Metrics
    from bot.monitoring.probe import Connected
    from bot.monitoring.server import MonitoringServer
    from bot.transports.base import Transport
    from bot.transports.console import ConsoleTransport
    from bot.transports.matrix import Device, MatrixTransport
    from bot.transports.spool import Spool
    from bot.transports.telegram import TelegramTransport

log = logging.getLogger(__name__)


def _chat_commands() -> Sequence[Command]:
    """Every chat command (the chat layer is loaded by the first caller)."""
    from bot.chat.commands import all_commands

    return all_commands()


def _menu_entries() -> Sequence[MenuEntry]:
    """The commands as the menus list them (their table: no command module is loaded)."""
    from bot.chat.menu_table import MENU_ENTRIES

    return MENU_ENTRIES


def _chat_router(services: Services) -> Router:
    """The router over every chat command."""
    from bot.chat.commands.places import LOCATION_COMMAND
    from bot.chat.commands.requests import ask_from_text
    from bot.chat.commands.solving import relay_reply
    from bot.chat.router import Router

    return Router(
        _chat_commands(),
        services,
        free_text=ask_from_text,
        reply=relay_reply,
        location_command=LOCATION_COMMAND,
    )


class SchemaOutOfDate(Exception):
    """The database schema is older than the code (or empty): `samu db upgrade` fixes it;
    or newer (`status.from_newer_version`): only a newer samu may use it."""

    def __init__(self, status: SchemaStatus) -> None:
        super().__init__(
            f"database at revision {status.current or 'none'}, code needs {status.head}"
        )
        self.status = status


def spool_of(config: Config, platform: str) -> Spool:
    """Where a chat network's messages are kept on disk while the database is away."""
    from bot.transports.spool import Spool

    return Spool(Path(config.workers.kept_dir) / platform)


async def _erase_outside(config: Config, db: Database, accounts: Sequence[tuple[str, str]]) -> None:
    """After a member is erased: their messages kept on disk go (whichever process wrote
    them: the files are shared through `kept_dir`), and SQLite's log is emptied."""
    for platform in sorted({platform for platform, _ in accounts}):
        users = [user for each, user in accounts if each == platform]
        removed = await spool_of(config, platform).forget(users)
        if removed:
            log.info("erasure: %d kept %s message(s) removed", removed, platform)
    await db.checkpoint()


@dataclass(frozen=True)
class DatabaseState:
    """Transport values (sync tokens, logins) kept in the bot's database."""

    app: App

    async def get(self, key: str) -> str | None:
        """The stored value, if any."""
        from bot.core import events

        return await events.get_state(self.app.services, key)

    async def set(self, key: str, value: str) -> None:
        """Store a value."""
        from bot.core import events

        await events.set_state(self.app.services, key, value)


@dataclass(frozen=True)
class Directory:
    """Whether a chat account belongs to a member (for a transport tidying its rooms)."""

    app: App
    platform: str

    async def is_member(self, user_id: str) -> bool:
        """True for the account of a member still in the network."""
        from bot.core import routes

        return await routes.is_member(self.app.services, self.platform, user_id)


@dataclass
class App:
    """Everything `samu` runs, built from a configuration."""

    config: Config
    db: Database
    services: Services
    dispatcher: Dispatcher | None = None
    menus: MenuKeeper | None = None
    # The SQLite file `prepare(migrate=True)` created, if it did (the CLI says so).
    created_file: Path | None = None
    # The Prometheus metrics, when `[monitoring] listen` is set (see `bot.monitoring`).
    metrics: Metrics | None = None
    # When the periodic work last started (by the services' clock), for the readiness check.
    last_tick: datetime | None = None
    _router: Router | None = field(default=None, init=False, repr=False)
    _file_sources: list[FileSource] = field(default_factory=list, init=False, repr=False)

    @classmethod
    def build(cls, config: Config, clock: Clock | None = None) -> App:
        """Wire the database, the use-case services and the router (connects lazily)."""
        # A SQLite file is created only by `prepare(migrate=True)`: one deleted while the bot
        # runs is then reported unavailable instead of being replaced by an empty one.
        db = Database.from_url(config.database.url, create_file=False)
        metrics = _metrics(config)
        menus = MenuKeeper(db.uow, config.bot.default_locale, _menu_entries)
        services = services_of(
            config,
            uow=db.uow,
            read=partial(db.uow, read_only=True),
            clock=clock or SystemClock(),
            matcher=default_matcher(),
            observer=metrics or QUIET,
            after_erasure=partial(_erase_outside, config, db),
            member_changed=menus.member_changed,
        )
        return cls(config=config, db=db, services=services, metrics=metrics, menus=menus)

    @property
    def router(self) -> Router:
        """The chat router, built on first use: a command-line action that only reads or
        writes the database (`samu invite list`) does not load the chat layer, and `samu run`
        loads it when a first message needs it (the menus come from a table of the commands)."""
        if self._router is None:
            self._router = _chat_router(self.services)
            for source in self._file_sources:
                self._router.files.accept_from(source)
        return self._router

    async def handle(self, incoming: Incoming) -> Reply:
        """Answer one incoming message through the router (built on first use)."""
        return await self.router.handle(incoming)

    async def delivered(self, sent: Sent) -> None:
        """An answer was delivered (see `Router.delivered`)."""
        await self.router.delivered(sent)

    def accept_files_from(self, source: FileSource) -> None:
        """Fetch the files people send through this transport (now, or once the router is
        built)."""
        self._file_sources.append(source)
        if self._router is not None:
            self._router.files.accept_from(source)

    async def schema(self) -> SchemaStatus:
        """Where the database schema stands (a SQLite file not created yet: no revision)."""
        if self.db.missing_file() is not None:
            return SchemaStatus(current=None, head=HEAD_REVISION, known=known_revisions())
        return await schema_status(self.db.engine)

    async def prepare(self, *, migrate: bool = False, taxonomy: bool = True) -> None:
        """Check (or bring) the schema up to date, then load the taxonomy and structures.

        With `migrate`, a SQLite file that does not exist is created (`created_file`). A
        database from a newer version is never touched (SchemaOutOfDate). Without `taxonomy`
        the skills table is left as it is, the taxonomy not even read: for a command that
        touches no skill (`samu invite list`).
        """
        if migrate:
            self.created_file = create_sqlite_file(self.config.database.url)
        status = await self.schema()
        if status.from_newer_version:
            raise SchemaOutOfDate(status)
        if migrate and not status.up_to_date:
            await upgrade(self.db.engine)
            status = await self.schema()
        if not status.up_to_date:
            raise SchemaOutOfDate(status)
        if taxonomy:
            from bot.core import skills as member_skills
            from skills import load_taxonomy

            services = self.services
            await member_skills.sync_taxonomy(services, load_taxonomy())
        if self.config.network.structures:
            from bot.core import members

            await members.ensure_structures(self.services, self.config.network.structures)

    async def seed_demo(self) -> bool:
        """Add the demo network (false when it is already there)."""
        from bot.core.demo import seed_demo

        return await seed_demo(self.services)

    def console(self, persona: str, output: TextIO, *, interactive: bool) -> ConsoleTransport:
        """A terminal chat wired to the router; what it queues is delivered after each line."""
        from bot.transports.console import ConsoleTransport

        console = ConsoleTransport(
            handle=self.handle,
            delivered=self.delivered,
            persona=persona,
            output=output,
            interactive=interactive,
            language=self.config.bot.default_locale,
            after_each=self._deliver_now,
        )
        self.accept_files_from(console)
        self.use_transports([console])
        return console

    def matrix(self) -> MatrixTransport:
        """The Matrix transport described by the configuration."""
        from bot.transports.matrix import MatrixTransport  # see the note on the imports

        transport = MatrixTransport(
            settings=matrix_settings(self.config),
            handle=self.handle,
            delivered=self.delivered,
            state=DatabaseState(self),
            directory=Directory(self, "matrix"),
            spool=self.spool("matrix"),
            on_handled=self._wake_delivery,
        )
        self.accept_files_from(transport)
        return transport

    async def matrix_login(self) -> Device:
        """Log the bot in to its homeserver as `samu run` would, and say which device it is."""
        from bot.transports.matrix import check_login  # see the note on the imports

        return await check_login(matrix_settings(self.config), DatabaseState(self))

    async def matrix_device(self) -> tuple[str, str] | None:
        """The bot's Matrix device id and fingerprint, once it has logged in."""
        from bot.transports.matrix import device_fingerprint  # see the note on the imports

        return await device_fingerprint(matrix_settings(self.config), DatabaseState(self))

    def telegram(self) -> TelegramTransport:
        """The Telegram transport described by the configuration."""
        from bot.transports.telegram import TelegramTransport  # see the note on the imports

        transport = TelegramTransport(
            settings=telegram_settings(self.config),
            handle=self.handle,
            delivered=self.delivered,
            menus=self.menus.all if self.menus is not None else None,
            spool=self.spool("telegram"),
            on_handled=self._wake_delivery,
        )
        self.accept_files_from(transport)
        if self.menus is not None:
            # Told afterwards, not at construction: the keeper was built with the services
            # (whose `member_changed` is its own) long before any transport, and the
            # transport takes the keeper's menus in its constructor.
            self.menus.transport = transport
        return transport

    def spool(self, platform: str) -> Spool:
        """Where a chat network's messages are kept on disk while the database is away."""
        return spool_of(self.config, platform)

    async def invite_link(self, code: str) -> str | None:
        """The Telegram deep link of an invitation code, when Telegram is enabled and reachable."""
        if not self.config.telegram.enabled:
            return None
        from bot.transports.telegram import bot_username, deep_link  # see the note on the imports

        username = self.config.telegram.username
        if not username:
            try:
                username = await bot_username(telegram_settings(self.config))
            except Exception as error:
                log.warning("cannot ask Telegram for the bot's username: %s", error)
                return None
        return deep_link(username, code)

    def use_transports(self, transports: list[Transport]) -> Dispatcher:
        """Deliver the outbox through these transports."""
        from bot.delivery import Dispatcher

        self.dispatcher = Dispatcher(self.services, {t.platform: t for t in transports})
        return self.dispatcher

    # The transports take these two callbacks at construction, before the dispatcher exists:
    # the dispatcher is built with its transports (`use_transports`, again by `run` with all of
    # them), so a transport calls whichever dispatcher delivers at that moment (none: nothing).

    async def _deliver_now(self) -> None:
        """Deliver what is due now (the terminal, after each line)."""
        if self.dispatcher is not None:
            await self.dispatcher.run_once()

    def _wake_delivery(self) -> None:
        """Something was just queued: the running dispatcher delivers it at once."""
        if self.dispatcher is not None:
            self.dispatcher.wake()

    def run_summary(self, platforms: list[str], monitoring: str = "") -> str:
        """The line `samu run` logs at start: what runs, on which database (no password),
        as which worker, and where the monitoring endpoint answers."""
        return (
            f"samu run: {', '.join(platforms)}; "
            f"database {self.db.describe()}; "
            f"worker {self.services.worker.name}; monitoring {monitoring or 'off'}"
        )

    def monitor(self, links: dict[str, Connected]) -> MonitoringServer:
        """The monitoring endpoint of `[monitoring] listen`, looking at these chat networks."""
        from bot.config import listen_address
        from bot.monitoring.probe import Probe
        from bot.monitoring.server import MonitoringServer

        assert self.metrics is not None, "built without [monitoring] listen"
        probe = Probe(
            ping=self.db.ping,
            services=self.services,
            links=links,
            last_tick=lambda: self.last_tick,
            limits=probe_limits(self.config),
        )
        host, port = listen_address(self.config.monitoring.listen)
        return MonitoringServer(probe, self.metrics, host, port)

    def periodic_jobs(self) -> list[Job]:
        """The periodic work, in the order it runs: the personal-data purge first."""
        from bot.core import attachments, conversation, digest, matching, privacy, sessions
        from bot.core.periodic import Job, JobName

        services = self.services
        jobs = [
            Job(JobName.PURGE, lambda: privacy.purge_expired(services)),
            Job(JobName.MATCHING, lambda: matching.check_due(services)),
            Job(JobName.AUTO_CONFIRM, lambda: conversation.auto_confirm_due(services)),
            Job(JobName.SESSION_PLANNING, lambda: sessions.plan_ahead(services)),
            Job(JobName.SESSION_NOTICES, lambda: sessions.due_notices(services)),
            Job(JobName.DIGEST, lambda: digest.due_digest(services)),
            Job(JobName.FILES, lambda: attachments.drop_unplaced(services)),
        ]
        dispatcher = self.dispatcher
        if dispatcher is not None:
            jobs.append(Job(JobName.DELIVERY, dispatcher.run_once))
        return jobs

    async def tick(self) -> None:
        """The periodic work: each job on its own (see `bot.core.periodic`)."""
        from bot.core.periodic import run_jobs

        services = self.services
        self.last_tick = services.clock.now()
        await run_jobs(services, self.periodic_jobs(), self.config.bot.timezone)

    async def run(
        self,
        console: ConsoleTransport | None = None,
        telegram: TelegramTransport | None = None,
        stop: asyncio.Event | None = None,
        matrix: MatrixTransport | None = None,
    ) -> None:
        """Run the transports, the dispatcher and the periodic work in this event loop.

        With only the terminal, the end of its input ends the run; with a chat network, the
        run lasts until `stop` is set (SIGINT/SIGTERM under `samu run`). The supervisor
        (`bot.supervisor`) runs what is built here and stops it in order.
        """
        from bot.supervisor import Supervisor

        transports: list[Transport] = [t for t in (console, telegram) if t is not None]
        if not transports and matrix is None:
            log.warning("no transport is enabled: nothing to run")
            return
        dispatcher = self.use_transports(transports)
        platforms = [t.platform for t in transports] + (["matrix"] if matrix else [])
        election = None
        links: dict[str, Connected] = {t.platform: t for t in transports}
        if matrix is not None:
            from bot.election import Election  # imports matrix-nio: see the note on the imports

            election = Election(
                self.db.leader_lock("matrix-sync"),
                matrix,
                dispatcher,
                every=self.config.workers.election_seconds,
            )
            links["matrix"] = election
        supervisor = Supervisor(
            dispatcher=dispatcher,
            tick=self.tick,
            tick_every=self.config.requests.check_every_seconds,
            timezone=self.config.bot.timezone,
            heartbeat_seconds=self.config.workers.heartbeat_seconds,
            summary=partial(self.run_summary, platforms),
            console=console,
            telegram=telegram,
            matrix=matrix,
            election=election,
            monitor=self.monitor(links) if self.metrics is not None else None,
            # Here, not in `prepare`, so that the one-shot commands do not pay for it.
            beside=self._build_candidate_index,
        )
        await supervisor.run(stop or asyncio.Event())

    async def _build_candidate_index(self) -> None:
        try:
            await self.db.build_candidate_index()
        except Exception:  # matching goes on through SQL, as before the index was built
            log.exception("the candidate index could not be built; matching asks SQL")

    async def close(self) -> None:
        """Release the database connections."""
        await self.db.dispose()


def _metrics(config: Config) -> Metrics | None:
    """The metrics of `samu run`, when the monitoring endpoint is on (prometheus-client is
    imported only then)."""
    if not config.monitoring.listen:
        return None
    from bot.monitoring.metrics import Metrics

    enabled = {
        "console": config.console.enabled,
        "telegram": config.telegram.enabled,
        "matrix": config.matrix.enabled,
    }
    return Metrics(platform for platform, on in enabled.items() if on)
