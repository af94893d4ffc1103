"""What the stack costs before our code does anything: the floor under `/demande` and matching.

Two targets of issue 9 are missed (≥ 1,000 `/demande` per second on SQLite on one core, and
matching p95 ≤ 5 ms at 10,000 members). This script measures the lower bounds that the
design (SQLAlchemy's asyncio ORM over aiosqlite, `DESIGN.md`) puts under them, on the same
synthetic network as `bench/core_bench.py` (10,000 members, 100,000 past requests), in one
process pinned to one core:

1. The cost of one statement: a primary-key SELECT through raw `sqlite3`, through an open
   unit of work (`AsyncSession.execute` over aiosqlite), and a whole unit of work around it
   (BEGIN IMMEDIATE, the statement, ROLLBACK); and the p50/p95 of a unit of work with two
   such statements, the floor of find+rank when the candidate index answers (the request
   read, then the one statement that confirms the index's version).
2. `/demande` as the conversation layer runs it (`App.router.handle`, sequential): its time,
   its statements and transactions (counted by a `before_cursor_execute` listener), and the
   time skill detection alone takes on the same texts. The floor is
   `transactions × unit of work + other statements × statement + detection`; one core
   cannot do more `/demande` per second than 1,000 ms divided by it.
3. Matching: the candidate statement (`OfferRepository.candidates_by_fit`, the database
   summing each candidate's fit) for the request skill sets of the corpus, timed through raw
   `sqlite3` with its parameters inlined (SQLite's own work, no Python driver), next to
   `choose_helpers` on the same requests. The floor of a matching step is a unit of work,
   reading the request, the candidate statement and the loads statement.
4. Memory: the resident size of a fresh interpreter that imports what `samu run` imports
   with the terminal, Telegram and Matrix on (our modules and the transports), and of one that
   imports only the third-party modules that the first one loaded, in the same order: what
   the libraries occupy before any of our code runs (compare with the figures of
   `bench/footprint_bench.py`).

Run: .venv/bin/python bench/floor_bench.py [--members 10000] [--demandes 200] [--seed 7]
     [--event-loop uvloop]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from bench.common import (
    event_loop_option,
    one_core_option,
    percentile,
    pin_to_one_core,
    print_machine,
    run_on_loop,
)
from bench.core_bench import (
    Load,
    demande,
    find_and_rank,
    fresh_text,
    network_app,
    request_texts,
    store_request,
    time_matching,
)
from bot.app import App
from storage.models import MemberModel
from storage.repositories import offers

REPEAT = 2000
OURS = ("bot", "domain", "skills", "storage", "bench", "tests")
# Imports `samu run` does with the three transports (the lazy ones included), then reports its
# resident memory and the third-party modules loaded.
STACK = """
import json, sys
from bot import cli, app
from bot.transports import telegram, matrix
from bot.election import Election
third_party = [name for name in sys.modules if name.split(".")[0] not in {ours!r}]
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps([status["VmRSS"].split()[0], status["RssAnon"].split()[0], third_party]))
"""
LIBRARIES = """
import importlib, json, sys
for name in json.loads(sys.stdin.read()):
    try:
        importlib.import_module(name)
    except Exception:
        pass
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps([status["VmRSS"].split()[0], status["RssAnon"].split()[0]]))
"""


def resident_mib() -> dict[str, float]:
    """VmRSS of the imports of `samu run`, and of their third-party part alone (MiB)."""
    root = str(Path(__file__).resolve().parents[1])
    stack = subprocess.run(
        [sys.executable, "-c", STACK.format(ours=set(OURS))],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    rss, anon, modules = json.loads(stack.stdout)
    alone = subprocess.run(
        [sys.executable, "-c", LIBRARIES],
        input=json.dumps(modules),
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    libraries_rss, libraries_anon = json.loads(alone.stdout)
    return {
        "stack": int(rss) / 1024,
        "stack_anon": int(anon) / 1024,
        "libraries": int(libraries_rss) / 1024,
        "libraries_anon": int(libraries_anon) / 1024,
        "modules": len(modules),
    }


async def per_call_us(call: Callable[[], Awaitable[Any]], repeat: int = REPEAT) -> float:
    """Mean microseconds of `call`, after a warm-up."""
    for _ in range(50):
        await call()
    start = time.perf_counter()
    for _ in range(repeat):
        await call()
    return (time.perf_counter() - start) / repeat * 1e6


async def call_times_us(call: Callable[[], Awaitable[Any]], repeat: int) -> list[float]:
    """Microseconds of each of `repeat` calls of `call`, after a warm-up."""
    for _ in range(50):
        await call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await call()
        times.append((time.perf_counter() - start) * 1e6)
    return times


def raw_us(connection: sqlite3.Connection, sql: str, repeat: int) -> list[float]:
    """Microseconds of each of `repeat` runs of `sql` through raw sqlite3 (rows fetched)."""
    for _ in range(3):
        connection.execute(sql).fetchall()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        connection.execute(sql).fetchall()
        times.append((time.perf_counter() - start) * 1e6)
    return times


async def statement_floor(app: App, path: str) -> dict[str, float]:
    """Microseconds of one point SELECT: raw sqlite3, in a unit of work, a unit of work."""
    statement = select(MemberModel.id).where(MemberModel.id == 5)
    raw = sqlite3.connect(path)
    try:
        raw_mean = sum(raw_us(raw, "SELECT id FROM members WHERE id = 5", REPEAT)) / REPEAT
    finally:
        raw.close()
    async with app.services.uow() as uow:

        async def in_session() -> None:
            (await uow.session.execute(statement)).all()

        session_mean = await per_call_us(in_session)

    async def whole_unit() -> None:
        async with app.services.uow() as uow:
            (await uow.session.execute(statement)).all()

    unit_mean = await per_call_us(whole_unit, REPEAT // 4)

    async def two_statements() -> None:
        # The shape of find+rank from the candidate index: a unit of work that reads the
        # request, then confirms the index's version (with the offers and loads), and nothing
        # else reaches the database.
        async with app.services.uow() as uow:
            (await uow.session.execute(statement)).all()
            (await uow.session.execute(statement)).all()

    two = await call_times_us(two_statements, REPEAT // 4)
    return {
        "raw": raw_mean,
        "statement": session_mean,
        "unit": unit_mean,
        "two_p50": percentile(two, 0.5),
        "two_p95": percentile(two, 0.95),
    }


async def demande_floor(app: App, members: int, count: int, seed: int) -> dict[str, float]:
    """Sequential `/demande`: time, statements and transactions each; detection alone."""
    rng = random.Random(seed + 23)
    texts = request_texts()
    kinds: Counter[str] = Counter()

    def count_statement(*args: Any) -> None:
        words = args[2].split()
        kinds["BEGIN" if words and words[0].upper() == "BEGIN" else "statement"] += 1

    load = Load()
    authors = rng.sample(range(1, members + 1), count + 5)
    for author in authors[:5]:
        await demande(app, author, fresh_text(rng, texts), load)
    bodies = [fresh_text(rng, texts) for _ in range(count)]
    engine = app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count_statement)
    start = time.perf_counter()
    for author, body in zip(authors[5:], bodies, strict=True):
        await demande(app, author, body, load)
    elapsed = time.perf_counter() - start
    event.remove(engine, "before_cursor_execute", count_statement)
    # Detection alone on texts it has not read (it remembers the skills of the last texts).
    matcher = app.services.matcher
    seen = set(bodies)
    unread = [
        body for body in {fresh_text(rng, texts): None for _ in range(count)} if body not in seen
    ]
    start = time.perf_counter()
    for body in unread:
        matcher.extract(body)
    detection = time.perf_counter() - start
    return {
        "demande_ms": elapsed / count * 1000,
        "statements": kinds["statement"] / count,
        "transactions": kinds["BEGIN"] / count,
        "detection_ms": detection / len(unread) * 1000,
    }


def candidate_sql(request_id: int, skill_ids: list[int], author: int) -> str:
    """The candidate statement `candidates_by_fit(limit=…)` runs, parameters inlined."""
    chosen = sorted(set(skill_ids))
    if len(chosen) == 1:
        statement = offers._ONE_SKILL_PAGE.params(skill_id=chosen[0])
    else:
        statement = offers._FITS_PAGE.params(skill_ids=chosen)
    statement = statement.params(request_id=request_id, exclude=[author], limit=201)
    compiled = statement.compile(
        dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


async def matching_floor(
    app: App, path: str, members: int, samples: int, seed: int
) -> dict[int, tuple[int, float, float, float]]:
    """By number of request skills: (requests, raw candidate SQL p95 ms, choose_helpers p95
    ms, median number of holders summed)."""
    rng = random.Random(seed + 29)
    texts = request_texts()
    raw = sqlite3.connect(path)
    by_count: dict[int, tuple[list[float], list[float], list[int]]] = {}
    try:
        for _ in range(samples):
            author = rng.randint(1, members)
            request_id = await store_request(app, author, fresh_text(rng, texts))
            async with app.services.uow() as uow:
                request = await uow.requests.get(request_id)
            assert request is not None
            skill_ids = [skill.id for skill in request.skills]
            if not skill_ids:
                continue
            sql = candidate_sql(request_id, skill_ids, author)
            sql_ms = percentile(raw_us(raw, sql, 5), 0.5) / 1000
            marks = ",".join("?" * len(skill_ids))
            (holders,) = raw.execute(
                f"SELECT count(*) FROM member_skills WHERE skill_id IN ({marks})", skill_ids
            ).fetchone()
            start = time.perf_counter()
            await find_and_rank(app, request_id)
            choose_ms = (time.perf_counter() - start) * 1000
            sqls, chooses, counts = by_count.setdefault(len(skill_ids), ([], [], []))
            sqls.append(sql_ms)
            chooses.append(choose_ms)
            counts.append(holders)
    finally:
        raw.close()
    return {
        k: (len(s), percentile(s, 0.95), percentile(c, 0.95), int(percentile(h, 0.5)))
        for k, (s, c, h) in sorted(by_count.items())
    }


async def run(args: argparse.Namespace) -> None:
    versions = {"sqlite": sqlite3.sqlite_version}
    async with network_app("sqlite", args.members, args, versions) as (app, _):
        path = str(app.db.engine.url.database)
        floor = await statement_floor(app, path)
        print(
            f"one point SELECT: raw sqlite3 {floor['raw']:.1f} µs; in a unit of work "
            f"{floor['statement']:.1f} µs; a unit of work around it {floor['unit']:.1f} µs",
            flush=True,
        )
        print(
            "floor of find+rank from the candidate index (a unit of work, two point SELECTs: "
            f"the request, the version's confirmation): p50 {floor['two_p50'] / 1000:.3f} ms, "
            f"p95 {floor['two_p95'] / 1000:.3f} ms (target: find+rank p95 ≤ 1 ms)",
            flush=True,
        )
        await time_matching(app, args.members, 20, args.seed)  # warm the statement caches
        by_count = await matching_floor(app, path, args.members, args.samples, args.seed)
        flow = await demande_floor(app, args.members, args.demandes, args.seed)
    print_machine(versions, args.one_core, args.event_loop)
    memory = resident_mib()
    print(
        f"\nmemory: the imports of `samu run` (terminal, Telegram, Matrix) {memory['stack']:.1f} "
        f"MiB resident ({memory['stack_anon']:.1f} MiB anonymous); the "
        f"{memory['modules']:.0f} third-party modules among them alone "
        f"{memory['libraries']:.1f} MiB ({memory['libraries_anon']:.1f} MiB anonymous) = "
        f"{memory['libraries'] * 1.048576:.1f} MB, before any of our code runs "
        f"(target 120 MB for the running bot)"
    )
    statement_ms, unit_ms = floor["statement"] / 1000, floor["unit"] / 1000
    others = flow["statements"] - flow["transactions"]
    bound = flow["transactions"] * unit_ms + others * statement_ms + flow["detection_ms"]
    print(
        f"\n`/demande`, {args.demandes} sequential at {args.members:,} members: "
        f"{flow['demande_ms']:.2f} ms each ({1000 / flow['demande_ms']:.0f} /s); "
        f"{flow['statements']:.1f} statements in {flow['transactions']:.1f} transactions; "
        f"skill detection alone {flow['detection_ms']:.2f} ms"
    )
    print(
        f"floor: {flow['transactions']:.1f} × {unit_ms:.3f} ms (unit of work) + {others:.1f} "
        f"× {statement_ms:.3f} ms (statement) + {flow['detection_ms']:.2f} ms (detection) = "
        f"{bound:.2f} ms → at most {1000 / bound:.0f} `/demande` per second on one core "
        f"(target 1,000: a budget of 1 ms)\n"
    )
    matching_bound = unit_ms + 2 * statement_ms
    rows = [
        [
            str(k),
            str(n),
            f"{holders:,}",
            f"{sql_p95:.2f} ms",
            f"{matching_bound + sql_p95:.2f} ms",
            f"{choose_p95:.2f} ms",
        ]
        for k, (n, sql_p95, choose_p95, holders) in by_count.items()
    ]
    header = [
        "request skills",
        "requests",
        "holders summed (median)",
        "candidate SQL alone, raw sqlite3, p95",
        "floor of a matching step (+ unit of work, request, loads)",
        "`choose_helpers` p95",
    ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---:|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--past-per-member", type=int, default=10)
    parser.add_argument("--demandes", type=int, default=200)
    parser.add_argument("--samples", type=int, default=300, help="requests for the matching part")
    parser.add_argument("--seed", type=int, default=7)
    one_core_option(parser)
    event_loop_option(parser)
    args = parser.parse_args()
    args.postgres_url = None
    pin_to_one_core(args)
    run_on_loop(run(args), args)


if __name__ == "__main__":
    main()
