"""Real `samu run` processes for the resilience tests: configure, start, kill, inspect.

Each worker is the installed `samu` command in its own process (so SIGKILL is a real crash),
talking to the loopback Bot API server of the test process and to a real database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.config import parse_config
from bot.core.clock import SystemClock
from bot.core.outbox import MAX_ATTEMPTS
from bot.core.types import Role
from skills import SkillLevel
from storage.db import Database
from storage.models import HelpRequestModel, OfferModel, OutboxModel, ProcessedEventModel
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import wait_until

TOKEN = "123456:SOAK"
SAMU = Path(sys.executable).with_name("samu")

# A `samu run` started ahead of time: it imports the bot and its libraries (the second or so
# of CPU of every start), then waits for one line on its standard input before running. The
# line is read byte by byte, so nothing typed after it is taken from the terminal chat.
WARM_START = """
import os, sys
import bot.app, bot.cli, bot.transports.console, bot.transports.telegram
import bot.chat.router, bot.chat.commands
line = b""
while not line.endswith(b"\\n"):
    byte = os.read(0, 1)
    if not byte:
        sys.exit(0)
    line += byte
sys.argv = ["samu", "run"]
sys.exit(bot.cli.main())
"""


def worker_config(
    path: Path,
    database_url: str,
    server: FakeBotApi,
    *,
    console: bool = True,
    matrix: dict[str, Any] | None = None,
    **telegram: Any,
) -> dict[str, Any]:
    """Write a configuration for a worker and return it (also validated here)."""
    data: dict[str, Any] = {
        "database": {"url": database_url},
        # Offers go out whatever the hour or the day the tests run.
        "requests": {
            "quiet_hours": "00:00-00:00",
            "quiet_weekends": False,
            "check_every_seconds": 1,
        },
        "workers": {
            "heartbeat_seconds": 0.3,
            "takeover_seconds": 1.5,
            "election_seconds": 0.5,
            # Next to the worker's configuration: a restarted worker finds what it kept.
            "kept_dir": str(path.parent / f"kept-{path.stem}"),
        },
        "console": {"enabled": console, "persona": "Console"},
        "telegram": {
            "enabled": True,
            "token": TOKEN,
            "base_url": server.base_url,
            "private_interval": 0,
            **telegram,
        },
    }
    if matrix is not None:
        data["matrix"] = {"enabled": True, **matrix}
    parse_config(data, str(path), {})
    lines: list[str] = []
    for section, values in data.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {_toml(value)}" for key, value in values.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Worker:
    """One `samu run` process; its log lines are collected as they come."""

    config: Path
    name: str = "worker"
    process: asyncio.subprocess.Process | None = None
    lines: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)  # every run's log, for failure reports
    # Start from a process spawned beforehand that has imported the bot (`WARM_START`).
    warm: bool = False
    _reader: asyncio.Task[None] | None = None
    _spare: asyncio.subprocess.Process | None = None

    async def start(self, *, timeout: float = 30.0) -> None:
        """Start `samu run` and return once it logged that it is ready. With `warm`, the
        process is one spawned earlier that has already imported the bot (`WARM_START`),
        and the next one is spawned once this one is ready."""
        self.lines.clear()
        if self.warm:
            self.process, self._spare = self._spare or await self._spawn(warm=True), None
            assert self.process.stdin is not None
            self.process.stdin.write(b"go\n")
        else:
            self.process = await self._spawn(warm=False)
        self._reader = asyncio.create_task(self._read(self.process))
        await wait_until(
            lambda: any("ready:" in line for line in self.lines), timeout, self.describe
        )
        if self.warm:
            self._spare = await self._spawn(warm=True)

    async def _spawn(self, *, warm: bool) -> asyncio.subprocess.Process:
        env = {**os.environ, "SAMU_LOG_LEVEL": "INFO", "SAMU_CONFIG": str(self.config)}
        command = [sys.executable, "-c", WARM_START] if warm else [str(SAMU), "run"]
        return await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )

    async def close(self) -> None:
        """Kill the running process and the spare, if any."""
        await self.kill()
        spare, self._spare = self._spare, None
        if spare is not None:
            with contextlib.suppress(ProcessLookupError):
                spare.kill()
            await asyncio.wait_for(spare.wait(), timeout=30)

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode("utf-8", errors="replace").rstrip()
            self.lines.append(line)
            self.history.append(f"[{process.pid}] {line}")

    def write_line(self, line: str) -> None:
        """Type a line in the worker's terminal chat."""
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")

    def describe(self) -> str:
        """The end of the worker's log, for failure messages."""
        return f"{self.name} log:\n" + "\n".join(self.lines[-40:])

    async def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, like a power cut of the process."""
        await self._end(signal.SIGKILL)

    async def stop(self) -> None:
        """SIGTERM: the clean stop of `samu run`."""
        await self._end(signal.SIGTERM)

    async def _end(self, how: signal.Signals) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(how)
        await asyncio.wait_for(process.wait(), timeout=30)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, timeout=5)
        if process.stdin is not None:
            process.stdin.close()


async def wait_drained(
    database_url: str, timeout: float, describe: Callable[[], str]
) -> OutboxState:
    """Wait until every outbox row is settled and every event finished; return that state."""
    last: list[OutboxState] = []

    async def drained() -> bool:
        last[:] = [await outbox_state(database_url)]
        return last[0].pending == 0 and last[0].unfinished_events == 0

    await wait_until(drained, timeout, lambda: f"{last}\n{describe()}", every=0.2)
    return last[0]


async def add_members(
    database_url: str, user_ids: list[int], skill: str = "ameli"
) -> dict[int, int]:
    """Members with a Telegram identity each and `skill`; returns member id by user id."""
    db = Database.from_url(database_url)
    now = SystemClock().now()
    found: dict[int, int] = {}
    try:
        async with db.uow() as uow:
            declared = await uow.skills.by_slug(skill)
            assert declared is not None, "the taxonomy is synced by App.prepare()"
            for user_id in user_ids:
                member = await uow.members.add(
                    display_name=f"Membre {user_id}",
                    role=Role.MEMBER,
                    locale="fr",
                    structure_id=None,
                    now=now,
                )
                await uow.members.add_identity(
                    member_id=member.id,
                    platform="telegram",
                    platform_user_id=str(user_id),
                    chat_id=str(user_id),
                    now=now,
                )
                await uow.skills.set_level(
                    member_id=member.id, skill_id=declared.id, level=SkillLevel.PRACTISING, now=now
                )
                found[user_id] = member.id
            await uow.commit()
    finally:
        await db.dispose()
    return found


@dataclass(frozen=True)
class OutboxState:
    """The outbox and event records as the database holds them."""

    pending: int  # still to be delivered (kept rows, below, are not counted)
    in_flight: frozenset[int]  # a send began and its outcome was never recorded
    sent_refs: dict[tuple[str, str], int]  # (chat, platform message id) → the row that sent it
    unfinished_events: int
    # Undeliverable for now (e.g. "chat not found" for a member who never opened the bot):
    # kept with their reason and tried again every hour, the coordinators told.
    kept: int = 0


async def outbox_state(database_url: str) -> OutboxState:
    """Read the outbox (from the test process, between or after runs)."""
    db = Database.from_url(database_url)
    try:
        async with db.session() as session:
            rows = list(await session.scalars(select(OutboxModel)))
            unfinished = list(
                await session.scalars(
                    select(ProcessedEventModel.event_id).where(
                        ProcessedEventModel.handled_at.is_(None)
                    )
                )
            )
    finally:
        await db.dispose()
    sent_refs: dict[tuple[str, str], int] = {}
    for row in sorted(rows, key=lambda r: r.id):
        if row.sent_at is not None and row.platform == "telegram":
            # An edit records the reference of the message it edits: keep the first row.
            sent_refs.setdefault((row.chat_id or "", row.delivery_ref or ""), row.id)
    waiting = [r for r in rows if r.sent_at is None and r.failed_at is None]
    return OutboxState(
        pending=sum(1 for r in waiting if r.attempts < MAX_ATTEMPTS),
        kept=sum(1 for r in waiting if r.attempts >= MAX_ATTEMPTS),
        in_flight=frozenset(r.id for r in rows if r.attempted_at is not None and r.sent_at is None),
        sent_refs=sent_refs,
        unfinished_events=len(unfinished),
    )


def offers_seen_by(server: FakeBotApi, user: int) -> list[tuple[int, str]]:
    """(message id, "/prendre N") of the offers in a member's chat that still have buttons."""
    found = []
    for message in server.sent_messages(user):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data", "")
                if data.startswith("/prendre"):
                    found.append((message["message_id"], data))
    return found


