"""Footprint of `samu run`: time to ready, resident memory after start and after an hour of traffic.

The real command runs as a subprocess, `SAMU_LOG_LEVEL=INFO .venv/bin/samu run --config FILE`
(the `samu` of the venv running the bench, with this checkout's folder first on PYTHONPATH so
that it runs this checkout's code even when the venv's editable install points elsewhere),
with the three transports on: the terminal (standard input a pipe kept open), Telegram (the
loopback Bot API server of `tests/fakes/telegram_api.py`, run in this process, enforcing
Telegram's limits) and Matrix (a real Synapse on 127.0.0.1, installed by the test harness; the
bot's account registered, end-to-end encryption on as by default). The database is prepared
beforehand, not counted: `samu db upgrade`, then a network written into it (members with a
Telegram identity and skills, published tutorials, an invitation code, a session in 60 days,
outside the announcement window).

1. Time to ready: from spawning the process to the line `INFO bot.app: ready: console,
   telegram, matrix` on its standard error (App.run logs it once every enabled transport
   receives messages). `--starts` runs: the first logs in to Matrix and does its first full
   sync; the next ones resume the stored session, as a restart does. VmRSS and VmHWM
   (/proc/PID/status) when ready and `--settle` seconds later, and the CPU time the process
   used until ready (user + sys, /proc/PID/stat: it moves less than the wall time when other
   work shares the machine).
0. Before that (and alone with `--cli-only`, which needs no Synapse): the CPU time (user +
   sys of the child, from the kernel's rusage, median of `--cli-runs` runs) and peak RSS of
   `samu --help` and of `samu invite list` on a fresh SQLite database (`samu db upgrade`
   first, not counted), run from a folder without configuration; and the resident memory
   Babel's date data adds at the first date formatted (French, then English).
2. An hour-equivalent of traffic through Telegram, compressed: what a regional network of
   1,000 members sends in a busy hour (see HOUR), `--hours` times, `--concurrency` people at
   once, each waiting for the bot's answer before the next message and reading `--think`
   seconds before pressing a button. VmRSS is sampled every `--sample-every` incoming
   updates; the series is printed with the growth in the first and the second half. The 429s
   the loopback server answered are counted, by what the bot had just sent to the chat.

Memory is printed in MB (10^6 bytes; /proc gives KiB). Targets (issue 20): ≤ 110 MB resident
after start, ≤ 1.2 s to ready (≤ 120 MB after the traffic), `samu --help` ≤ 0.4 s of CPU,
other non-running subcommands < 0.5 s of CPU.

`--python-optimize 2` starts `samu run` as the systemd unit of docs/deploy.md does
(PYTHONOPTIMIZE=2: no docstrings, no asserts).

Run: .venv/bin/python bench/footprint_bench.py [--members 1000] [--hours 1] [--starts 3]
     [--python-optimize 2] [--concurrency 6] [--think 1.5] [--sample-every 25]
     [--database-url postgresql://…]
     .venv/bin/python bench/footprint_bench.py --cli-only [--cli-runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text

from bench.common import chunks, database, print_machine, table
from bench.search_bench import synthesise
from bot.app import App
from bot.config import load_config
from bot.core import invites, sessions
from bot.core.tutorials import skills_text
from bot.core.types import Role, TutorialStatus
from storage.models import IdentityModel, MemberModel, MemberSkillModel
from tests.fakes.synapse import Synapse, synapse_python
from tests.fakes.telegram_api import Call, FakeBotApi

ROOT = Path(__file__).resolve().parents[1]
SAMU = Path(sys.executable).with_name("samu")  # the samu of the venv running this bench

CORPUS = tomllib.loads((ROOT / "tests" / "data" / "tutorial_corpus.toml").read_text("utf-8"))
TOKEN = "123456:BENCH"
PASSWORD = "correct horse battery staple"
CHAT_BASE = 20_000_000  # Telegram chat id of member n: CHAT_BASE + n
NEWCOMER_BASE = 30_000_000  # people who join during the traffic
STRUCTURES = ["Mission locale", "EPN Résoudre", "France services Nord", "CCAS Sud"]
READY = re.compile(r"\bbot\.app: ready: (.*)$")
SENDS = frozenset({"sendmessage", "senddocument", "editmessagetext"})
WAIT = 30.0  # seconds a person waits for an answer before giving up on a flow
KIB = 1024  # /proc/PID/status and ru_maxrss count in KiB; printed in MB (10^6 bytes)

# A busy hour of a regional network of 1,000 members (about two requests per member a month,
# ~95 a working day, twice the hourly average at the peak): full request flows, from /demande
# to the author's thanks, and the commands people type around them. Incoming updates per flow:
# /demande, (post anyway), take, (a decline one time in two), 2 × 2 relayed replies, /resolu,
# two write-up answers, keep the title, confirm with thanks: about 12.
HOUR = {
    "request": 25,
    "tuto": 60,
    "mesdemandes": 30,
    "competences": 10,
    "aide": 10,
    "agenda": 5,
    "profil": 5,
    "join": 3,  # /start CODE, /annuler, /competences ajouter …
    "console": 4,  # lines typed in the terminal transport
}


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a `samu` child: this checkout's code first on its path.

    The venv's `samu` script only runs `bot.cli.main`; with an editable install it would
    import the checkout the venv was installed from (e.g. /work/main), not the one this
    bench is in (a git worktree). The folder of this bench's code goes first on PYTHONPATH,
    so the process measured runs the same code as the bench that seeds its database.
    """
    path = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(path)), **extra}


