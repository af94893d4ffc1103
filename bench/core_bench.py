"""Core throughput of the conversation layer, and how matching scales with the network.

A synthetic network is written straight into a fresh database (members with a console
identity and 2-6 skills drawn with a skew towards the common services, four skills of the
network's own each held by 1 % of them, past requests in realistic states and dates, their
skills and offers; every request text the bench sends is new), then the conversation layer
is driven directly, `App.router.handle(Incoming(...))`, with no transport and no network:

1. Throughput. `--concurrency` asyncio tasks, each with its own askers:
   a. *store+match*: `/demande <text>` only (`--demandes` in all, once per
      `--burst-concurrency` value), which stores the request,
      detects its skills, ranks helpers and queues the offers; requests/s is the figure;
   b. *mixed*: each task loops `/demande`, then an offered helper `/prendre N`, helper and
      author `/msg N …` (two relays), then the author `/resolu N`, for `--duration` seconds.
   Latency p50/p95/p99 per command. Delivery (the outbox dispatcher, `app.tick()`) is NOT
   included: the offers, claims and relays are queued in the outbox, not sent.
2. Matching at `--small` and `--members` members with the same number of past requests per
   member (`--past-per-member`), on freshly stored requests, each timed alone:
   *advance* = `bot.core.matching.advance`, the whole step (read the request, find and rank
   the helpers, move it to "offered", queue the offers, commit); *find+rank* =
   `bot.core.matching.choose_helpers`, what `advance` does to choose the helpers, read only
   (the bench checks that `advance` then offers the request to exactly those helpers).
   SQL statements are counted per call (a `before_cursor_execute` listener).
   `--full-ranking` also times the old path (every candidate's load, all ranked).
   On PostgreSQL, the server's CPU per `advance` (every `postgres` process's user + system
   time from /proc, over `--server-cpu-steps` steps from the index, then as many from SQL).
3. Statements: `--statement-demandes` sequential `/demande` at `--members` members after a
   warm-up, each one's SQL statements counted by kind with those SQLAlchemy compiled anew
   rather than took from its compiled cache (`storage.statements.StatementTally`); 0 skips.
4. `--profile`: cProfile of `--profile-advances` calls of `advance`, then of
   `--profile-demandes` sequential `/demande`, at `--members` members on SQLite, with the
   SQL statements counted per `/demande`.

The clock is fixed on a Monday at 10:00 Europe/Paris and quiet hours are off, so every
request is offered at once.

Run: .venv/bin/python bench/core_bench.py [--members 10000] [--past-per-member 10]
     [--small 100] [--backends sqlite postgresql] [--concurrency 20]
     [--burst-concurrency 1 20] [--demandes 2000]
     [--duration 20] [--match-samples 200] [--full-ranking] [--statement-demandes 30]
     [--server-cpu-steps 300] [--profile]
     [--profile-advances 200] [--profile-demandes 50] [--seed 7]
     [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--no-one-core]
     [--event-loop uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import logging
import os
import pstats
import random
import re
import sqlite3
import sys
import time
import tomllib
import tracemalloc
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from bench.common import (
    chunks,
    database,
    event_loop_option,
    one_core_option,
    percentile,
    pin_to_one_core,
    print_machine,
    run_on_loop,
    table,
)
from bot.app import App
from bot.chat.types import Deferred, Incoming
from bot.config import parse_config
from bot.core.clock import FixedClock
from bot.core.matching import CANDIDATE_PAGE, DAY, Step, advance, choose_helpers
from bot.core.types import Urgency
from bot.core.weights import skill_weights as request_weights
from skills import SkillLevel, default_matcher, rank_helpers
from skills.taxonomy import SkillKind
from storage.candidate_index import CandidateIndex
from storage.models import (
    Base,
    HelpRequestModel,
    IdentityModel,
    MemberModel,
    MemberSkillModel,
    OfferModel,
    RequestSkillModel,
)
from storage.statements import StatementTally, statement_kind

ROOT = Path(__file__).resolve().parents[1]
CORPUS = tomllib.loads((ROOT / "tests" / "data" / "tutorial_corpus.toml").read_text("utf-8"))
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BATCH = 5000
COMMANDS = ("/demande", "/prendre", "/msg", "/resolu")
# The services people ask about most, first (a Zipf-like draw over this order, then the
# other services, tools and competences of the taxonomy).
POPULAR = (
    "ameli",
    "caf",
    "france-travail",
    "franceconnect",
    "impots-gouv",
    "email",
    "pdf",
    "smartphone-android",
    "mots-de-passe",
    "cv-en-ligne",
    "france-titres",
    "carte-vitale-appli",
)
LEVELS = (
    (SkillLevel.DISCOVERING, 0.30),
    (SkillLevel.PRACTISING, 0.45),
    (SkillLevel.TEACHING, 0.25),
)
# Past requests: (status, share, how many days back at most, has a helper).
STATES = (
    ("closed", 0.78, 365, True),
    ("cancelled", 0.07, 365, False),
    ("draft", 0.03, 365, False),
    ("resolved", 0.03, 14, True),
    ("claimed", 0.05, 30, True),
    ("offered", 0.02, 7, False),
    ("open", 0.02, 7, False),
)


# --- Synthetic network ---------------------------------------------------------------------


def skill_weights() -> tuple[list[str], list[float]]:
    """Every taxonomy skill with a Zipf weight: popular services, services, tools, competences."""
    taxonomy = default_matcher().taxonomy
    rank = {slug: i for i, slug in enumerate(POPULAR)}
    order = {SkillKind.SERVICE: 1, SkillKind.TOOL: 2, SkillKind.COMPETENCE: 3}
    ordered = sorted(
        taxonomy.skills, key=lambda s: (rank.get(s.slug, len(POPULAR)), order[s.kind], s.slug)
    )
    slugs = [s.slug for s in ordered]
    return slugs, [1.0 / (i + 1) for i in range(len(slugs))]


def request_texts() -> list[tuple[str, tuple[str, ...]]]:
    """Request texts built from the corpus problems (they name the services), with skills."""
    texts = []
    for item in CORPUS["tutorial"]:
        problem = " ".join(item["problem"].split())
        if item["language"] == "fr":
            texts.append((f"Bonjour, {problem[0].lower()}{problem[1:]}", tuple(item["skills"])))
        else:
            texts.append((f"Hello, {problem}", tuple(item["skills"])))
    return texts


# Sentences people add to a request, none naming a skill or anything personal: three of them
# make each text the bench sends new, as real requests are (the matcher remembers the skills
# of the last texts it read, which a repeated text would find there for free).
_ADDED = {
    "fr": (
        "C'est urgent.",
        "Ce n'est pas urgent.",
        "Plusieurs personnes sont concernées.",
        "C'est la première fois.",
        "Cela arrive souvent.",
        "Merci d'avance.",
        "Je suis un peu perdu.",
        "Nous avons déjà essayé deux fois.",
    ),
    "en": (
        "It is urgent.",
        "It is not urgent.",
        "Several people are concerned.",
        "It is the first time.",
        "It happens often.",
        "Thanks in advance.",
        "I am a bit lost.",
        "We already tried twice.",
    ),
}


def fresh_text(rng: random.Random, texts: Sequence[tuple[str, tuple[str, ...]]]) -> str:
    """One of the request texts with three added sentences (336 orders of 8): a text the
    matcher has most likely not read yet."""
    body = rng.choice(texts)[0]
    added = _ADDED["en" if body.startswith("Hello") else "fr"]
    return " ".join((body, *rng.sample(added, 3)))


@dataclass
class Network:
    """What the benchmark needs to know about the seeded network."""

    members: int
    past: int
    member_skills: int
    offers: int
    load_s: float


async def bulk(session: AsyncSession, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """executemany inserts, `BATCH` rows at a time."""
    for part in chunks(rows, BATCH):
        await session.execute(insert(table(model)), list(part))


# Skills a network adds to the taxonomy (proposals its coordinators validated), as the
# network's own notes name tools: every request's text is read with them too.
NETWORK_SKILLS = (("Genially", ("genialy",)), ("Padlet", ()), ("Wooclap", ()), ("La Digitale", ()))


async def network_skills(app: App, members: int, rng: random.Random) -> None:
    """The network's own skills, each declared by about 1 % of the members."""
    async with app.services.uow() as uow:
        for label, aliases in NETWORK_SKILLS:
            row = await uow.skills.add_proposed(
                slug=f"x-{label.lower().replace(' ', '-')}", label=label, proposed_by=1, now=NOW
            )
            await uow.skills.promote(row.id, label=label, aliases=aliases, parent=None, now=NOW)
            holders = rng.sample(range(1, members + 1), max(1, members // 100))
            await bulk(
                uow.session,
                MemberSkillModel,
                [
                    {
                        "member_id": member,
                        "skill_id": row.id,
                        "level": rng.choice(LEVELS)[0].value,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for member in holders
                ],
            )
        await uow.commit()


async def seed(app: App, members: int, past: int, rng: random.Random) -> Network:
    """Members, identities, member skills, past requests, their skills and offers, in bulk."""
    start = time.perf_counter()
    slugs, weights = skill_weights()
    async with app.services.uow() as uow:
        rows = await uow.skills.by_slugs(slugs)
        ids = {slug: row.id for slug, row in rows.items()}
        slugs = [s for s in slugs if s in ids]
        weights = weights[: len(slugs)]
        member_rows, identity_rows, skill_rows = [], [], []
        for member_id in range(1, members + 1):
            joined = NOW - timedelta(days=rng.uniform(30, 900))
            member_rows.append(
                {
                    "id": member_id,
                    "display_name": f"Membre {member_id}",
                    "structure_id": None,
                    "role": "member",
                    "locale": "fr",
                    "status": "active" if rng.random() < 0.95 else "paused",
                    "created_at": joined,
                    "updated_at": joined,
                }
            )
            identity_rows.append(
                {
                    "member_id": member_id,
                    "platform": "console",
                    "platform_user_id": f"u{member_id}",
                    "chat_id": f"u{member_id}",
                    "preferred": True,
                    "created_at": joined,
                }
            )
            chosen: set[str] = set()
            wanted = rng.randint(2, 6)
            while len(chosen) < wanted:
                chosen.add(rng.choices(slugs, weights)[0])
            for slug in sorted(chosen):
                level = rng.choices([lv for lv, _ in LEVELS], [w for _, w in LEVELS])[0]
                skill_rows.append(
                    {
                        "member_id": member_id,
                        "skill_id": ids[slug],
                        "level": level.value,
                        "created_at": joined,
                        "updated_at": joined,
                    }
                )
        await bulk(uow.session, MemberModel, member_rows)
        await bulk(uow.session, IdentityModel, identity_rows)
        await bulk(uow.session, MemberSkillModel, skill_rows)
        await uow.commit()
    await network_skills(app, members, rng)

    texts = request_texts()
    statuses = [s for s, *_ in STATES]
    shares = [share for _, share, *_ in STATES]
    spec = {s: (days, helped) for s, _, days, helped in STATES}
    request_rows, request_skill_rows, offer_rows = [], [], []
    for request_id in range(1, past + 1):
        status = rng.choices(statuses, shares)[0]
        days, helped = spec[status]
        created = NOW - timedelta(days=rng.uniform(0.1, days))
        author = rng.randint(1, members)
        helper = rng.randint(1, members) if helped else None
        if helper == author:
            helper = author % members + 1 if members > 1 else None
        body, skills = rng.choice(texts)
        claimed = created + timedelta(hours=rng.uniform(0.5, 30)) if helper else None
        resolved = (
            claimed + timedelta(days=rng.uniform(0.1, 5))
            if claimed and status in ("closed", "resolved")
            else None
        )
        closed = resolved if status == "closed" else None
        if status == "cancelled":
            closed = created + timedelta(days=rng.uniform(0.1, 3))
        request_rows.append(
            {
                "id": request_id,
                "author_id": author,
                "text": body,
                "urgency": rng.choice([u.value for u in Urgency]),
                "status": status,
                "helper_id": helper,
                "round": 0 if status in ("draft", "open") else 1,
                "next_check_at": (
                    NOW + timedelta(hours=rng.uniform(1, 48))
                    if status in ("open", "offered")
                    else None
                ),
                "alerted_at": None,
                "created_at": created,
                "updated_at": closed or resolved or claimed or created,
                "claimed_at": claimed,
                "resolved_at": resolved,
                "closed_at": closed,
                "thanked": status == "closed" and rng.random() < 0.4,
                "solved_by_tutorial_id": None,
            }
        )
        request_skill_rows += [
            {"request_id": request_id, "skill_id": ids[s]} for s in skills if s in ids
        ]
        if status in ("draft", "open"):
            continue
        offered = {helper} if helper else set()
        while len(offered) < rng.randint(1, 3):
            candidate = rng.randint(1, members)
            if candidate != author:
                offered.add(candidate)
            if members <= 3:
                break
        offer_at = created + timedelta(minutes=rng.uniform(0, 10))
        for helper_id in sorted(x for x in offered if x is not None):
            if status == "offered":
                state = "pending"
            elif helper_id == helper:
                state = "accepted"
            else:
                state = rng.choice(["taken", "declined", "withdrawn"])
            offer_rows.append(
                {
                    "request_id": request_id,
                    "helper_id": helper_id,
                    "round": 1,
                    "state": state,
                    "offered_at": offer_at,
                    "answered_at": None if state == "pending" else (claimed or offer_at),
                }
            )
    async with app.services.uow() as uow:
        session = uow.session
        await bulk(session, HelpRequestModel, request_rows)
        await bulk(session, RequestSkillModel, request_skill_rows)
        await bulk(session, OfferModel, offer_rows)
        if app.db.dialect == "postgresql":  # explicit ids: move the sequences past them
            for name, last in (("members", members), ("help_requests", past)):
                await session.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), :last)"),
                    {"last": max(last, 1)},
                )
        await uow.commit()
    if app.db.dialect == "postgresql":
        # VACUUM as well, outside a transaction: otherwise autovacuum would visit the bulk-loaded
        # tables during the measures (and the issue asks for its plans after VACUUM ANALYZE).
        async with app.db.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("VACUUM ANALYZE")
    else:
        async with app.services.uow() as uow:
            await uow.session.execute(text("ANALYZE"))
            await uow.commit()
    return Network(members, past, len(skill_rows), len(offer_rows), time.perf_counter() - start)


