"""Transport faults at random: 429, 500 and timeouts from the Bot API and from Synapse.

Whatever the networks answer, every message is eventually delivered, in order per chat.

- Telegram: the real app (`App.run`, real python-telegram-bot) against the loopback Bot API
  (`FakeBotApi`), whose `sendMessage` answers follow a seeded plan: 429 with `retry_after`,
  500, a late answer after the message was really sent (the client times out: a duplicate is
  legitimate, Telegram has no idempotency key), or a late error (timeout, nothing sent).
- Matrix: the real app against a real Synapse, through `FaultProxy`, which fails message
  sends at random (seeded): 429 `M_LIMIT_EXCEEDED`, 500, a slow homeserver, an answer lost
  after Synapse stored the event (504 from the "gateway"), or a dropped connection.

Both the outbox (messages the bot sends on its own, retried with backoff by the dispatcher)
and the direct replies (answers to a command, retried a few times by `reply_now`) are covered.
The outbox backoffs (2 s, 4 s, 8 s…) are real time in production; here the app runs on a
`FixedClock` that `skipping_idle_time` moves straight to the next retry whenever nothing is
due, so they cost no wall time while the dispatcher sees messages become due in the same
order. Run with `-s` to see the figures of each run (faults injected, retries, duplicates).

The seeds are fixed and the fault plans are consumed one entry per send, in order, so the
figures are the same at every run. Duplicates are counted and accounted for exactly: a
Telegram answer that came too late (sent, but the bot never knew). On Matrix every send has a
transaction key (the outbox row, or the event answered and the answer's rank), so a send
whose answer was lost is not stored twice. A direct reply that still fails after
REPLY_ATTEMPTS tries is kept and sent later, before the chat's next answers; announcements to
a group chat wait behind a retried one.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from nio import RoomMessageNotice, RoomMessageText, SyncResponse
from sqlalchemy import select

from bot.app import App
from bot.config import parse_config
from bot.core import outbox, requests
from bot.core.clock import FixedClock
from bot.core.notices import AboutRequest, NoticeKind, Released
from bot.core.types import Member
from bot.transports.base import REPLY_ATTEMPTS
from storage.models import OutboxModel
from tests.conftest import START
from tests.fakes.fault_proxy import FaultProxy, SendAttempt
from tests.fakes.synapse import Synapse, synapse_fixture  # noqa: F401
from tests.fakes.telegram_api import CLIENT_CLOSED, FakeBotApi
from tests.helpers import wait_until
from tests.transports.conftest import TOKEN, Running, app_config
from tests.transports.test_matrix import PASSWORD, Network, Person, matrix_config

pytestmark = pytest.mark.slow  # hundreds of messages through random faults, on both networks

NAMES = ("Amina", "Karim", "Sophie", "Claire", "Yanis", "Lucie")
NOTICE = re.compile(r"Relais (\d+) a rendu votre demande")  # the numbered outbox message
REPLY = re.compile(r"demande #(\d+) pour vous")  # the answer to "/demande N" (no such request)

# Telegram. PTB's read timeout (5 s by default, which the transport keeps) is cut to
# READ_TIMEOUT so that an answer LATE seconds late is a client timeout without a long wait.
READ_TIMEOUT = 1.0
LATE = 2.0
TELEGRAM_FAULTS: dict[str, dict[str, Any]] = {
    "ok": {},
    "429": {"status": 429, "retry_after": 1},
    "500": {"status": 500},
    "late": {"delay": LATE},  # sent, but answered after the client gave up → a duplicate
    "timeout": {"status": 500, "delay": LATE},  # nothing sent, the client gave up
}
TELEGRAM_OUTBOX = {"seed": 20261130, "members": 6, "messages": 15}
TELEGRAM_OUTBOX_RATES = {"429": 0.10, "500": 0.08, "late": 0.04, "timeout": 0.03}  # 25 %
TELEGRAM_REPLIES = {"seed": 10, "members": 3, "commands": 5}
TELEGRAM_REPLY_RATES = {"429": 0.12, "500": 0.10, "late": 0.04, "timeout": 0.04}  # 30 %

# Matrix (through FaultProxy; the members' own clients talk to Synapse directly).
MATRIX_OUTBOX = {"seed": 8, "members": 4, "messages": 10}
MATRIX_OUTBOX_RATES = {"429": 0.08, "500": 0.08, "stall": 0.04, "lost": 0.05, "drop": 0.05}
MATRIX_REPLIES = {"seed": 8, "members": 3, "commands": 4}
MATRIX_REPLY_RATES = {"429": 0.10, "500": 0.08, "stall": 0.04, "lost": 0.04, "drop": 0.04}
EVERYTHING = {"room": {"timeline": {"limit": 1000}}}  # a sync filter: no gap in a timeline


# ---------------------------------------------------------------------------------- helpers


def draw_plan(seed: int, rates: Mapping[str, float], count: int) -> list[str]:
    """`count` outcomes drawn with a seeded random: each fault at its rate, else "ok"."""
    rng = random.Random(seed)
    plan = []
    for _ in range(count):
        draw, outcome = rng.random(), "ok"
        for fault, rate in rates.items():
            draw -= rate
            if draw < 0:
                outcome = fault
                break
        plan.append(outcome)
    return plan


def inject_telegram_plan(server: FakeBotApi, plan: Sequence[str]) -> None:
    """Queue one `sendMessage` answer per plan entry ("ok" ones are answered normally)."""
    for outcome in plan:
        server.fail_next("sendMessage", **TELEGRAM_FAULTS[outcome])


def check_in_order(seen: Sequence[int], expected: int, where: str) -> int:
    """Every number 1..expected seen, never going back; returns how many copies were extra."""
    assert list(seen) == sorted(seen), f"{where}: out of order: {list(seen)}"
    assert set(seen) == set(range(1, expected + 1)), f"{where}: missing: {list(seen)}"
    return len(seen) - expected


@dataclass
class TimeSkips:
    """What `skipping_idle_time` did: how often and how far it moved the clock."""

    jumps: int = 0
    skipped: timedelta = field(default_factory=timedelta)


async def next_retry(app: App, now: datetime) -> datetime | None:
    """The earliest retry time when every pending outbox message waits for one, else None.

    Mirrors the dispatcher's eligibility: only the oldest pending message of a recipient (or
    of a chat, for announcements) counts (the later ones wait behind it); one being sent
    (locked) or due means "not idle".
    """
    async with app.db.session() as session:
        rows = (
            await session.execute(
                select(
                    OutboxModel.recipient_id,
                    OutboxModel.target_platform,
                    OutboxModel.target_chat,
                    OutboxModel.not_before,
                    OutboxModel.retry_at,
                    OutboxModel.locked_until,
                )
                .where(OutboxModel.sent_at.is_(None), OutboxModel.failed_at.is_(None))
                .order_by(OutboxModel.id)
            )
        ).all()
    heads: set[object] = set()
    waits: list[datetime] = []
    for recipient_id, platform, chat, not_before, retry_at, locked_until in rows:
        if not_before > now:
            continue
        head = recipient_id if recipient_id is not None else (platform, chat)
        if head in heads:
            continue
        heads.add(head)
        if locked_until is not None and locked_until >= now:
            return None
        if retry_at is None or retry_at <= now:
            return None
        waits.append(retry_at)
    return min(waits, default=None)


@contextlib.asynccontextmanager
async def skipping_idle_time(
    app: App, clock: FixedClock, poll: float = 0.05
) -> AsyncIterator[TimeSkips]:
    """Move `clock` to the next outbox retry whenever the dispatcher has nothing due.

    Backoffs and `retry_after` delays then take no wall time; nothing is ever made due
    earlier than another message that was waiting before it.
    """
    skips = TimeSkips()

    async def keep() -> None:
        while True:
            now = clock.now()
            target = await next_retry(app, now)
            if target is not None and target > now:
                clock.advance(target - now)
                skips.jumps += 1
                skips.skipped += target - now
                if app.dispatcher is not None:
                    app.dispatcher.wake()
            await asyncio.sleep(poll)

    task = asyncio.create_task(keep(), name="skipping idle time")
    try:
        yield skips
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def outbox_settled(app: App, kind: str) -> bool:
    """True once every message of `kind` was delivered; fails at once if one was given up."""
    async with app.services.uow() as uow:
        rows = await uow.outbox.find(kind=kind)
    given_up = [(row.id, row.attempts, row.last_error) for row in rows if row.failed_at]
    assert not given_up, f"outbox messages given up: {given_up}"
    return bool(rows) and all(row.sent_at is not None for row in rows)


async def outbox_attempts(app: App, kind: str) -> int:
    """The attempts (sent or failed sends) recorded for the messages of `kind`."""
    async with app.services.uow() as uow:
        rows = await uow.outbox.find(kind=kind)
    async with app.services.uow() as uow:
        alarms = await uow.outbox.find(kind="delivery_failed")
    assert alarms == [], "coordinators were told a delivery failed"
    return sum(row.attempts for row in rows)


async def queue_numbered_notices(app: App, recipients: Sequence[Member], count: int) -> None:
    """Queue `count` numbered "released" notices for each recipient (number-major order)."""
    services = app.services
    asked = await requests.ask(
        services,
        recipients[0],
        "Une question pour les tests de pannes",
    )
    async with services.uow() as uow:
        for number in range(1, count + 1):
            for member in recipients:
                await outbox.notify(
                    uow,
                    services.clock.now(),
                    member.id,
                    Released(asked.request.id, f"Relais {number:02d}"),
                )
        await uow.commit()
    assert app.dispatcher is not None
    app.dispatcher.wake()


async def member_on(app: App, platform: str, user_id: str) -> Member:
    """The member behind a platform account."""
    async with app.services.uow() as uow:
        member = await uow.members.by_identity(platform, user_id)
    assert member is not None, (platform, user_id)
    return member


# ---------------------------------------------------------------------------------- Telegram


def telegram_numbers(server: FakeBotApi, chat_id: int, pattern: re.Pattern[str]) -> list[int]:
    """The numbers a Telegram chat received, in the order the bot sent them."""
    return [
        int(match.group(1))
        for message in server.sent_messages(chat_id)
        for match in pattern.finditer(message.get("text", ""))
    ]


@dataclass
class TelegramBed:
    """The app running on Telegram, on a clock the test moves."""

    server: FakeBotApi
    running: Running
    clock: FixedClock

    @property
    def app(self) -> App:
        """The application under test."""
        return self.running.app

    async def join(self, count: int) -> list[int]:
        """`count` members join on Telegram; returns their chat ids."""
        chats = [2001 + index for index in range(count)]
        for chat, name in zip(chats, NAMES, strict=False):
            await self.running.join(chat, name)
        return chats


@pytest.fixture
async def telegram_bed(database_url: str) -> AsyncIterator[TelegramBed]:
    async with FakeBotApi(token=TOKEN, username="samu_test_bot") as server:
        settings = {**app_config(database_url, server), "digest": {"enabled": False}}
        settings["telegram"] = {**settings["telegram"], "read_timeout_seconds": READ_TIMEOUT}
        clock = FixedClock(START)
        app = App.build(parse_config(settings, "tests", {}), clock=clock)
        await app.prepare()
        running = Running(app, server)
        try:
            await running.start()
            yield TelegramBed(server, running, clock)
        finally:
            if running.task is not None and not running.task.done():
                await running.stop()
            await app.close()


async def test_telegram_outbox_delivers_everything_in_order_despite_random_faults(
    telegram_bed: TelegramBed,
) -> None:
    bed, server = telegram_bed, telegram_bed.server
    members, count = TELEGRAM_OUTBOX["members"], TELEGRAM_OUTBOX["messages"]
    chats = await bed.join(members)
    recipients = [await member_on(bed.app, "telegram", str(chat)) for chat in chats]
    plan = draw_plan(TELEGRAM_OUTBOX["seed"], TELEGRAM_OUTBOX_RATES, 4 * members * count)
    inject_telegram_plan(server, plan)
    calls_before = len(server.calls_to("sendMessage"))
    started = time.monotonic()
    async with skipping_idle_time(bed.app, bed.clock) as skips:
        await queue_numbered_notices(bed.app, recipients, count)
        await wait_until(lambda: outbox_settled(bed.app, "released"), 60, "outbox delivered")
    elapsed = time.monotonic() - started

    duplicates = sum(
        check_in_order(telegram_numbers(server, chat, NOTICE), count, f"chat {chat}")
        for chat in chats
    )
    calls = server.calls_to("sendMessage")[calls_before:]
    faults = Counter(plan[: len(calls)])  # the plan is consumed one entry per call, in order
    assert len(calls) <= len(plan)
    # Each call is one attempt, except a 429: a rate limit is obeyed, not counted.
    refused = sum(c.response_status == 429 for c in calls)
    assert await outbox_attempts(bed.app, "released") == len(calls) - refused
    assert Counter(c.response_status for c in calls) == {
        200: faults["ok"],
        429: faults["429"],
        500: faults["500"],
        CLIENT_CLOSED: faults["late"] + faults["timeout"],
    }
    # A late answer is the only way to a duplicate: the message was sent, the bot never knew.
    assert duplicates == faults["late"]
    assert set(TELEGRAM_OUTBOX_RATES) <= set(faults), "the seed should exercise every fault"
    retries = len(calls) - members * count
    print(
        f"\n[telegram outbox] {members}×{count} messages, {len(calls)} sendMessage calls, "
        f"faults {dict(faults - Counter(ok=faults['ok']))}, retries {retries}, "
        f"duplicates {duplicates}, clock skipped {skips.skipped.total_seconds():.0f} s "
        f"in {skips.jumps} jumps, {elapsed:.1f} s"
    )


def predict_replies(
    plan: Sequence[str], replies: Sequence[tuple[int, int]]
) -> tuple[dict[int, list[int]], list[tuple[int, int]], int, float]:
    """What `reply_now` makes of a plan when replies are sent one after the other.

    Returns the numbers each chat receives, the replies lost (REPLY_ATTEMPTS failures), the
    number of sendMessage calls and the seconds spent waiting between attempts.
    """
    seen: dict[int, list[int]] = defaultdict(list)
    lost: list[tuple[int, int]] = []
    calls, waited = 0, 0.0
    for chat, number in replies:
        delivered = False
        for attempt in range(REPLY_ATTEMPTS):
            outcome = plan[calls] if calls < len(plan) else "ok"
            calls += 1
            if outcome in ("ok", "late"):
                seen[chat].append(number)
                delivered = True
            if outcome == "ok":
                break
            if outcome in ("late", "timeout"):
                waited += READ_TIMEOUT
            if attempt < REPLY_ATTEMPTS - 1:
                waited += 1.0 if outcome == "429" else 2.0**attempt
        if not delivered:
            lost.append((chat, number))
    return dict(seen), lost, calls, waited


async def test_telegram_direct_replies_arrive_in_order_despite_random_faults(
    telegram_bed: TelegramBed,
) -> None:
    bed, server = telegram_bed, telegram_bed.server
    members, count = TELEGRAM_REPLIES["members"], TELEGRAM_REPLIES["commands"]
    chats = await bed.join(members)
    plan = draw_plan(TELEGRAM_REPLIES["seed"], TELEGRAM_REPLY_RATES, 8 * members * count)
    replies = [(chat, number) for number in range(1, count + 1) for chat in chats]
    # PTB handles updates one at a time, so the plan's entries go to the replies in order.
    expected, lost, calls, waited = predict_replies(plan, replies)
    assert lost == [], f"this seed has a reply fail {lost} times in a row"
    inject_telegram_plan(server, plan)
    calls_before = len(server.calls_to("sendMessage"))
    started = time.monotonic()
    for chat, number in replies:
        server.user_sends(chat, f"/demande {number}", first_name=NAMES[chats.index(chat)])

    def answered() -> bool:
        sent = server.calls_to("sendMessage")[calls_before:]
        return len(sent) >= calls and all(c.response_status for c in sent)

    await wait_until(answered, timeout=30 + 2 * waited)
    elapsed = time.monotonic() - started
    seen = {chat: telegram_numbers(server, chat, REPLY) for chat in chats}
    duplicates = sum(check_in_order(seen[chat], count, f"chat {chat}") for chat in chats)
    assert seen == expected
    assert len(server.calls_to("sendMessage")) - calls_before == calls
    faults = Counter(plan[:calls])
    assert duplicates == faults["late"]
    assert set(TELEGRAM_REPLY_RATES) <= set(faults), "the seed should exercise every fault"
    print(
        f"\n[telegram replies] {members}×{count} replies, {calls} sendMessage calls, "
        f"faults {dict(faults - Counter(ok=faults['ok']))}, duplicates {duplicates}, "
        f"waited between attempts {waited:.0f} s, {elapsed:.1f} s"
    )


async def test_telegram_direct_reply_survives_four_failures_in_a_row(
    telegram_bed: TelegramBed,
) -> None:
    bed, server = telegram_bed, telegram_bed.server
    [chat] = await bed.join(1)
    for _ in range(REPLY_ATTEMPTS):
        server.fail_next("sendMessage", status=429, retry_after=1)
    before = len(server.sent_messages(chat))
    server.user_sends(chat, "/demande 1", first_name=NAMES[0])
    server.user_sends(chat, "/demande 2", first_name=NAMES[0])
    await bed.running.wait_text(chat, "demande #2", after=before, timeout=20)
    assert telegram_numbers(server, chat, REPLY) == [1, 2]


async def test_telegram_announcements_to_a_group_keep_their_order_despite_a_fault(
    telegram_bed: TelegramBed,
) -> None:
    bed, server, services = telegram_bed, telegram_bed.server, telegram_bed.app.services
    [chat] = await bed.join(1)
    author = await member_on(bed.app, "telegram", str(chat))
    group = -1001234567890
    server.known_chats.add(group)
    numbers = []
    for text in ("Première question de test", "Deuxième question de test"):
        asked = await requests.ask(services, author, text)
        numbers.append(asked.request.id)
    server.fail_next("sendMessage", status=500)  # the first announcement's first try
    async with skipping_idle_time(bed.app, bed.clock):
        async with services.uow() as uow:
            for request_id in numbers:
                await outbox.announce(
                    uow,
                    services.clock.now(),
                    (("telegram", str(group)),),
                    AboutRequest(NoticeKind.ANNOUNCE_REQUEST, request_id),
                    dedup_prefix=f"announce:{request_id}",
                )
            await uow.commit()
        assert bed.app.dispatcher is not None
        bed.app.dispatcher.wake()
        await wait_until(lambda: outbox_settled(bed.app, "announce_request"), 30, "announced")
    seen = telegram_numbers(server, group, re.compile(r"attend quelqu'un : #(\d+)"))
    assert seen == numbers


# ---------------------------------------------------------------------------------- Matrix


@dataclass
class MatrixBed:
    """The app running on Matrix through the fault proxy, on a clock the test moves."""

    network: Network
    proxy: FaultProxy
    clock: FixedClock

    @property
    def app(self) -> App:
        """The application under test."""
        return self.network.app

    async def join(self, count: int) -> list[Person]:
        """`count` members join in direct chats with the bot (no faults meanwhile)."""
        return [await self.network.join(name) for name in NAMES[:count]]


@pytest.fixture
async def matrix_bed(
    synapse: Synapse, database_url: str, tmp_path: Path
) -> AsyncIterator[MatrixBed]:
    bot = await synapse.register(f"samu-{uuid.uuid4().hex[:6]}", PASSWORD)
    async with FaultProxy(synapse.url, retry_after_ms=300, stall_seconds=0.3) as proxy:
        settings = matrix_config(
            database_url,
            synapse,
            bot,
            tmp_path / "bot-store",
            matrix={"encryption": False, "homeserver": proxy.url},
            digest={"enabled": False},
        )
        clock = FixedClock(START)
        app = App.build(parse_config(settings, "tests", {}), clock=clock)
        await app.prepare()
        network = Network(synapse, app, bot, tmp_path)
        try:
            await network.start()
            yield MatrixBed(network, proxy, clock)
        finally:
            if network.task is not None and not network.task.done():
                await network.stop()
            for person in network.people:
                await person.client.close()
            await app.close()


async def read_room(person: Person, bot: str, pattern: re.Pattern[str]) -> list[int]:
    """Sync once (no gap) and return the numbers the bot has said in the room, in order."""
    response = await person.client.sync(timeout=0, sync_filter=EVERYTHING)
    assert isinstance(response, SyncResponse), response
    for room_id, room in response.rooms.join.items():
        assert not room.timeline.limited, f"{room_id}: the sync skipped events"
        person.seen.extend(room.timeline.events)
    return [
        int(match.group(1))
        for event in person.seen
        if isinstance(event, (RoomMessageNotice, RoomMessageText)) and event.sender == bot
        for match in pattern.finditer(event.body)
    ]


def copies_stored(sends: Sequence[SendAttempt]) -> int:
    """Events Synapse stored: one per transaction id that reached it (it deduplicates)."""
    return len({send.txn_id for send in sends if send.forwarded})


def fault_figures(sends: Sequence[SendAttempt]) -> dict[str, int]:
    """How many sends got each fault."""
    return dict(Counter(send.outcome for send in sends if send.outcome != "forward"))


async def test_matrix_outbox_delivers_everything_in_order_despite_random_faults(
    matrix_bed: MatrixBed,
) -> None:
    bed, proxy = matrix_bed, matrix_bed.proxy
    members, count = MATRIX_OUTBOX["members"], MATRIX_OUTBOX["messages"]
    people = await bed.join(members)
    recipients = [await member_on(bed.app, "matrix", p.client.user_id) for p in people]
    before = [await read_room(person, bed.network.bot, NOTICE) for person in people]
    assert before == [[]] * members
    proxy.rates = dict(MATRIX_OUTBOX_RATES)
    proxy.reseed(MATRIX_OUTBOX["seed"])
    first_send = len(proxy.sends)
    started = time.monotonic()
    async with skipping_idle_time(bed.app, bed.clock) as skips:
        await queue_numbered_notices(bed.app, recipients, count)
        await wait_until(lambda: outbox_settled(bed.app, "released"), 60, "outbox delivered")
    elapsed = time.monotonic() - started
    proxy.rates = {}
    sends = proxy.sends[first_send:]

    duplicates = 0
    for person in people:
        seen = await read_room(person, bed.network.bot, NOTICE)
        duplicates += check_in_order(seen, count, person.client.user_id)
    faults = Counter(send.outcome for send in sends)
    attempts = await outbox_attempts(bed.app, "released")
    # Each 500 or lost answer is one failed attempt of the dispatcher (a 429 is obeyed, not
    # counted); a dropped connection is retried inside the HTTP stack (aiohttp, then nio)
    # with the same request.
    assert attempts == members * count + faults["500"] + faults["lost"]
    # The dispatcher gives each message one transaction id for all its attempts, so Synapse
    # keeps one event per message even when it stored an attempt whose answer was lost.
    assert len({send.txn_id for send in sends}) == members * count
    assert copies_stored(sends) == members * count
    assert duplicates == 0
    assert set(MATRIX_OUTBOX_RATES) <= set(faults), "the seed should exercise every fault"
    print(
        f"\n[matrix outbox] {members}×{count} messages, {len(sends)} sends, "
        f"{attempts} attempts (retries {attempts - members * count}), "
        f"faults {fault_figures(sends)}, duplicates {duplicates}, clock skipped "
        f"{skips.skipped.total_seconds():.0f} s in {skips.jumps} jumps, {elapsed:.1f} s"
    )


async def test_matrix_direct_replies_arrive_in_order_despite_random_faults(
    matrix_bed: MatrixBed,
) -> None:
    bed, proxy = matrix_bed, matrix_bed.proxy
    members, count = MATRIX_REPLIES["members"], MATRIX_REPLIES["commands"]
    people = await bed.join(members)
    proxy.rates = dict(MATRIX_REPLY_RATES)
    proxy.reseed(MATRIX_REPLIES["seed"])
    first_send = len(proxy.sends)
    started = time.monotonic()
    for number in range(1, count + 1):
        for person in people:
            await person.say(f"!demande {number}")
    seen: dict[str, list[int]] = {}

    async def all_answered() -> bool:
        """Every number seen, and the bot is done: its last send was stored and answered
        (commands are handled one at a time, so a reply still being retried would show)."""
        for person in people:
            seen[person.client.user_id] = await read_room(person, bed.network.bot, REPLY)
        sends = proxy.sends[first_send:]
        return (
            all(set(numbers) >= set(range(1, count + 1)) for numbers in seen.values())
            and all(send.done for send in sends)
            and sends[-1].status == 200
            and sum(map(len, seen.values())) == copies_stored(sends)
        )

    await wait_until(all_answered, 60, "every command answered")
    elapsed = time.monotonic() - started
    proxy.rates = {}
    sends = proxy.sends[first_send:]
    duplicates = sum(check_in_order(numbers, count, user) for user, numbers in seen.items())
    # Each answer keeps one transaction id over its attempts: Synapse stores it once.
    assert duplicates == 0
    assert members * count == copies_stored(sends)
    assert set(MATRIX_REPLY_RATES) <= set(fault_figures(sends)), "every fault exercised"
    print(
        f"\n[matrix replies] {members}×{count} replies, {len(sends)} sends, "
        f"faults {fault_figures(sends)}, duplicates {duplicates}, {elapsed:.1f} s"
    )