# --- The process --------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + sys) a running process used so far, from /proc/PID/stat: less
    sensitive than the wall time to what else runs on the machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def memory(pid: int) -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon, RssFile of a process, in KiB."""
    values = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                values[key] = int(rest.split()[0])
    return values


@dataclass
class Samu:
    """One `samu run` process, its standard error read line by line as it comes."""

    config: Path
    optimize: int = 0  # PYTHONOPTIMIZE of the process (2 in the systemd unit of docs/deploy.md)
    process: asyncio.subprocess.Process | None = None
    spawned: float = 0.0
    ready_after: float | None = None
    ready_line: str = ""
    lines: list[tuple[float, str]] = field(default_factory=list)
    console_lines: int = 0
    _ready: asyncio.Event = field(default_factory=asyncio.Event)
    _readers: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self) -> None:
        env = child_env(SAMU_LOG_LEVEL="INFO", PYTHONOPTIMIZE=str(self.optimize))
        self.spawned = time.perf_counter()
        self.process = await asyncio.create_subprocess_exec(
            str(SAMU),
            "run",
            "--config",
            str(self.config),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=self.config.parent,
            env=env,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            asyncio.create_task(self._read_errors(self.process.stderr)),
            asyncio.create_task(self._read_console(self.process.stdout)),
        ]

    async def _read_errors(self, stream: asyncio.StreamReader) -> None:
        while raw := await stream.readline():
            now = time.perf_counter()
            line = raw.decode(errors="replace").rstrip()
            self.lines.append((now - self.spawned, line))
            found = READY.search(line)
            if found and not self._ready.is_set():
                self.ready_after, self.ready_line = now - self.spawned, found.group(1)
                self._ready.set()

    async def _read_console(self, stream: asyncio.StreamReader) -> None:
        while await stream.readline():
            self.console_lines += 1

    async def wait_ready(self, within: float = 90.0) -> float:
        assert self.process is not None
        waiter = asyncio.create_task(self._ready.wait())
        ended = asyncio.create_task(self.process.wait())
        done, _ = await asyncio.wait({waiter, ended}, timeout=within, return_when="FIRST_COMPLETED")
        waiter.cancel()
        ended.cancel()
        if self.ready_after is None:
            tail = "\n".join(line for _, line in self.lines[-15:])
            state = "exited" if ended in done else f"not ready after {within:.0f} s"
            raise RuntimeError(f"samu run {state}:\n{tail}")
        return self.ready_after

    def type(self, line: str) -> None:
        """A line typed in the terminal transport."""
        assert self.process is not None and self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")

    async def stop(self) -> tuple[float, int | None]:
        """SIGTERM with the terminal's input still open; (seconds to exit, exit code).

        If the process is still there after 10 s, its standard input is closed (what a person
        would do with Ctrl-D), then it is killed after 10 s more.
        """
        assert self.process is not None and self.process.stdin is not None
        started = time.perf_counter()
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 10)
        except TimeoutError:
            self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        for reader in self._readers:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(reader, 5)
        return time.perf_counter() - started, self.process.returncode

    def problems(self) -> list[str]:
        return [line for _, line in self.lines if line.startswith(("WARNING", "ERROR"))]


@dataclass(frozen=True)
class CliRun:
    """CPU seconds (user + sys) and peak RSS (KiB) of one `samu` command, median of runs."""

    command: str
    cpu: float
    peak_kib: int
    target: str


# The peak RSS is read by the process itself (VmHWM belongs to the memory of the program
# exec'd; rusage's ru_maxrss would carry the forking bench's own peak across the exec).
PEAK_PROBE = """
import atexit, runpy, sys
from pathlib import Path