# --- Driving the conversation layer --------------------------------------------------------


class ErrorCounter(logging.Handler):
    """Counts the failures the router logs (it answers "something went wrong" instead)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.kinds: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        error = record.exc_info[1] if record.exc_info else None
        self.kinds[f"{type(error).__name__}: {str(error).splitlines()[0][:60]}"] += 1


@dataclass
class Load:
    """Latencies per command and counts of one throughput run."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {c: [] for c in COMMANDS})
    steps: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0


async def say(app: App, member_id: int, line: str, load: Load, command: str) -> str:
    start = time.perf_counter()
    try:
        replies = await app.router.handle(
            Incoming(
                platform="console", user_id=f"u{member_id}", chat_id=f"u{member_id}", text=line
            )
        )
    except Deferred:  # "database is locked" after the busy timeout: a transport would keep it
        load.steps[f"{command} kept (database busy)"] += 1
        return ""
    load.latencies[command].append((time.perf_counter() - start) * 1000)
    return "\n".join(reply.text for reply in replies)


async def demande(app: App, author: int, body: str, load: Load) -> int | None:
    """`/demande`; the number of the stored request (None if the reply names none)."""
    answer = await say(app, author, f"/demande {body}", load, "/demande")
    found = re.search(r"#(\d+)", answer)
    return int(found.group(1)) if found else None


