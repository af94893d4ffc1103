"""Announcing an exchange session to the whole network: how fast the outbox reaches everyone.

Telegram (loopback Bot API server of `tests/fakes/telegram_api.py` enforcing Telegram's
limits: 30 messages/s overall, one per second in a private chat; the 429s it answers are
counted). `--members` members (default 5,000) with a Telegram identity each are written in bulk
into a throwaway database, a session is planned 20 days ahead, and the real use-case
(`bot.core.sessions.due_notices`, as the periodic tick calls it) queues the announcement: one
outbox row per member. Then the real `Dispatcher` (`App.use_transports`) delivers the outbox
through the real `TelegramTransport` (python-telegram-bot), until every row is settled.
Target: ≥ 90 % of the 30 msg/s cap, zero 429s. A session announcement carries the calendar
invitation (.ics) as an attachment, so it is two Bot API messages to the same chat
(sendMessage + sendDocument); both rates are printed: announcements/s and Bot API messages/s.

`--probe-after` seconds into each Telegram fan-out, one more notice is queued for a member
already served (as an offer or a relayed message would be): its wait is printed.

A control scenario, `reminder`, does the same with the 7-day reminder (text and buttons, no
attachment: one Bot API message per member), every member having answered "yes".

Matrix (a real Synapse on 127.0.0.1, installed by the test harness): `--matrix-members`
members (default 50), each with a direct room the bot joined, receive the announcement through
the real `MatrixTransport` at each `--pace` (`[matrix] pace_seconds`; 0.2 s → 5 msg/s
expected). The achieved rate is compared with 1/pace, and M_LIMIT_EXCEEDED answers are counted.
The test Synapse raises every `rc_*` limit (the bot is not throttled by the homeserver);
`--synapse-default-rc` restores Synapse's default `rc_message` (0.2/s, burst 10) once the
rooms are made, for the delivery (a homeserver that does not exempt the bot).

Run: .venv/bin/python bench/fanout_bench.py [--members 5000] [--skip-reminder]
     [--probe-after 10] [--matrix-members 50] [--pace 1.0 0.2] [--synapse-default-rc]
     [--skip-matrix] [--skip-telegram] [--time-limit SECONDS]
     [--backend sqlite|postgresql] [--postgres-url URL]

While an announcement costs 1.085 s a member on Telegram (2026-11-30), the default run takes
about 1 h 40 min; `--members 300` gives the same rates in about 7 min.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sqlite3
import sys
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinedRoomsResponse,
    LoginResponse,
    RoomCreateResponse,
)
from sqlalchemy import func, insert, select, text

from bench.common import chunks, database, percentile, print_machine, table
from bot.app import App, DatabaseState
from bot.chat.types import Outgoing
from bot.config import parse_config
from bot.config_settings import matrix_settings
from bot.core import sessions
from bot.core.types import ExchangeSession
from bot.delivery import Dispatcher
from bot.transports.base import DeliveryError
from bot.transports.matrix import MatrixTransport
from bot.transports.telegram import TelegramTransport
from storage.models import IdentityModel, MemberModel, OutboxModel, RsvpModel
from tests.fakes.synapse import Synapse, synapse_python
from tests.fakes.telegram_api import GLOBAL_PER_SECOND, FakeBotApi

TOKEN = "123456:BENCH"
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "correct horse battery staple"
CHAT_BASE = 10_000_000  # Telegram chat id of member n: CHAT_BASE + n
BATCH = 5000
TIMEZONE = "Europe/Paris"


@dataclass
class Counted:
    """A transport seen through the dispatcher: the real one, each send timed and its refusals
    kept (the dispatcher only keeps the last error of a row)."""

    inner: TelegramTransport | MatrixTransport
    accepted: list[float] = field(default_factory=list)  # perf_counter of each accepted row
    events: int = 0  # platform messages of the accepted rows (the text, then each attachment)
    errors: list[str] = field(default_factory=list)
    platform: str = ""
    command_prefix: str = ""
    parallel_sends: int = 1

    def __post_init__(self) -> None:
        self.platform, self.command_prefix = self.inner.platform, self.inner.command_prefix
        self.parallel_sends = self.inner.parallel_sends

    async def run(self) -> None:
        await self.inner.run()

    async def send(self, chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        try:
            ref = await self.inner.send(chat_id, message, key=key)
        except DeliveryError as error:
            self.errors.append(str(error))
            raise
        self.accepted.append(time.perf_counter())
        self.events += 1 + len(message.attachments)
        return ref

    def count(self, fragment: str) -> int:
        return sum(fragment in error for error in self.errors)

    def gaps(self) -> list[float]:
        return [b - a for a, b in zip(self.accepted, self.accepted[1:], strict=False)]


@dataclass
class Outcome:
    """One fan-out: what was queued, delivered, how fast, and what the server refused."""

    platform: str
    scenario: str
    members: int
    queued: int
    queue_seconds: float
    sent: int = 0
    failed: int = 0
    pending: int = 0
    elapsed: float = 0.0
    api_messages: int = 0  # Telegram: sendMessage + sendDocument answered 200
    refused: int = 0  # Telegram: 429 answers; Matrix: M_LIMIT_EXCEEDED
    refused_by: str = ""  # Telegram: which limit each 429 enforced (per chat, overall)
    busiest_second: int = 0  # Telegram: most Bot API messages accepted in a 1 s window
    pace: float | None = None
    gaps: list[float] = field(default_factory=list)  # seconds between consecutive sends
    stopped_early: bool = False
    probe: str = ""  # what became of a notice queued during the fan-out

    @property
    def rows_per_second(self) -> float:
        return self.sent / self.elapsed if self.elapsed else float("nan")

    @property
    def steady_per_second(self) -> float:
        """Notices per second between the first delivered one and the last."""
        return len(self.gaps) / sum(self.gaps) if self.gaps else float("nan")

    @property
    def api_per_second(self) -> float:
        return self.api_messages / self.elapsed if self.elapsed else float("nan")


def bench_config(url: str, **sections: Any) -> dict[str, Any]:
    return {
        "database": {"url": url},
        "network": {"structures": ["Mission locale"]},
        "requests": {"quiet_hours": "00:00-00:00", "quiet_weekends": False},
        "console": {"enabled": False},
        **sections,
    }


async def seed_members(app: App, platform: str, chats: list[tuple[str, str]]) -> list[int]:
    """Active members with one identity each (user id, chat id), written in bulk."""
    now = app.services.clock.now()
    async with app.services.uow() as uow:
        first = await uow.session.scalar(select(func.max(MemberModel.id))) or 0
        ids = list(range(first + 1, first + 1 + len(chats)))
        members = [
            {
                "id": member_id,
                "display_name": f"Membre {member_id}",
                "structure_id": None,
                "role": "member",
                "locale": "fr",
                "status": "active",
                "created_at": now,
                "updated_at": now,
            }
            for member_id in ids
        ]
        identities = [
            {
                "member_id": member_id,
                "platform": platform,
                "platform_user_id": user_id,
                "chat_id": chat_id,
                "preferred": True,
                "created_at": now,
            }
            for member_id, (user_id, chat_id) in zip(ids, chats, strict=True)
        ]
        for part in chunks(members, BATCH):
            await uow.session.execute(insert(table(MemberModel)), list(part))
        for part in chunks(identities, BATCH):
            await uow.session.execute(insert(table(IdentityModel)), list(part))
        if app.db.dialect == "postgresql":  # explicit ids: move the sequence past them
            await uow.session.execute(
                text("SELECT setval(pg_get_serial_sequence('members', 'id'), :last)"),
                {"last": ids[-1] if ids else 1},
            )
        await uow.commit()
    return ids


async def plan_session(app: App, days_ahead: int) -> ExchangeSession:
    """A session `days_ahead` days from now, 9:00-12:00 in Paris, with a place and an agenda."""
    services = app.services
    day = (services.clock.now() + timedelta(days=days_ahead)).astimezone(ZoneInfo(TIMEZONE))
    start = datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo(TIMEZONE))
    return await sessions.create(
        services,
        start=start,
        end=start + timedelta(hours=3),
        place="Mission locale",
        agenda="Tour de table, puis les démarches en ligne qui bloquent le plus.",
    )


async def queue_announcement(app: App) -> tuple[ExchangeSession, int, float]:
    """Plan a session inside the announcement window and let the use-case queue its notices."""
    session = await plan_session(app, days_ahead=20)
    started = time.perf_counter()
    queued = await sessions.due_notices(app.services)
    return session, queued, time.perf_counter() - started


async def queue_reminder(app: App, member_ids: list[int]) -> tuple[ExchangeSession, int, float]:
    """A session 5 days ahead, already announced, everyone said yes: the 7-day reminder."""
    services = app.services
    session = await plan_session(app, days_ahead=5)
    now = services.clock.now()
    async with services.uow() as uow:
        await uow.events.set_state(f"session-announced:{session.id}", now.isoformat(), now)
        rows = [
            {"session_id": session.id, "member_id": m, "answer": "yes", "updated_at": now}
            for m in member_ids
        ]
        for part in chunks(rows, BATCH):
            await uow.session.execute(insert(table(RsvpModel)), list(part))
        await uow.commit()
    started = time.perf_counter()
    queued = await sessions.due_notices(services)
    return session, queued, time.perf_counter() - started


async def outbox_state(app: App, notices: str) -> tuple[int, int, int]:
    """(sent, failed, pending) outbox rows whose dedup key starts with `notices`."""
    async with app.services.uow() as uow:
        rows = (
            await uow.session.execute(
                select(
                    func.count(OutboxModel.sent_at),
                    func.count(OutboxModel.failed_at),
                    func.count(),
                ).where(OutboxModel.dedup_key.startswith(notices))
            )
        ).one()
    sent, failed, total = (int(value) for value in rows)
    return sent, failed, total - sent - failed


async def deliver(
    dispatcher: Dispatcher, app: App, notices: str, time_limit: float | None
) -> tuple[float, bool]:
    """Run delivery passes until none of `notices` is pending; (elapsed s, stopped early).

    A row waiting for a retry (after a 429 or M_LIMIT_EXCEEDED) is not due yet, so a pass can
    end with rows left: wait a little and pass again, as `run_forever` would.
    """

    async def until_settled() -> None:
        while True:
            await dispatcher.run_once()
            if (await outbox_state(app, notices))[2] == 0:
                return
            await asyncio.sleep(0.2)

    started = time.perf_counter()
    task = asyncio.create_task(until_settled())
    try:
        await asyncio.wait_for(asyncio.shield(task), time_limit)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return time.perf_counter() - started, True
    return time.perf_counter() - started, False


PROBE_KEY = "bench-probe"


async def queue_probe(app: App, member_id: int, after: float) -> None:
    """`after` seconds into the fan-out, one more notice for a member already announced to
    (any other notice would do: an offer, a relayed message): how long does it wait?"""
    await asyncio.sleep(after)
    async with app.services.uow() as uow:
        await uow.outbox.enqueue(
            recipient_id=member_id,
            kind="delivery_failed",
            params={"member_id": member_id},
            now=app.services.clock.now(),
            dedup_key=PROBE_KEY,
        )
        await uow.commit()


async def probe_wait(app: App) -> float | None:
    """Seconds between queuing the probe and its delivery (None if not delivered)."""
    async with app.services.uow() as uow:
        row = (
            await uow.session.execute(
                select(OutboxModel.created_at, OutboxModel.sent_at).where(
                    OutboxModel.dedup_key == PROBE_KEY
                )
            )
        ).first()
    if row is None or row.sent_at is None:
        return None
    return float((row.sent_at - row.created_at).total_seconds())


def busiest_second(times: list[float]) -> int:
    """The most events within any 1-second window."""
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


# --- Telegram -------------------------------------------------------------------------------


async def telegram_fanout(
    scenario: str,
    members: int,
    backend: str,
    postgres_url: str,
    time_limit: float | None,
    probe_after: float,
) -> Outcome:
    async with (
        FakeBotApi(token=TOKEN, enforce_limits=True) as server,
        database(backend, postgres_url) as url,
    ):
        telegram_section = {"enabled": True, "token": TOKEN, "base_url": server.base_url}
        app = App.build(parse_config(bench_config(url, telegram=telegram_section), "bench", {}))
        try:
            await app.prepare(migrate=True)
            chats = [CHAT_BASE + n for n in range(1, members + 1)]
            server.known_chats.update(chats)
            ids = await seed_members(app, "telegram", [(str(c), str(c)) for c in chats])
            if scenario == "announce":
                session, queued, queue_seconds = await queue_announcement(app)
                notices = f"session-announce:{session.id}:"
            else:
                session, queued, queue_seconds = await queue_reminder(app, ids)
                notices = f"session-remind:7:{session.id}:"
            print(
                f"telegram {scenario}: {queued:,} notices queued for {members:,} members "
                f"in {queue_seconds:.2f} s; delivering…",
                flush=True,
            )
            telegram: TelegramTransport = app.telegram()
            runner = asyncio.create_task(telegram.run())
            await telegram.wait_ready()
            counted = Counted(telegram)
            dispatcher = app.use_transports([counted])
            before = len(server.calls)
            probe = (
                asyncio.create_task(queue_probe(app, ids[0], probe_after)) if probe_after else None
            )
            elapsed, early = await deliver(dispatcher, app, notices, time_limit)
            note = ""
            if probe is not None:
                if not probe.done():
                    probe.cancel()
                    note = "the fan-out was over before it was queued"
                else:
                    if not early:
                        await dispatcher.run_once()  # the probe, if it is still due
                    waited = await probe_wait(app)
                    note = (
                        f"delivered {waited:.1f} s later"
                        if waited is not None
                        else "not delivered when the run stopped"
                    )
            telegram.stop()
            await runner
            sends = [
                c
                for c in server.calls[before:]
                if c.method.lower() in ("sendmessage", "senddocument") and c.response_status == 200
            ]
            sent, failed, pending = await outbox_state(app, notices)
            return Outcome(
                platform="telegram",
                scenario=scenario,
                members=members,
                queued=queued,
                queue_seconds=queue_seconds,
                sent=sent,
                failed=failed,
                pending=pending,
                elapsed=elapsed,
                api_messages=len(sends),
                refused=server.too_many_requests,
                refused_by=", ".join(f"{k} {v}" for k, v in sorted(server.refused_by.items())),
                busiest_second=busiest_second([c.at for c in sends]),
                gaps=counted.gaps(),
                stopped_early=early,
                probe=note,
            )
        finally:
            await app.close()


# --- Matrix ---------------------------------------------------------------------------------


async def matrix_people(synapse: Synapse, bot: str, count: int) -> list[tuple[str, str]]:
    """`count` accounts, each with a direct room inviting the bot: [(user id, room id)]."""
    gate = asyncio.Semaphore(8)

    async def one(index: int) -> tuple[str, str]:
        async with gate:
            user_id = await synapse.register(f"membre{index}-{uuid.uuid4().hex[:6]}", PASSWORD)
            client = AsyncClient(
                synapse.url, user_id, config=AsyncClientConfig(encryption_enabled=False)
            )
            try:
                assert isinstance(await client.login(PASSWORD), LoginResponse)
                created = await client.room_create(is_direct=True, invite=[bot])
                assert isinstance(created, RoomCreateResponse), created
                return user_id, created.room_id
            finally:
                await client.close()

    return list(await asyncio.gather(*(one(i) for i in range(count))))


async def wait_joined(synapse: Synapse, bot: str, rooms: list[str], within: float = 120) -> None:
    """Until the bot (accepting direct invitations in its sync loop) is in every room."""
    client = AsyncClient(synapse.url, bot, config=AsyncClientConfig(encryption_enabled=False))
    try:
        assert isinstance(await client.login(PASSWORD, device_name="bench probe"), LoginResponse)
        deadline = time.monotonic() + within
        while True:
            joined = await client.joined_rooms()
            assert isinstance(joined, JoinedRoomsResponse), joined
            missing = set(rooms) - set(joined.rooms)
            if not missing:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot did not join {len(missing)} rooms")
            await asyncio.sleep(0.5)
    finally:
        await client.close()


async def matrix_fanout(
    members: int,
    paces: list[float],
    default_rc: bool,
    backend: str,
    postgres_url: str,
    time_limit: float | None,
) -> list[Outcome]:
    if await asyncio.to_thread(synapse_python) is None:
        print("Synapse cannot be installed here: Matrix fan-out skipped", flush=True)
        return []
    outcomes = []
    async with (
        Synapse() as synapse,
        database(backend, postgres_url) as url,
    ):
        bot = await synapse.register(f"samu-{uuid.uuid4().hex[:6]}", PASSWORD)
        matrix_section = {
            "enabled": True,
            "homeserver": synapse.url,
            "user_id": bot,
            "password": PASSWORD,
            "encryption": False,
        }
        app = App.build(parse_config(bench_config(url, matrix=matrix_section), "bench", {}))
        try:
            await app.prepare(migrate=True)
            started = time.perf_counter()
            first = app.matrix()  # accepts the invitations while the people are created
            runner = asyncio.create_task(first.run())
            await first.wait_ready()
            people = await matrix_people(synapse, bot, members)
            await wait_joined(synapse, bot, [room for _, room in people])
            first.stop()
            await runner
            print(
                f"matrix: {members} accounts with a direct room joined by the bot "
                f"in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            await seed_members(app, "matrix", people)
            if default_rc:  # the rooms are made: now the bot sends under Synapse's own limit
                synapse.enable_default_rate_limits()
                await synapse.restart()
            for pace in paces:  # a new session for each pace, announced to everyone
                session, queued, queue_seconds = await queue_announcement(app)
                notices = f"session-announce:{session.id}:"
                settings = replace(matrix_settings(app.config), pace_seconds=pace)
                matrix = MatrixTransport(
                    settings=settings, handle=app.router.handle, state=DatabaseState(app)
                )
                runner = asyncio.create_task(matrix.run())
                await matrix.wait_ready()
                counted = Counted(matrix)
                dispatcher = app.use_transports([counted])
                print(
                    f"matrix pace {pace} s: {queued} notices queued (session #{session.id}); "
                    "delivering…",
                    flush=True,
                )
                elapsed, early = await deliver(dispatcher, app, notices, time_limit)
                matrix.stop()
                await runner
                sent, failed, pending = await outbox_state(app, notices)
                outcomes.append(
                    Outcome(
                        platform="matrix",
                        scenario="announce",
                        members=members,
                        queued=queued,
                        queue_seconds=queue_seconds,
                        sent=sent,
                        failed=failed,
                        pending=pending,
                        elapsed=elapsed,
                        api_messages=counted.events,
                        refused=counted.count("M_LIMIT_EXCEEDED"),
                        pace=pace,
                        gaps=counted.gaps(),
                        stopped_early=early,
                    )
                )
        finally:
            await app.close()
    return outcomes


# --- Report ---------------------------------------------------------------------------------


def report(outcomes: list[Outcome], args: argparse.Namespace) -> None:
    print_machine({"sqlite": sqlite3.sqlite_version}, one_core=False)
    print(
        f"database: {args.backend}; Telegram: loopback Bot API server enforcing "
        f"{GLOBAL_PER_SECOND} msg/s overall and 1 msg/s per private chat; Matrix: Synapse on "
        "127.0.0.1, " + ("default rc_message" if args.synapse_default_rc else "rc_* raised")
    )
    print()
    print(
        "| platform | notice | members | queued in | settled | elapsed | notices/s "
        "| steady notices/s | API messages/s | share of cap | busiest 1 s "
        "| refused (429 / M_LIMIT_EXCEEDED) |"
    )
    print("|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for o in outcomes:
        settled = f"{o.sent:,} sent, {o.failed} failed, {o.pending:,} pending"
        if o.stopped_early:
            settled += " (time limit)"
        if o.platform == "telegram":
            cap = GLOBAL_PER_SECOND
            share = f"{o.api_per_second / cap:.1%} of {cap}/s"
            busiest = str(o.busiest_second)
        else:
            # Each notice is its text and, for an announcement, its .ics: one send each.
            cap_pace = 1 / o.pace if o.pace else float("inf")
            per_notice = o.api_messages / o.sent if o.sent else 1
            events = o.steady_per_second * per_notice
            share = f"{events / cap_pace:.1%} of {cap_pace:g}/s (pace {o.pace:g} s)"
            busiest = "—"
        print(
            f"| {o.platform} | {o.scenario} | {o.members:,} | {o.queue_seconds:.2f} s "
            f"| {settled} | {o.elapsed:.1f} s | {o.rows_per_second:.2f} "
            f"| {o.steady_per_second:.2f} | {o.api_per_second:.2f} | {share} | {busiest} "
            f"| {o.refused}{f' ({o.refused_by})' if o.refused_by else ''} |"
        )
    print()
    for o in outcomes:
        if o.gaps:
            print(
                f"{o.platform} {o.scenario}"
                + (f" pace {o.pace:g} s" if o.pace is not None else "")
                + f": time between two delivered notices p50 {percentile(o.gaps, 0.5):.3f} s, "
                f"p95 {percentile(o.gaps, 0.95):.3f} s, max {max(o.gaps):.3f} s"
            )
        if o.probe:
            print(
                f"  one more notice queued {args.probe_after:g} s into the fan-out (as an offer "
                f"or a relayed message would be): {o.probe}"
            )
        if o.stopped_early and o.rows_per_second > 0:
            whole = o.queued / o.rows_per_second
            print(
                f"  stopped after {o.elapsed:.0f} s: at {o.rows_per_second:.2f} notices/s the "
                f"{o.queued:,} would take {whole / 60:.1f} min (projection, not measured)"
            )


async def run(args: argparse.Namespace) -> None:
    outcomes: list[Outcome] = []
    limit = args.time_limit or None
    if not args.skip_telegram:
        scenarios = ["announce"] + ([] if args.skip_reminder else ["reminder"])
        for scenario in scenarios:
            outcome = await telegram_fanout(
                scenario, args.members, args.backend, args.postgres_url, limit, args.probe_after
            )
            print(
                f"  {outcome.sent:,} sent in {outcome.elapsed:.1f} s: "
                f"{outcome.rows_per_second:.2f} notices/s, {outcome.api_per_second:.2f} API "
                f"messages/s, {outcome.refused} × 429",
                flush=True,
            )
            outcomes.append(outcome)
    if not args.skip_matrix:
        outcomes += await matrix_fanout(
            args.matrix_members,
            args.pace,
            args.synapse_default_rc,
            args.backend,
            args.postgres_url,
            limit,
        )
    report(outcomes, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--members", type=int, default=5000, help="Telegram members")
    parser.add_argument("--skip-reminder", action="store_true", help="no text-only control")
    parser.add_argument("--skip-telegram", action="store_true")
    parser.add_argument("--matrix-members", type=int, default=50)
    parser.add_argument(
        "--pace", type=float, nargs="+", default=[1.0, 0.2], help="[matrix] pace_seconds values"
    )
    parser.add_argument("--skip-matrix", action="store_true")
    parser.add_argument(
        "--synapse-default-rc",
        action="store_true",
        help="keep Synapse's default rc_message (0.2/s, burst 10) for the bot",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=0,
        metavar="SECONDS",
        help="stop a fan-out after this long and print the rate so far (0: until done)",
    )
    parser.add_argument(
        "--probe-after",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="queue one more notice this long into each Telegram fan-out and time its wait "
        "(0: no probe)",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