def peak():
    lines = Path("/proc/self/status").read_text().splitlines()
    print(next(l.split()[1] for l in lines if l.startswith("VmHWM:")), file=sys.stderr)

atexit.register(peak)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _samu(command: list[str], cwd: Path) -> tuple[float, str]:
    """CPU seconds (user + sys, the child's rusage) and standard error of one run."""
    child = subprocess.Popen(
        command,
        cwd=cwd,
        env={k: v for k, v in child_env().items() if not k.startswith("SAMU_")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {child.returncode}: {errors}")
    return usage.ru_utime + usage.ru_stime, errors


def time_command(args: list[str], cwd: Path, runs: int) -> tuple[float, int]:
    """Median CPU seconds of `samu ARGS` over runs, and its peak RSS (KiB) in one more run."""
    cpu = [_samu([str(SAMU), *args], cwd)[0] for _ in range(runs)]
    _, errors = _samu([sys.executable, "-c", PEAK_PROBE, str(SAMU), *args], cwd)
    return statistics.median(cpu), int(errors.split()[-1])


BABEL_PROBE = """
import sys
from datetime import date, timedelta
from pathlib import Path

def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

import babel.dates  # noqa: E402
before = rss()
babel.dates.format_date(date(2026, 3, 5), "EEEE d MMMM", locale="fr")
babel.dates.format_timedelta(timedelta(days=3), locale="fr")
french = rss()
babel.dates.format_date(date(2026, 3, 5), "EEEE d MMMM", locale="en")
print(before, french, rss())
"""


def babel_date_data() -> tuple[int, int]:
    """KiB of resident memory the first French date (then the first English one) adds."""
    done = subprocess.run(
        [sys.executable, "-c", BABEL_PROBE], capture_output=True, text=True, check=True
    )
    before, french, english = (int(v) for v in done.stdout.split())
    return french - before, english - french


def cli_figures(runs: int) -> list[CliRun]:
    """The `samu` commands that do not run the bot, from a folder without configuration."""
    with tempfile.TemporaryDirectory(prefix="samu-cli-") as tmp:
        folder = Path(tmp)
        help_cpu, help_peak = time_command(["--help"], folder, runs)
        time_command(["db", "upgrade"], folder, 1)  # the fresh database, not counted
        list_cpu, list_peak = time_command(["invite", "list"], folder, runs)
    return [
        CliRun("`samu --help`", help_cpu, help_peak, "≤ 0.4 s"),
        CliRun("`samu invite list` (fresh SQLite)", list_cpu, list_peak, "< 0.5 s"),
    ]


def print_cli_figures(runs: int) -> None:
    print(f"CLI commands from a folder without configuration (median of {runs} runs):")
    print()
    print("| command | CPU (user + sys) | target | peak RSS |")
    print("|---|---:|---|---:|")
    for figure in cli_figures(runs):
        peak = mb(figure.peak_kib)
        print(f"| {figure.command} | {figure.cpu:.2f} s | {figure.target} | {peak} |")
    french, english = babel_date_data()
    print()
    print(
        f"Babel's date data: +{mb(french)} resident at the first French date formatted, "
        f"+{mb(english)} more at the first English one (loaded then, not at start)",
        flush=True,
    )
    print()


# --- The network --------------------------------------------------------------------------


def write_config(folder: Path, url: str, server: FakeBotApi, synapse: Synapse, bot: str) -> Path:
    """The TOML file `samu run` reads: console, Telegram and Matrix on."""

    def value(item: Any) -> str:
        return json.dumps(item, ensure_ascii=False)  # a JSON string or list is valid TOML

    sections: dict[str, dict[str, Any]] = {
        "database": {"url": url},
        "network": {"structures": STRUCTURES},
        "requests": {"quiet_hours": "00:00-00:00", "quiet_weekends": False},
        "console": {"enabled": True, "persona": "Console"},
        "telegram": {"enabled": True, "token": TOKEN, "base_url": server.base_url},
        "matrix": {
            "enabled": True,
            "homeserver": synapse.url,
            "user_id": bot,
            "password": PASSWORD,
            "store_path": str(folder / "matrix-store"),
        },
    }
    text = "\n".join(
        f"[{name}]\n" + "".join(f"{key} = {value(item)}\n" for key, item in body.items())
        for name, body in sections.items()
    )
    path = folder / "samu.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def upgrade_database(config: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        str(SAMU),
        "db",
        "upgrade",
        "--config",
        str(config),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=config.parent,
        env=child_env(),
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"samu db upgrade failed:\n{out.decode(errors='replace')}")


@dataclass
class Network:
    members: list[int]  # Telegram chat ids of the members
    invite: str
    tutorials: int
    queries: list[str]
    requests: list[str]


def corpus_skills() -> tuple[list[str], list[float]]:
    """The skills of the corpus, weighted by how often its tutorials need them."""
    counts = Counter(slug for item in CORPUS["tutorial"] for slug in item["skills"])
    slugs = sorted(counts, key=lambda s: (-counts[s], s))
    return slugs, [float(counts[s]) for s in slugs]


async def seed(config: Path, members: int, tutorials: int, rng: random.Random) -> Network:
    """Members with a Telegram identity and skills, tutorials, an invitation, a session."""
    app = App.build(load_config(str(config)))
    try:
        await app.prepare()
        services = app.services
        now = services.clock.now()
        slugs, weights = corpus_skills()
        async with services.uow() as uow:
            ids = {slug: row.id for slug, row in (await uow.skills.by_slugs(slugs)).items()}
            structures = [s.id for s in await uow.structures.list_all()]
            slugs = [s for s in slugs if s in ids]
            weights = weights[: len(slugs)]
            member_rows, identity_rows, skill_rows = [], [], []
            for n in range(1, members + 1):
                joined = now - timedelta(days=rng.uniform(30, 700))
                member_rows.append(
                    {
                        "id": n,
                        "display_name": f"Membre {n}",
                        "structure_id": rng.choice(structures),
                        "role": "coordinator" if n <= 2 else "member",
                        "locale": "fr",
                        "status": "active",
                        "created_at": joined,
                        "updated_at": joined,
                    }
                )
                chat = str(CHAT_BASE + n)
                identity_rows.append(
                    {
                        "member_id": n,
                        "platform": "telegram",
                        "platform_user_id": chat,
                        "chat_id": chat,
                        "preferred": True,
                        "created_at": joined,
                    }
                )
                chosen: set[str] = set()
                while len(chosen) < rng.randint(2, 5):
                    chosen.add(rng.choices(slugs, weights)[0])
                skill_rows += [
                    {
                        "member_id": n,
                        "skill_id": ids[slug],
                        "level": rng.choice(["discovering", "practising", "teaching"]),
                        "created_at": joined,
                        "updated_at": joined,
                    }
                    for slug in sorted(chosen)
                ]
            for model, rows in (
                (MemberModel, member_rows),
                (IdentityModel, identity_rows),
                (MemberSkillModel, skill_rows),
            ):
                for part in chunks(rows, 5000):
                    await uow.session.execute(insert(table(model)), list(part))
            if app.db.dialect == "postgresql":  # explicit ids: move the sequence past them
                await uow.session.execute(
                    text("SELECT setval(pg_get_serial_sequence('members', 'id'), :last)"),
                    {"last": members},
                )
            await uow.commit()
        entries = synthesise(tutorials, seed=7)
        async with services.uow() as uow:
            known = await uow.skills.by_slugs(sorted({s for e in entries for s in e.skills}))
            for entry in entries:
                await uow.tutorials.add(
                    request_id=None,
                    author_id=None,
                    title=entry.title,
                    problem=entry.problem,
                    steps=entry.steps,
                    skill_ids=[known[s].id for s in entry.skills if s in known],
                    themes=entry.themes,
                    skills_text=skills_text(services.matcher, entry.skills),
                    language=entry.language,
                    now=now,
                    status=TutorialStatus.PUBLISHED,
                )
            await uow.commit()
        invite = await invites.create_invite(
            services, role=Role.MEMBER, structure_name=STRUCTURES[0], uses=500
        )
        day = (now + timedelta(days=60)).astimezone(ZoneInfo("Europe/Paris"))
        start = datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo("Europe/Paris"))
        await sessions.create(
            services,
            start=start,
            end=start + timedelta(hours=3),
            place=STRUCTURES[0],
            agenda="Tour de table",
        )
    finally:
        await app.close()
    fr = [item for item in CORPUS["tutorial"] if item["language"] == "fr"]
    queries = [" ".join(item["title"].split()[:3]) for item in fr]
    texts = [" ".join(item["problem"].split()) for item in fr]
    return Network(
        members=[CHAT_BASE + n for n in range(1, members + 1)],
        invite=invite.code,
        tutorials=tutorials,
        queries=queries,
        requests=texts,
    )