async def offered_to(app: App, request_id: int) -> list[int]:
    """Helpers the request was offered to (read by the benchmark, not timed)."""
    async with app.services.uow() as uow:
        rows = await uow.session.scalars(
            text("SELECT helper_id FROM offers WHERE request_id = :r ORDER BY id"),
            {"r": request_id},
        )
        return list(rows)


def askers_for(members: int, concurrency: int, rng: random.Random) -> list[list[int]]:
    """Disjoint pools of askers, one per task (one person never types in two tasks at once)."""
    pool = rng.sample(range(1, members + 1), min(members, concurrency * 50))
    return [pool[i::concurrency] for i in range(concurrency)]


async def store_and_match(
    app: App, members: int, args: argparse.Namespace, concurrency: int
) -> Load:
    """Concurrent `/demande` only: requests stored and matched per second."""
    rng = random.Random(args.seed + 11 + concurrency)
    texts = request_texts()
    load = Load()
    pools = askers_for(members, concurrency, rng)
    per_task = max(1, args.demandes // concurrency)

    async def task(pool: list[int], seed: int) -> None:
        local = random.Random(seed)
        for i in range(per_task):
            await demande(app, pool[i % len(pool)], fresh_text(local, texts), load)

    start = time.perf_counter()
    await asyncio.gather(*(task(pool, i) for i, pool in enumerate(pools)))
    load.elapsed = time.perf_counter() - start
    return load


async def mixed(app: App, members: int, args: argparse.Namespace) -> Load:
    """Each task: ask, an offered helper claims, two relays, the author marks it solved."""
    rng = random.Random(args.seed + 13)
    texts = request_texts()
    load = Load()
    pools = askers_for(members, args.concurrency, rng)
    stop_at = time.perf_counter() + args.duration

    async def task(pool: list[int], seed: int) -> None:
        local = random.Random(seed)
        turn = 0
        while time.perf_counter() < stop_at:
            author = pool[turn % len(pool)]
            turn += 1
            request_id = await demande(app, author, fresh_text(local, texts), load)
            if request_id is None:
                load.steps["no number in the reply"] += 1
                continue
            helpers = [h for h in await offered_to(app, request_id) if h != author]
            if not helpers:
                load.steps["not offered"] += 1
                continue
            helper = local.choice(helpers)
            answer = await say(app, helper, f"/prendre {request_id}", load, "/prendre")
            if f"#{request_id}" not in answer:
                load.steps["claim refused"] += 1
                continue
            await say(app, helper, f"/msg {request_id} Je regarde ça.", load, "/msg")
            await say(app, author, f"/msg {request_id} Merci, à quelle heure ?", load, "/msg")
            await say(app, author, f"/resolu {request_id} oui", load, "/resolu")
            load.steps["cycles"] += 1

    start = time.perf_counter()
    await asyncio.gather(*(task(pool, i) for i, pool in enumerate(pools)))
    load.elapsed = time.perf_counter() - start
    return load


# --- Matching alone ------------------------------------------------------------------------


@dataclass
class Matching:
    """`advance` latencies, the find+rank part alone, statements and candidate counts."""

    advance: list[float] = field(default_factory=list)
    find_rank: list[float] = field(default_factory=list)
    advance_sql: list[float] = field(default_factory=list)
    step_index: list[float] = field(default_factory=list)
    step_sql: list[float] = field(default_factory=list)
    find_rank_sql: list[float] = field(default_factory=list)
    choice: list[float] = field(default_factory=list)
    """`choose_helpers` alone, in the open unit of work (the request already read)."""
    choice_sql: list[float] = field(default_factory=list)
    server_cpu: dict[str, tuple[float, float]] = field(default_factory=dict)
    """PostgreSQL's server CPU per `advance`, ms (client backends, all), by path."""
    index_mb: float = 0.0
    index_rebuild_ms: float = 0.0
    full_ranking: list[float] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    steps: Counter[str] = field(default_factory=Counter)
    advance_statements: Counter[str] = field(default_factory=Counter)
    find_rank_statements: Counter[str] = field(default_factory=Counter)


class StatementCounter:
    """Counts the SQL statements an engine runs, by kind, into whichever counter is set."""

    def __init__(self, app: App) -> None:
        self._engine = app.db.engine.sync_engine
        self.into: Counter[str] | None = None

    def __enter__(self) -> StatementCounter:
        event.listen(self._engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._count)

    def _count(self, *args: Any) -> None:
        if self.into is not None:
            self.into[statement_kind(args[2])] += 1


async def store_request(app: App, author: int, body: str) -> int:
    """A fresh open request with its detected skills, as `/demande` stores it (untimed)."""
    services = app.services
    async with services.uow() as uow:
        request_id = await uow.requests.add(
            author_id=author, text=body, urgency=Urgency.WEEK, now=services.clock.now()
        )
        found = [m.skill.slug for m in services.matcher.extract(body)][:8]
        rows = await uow.skills.by_slugs(found)
        await uow.requests.set_skills(request_id, [rows[s].id for s in found if s in rows])
        await uow.commit()
    return request_id


async def find_and_rank(app: App, request_id: int) -> tuple[list[int], float]:
    """What `advance` does to choose the helpers, read only (its own transaction, rolled back),
    and the time of the choice alone (`choose_helpers` in the open unit of work, once the
    request is read), ms."""
    services = app.services
    async with services.uow() as uow:
        request = await uow.requests.get(request_id)
        assert request is not None
        start = time.perf_counter()
        choice = await choose_helpers(
            uow,
            request,
            services.clock.now() - services.requests.recent_window,
            services.requests.offers_per_round,
            # The daily cap as `advance` applies it (without it, find+rank and `advance`
            # differ once the bench has offered a member 10 requests on its fixed day).
            cap=(services.clock.now() - DAY, services.requests.max_offers_per_day),
        )
        choice_ms = (time.perf_counter() - start) * 1000
    return choice.helpers, choice_ms


async def candidate_step(app: App, request_id: int) -> tuple[float, float]:
    """The candidate step alone (the best page of fits, as `choose_helpers` asks for it), ms:
    from the index, then from SQL, in one read-only unit of work; the same answer."""
    async with app.services.uow() as uow:
        request = await uow.requests.get(request_id)
        assert request is not None
        skill_ids, weights = await request_weights(uow, request, app.services.matcher)
        query: dict[str, Any] = {
            "request_id": request_id,
            "skill_ids": skill_ids,
            "exclude": [request.author_id] if request.author_id else [],
            "limit": CANDIDATE_PAGE + 1,
            "weights": weights,
        }
        start = time.perf_counter()
        from_index = await uow.candidates.by_fit(**query)
        index_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        from_sql = await uow.offers.candidates_by_fit(**query)
        sql_ms = (time.perf_counter() - start) * 1000
        assert from_index == from_sql, "candidate step: index ≠ SQL"
        assert not app.db.candidate_index.behind
    return index_ms, sql_ms


async def full_ranking(app: App, request_id: int, author: int) -> int:
    """The old path, for comparison: every candidate with their load, all ranked."""
    services = app.services
    async with services.uow() as uow:
        request = await uow.requests.get(request_id)
        assert request is not None
        candidates = await uow.offers.candidates(
            request_id=request_id,
            skill_ids=[s.id for s in request.skills],
            exclude=[author],
            recent_since=services.clock.now() - services.requests.recent_window,
        )
        rank_helpers(candidates, [s.slug for s in request.skills])
    return len(candidates)


async def count_candidates(app: App, request_id: int, author: int) -> int:
    """How many members hold one of the request's skills and could be offered it (untimed)."""
    async with app.services.uow() as uow:
        request = await uow.requests.get(request_id)
        assert request is not None
        fits = await uow.offers.candidate_fits(
            request_id=request_id, skill_ids=[s.id for s in request.skills], exclude=[author]
        )
    return len(fits)


async def time_matching(
    app: App, members: int, samples: int, seed: int, *, full: bool = False
) -> Matching:
    """Store requests (untimed), then time find+rank (read only) and `advance` on each."""
    rng = random.Random(seed + 17)
    services = app.services
    texts = request_texts()
    result = Matching()
    result.index_rebuild_ms, result.index_mb = await index_figures(app)
    index = app.db.candidate_index
    await app.db.build_candidate_index()  # the network was seeded after the app started
    with StatementCounter(app) as counter:
        for i in range(samples + 5):
            warm = i < 5  # warm-up: neither timed nor counted
            author = rng.randint(1, members)
            request_id = await store_request(app, author, fresh_text(rng, texts))
            candidates = await count_candidates(app, request_id, author)
            if full:
                start = time.perf_counter()
                await full_ranking(app, request_id, author)
                full_ms = (time.perf_counter() - start) * 1000
            # The same request's candidates from SQL (the index switched off), then from the
            # index; `advance` alternates between the two paths.
            index.enabled = False
            start = time.perf_counter()
            from_sql, choice_sql_ms = await find_and_rank(app, request_id)
            sql_ms = (time.perf_counter() - start) * 1000
            index.enabled = True
            counter.into = None if warm else result.find_rank_statements
            start = time.perf_counter()
            chosen, choice_ms = await find_and_rank(app, request_id)
            find_ms = (time.perf_counter() - start) * 1000
            assert chosen == from_sql, "index ≠ SQL"
            counter.into = None
            step_index_ms, step_sql_ms = await candidate_step(app, request_id)
            by_sql = i % 2 == 1
            index.enabled = not by_sql
            counter.into = None if warm or by_sql else result.advance_statements
            start = time.perf_counter()
            progress = await advance(services, request_id)
            advance_ms = (time.perf_counter() - start) * 1000
            counter.into = None
            index.enabled = True
            if progress.step is Step.OFFERED:  # the column times what advance really does
                assert await offered_to(app, request_id) == chosen, "find+rank ≠ advance"
            if warm:
                continue
            (result.advance_sql if by_sql else result.advance).append(advance_ms)
            result.find_rank.append(find_ms)
            result.find_rank_sql.append(sql_ms)
            result.choice.append(choice_ms)
            result.choice_sql.append(choice_sql_ms)
            result.step_index.append(step_index_ms)
            result.step_sql.append(step_sql_ms)
            if full:
                result.full_ranking.append(full_ms)
            result.candidates.append(candidates)
            result.steps[progress.step.value] += 1
    return result


async def index_figures(app: App) -> tuple[float, float]:
    """The candidate index's rebuild time from the database (ms, best of 3: one query and
    the dicts) and its size in MB (10^6 bytes: what tracemalloc sees it keep)."""
    times = []
    for _ in range(3):
        fresh = CandidateIndex(app.db.uow)
        start = time.perf_counter()
        await fresh.catch_up()
        times.append((time.perf_counter() - start) * 1000)
    del fresh
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = CandidateIndex(app.db.uow)
    await kept.catch_up()
    gc.collect()
    size = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert kept.built
    return min(times), size / 1e6


def postgres_cpu_seconds() -> tuple[float, float] | None:
    """User + system CPU of the PostgreSQL server on this machine so far, from /proc: of its
    client backends (the processes that run the statements), and of all its processes
    (background writer, autovacuum... too); None when there is none."""
    tick = os.sysconf("SC_CLK_TCK")
    backends = everything = 0
    found = False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            title = (stat.parent / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        if text[text.index("(") + 1 : text.rindex(")")] != "postgres":
            continue
        fields = text[text.rindex(")") + 2 :].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        everything += ticks
        # A client backend's title: "postgres: 15/main: USER DATABASE HOST(PORT) STATE".
        backends += ticks if "(" in title else 0
        found = True
    return (backends / tick, everything / tick) if found else None


async def postgres_cpu_per_step(
    app: App, members: int, count: int, seed: int
) -> dict[str, tuple[float, float]]:
    """PostgreSQL's server CPU per `advance`, ms (client backends, all processes): `count`
    fresh requests (stored first) advanced one after the other from the index, then as many
    from SQL (the index switched off). The kernel counts CPU in clock ticks (10 ms): read the
    mean over many steps, not one."""
    rng = random.Random(seed + 29)
    texts = request_texts()
    index = app.db.candidate_index
    found: dict[str, tuple[float, float]] = {}
    for path, enabled in (("index", True), ("SQL", False)):
        ids = [
            await store_request(app, rng.randint(1, members), fresh_text(rng, texts))
            for _ in range(count)
        ]
        index.enabled = enabled
        before = postgres_cpu_seconds()
        for request_id in ids:
            await advance(app.services, request_id)
        after = postgres_cpu_seconds()
        index.enabled = True
        if before is not None and after is not None:
            found[path] = (
                (after[0] - before[0]) / count * 1000,
                (after[1] - before[1]) / count * 1000,
            )
    return found


async def profile_advance(app: App, members: int, count: int, seed: int) -> None:
    """cProfile of `count` calls of `advance` on fresh requests (stored untimed)."""
    rng = random.Random(seed + 23)
    texts = request_texts()
    services = app.services
    ids = [
        await store_request(app, rng.randint(1, members), fresh_text(rng, texts))
        for _ in range(count + 5)
    ]
    for request_id in ids[:5]:  # warm-up
        await advance(services, request_id)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for request_id in ids[5:]:
        await advance(services, request_id)
    profiler.disable()
    elapsed = time.perf_counter() - start
    print(
        f"\nprofile: {count} `advance` at {members:,} members: "
        f"{elapsed / count * 1000:.2f} ms each under cProfile"
    )
    for order, lines in (("tottime", 25), ("cumulative", 40)):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(lines)
        print(out.getvalue())


# --- Profile -------------------------------------------------------------------------------


@dataclass
class Statements:
    """Statements per `/demande` on a warmed engine, and those compiled afresh."""

    demandes: int = 0
    offers: int = 0
    sent: Counter[str] = field(default_factory=Counter)
    compiled: Counter[str] = field(default_factory=Counter)


async def count_statements(app: App, members: int, count: int, seed: int) -> Statements:
    """`count` sequential `/demande` after 5 of warm-up, each one's statements counted (a
    `before_cursor_execute` listener) with those not found in SQLAlchemy's compiled cache."""
    rng = random.Random(seed + 23)
    texts = request_texts()
    load = Load()
    result = Statements()
    authors = rng.sample(range(1, members + 1), count + 5)
    for author in authors[:5]:
        await demande(app, author, fresh_text(rng, texts), load)
    for author in authors[5:]:
        body = fresh_text(rng, texts)
        with StatementTally(app.db.engine) as tally:
            request_id = await demande(app, author, body, load)
        result.demandes += 1
        result.sent.update(tally.statements)
        result.compiled.update(tally.compiled)
        if request_id is not None:
            result.offers += len(await offered_to(app, request_id))
    return result


async def profile(app: App, members: int, count: int, seed: int) -> None:
    """cProfile of `count` sequential `/demande`, with the statements each one runs."""
    rng = random.Random(seed + 19)
    texts = request_texts()
    kinds: Counter[str] = Counter()

    def count_statement(*args: Any) -> None:
        kinds[statement_kind(args[2])] += 1

    load = Load()
    authors = rng.sample(range(1, members + 1), count + 5)
    for author in authors[:5]:  # warm-up
        await demande(app, author, fresh_text(rng, texts), load)
    bodies = [fresh_text(rng, texts) for _ in range(count)]
    event.listen(app.db.engine.sync_engine, "before_cursor_execute", count_statement)
    profiler = cProfile.Profile()
    profiler.enable()
    start = time.perf_counter()
    for author, body in zip(authors[5:], bodies, strict=True):
        await demande(app, author, body, load)
    elapsed = time.perf_counter() - start
    profiler.disable()
    event.remove(app.db.engine.sync_engine, "before_cursor_execute", count_statement)
    total = sum(kinds.values())
    print(
        f"\nprofile: {count} sequential /demande at {members:,} members: "
        f"{elapsed / count * 1000:.2f} ms each under cProfile, "
        f"{total / count:.1f} SQL statements per /demande"
    )
    print("statements per /demande, by kind:")
    for kind, n in kinds.most_common():
        print(f"  {n / count:6.2f}  {kind}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(35)
    print(out.getvalue())
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(20)
    print(out.getvalue())


# --- Runs ----------------------------------------------------------------------------------


@asynccontextmanager
async def network_app(
    backend: str, members: int, args: argparse.Namespace, versions: dict[str, str]
) -> AsyncIterator[tuple[App, Network]]:
    async with database(backend, args.postgres_url) as url:
        config = parse_config(
            {
                "database": {"url": url},
                "requests": {"quiet_hours": "00:00-00:00", "quiet_weekends": False},
            },
            "bench",
            {},
        )
        app = App.build(config, clock=FixedClock(NOW))
        try:
            await app.prepare(migrate=True)
            if backend == "postgresql":
                async with app.services.uow() as uow:
                    versions["postgresql"] = str(
                        await uow.session.scalar(text("SHOW server_version"))
                    )
            rng = random.Random(args.seed)
            network = await seed(app, members, members * args.past_per_member, rng)
            print(
                f"{backend} {members:>6,} members: seeded {network.past:,} past requests, "
                f"{network.member_skills:,} member skills, {network.offers:,} offers "
                f"in {network.load_s:.1f} s",
                flush=True,
            )
            yield app, network
        finally:
            await app.close()


@dataclass
class Results:
    matching: dict[tuple[str, int], Matching] = field(default_factory=dict)
    burst: dict[str, Load] = field(default_factory=dict)
    mixed: dict[str, Load] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    statements: dict[str, Statements] = field(default_factory=dict)


async def run(args: argparse.Namespace) -> None:
    versions = {"sqlite": sqlite3.sqlite_version}
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    results = Results()
    for backend in args.backends:
        for members in (args.small, args.members):
            async with network_app(backend, members, args, versions) as (app, _):
                before = errors.count
                match = await time_matching(
                    app, members, args.match_samples, args.seed, full=args.full_ranking
                )
                results.matching[(backend, members)] = match
                print(
                    f"  matching: advance p50 {percentile(match.advance, 0.5):.2f} ms, "
                    f"p95 {percentile(match.advance, 0.95):.2f} ms; find+rank p50 "
                    f"{percentile(match.find_rank, 0.5):.2f} ms, p95 "
                    f"{percentile(match.find_rank, 0.95):.2f} ms (SQL p50 "
                    f"{percentile(match.find_rank_sql, 0.5):.2f}, p95 "
                    f"{percentile(match.find_rank_sql, 0.95):.2f} ms); the choice alone "
                    f"p50 {percentile(match.choice, 0.5):.3f} / "
                    f"{percentile(match.choice_sql, 0.5):.3f} ms, p95 "
                    f"{percentile(match.choice, 0.95):.3f} / "
                    f"{percentile(match.choice_sql, 0.95):.3f} ms (index / SQL); index "
                    f"{match.index_mb:.2f} MB, rebuilt in {match.index_rebuild_ms:.0f} ms; "
                    f"candidate step alone p50 {percentile(match.step_index, 0.5):.2f} / "
                    f"{percentile(match.step_sql, 0.5):.2f} ms, p95 "
                    f"{percentile(match.step_index, 0.95):.2f} / "
                    f"{percentile(match.step_sql, 0.95):.2f} ms (index / SQL); "
                    "candidates median "
                    f"{percentile(match.candidates, 0.5):.0f}; {dict(match.steps)}",
                    flush=True,
                )
                if backend == "postgresql" and args.server_cpu_steps:
                    match.server_cpu = await postgres_cpu_per_step(
                        app, members, args.server_cpu_steps, args.seed
                    )
                    print(
                        "  PostgreSQL server CPU per `advance`, client backends (all processes): "
                        + "; ".join(
                            f"{path} {backend:.2f} ms ({everything:.2f} ms)"
                            for path, (backend, everything) in match.server_cpu.items()
                        ),
                        flush=True,
                    )
                if members == args.members and args.profile and backend == "sqlite":
                    await profile_advance(app, members, args.profile_advances, args.seed)
                if members == args.members:
                    for concurrency in args.burst_concurrency if args.demandes else ():
                        burst = await store_and_match(app, members, args, concurrency)
                        results.burst[f"{backend} ×{concurrency}"] = burst
                        n = len(burst.latencies["/demande"])
                        print(
                            f"  store+match ×{concurrency}: {n} /demande in {burst.elapsed:.1f} s"
                            f" = {n / burst.elapsed:.0f}/s {dict(burst.steps)}",
                            flush=True,
                        )
                    if args.duration:
                        load = await mixed(app, members, args)
                        results.mixed[f"{backend} ×{args.concurrency}"] = load
                        print(f"  mixed: {dict(load.steps)} in {load.elapsed:.1f} s", flush=True)
                    if args.statement_demandes:
                        counted = await count_statements(
                            app, members, args.statement_demandes, args.seed
                        )
                        results.statements[backend] = counted
                        print(
                            f"  statements per /demande: "
                            f"{sum(counted.sent.values()) / counted.demandes:.1f} sent, "
                            f"{sum(counted.compiled.values()) / counted.demandes:.2f} compiled "
                            f"(not in the compiled cache) {dict(counted.compiled)}",
                            flush=True,
                        )
                    if args.profile and backend == "sqlite":
                        await profile(app, members, args.profile_demandes, args.seed)
                results.errors[f"{backend} {members}"] = errors.count - before
    results.kinds = dict(errors.kinds)
    report(results, args, versions)


def report(results: Results, args: argparse.Namespace, versions: dict[str, str]) -> None:
    print_machine(versions, args.one_core, args.event_loop)
    print(
        f"seed {args.seed}; {args.past_per_member} past requests per member; "
        f"concurrency {args.concurrency}; delivery (outbox dispatcher) not included"
    )
    print(f"router errors logged: {results.errors} {dict(results.kinds)}")
    print()
    print("Throughput at", f"{args.members:,} members")
    print()
    print(
        "| backend × tasks | phase | /demande per s | commands per s | command | n "
        "| p50 | p95 | p99 |"
    )
    print("|---|---|---:|---:|---|---:|---:|---:|---:|")
    for phase, loads in (("store+match", results.burst), ("mixed", results.mixed)):
        for backend, load in loads.items():
            demandes = len(load.latencies["/demande"])
            commands = sum(len(v) for v in load.latencies.values())
            for command in COMMANDS:
                values = load.latencies[command]
                if not values:
                    continue
                print(
                    f"| {backend} | {phase} | {demandes / load.elapsed:.0f} "
                    f"| {commands / load.elapsed:.0f} | {command} | {len(values):,} "
                    f"| {percentile(values, 0.5):.1f} ms | {percentile(values, 0.95):.1f} ms "
                    f"| {percentile(values, 0.99):.1f} ms |"
                )
    print()
    print(
        "Matching one request: `advance` = the whole step (read the request, find and rank, "
        "move it to offered, queue the offers, commit); find+rank = what `advance` does to "
        "choose the helpers (`choose_helpers`), read only; each from the candidate index "
        "(`advance` every other request) and from SQL (the index switched off: the other "
        "requests, and find+rank of the same request)"
        + (
            "; full ranking = the old path (every candidate's load, all ranked)"
            if args.full_ranking
            else ""
        )
    )
    print()
    full = " full ranking p50 | full ranking p95 |" if args.full_ranking else ""
    print(
        "| backend | members | candidates (median) | advance p50 index / SQL "
        "| advance p95 index / SQL | find+rank p50 index / SQL | find+rank p95 index / SQL "
        "| choice alone p50 index / SQL | choice alone p95 index / SQL "
        "| candidate step p50 index / SQL | candidate step p95 index / SQL "
        f"| index MB | index rebuild | statements per advance | per find+rank |{full}"
    )
    print(
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        + ("---:|---:|" if full else "")
    )
    for (backend, members), m in results.matching.items():
        samples = max(1, len(m.advance))
        line = (
            f"| {backend} | {members:,} | {percentile(m.candidates, 0.5):.0f} "
            f"| {percentile(m.advance, 0.5):.2f} / {percentile(m.advance_sql, 0.5):.2f} ms "
            f"| {percentile(m.advance, 0.95):.2f} / {percentile(m.advance_sql, 0.95):.2f} ms "
            f"| {percentile(m.find_rank, 0.5):.2f} / {percentile(m.find_rank_sql, 0.5):.2f} ms "
            f"| {percentile(m.find_rank, 0.95):.2f} / {percentile(m.find_rank_sql, 0.95):.2f} ms "
            f"| {percentile(m.choice, 0.5):.3f} / {percentile(m.choice_sql, 0.5):.3f} ms "
            f"| {percentile(m.choice, 0.95):.3f} / {percentile(m.choice_sql, 0.95):.3f} ms "
            f"| {percentile(m.step_index, 0.5):.3f} / {percentile(m.step_sql, 0.5):.3f} ms "
            f"| {percentile(m.step_index, 0.95):.3f} / {percentile(m.step_sql, 0.95):.3f} ms "
            f"| {m.index_mb:.2f} | {m.index_rebuild_ms:.0f} ms "
            f"| {sum(m.advance_statements.values()) / samples:.1f} "
            f"| {sum(m.find_rank_statements.values()) / max(1, len(m.find_rank)):.1f} |"
        )
        if full:
            line += (
                f" {percentile(m.full_ranking, 0.5):.2f} ms "
                f"| {percentile(m.full_ranking, 0.95):.2f} ms |"
            )
        print(line)
    for (backend, members), m in results.matching.items():
        samples = max(1, len(m.advance))
        print(
            f"{backend} {members:,} members, statements per advance (index path) by kind "
            "(BEGIN included):"
        )
        for kind, n in sorted(m.advance_statements.items(), key=lambda pair: -pair[1]):
            print(f"  {n / samples:6.2f}  {kind}")
    for backend in args.backends:
        small = results.matching.get((backend, args.small))
        big = results.matching.get((backend, args.members))
        if small and big:
            print(
                f"{backend}: advance ratio {args.members:,}/{args.small:,} members: "
                f"p50 {percentile(big.advance, 0.5) / percentile(small.advance, 0.5):.1f}×, "
                f"p95 {percentile(big.advance, 0.95) / percentile(small.advance, 0.95):.1f}×"
            )
    for backend, counted in results.statements.items():
        n = max(1, counted.demandes)
        print()
        print(
            f"{backend} {args.members:,} members, per /demande on a warmed engine "
            f"({counted.demandes} sequential, {counted.offers / n:.1f} helpers offered each): "
            f"{sum(counted.sent.values()) / n:.1f} statements sent (BEGIN included), "
            f"{sum(counted.compiled.values()) / n:.2f} compiled (compiled-cache misses)"
        )
        print("| statement | sent per /demande | compiled per /demande |")
        print("|---|---|---|")
        for kind, sent in sorted(counted.sent.items(), key=lambda pair: -pair[1]):
            print(f"| {kind} | {sent / n:.2f} | {counted.compiled[kind] / n:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=100, help="the small network (matching)")
    parser.add_argument("--past-per-member", type=int, default=10)
    parser.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--concurrency", type=int, default=20, help="tasks of the mixed phase")
    parser.add_argument(
        "--burst-concurrency",
        type=int,
        nargs="+",
        default=[1, 20],
        help="tasks of the store+match phase (one run each)",
    )
    parser.add_argument("--demandes", type=int, default=2000, help="store+match phase, in all")
    parser.add_argument("--duration", type=float, default=20.0, help="mixed phase, seconds")
    parser.add_argument("--match-samples", type=int, default=200)
    parser.add_argument(
        "--server-cpu-steps",
        type=int,
        default=300,
        help="PostgreSQL only: `advance` steps over which the server's CPU is measured, per path",
    )
    parser.add_argument(
        "--statement-demandes",
        type=int,
        default=30,
        help="sequential /demande whose statements and compiled-cache misses are counted",
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--profile-demandes", type=int, default=50)
    parser.add_argument("--profile-advances", type=int, default=200)
    parser.add_argument(
        "--full-ranking",
        action="store_true",
        help="also time the old full ranking (every candidate's load), for comparison",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    one_core_option(parser)
    event_loop_option(parser)
    args = parser.parse_args()
    pin_to_one_core(args)
    run_on_loop(run(args), args)


if __name__ == "__main__":
    main()
