"""The composition root: the only module that knows every piece and wires them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.command_menus import MenuKeeper
from bot.config import DAYS, Config, clock_time, quiet_window
from bot.core.business_hours import QuietHours
from bot.core.clock import Clock, SystemClock
from bot.core.observe import QUIET
from bot.core.services import (
    DigestSettings,
    FileSettings,
    InviteDefaults,
    PlaceSettings,
    RequestSettings,
    RetentionSettings,
    Services,
    SessionSettings,
    SkillSettings,
    TutorialSettings,
    WorkerSettings,
)
from bot.core.types import Urgency
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
    from bot.chat.context import Reply
    from bot.chat.router import Router
    from bot.chat.types import FileSource, Incoming, Sent
    from bot.core.periodic import Job
    from bot.delivery import Dispatcher
    from bot.election import Election
    from bot.monitoring.metrics import Metrics
    from bot.monitoring.probe import Connected
    from bot.monitoring.server import MonitoringServer
    from bot.transports.base import Transport
    from bot.transports.console import ConsoleTransport
    from bot.transports.matrix import Device, MatrixSettings, MatrixTransport
    from bot.transports.spool import Spool
    from bot.transports.telegram import TelegramSettings, TelegramTransport

log = logging.getLogger(__name__)


def _chat_router(services: Services) -> Router:
    """The router over every chat command."""
    from bot.chat.commands import all_commands
    from bot.chat.commands.places import LOCATION_COMMAND
    from bot.chat.commands.requests import ask_from_text
    from bot.chat.commands.solving import relay_reply
    from bot.chat.router import Router

    return Router(
        all_commands(),
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


def request_settings(config: Config) -> RequestSettings:
    """The requests section of the configuration, as the use-cases read it."""
    section = config.requests
    start, end = quiet_window(section.quiet_hours)

    def per_urgency(hours: object) -> dict[Urgency, timedelta]:
        return {urgency: timedelta(hours=getattr(hours, urgency.value)) for urgency in Urgency}

    return RequestSettings(
        offers_per_round=section.offers_per_round,
        max_offers_per_day=section.max_offers_per_day,
        quiet=QuietHours(
            start=start, end=end, weekends=section.quiet_weekends, timezone=config.bot.timezone
        ),
        first_escalation=per_urgency(section.first_escalation_hours),
        coordinator_alert=per_urgency(section.coordinator_alert_hours),
        auto_confirm_after=timedelta(days=section.auto_confirm_days),
        announce_to=(
            (("telegram", config.telegram.announce_chat_id),)
            if config.telegram.enabled and config.telegram.announce_chat_id
            else ()
        ),
    )


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

        return await events.get_state(self.app.services.uow, key)

    async def set(self, key: str, value: str) -> None:
        """Store a value."""
        from bot.core import events

        await events.set_state(self.app.services.uow, self.app.services.clock, key, value)


@dataclass(frozen=True)
class Directory:
    """Whether a chat account belongs to a member (for a transport tidying its rooms)."""

    app: App
    platform: str

    async def is_member(self, user_id: str) -> bool:
        """True for the account of a member still in the network."""
        from bot.core import routes

        return await routes.is_member(self.app.services.uow(), self.platform, user_id)


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
    _ticking: asyncio.Lock = field(default_factory=asyncio.Lock)
    _router: Router | None = field(default=None, init=False, repr=False)
    _file_sources: list[FileSource] = field(default_factory=list, init=False, repr=False)

    @classmethod
    def build(cls, config: Config, clock: Clock | None = None) -> App:
        """Wire the database, the use-case services and the router (connects lazily)."""
        # A SQLite file is created only by `prepare(migrate=True)`: one deleted while the bot
        # runs is then reported unavailable instead of being replaced by an empty one.
        db = Database.from_url(config.database.url, create_file=False)
        metrics = _metrics(config)
        services = Services(
            uow=db.uow,
            read=partial(db.uow, read_only=True),
            clock=clock or SystemClock(),
            matcher=default_matcher(),
            invites=InviteDefaults(
                expires_days=config.invites.expires_days,
                uses=config.invites.uses,
                matrix_user_id=config.matrix.user_id if config.matrix.enabled else "",
            ),
            default_locale=config.bot.default_locale,
            requests=request_settings(config),
            skills=SkillSettings.of(
                config.skills.max_teaching,
                config.skills.max_practising,
                config.skills.max_discovering,
            ),
            sessions=SessionSettings(
                rule=config.sessions.rule,
                announce_days=config.sessions.announce_days,
                reminder_days=tuple(config.sessions.reminder_days),
                coordinator_days=config.sessions.coordinator_days,
                timezone=config.bot.timezone,
                places=tuple(config.sessions.places),
                organizer_email=config.sessions.organizer_email,
            ),
            digest=DigestSettings(
                enabled=config.digest.enabled,
                weekday=DAYS.index(config.digest.day),
                at=clock_time(config.digest.time),
                timezone=config.bot.timezone,
            ),
            tutorials=TutorialSettings(
                licence=config.tutorials.licence,
                review_required=config.tutorials.review_required,
                stale_after=timedelta(days=round(30.44 * config.tutorials.stale_after_months)),
            ),
            retention=RetentionSettings(config.privacy.retention_months, config.bot.timezone),
            files=FileSettings(max_bytes=round(config.files.max_size_mb * 1024 * 1024)),
            worker=WorkerSettings(
                takeover_after=timedelta(seconds=config.workers.takeover_seconds)
            ),
            places=PlaceSettings(timezone=config.bot.timezone),
            observer=metrics or QUIET,
        )
        menus = MenuKeeper(db.uow, config.bot.default_locale)
        services = replace(
            services,
            after_erasure=partial(_erase_outside, config, db),
            member_changed=menus.member_changed,
        )
        app = cls(config=config, db=db, services=services, metrics=metrics, menus=menus)
        menus.commands = lambda: app.router.commands
        return app

    @property
    def router(self) -> Router:
        """The chat router, built on first use: a command-line action that only reads or
        writes the database (`samu invite list`) does not load the chat layer, and `samu run`
        loads it when a first message or menu needs it, not before its transports start."""
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

            uow, clock = self.services.uow(), self.services.clock
            await member_skills.sync_taxonomy(uow, clock, load_taxonomy())
        if self.config.network.structures:
            from bot.core import members

            await members.ensure_structures(
                self.services.uow(), self.services.clock, self.config.network.structures
            )

    async def seed_demo(self) -> bool:
        """Add the demo network (false when it is already there)."""
        from bot.core.demo import seed_demo

        return await seed_demo(self.services.uow(), self.services.clock, self.services.matcher)

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
        )
        self.accept_files_from(console)
        dispatcher = self.use_transports([console])
        console.after_each = dispatcher.run_once
        return console

    def matrix(self) -> MatrixTransport:
        """The Matrix transport described by the configuration."""
        from bot.transports.matrix import MatrixTransport  # see the note on the imports

        transport = MatrixTransport(
            settings=self.matrix_settings(),
            handle=self.handle,
            delivered=self.delivered,
            state=DatabaseState(self),
            directory=Directory(self, "matrix"),
            spool=self.spool("matrix"),
        )
        self.accept_files_from(transport)
        return transport

    async def matrix_login(self) -> Device:
        """Log the bot in to its homeserver as `samu run` would, and say which device it is."""
        from bot.transports.matrix import check_login  # see the note on the imports

        return await check_login(self.matrix_settings(), DatabaseState(self))

    async def matrix_device(self) -> tuple[str, str] | None:
        """The bot's Matrix device id and fingerprint, once it has logged in."""
        from bot.transports.matrix import device_fingerprint  # see the note on the imports

        return await device_fingerprint(self.matrix_settings(), DatabaseState(self))

    def matrix_settings(self) -> MatrixSettings:
        """The [matrix] section, as the transport reads it."""
        from bot.transports.matrix import MatrixSettings  # see the note on the imports

        section = self.config.matrix
        return MatrixSettings(
            homeserver=section.homeserver,
            user_id=section.user_id,
            password=section.password,
            access_token=section.access_token,
            device_name=section.device_name,
            store_path=section.store_path,
            encryption=section.encryption,
            allowed_rooms=tuple(section.allowed_rooms),
            allowed_homeservers=tuple(section.allowed_homeservers),
            pace_seconds=section.pace_seconds,
        )

    def telegram(self) -> TelegramTransport:
        """The Telegram transport described by the configuration."""
        from bot.transports.telegram import TelegramTransport  # see the note on the imports

        transport = TelegramTransport(
            settings=self.telegram_settings(),
            handle=self.handle,
            delivered=self.delivered,
            menus=self.menus.all if self.menus is not None else None,
            spool=self.spool("telegram"),
        )
        self.accept_files_from(transport)
        if self.menus is not None:
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
                username = await bot_username(self.telegram_settings())
            except Exception as error:
                log.warning("cannot ask Telegram for the bot's username: %s", error)
                return None
        return deep_link(username, code)

    def telegram_settings(self) -> TelegramSettings:
        """The [telegram] section, as the transport reads it."""
        from bot.transports.telegram import TelegramSettings  # see the note on the imports

        section = self.config.telegram
        return TelegramSettings(
            token=section.token,
            base_url=section.base_url,
            mode=section.mode,
            webhook_listen=section.webhook_listen,
            webhook_port=section.webhook_port,
            webhook_path=section.webhook_path,
            webhook_public_url=section.webhook_public_url,
            webhook_secret=section.webhook_secret,
            private_interval=section.private_interval,
            private_burst=section.private_burst,
            read_timeout=section.read_timeout_seconds,
        )

    def use_transports(self, transports: list[Transport]) -> Dispatcher:
        """Deliver the outbox through these transports."""
        from bot.delivery import Dispatcher

        self.dispatcher = Dispatcher(self.services, {t.platform: t for t in transports})
        return self.dispatcher

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
        from bot.monitoring.probe import Limits, Probe
        from bot.monitoring.server import MonitoringServer

        assert self.metrics is not None, "built without [monitoring] listen"
        section = self.config.monitoring
        period = self.config.requests.check_every_seconds
        probe = Probe(
            ping=self.db.ping,
            uow=self.services.uow,
            clock=self.services.clock,
            links=links,
            last_tick=lambda: self.last_tick,
            limits=Limits(
                outbox_stuck_after=timedelta(seconds=section.outbox_stuck_seconds),
                tick_late_after=timedelta(seconds=period * section.late_ticks),
                database_timeout=section.database_timeout_seconds,
            ),
        )
        host, port = listen_address(section.listen)
        return MonitoringServer(probe, self.metrics, host, port)

    def periodic_jobs(self) -> list[Job]:
        """The periodic work, in the order it runs: the personal-data purge first."""
        from bot.core import attachments, conversation, digest, matching, privacy, sessions
        from bot.core.periodic import Job, JobName

        services = self.services
        uow, clock = services.uow, services.clock
        jobs = [
            Job(JobName.PURGE, lambda: privacy.purge_expired(uow, clock, services.retention)),
            Job(JobName.MATCHING, lambda: matching.check_due(uow, clock, services.requests)),
            Job(
                JobName.AUTO_CONFIRM,
                lambda: conversation.auto_confirm_due(uow, clock, services.requests),
            ),
            Job(
                JobName.SESSION_PLANNING,
                lambda: sessions.plan_ahead(uow, clock, services.sessions),
            ),
            Job(
                JobName.SESSION_NOTICES,
                lambda: sessions.due_notices(uow, clock, services.sessions),
            ),
            Job(JobName.DIGEST, lambda: digest.due_digest(uow, clock, services.digest)),
            Job(JobName.FILES, lambda: attachments.drop_unplaced(uow, clock)),
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
        await run_jobs(
            self.periodic_jobs(),
            services.uow,
            services.clock,
            self.config.bot.timezone,
            observer=services.observer,
        )

    async def _safe_tick(self) -> None:
        async with self._ticking:
            try:
                await self.tick()
            except Exception:
                log.exception("periodic work failed; will retry at the next tick")

    async def run(
        self,
        console: ConsoleTransport | None = None,
        telegram: TelegramTransport | None = None,
        stop: asyncio.Event | None = None,
        matrix: MatrixTransport | None = None,
    ) -> None:
        """Run the transports, the dispatcher and the periodic work in this event loop.

        With only the terminal, the end of its input ends the run; with a chat network, the
        run lasts until `stop` is set (SIGINT/SIGTERM under `samu run`).
        """
        from bot.scheduler import build_scheduler
        from bot.stopping import StopBudget

        stop = stop or asyncio.Event()
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
        monitor = self.monitor(links) if self.metrics is not None else None
        if monitor is not None:
            await monitor.start()  # first: a port already taken stops the start here
        log.info("%s", self.run_summary(platforms, monitor.address if monitor else ""))
        if console is not None:
            console.after_each = dispatcher.run_once
        for network in (telegram, matrix):
            if network is not None:
                network.on_handled = dispatcher.wake
        scheduler = build_scheduler(
            self._safe_tick,
            period_seconds=self.config.requests.check_every_seconds,
            timezone=self.config.bot.timezone,
            now=datetime.now(UTC),
        )
        scheduler.start()
        networks = []
        if election is not None:
            networks.append(asyncio.create_task(election.run(stop), name="matrix-election"))
        if telegram is not None:
            networks.append(asyncio.create_task(telegram.run(), name="telegram"))
        # Matching reads candidates from memory once this is done, and SQL answers until then:
        # built beside the start rather than before it (~0.7 s at 10,000 members), and here,
        # not in `prepare`, so that the one-shot commands do not pay for it.
        indexing = asyncio.create_task(self._build_candidate_index(), name="candidate-index")
        background = [
            indexing,
            asyncio.create_task(dispatcher.run_forever(stop), name="dispatcher"),
            asyncio.create_task(
                dispatcher.keep_alive(stop, self.config.workers.heartbeat_seconds),
                name="heartbeat",
            ),
            asyncio.create_task(_announce_ready(console, telegram, election)),
        ]
        terminal: asyncio.Task[None] | None = None
        stopper = asyncio.create_task(stop.wait())
        try:
            watched = {stopper, *networks}
            if console is not None:
                terminal = asyncio.create_task(console.run(), name="console")
                if not networks:  # the terminal alone: the end of its input ends the run
                    watched.add(terminal)
            done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
            for task in done - {stopper}:
                task.result()  # a transport that failed (e.g. 409 Conflict) ends the run loudly
        finally:
            stopper.cancel()
            if terminal is not None and not terminal.done():
                terminal.cancel()  # a signal stops the run even while the terminal waits
            if console is not None:
                await console.close()
            stop.set()
            # Every step below gets a share of the stop's few seconds (`keep`: what it leaves
            # to the next ones); what overruns it, e.g. a send to a silent server, is cancelled.
            budget = StopBudget()
            scheduler.pause()
            # A tick under way may finish for a moment, rather than be cancelled at once.
            ticked = await budget.run(self._ticking.acquire(), "the periodic work", keep=2.5)
            scheduler.shutdown(wait=False)  # cancels a tick still under way
            if ticked:
                self._ticking.release()
            background[-1].cancel()
            indexing.cancel()  # matching reads SQL without it; nothing is lost
            await budget.finish(background, "the outbox delivery", keep=2.0)
            # Deliver what is due while the transports are still up, for a moment (the rest of
            # a long fan-out is handed over to the other workers or the restart).
            last = dispatcher.run_once(until=lambda: budget.spent(keep=1.25))
            await budget.run(last, "the last deliveries", keep=0.75)
            for network in (telegram, matrix):
                if network is not None:
                    network.stop()
            await budget.finish(networks, "the chat networks", keep=0.25)
            try:
                await budget.run(dispatcher.leave(), "handing messages over")
            except Exception as error:
                log.warning("could not hand this worker's messages over: %s", error)
            if monitor is not None:
                await monitor.stop()

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


async def _announce_ready(
    console: ConsoleTransport | None,
    telegram: TelegramTransport | None,
    election: Election | None,
) -> None:
    """Log one line once every enabled transport receives messages (for operators and probes)."""
    names = ["console"] if console is not None else []
    if telegram is not None:
        await telegram.wait_ready()
        names.append("telegram")
    if election is not None:
        await election.settled.wait()
        names.append("matrix" if election.leading else "matrix (standby: another worker syncs)")
    log.info("ready: %s", ", ".join(names))