# --- The people ---------------------------------------------------------------------------


def buttons(call: Call) -> dict[str, str]:
    """callback_data → label of a sent (or edited) message's inline keyboard."""
    markup = call.params.get("reply_markup") or {}
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return {str(b.get("callback_data")): str(b.get("text")) for row in rows for b in row if b}


def with_button(data: str) -> Callable[[Call], bool]:
    return lambda call: data in buttons(call)


def containing(words: str) -> Callable[[Call], bool]:
    return lambda call: words in str(call.params.get("text", ""))


def message_id(call: Call) -> int:
    assert call.response is not None
    return int(call.response["result"]["message_id"])


@dataclass
class People:
    """Members talking to the bot through the loopback Telegram server, counting updates."""

    server: FakeBotApi
    samu: Samu
    sample_every: int
    think: float
    samples: list[tuple[int, float, dict[str, int]]] = field(default_factory=list)
    updates: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.perf_counter)

    def _counted(self) -> None:
        self.updates += 1
        if self.updates % self.sample_every == 0:
            self.sample()

    def sample(self) -> None:
        self.samples.append(
            (self.updates, time.perf_counter() - self.started, memory(self.samu.pid))
        )

    def says(self, chat: int, text: str, reply_to: int | None = None) -> int:
        mark = len(self.server.calls)
        self.server.user_sends(
            chat, text, first_name=f"Membre {chat % 100_000}", reply_to_message_id=reply_to
        )
        self._counted()
        return mark

    async def presses(self, chat: int, call: Call, data: str) -> int:
        await asyncio.sleep(self.think)  # a person reads the message before pressing
        mark = len(self.server.calls)
        self.server.user_presses(chat, message_id(call), data)
        self._counted()
        return mark

    async def answer(
        self, chat: int | None, after: int, wanted: Callable[[Call], bool] = lambda c: True
    ) -> Call:
        """The first message the bot sent (or edited) after call number `after` that fits."""
        calls = self.server.calls
        position = after
        hit: list[Call] = []

        def seen() -> bool:
            nonlocal position
            settled = True
            index = position
            while index < len(calls):
                call = calls[index]
                if call.method.lower() in SENDS and (
                    chat is None or call.params.get("chat_id") == chat
                ):
                    if call.response_status == 0:
                        settled = False
                    elif call.response_status == 200 and wanted(call):
                        hit.append(call)
                        return True
                index += 1
                if settled:
                    position = index
            return False

        await self.server.wait_for(seen, timeout=WAIT)
        return hit[0]

    async def command(self, chat: int, text: str) -> None:
        mark = self.says(chat, text)
        await self.answer(chat, mark)

    async def join(self, chat: int, code: str) -> None:
        await self.command(chat, f"/start {code}")
        await self.command(chat, "/annuler")
        await self.command(chat, "/competences ajouter ameli, caf, france-travail")

    async def request(self, asker: int, text: str, rng: random.Random) -> str:
        """One request from /demande to the author's thanks; returns how it ended."""
        stage = ["asked"]
        try:
            return await self._request(asker, text, rng, stage)
        except TimeoutError:
            return f"request: stalled waiting for {stage[0]}"

    async def _request(self, asker: int, text: str, rng: random.Random, stage: list[str]) -> str:
        mark = self.says(asker, f"/demande {text}")

        def recorded(call: Call) -> bool:
            return any(d.startswith(("/annuler ", "/envoyer ")) for d in buttons(call))

        reply = await self.answer(asker, mark, recorded)
        stage[0] = "request recorded"
        choices = buttons(reply)
        post = next((d for d in choices if d.startswith("/envoyer ")), None)
        if post is not None:
            helped = [d for d in choices if d.startswith("/tuto aide ")]
            if helped and rng.random() < 0.2:
                mark = await self.presses(asker, reply, helped[0])
                await self.answer(asker, mark)
                return "a tutorial helped"
            mark = await self.presses(asker, reply, post)
            reply = await self.answer(
                asker, mark, lambda c: any(d.startswith("/annuler ") for d in buttons(c))
            )
        number = next(d for d in buttons(reply) if d.startswith("/annuler ")).split()[1]
        take = f"/prendre {number}"
        stage[0] = "an offer"
        try:
            offer = await self.answer(None, mark, with_button(take))
        except TimeoutError:
            return "no helper"
        helper = int(offer.params["chat_id"])
        decline = f"/decliner {number}"
        if rng.random() < 0.5:
            with contextlib.suppress(TimeoutError):
                other = await self.answer(
                    None,
                    mark,
                    lambda c: decline in buttons(c) and c.params.get("chat_id") != helper,
                )
                after = await self.presses(int(other.params["chat_id"]), other, decline)
                await self.answer(int(other.params["chat_id"]), after)
        mark = await self.presses(helper, offer, take)
        stage[0] = "claimed notice to the author"
        told = await self.answer(asker, mark, with_button(f"/resolu {number}"))
        for turn in range(2):
            words = f"Précisions {number}.{turn} sur la situation"
            mark = self.says(asker, words, reply_to=message_id(told))
            stage[0] = f"relay {turn} to the helper"
            relayed = await self.answer(helper, mark, containing(words))
            words = f"Réponse {number}.{turn} avec les étapes"
            mark = self.says(helper, words, reply_to=message_id(relayed))
            stage[0] = f"relay {turn} to the author"
            told = await self.answer(asker, mark, containing(words))
        mark = solved = self.says(helper, f"/resolu {number} oui")  # the yes typed at once
        stage[0] = "write-up question 1"
        await self.answer(helper, mark, with_button(f"/rediger {number} probleme passer"))
        mark = self.says(helper, "La personne n'avait pas encore de compte en ligne.")
        stage[0] = "write-up question 2"
        await self.answer(helper, mark, with_button(f"/rediger {number} etapes passer"))
        mark = self.says(helper, "Créer le compte\nValider le mail\nDéposer le document")
        keep = f"/rediger {number} titre garder"
        stage[0] = "write-up title"
        title = await self.answer(helper, mark, with_button(keep))
        mark = await self.presses(helper, title, keep)
        thanks = f"/confirmer {number} merci"
        stage[0] = "confirmation request to the author"
        confirm = await self.answer(asker, solved, with_button(thanks))  # queued at /resolu
        mark = await self.presses(asker, confirm, thanks)
        stage[0] = "thanks to the helper"
        await self.answer(helper, mark)
        return "closed with thanks"