def telegram_sends(server: FakeBotApi) -> list[tuple[str, str, str, int]]:
    """Every message the server accepted: (chat, text, buttons, message id)."""
    accepted = []
    for call in server.calls_to("sendMessage"):
        if call.response_status != 200 or call.response is None:
            continue
        markup = call.params.get("reply_markup") or ""
        if not isinstance(markup, str):
            markup = json.dumps(markup, sort_keys=True)
        result = call.response["result"]
        accepted.append(
            (str(call.params["chat_id"]), str(call.params["text"]), markup, result["message_id"])
        )
    return accepted


async def requests_and_offers(
    database_url: str,
) -> tuple[list[HelpRequestModel], list[OfferModel]]:
    """Every request and offer in the database."""
    db = Database.from_url(database_url)
    try:
        async with db.session() as session:
            requests = list(await session.scalars(select(HelpRequestModel)))
            offers = list(await session.scalars(select(OfferModel)))
    finally:
        await db.dispose()
    return requests, offers


async def prepare(database_url: str) -> None:
    """Sync the taxonomy into a migrated database (what `samu run` checks at start)."""
    app = App.build(parse_config({"database": {"url": database_url}}, "soak", {}))
    try:
        await app.prepare()
    finally:
        await app.close()


def repeated_deliveries(
    accepted: list[tuple[str, str, str, int]], state: OutboxState, in_flight: Counter[int]
) -> int:
    """How many messages a chat got more often than outbox rows record them.

    Each repeat must belong to a row whose send a kill interrupted (Telegram has no
    idempotent send), at most once per kill that caught it (`in_flight` counts them); any
    other repeat fails the test.
    """
    sends_by_content = Counter((chat, text, markup) for chat, text, markup, _ in accepted)
    rows_by_content: dict[tuple[str, str, str], list[int]] = {}
    for chat, text, markup, message_id in accepted:
        row = state.sent_refs.get((chat, str(message_id)))
        if row is not None:
            rows_by_content.setdefault((chat, text, markup), []).append(row)
    repeats = 0
    for content, rows in rows_by_content.items():
        extra = sends_by_content[content] - len(rows)
        if extra > 0:
            caught = sum(in_flight[row] for row in set(rows))
            assert caught >= extra, (content, rows, caught)
            repeats += extra
    return repeats