@dataclass(frozen=True)
class Step:
    kind: str
    chat: int
    text: str = ""


def hour_plan(network: Network, hours: float, rng: random.Random) -> list[Step]:
    """The interactions of `hours` busy hours (a fraction for a quick run), shuffled."""
    plan: list[Step] = []
    newcomer = NEWCOMER_BASE
    for kind, per_hour in HOUR.items():
        for _ in range(round(per_hour * hours)):
            chat = rng.choice(network.members)
            if kind == "request":
                plan.append(Step(kind, chat, rng.choice(network.requests)))
            elif kind == "tuto":
                plan.append(Step(kind, chat, "/tuto " + rng.choice(network.queries)))
            elif kind == "join":
                newcomer += 1
                plan.append(Step(kind, newcomer))
            elif kind == "console":
                plan.append(Step(kind, 0, rng.choice(["/aide", "/agenda", "/tuto ameli"])))
            else:
                plan.append(Step(kind, chat, "/" + kind))
    rng.shuffle(plan)
    return plan


async def drive(
    people: People, network: Network, plan: list[Step], concurrency: int, rng: random.Random
) -> float:
    """Play the plan with `concurrency` people at once; returns the seconds it took."""
    queue: asyncio.Queue[Step] = asyncio.Queue()
    for step in plan:
        queue.put_nowait(step)
    busy: set[int] = set()

    async def worker(seed: int) -> None:
        own = random.Random(seed)
        while not queue.empty():
            step = queue.get_nowait()
            if step.chat in busy:  # one conversation per person at a time
                queue.put_nowait(step)
                await asyncio.sleep(0)
                continue
            busy.add(step.chat)
            try:
                if step.kind == "request":
                    outcome = await people.request(step.chat, step.text, own)
                elif step.kind == "join":
                    await people.join(step.chat, network.invite)
                    outcome = "joined"
                elif step.kind == "console":
                    people.samu.type(step.text)
                    people._counted()
                    outcome = "console line"
                else:
                    await people.command(step.chat, step.text)
                    outcome = step.kind
            except (TimeoutError, StopIteration, KeyError) as error:
                outcome = f"{step.kind}: stalled ({type(error).__name__})"
            finally:
                busy.discard(step.chat)
            people.outcomes[outcome] += 1

    started = time.perf_counter()
    people.sample()
    await asyncio.gather(*(worker(rng.randrange(1 << 30)) for _ in range(concurrency)))
    return time.perf_counter() - started


def refusals(calls: list[Call]) -> tuple[Counter[str], list[str]]:
    """The 429s, by what the bot had sent to that chat just before; and a few examples."""
    kinds: Counter[str] = Counter()
    examples = []
    last: dict[Any, Call] = {}  # chat → the last message or edit the server accepted
    for call in calls:
        if call.method.lower() not in SENDS:
            continue
        chat = call.params.get("chat_id")
        if call.response_status == 429:
            before = last.get(chat)
            if before is None:
                kinds[f"{call.method} (first to the chat)"] += 1
                continue
            gap = call.at - before.at
            kinds[f"{call.method} < 1 s after a {before.method}"] += 1
            examples.append(f"429 on {call.method} to {chat}, {gap:.2f} s after a {before.method}")
        elif call.response_status == 200:
            last[chat] = call
    return kinds, examples


# --- The run ------------------------------------------------------------------------------


@dataclass
class Start:
    ready: float
    at_ready: dict[str, int]
    settled: dict[str, int]
    cpu: float | None = None  # CPU seconds (user + sys) of the process when it was ready
    stop_seconds: float | None = None
    exit_code: int | None = None


def mb(kib: int | None) -> str:
    """KiB (as /proc and rusage count) in MB of 10^6 bytes."""
    return "—" if kib is None else f"{kib * KIB / 1e6:.1f} MB"


async def run(args: argparse.Namespace) -> None:
    if await asyncio.to_thread(synapse_python) is None:
        sys.exit("Synapse cannot be installed here")
    rng = random.Random(args.seed)
    backend = "postgresql" if args.database_url else "sqlite"
    with tempfile.TemporaryDirectory(prefix="samu-footprint-") as tmp:
        folder = Path(tmp)
        async with (
            FakeBotApi(token=TOKEN, username="samu_bench_bot", enforce_limits=True) as server,
            Synapse() as synapse,
            database(backend, args.database_url or "") as url,
        ):
            bot = await synapse.register(f"samu-{uuid.uuid4().hex[:6]}", PASSWORD)
            config = write_config(folder, url, server, synapse, bot)
            seeding = time.perf_counter()
            await upgrade_database(config)
            network = await seed(config, args.members, args.tutorials, rng)
            server.known_chats.update(network.members)
            print(
                f"prepared ({backend}): {args.members:,} members, {network.tutorials} tutorials "
                f"in {time.perf_counter() - seeding:.1f} s (not counted)",
                flush=True,
            )
            starts: list[Start] = []
            samu = Samu(config, args.python_optimize)
            for number in range(args.starts):
                samu = Samu(config, args.python_optimize)
                await samu.start()
                ready = await samu.wait_ready()
                at_ready, cpu = memory(samu.pid), cpu_seconds(samu.pid)
                await asyncio.sleep(args.settle)
                start = Start(ready, at_ready, memory(samu.pid), cpu)
                starts.append(start)
                print(
                    f"start {number + 1}: ready ({samu.ready_line}) after {ready:.2f} s; "
                    f"VmRSS {mb(at_ready.get('VmRSS'))} then {mb(start.settled.get('VmRSS'))} "
                    f"after {args.settle:g} s",
                    flush=True,
                )
                for at, line in samu.lines[:20]:  # where the time went, up to `ready:`
                    print(f"    {at:6.2f} s  {line[:110]}")
                    if READY.search(line):
                        break
                if number < args.starts - 1:
                    start.stop_seconds, start.exit_code = await samu.stop()
            people = People(server, samu, args.sample_every, args.think)
            plan = hour_plan(network, args.hours, rng)
            print(f"traffic: {len(plan)} interactions, {args.concurrency} at once…", flush=True)
            sends_before = len([c for c in server.calls if c.method.lower() in SENDS])
            elapsed = await drive(people, network, plan, args.concurrency, rng)
            people.sample()
            await asyncio.sleep(args.settle)
            idle = memory(samu.pid)
            sends = len([c for c in server.calls if c.method.lower() in SENDS]) - sends_before
            stop_seconds, exit_code = await samu.stop()
            report(args, backend, starts, people, elapsed, idle, sends)
            print(
                f"stop: SIGTERM with the terminal's input open → exited after {stop_seconds:.1f} s "
                f"with code {exit_code}"
                + (
                    " (the terminal's input had to be closed: SIGTERM alone did not end it)"
                    if stop_seconds > 10
                    else ""
                )
            )
            kinds, examples = refusals(server.calls)
            print(f"429 answers from the Bot API server: {server.too_many_requests}")
            for kind, count in kinds.most_common():
                print(f"  {count} × {kind}")
            for line in examples[:5]:
                print(f"  e.g. {line}")
            problems = samu.problems()
            print(f"warnings and errors logged by samu run: {len(problems)}")
            for line in problems[:10]:
                print(f"  {line[:200]}")


def report(
    args: argparse.Namespace,
    backend: str,
    starts: list[Start],
    people: People,
    elapsed: float,
    idle: dict[str, int],
    sends: int,
) -> None:
    print_machine({"sqlite": sqlite3.sqlite_version}, one_core=False)
    print(
        f"database {backend}; {args.members:,} members; Matrix end-to-end encryption on; "
        f"Telegram limits enforced by the loopback server; seed {args.seed}"
    )
    print()
    print("Starts (`samu run`, spawn → `ready:` line):")
    print()
    print(
        "| start | ready after | CPU to ready | VmRSS at ready | VmRSS after settle | VmHWM "
        "| stop |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for number, s in enumerate(starts, 1):
        kind = "first (Matrix login, full sync)" if number == 1 else "restart (resumed)"
        stop = f"{s.stop_seconds:.1f} s, code {s.exit_code}" if s.stop_seconds is not None else "—"
        cpu = "—" if s.cpu is None else f"{s.cpu:.2f} s"
        print(
            f"| {number}: {kind} | {s.ready:.2f} s | {cpu} | {mb(s.at_ready.get('VmRSS'))} "
            f"| {mb(s.settled.get('VmRSS'))} | {mb(s.settled.get('VmHWM'))} | {stop} |"
        )
    print()
    hour_updates = sum(
        count * (12 if kind == "request" else 3 if kind == "join" else 1)
        for kind, count in HOUR.items()
    )
    print(
        f"Traffic: {args.hours:g} busy hour(s) of a 1,000-member network (≈ {hour_updates} "
        f"updates an hour: {', '.join(f'{v} {k}' for k, v in HOUR.items())}), played in "
        f"{elapsed:.0f} s with {args.concurrency} people at once, {args.think:g} s of reading "
        "before each button press"
    )
    print(
        f"  {people.updates} incoming updates, {sends} Bot API messages and edits from the bot; "
        f"outcomes: {dict(sorted(people.outcomes.items()))}"
    )
    print()
    print("| updates | t (s) | VmRSS | RssAnon | VmHWM |")
    print("|---:|---:|---:|---:|---:|")
    for updates, at, values in people.samples:
        print(
            f"| {updates} | {at:.0f} | {mb(values.get('VmRSS'))} | {mb(values.get('RssAnon'))} "
            f"| {mb(values.get('VmHWM'))} |"
        )
    series = [values.get("VmRSS", 0) for _, _, values in people.samples]
    middle = series[len(series) // 2]
    first_half, second_half = middle - series[0], series[-1] - middle
    print()
    print("| figure | result | target |")
    print("|---|---|---|")
    warm = [s.ready for s in starts[1:]]
    print(f"| spawn → ready, first start | {starts[0].ready:.2f} s | ≤ 1.2 s |")
    if warm:
        print(
            f"| spawn → ready, restart (median of {len(warm)}) | "
            f"{statistics.median(warm):.2f} s | ≤ 1.2 s |"
        )
    cpus = [s.cpu for s in starts[1:] if s.cpu is not None]
    if cpus:
        print(
            f"| CPU of the process to ready, restart (median) | "
            f"{statistics.median(cpus):.2f} s | — |"
        )
    print(
        f"| VmRSS after start (settled {args.settle:g} s) | "
        f"{mb(starts[-1].settled.get('VmRSS'))} | ≤ 110 MB |"
    )
    print(
        f"| VmRSS after the traffic (idle {args.settle:g} s) | {mb(idle.get('VmRSS'))} "
        f"(VmHWM {mb(idle.get('VmHWM'))}) | ≤ 120 MB |"
    )
    print(
        f"| VmRSS growth, first / second half of the traffic | {first_half * KIB / 1e6:+.1f} / "
        f"{second_half * KIB / 1e6:+.1f} MB | no growth beyond bounded caches |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--tutorials", type=int, default=300)
    parser.add_argument("--hours", type=float, default=1, help="busy hours of traffic")
    parser.add_argument("--starts", type=int, default=3, help="starts timed (the last one stays)")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before reading RSS")
    parser.add_argument("--concurrency", type=int, default=6, help="people talking at once")
    parser.add_argument("--sample-every", type=int, default=25, help="updates between samples")
    parser.add_argument(
        "--think", type=float, default=1.5, help="seconds a person reads before pressing a button"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server URL (a throwaway database is created on it); SQLite otherwise",
    )
    parser.add_argument(
        "--python-optimize",
        type=int,
        choices=(0, 1, 2),
        default=0,
        help="PYTHONOPTIMIZE of samu run (2: as the systemd unit of docs/deploy.md starts it)",
    )
    parser.add_argument("--cli-runs", type=int, default=7, help="runs of each CLI command timed")
    parser.add_argument(
        "--cli-only", action="store_true", help="only the CLI commands and Babel (no Synapse)"
    )
    args = parser.parse_args()
    print_cli_figures(args.cli_runs)
    if not args.cli_only:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
