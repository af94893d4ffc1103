"""Search latency of the tutorial base, next to a naive `LIKE '%…%'` scan on the same data.

For each backend (SQLite FTS5, PostgreSQL tsvector) and each base size, a fresh database is
filled with tutorials synthesised from `tests/data/tutorial_corpus.toml` (titles, problems
and steps of different entries recombined, plus generated place names and numbers so that
the vocabulary grows with the base), then each query is timed through the whole `/tuto`
use-case, `bot.core.tutorial_search.search` (typo fixing, AND then OR, loading the records),
and through a naive scan: every query word as `lower(title || problem || solution) LIKE
'%word%'`, ANDed, newest first. Queries: the corpus's 32 plus 20 drawn from the generated
vocabulary, each run `--repeat` times after a warm-up run. Everything runs in this process,
one query at a time; `--one-core` (default) pins the process to CPU 0 first.

Run: .venv/bin/python bench/search_bench.py [--sizes 1000 10000 100000]
     [--backends sqlite postgresql] [--repeat 5] [--seed 7] [--loader auto|repo|bulk]
     [--postgres-url postgresql://postgres@127.0.0.1:5432/test] [--no-one-core]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text

from bench.common import (
    chunks,
    database,
    one_core_option,
    percentile,
    pin_to_one_core,
    print_machine,
    table,
)
from bot.app import App
from bot.config import parse_config
from bot.core import tutorial_search
from bot.core.clock import FixedClock
from bot.core.tutorials import skills_text
from bot.core.types import TutorialStatus
from skills.text_search import index_words, query_words, stemmed_text
from storage.db import UnitOfWork
from storage.models import (
    TutorialModel,
    TutorialSkillModel,
    TutorialThemeModel,
    TutorialWordModel,
)
from storage.repositories._upsert import insert_for
from storage.search import tag

ROOT = Path(__file__).resolve().parents[1]
CORPUS = tomllib.loads((ROOT / "tests" / "data" / "tutorial_corpus.toml").read_text("utf-8"))
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BATCH = 2000  # tutorials per unit of work (one commit each)
REPO_LOADER_MAX = 10_000  # `--loader auto`: one `TutorialRepository.add` per row up to this size
DRAWN_QUERIES = 20
LIMIT = 10

_SYLLABLES = (
    *("bar", "ber", "bou", "ca", "cha", "cour", "dun", "fa", "fon", "gar", "gou", "la", "lan"),
    *("lor", "ma", "mer", "mont", "nay", "nan", "or", "pé", "pi", "plo", "quen", "ra", "ré"),
    *("ro", "sain", "sar", "sé", "tal", "tan", "ter", "tré", "va", "vel", "vi", "vil", "zac"),
)
# Words of the sentences `synthesise` adds to every entry (not drawn as queries).
_TEMPLATE = frozenset(
    ("cas", "suivi", "noter", "version", "formulaire", "antenne", "case", "seen", "write")
) | {"down", "form", "office"}
_ENDINGS = ("", "", "", "ac", "ville", "court", "heim", "y", "ec", "on")


@dataclass(frozen=True, slots=True)
class Entry:
    """A tutorial to load: the fields `TutorialRepository.add` takes."""

    title: str
    problem: str
    steps: tuple[str, ...]
    skills: tuple[str, ...]
    themes: tuple[str, ...]
    language: str


@dataclass
class Result:
    """The figures of one backend at one size."""

    backend: str
    size: int
    loader: str
    load_s: float
    vocabulary: int
    fts: list[float] = field(default_factory=list)
    like: list[float] = field(default_factory=list)


# --- Synthetic base ------------------------------------------------------------------------


def place_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct made-up place names (2–4 syllables, some with an ending or a Saint-)."""
    names: dict[str, None] = {}
    while len(names) < count:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        name = (name + rng.choice(_ENDINGS)).capitalize()
        if rng.random() < 0.08:
            name = "Saint-" + name
        names.setdefault(name, None)
    return list(names)


def synthesise(size: int, seed: int) -> list[Entry]:
    """`size` tutorials recombined from the corpus, with a vocabulary that grows with `size`.

    Title, skills and themes come from one corpus entry, the problem from another entry of the
    same language, the steps from up to three entries; place names (a pool of size/2, drawn
    with a skew: a few common ones, many rare), a year and a form version are added to the
    text (no case numbers: the personal-data guard keeps those out of a real base).
    """
    rng = random.Random(seed)
    corpus: list[dict[str, Any]] = CORPUS["tutorial"]
    by_language: dict[str, list[dict[str, Any]]] = {}
    for item in corpus:
        by_language.setdefault(item["language"], []).append(item)
    places = place_names(size // 2 + 200, rng)

    def place() -> str:
        return places[int(len(places) * rng.random() ** 2)]

    entries = []
    for _ in range(size):
        first = rng.choice(corpus)
        language = first["language"]
        second, third = rng.choice(by_language[language]), rng.choice(by_language[language])
        pool = list(dict.fromkeys([*first["steps"], *second["steps"], *third["steps"]]))
        steps = rng.sample(pool, min(len(pool), rng.randint(3, 6)))
        town, year, version = place(), rng.randint(2015, 2026), rng.randint(10, 999)
        if language == "fr":
            problem = f"{second['problem']} Cas suivi à {town} en {year}."
            steps.append(f"Noter la version {version} du formulaire et l'antenne de {place()}.")
        else:
            problem = f"{second['problem']} Case seen in {town} in {year}."
            steps.append(f"Write down form version {version} and the {place()} office.")
        title = first["title"] + (f" ({town})" if rng.random() < 0.3 else "")
        entries.append(
            Entry(
                title=title,
                problem=problem,
                steps=tuple(steps),
                skills=tuple(first["skills"]),
                themes=tuple(first["themes"]),
                language=language,
            )
        )
    return entries


def drawn_queries(entries: Sequence[Entry], count: int, seed: int) -> list[str]:
    """Single- and two-word queries from the base's own words (half of them two words).

    Words come from titles and problems, not the generated template around them ("suivi",
    years…, in every entry); place names are drawn like any other word.
    """
    rng = random.Random(seed + 1)

    def words_of(entry: Entry) -> list[str]:
        found = index_words(f"{entry.title} {entry.problem}")
        return [w for w in found if len(w) >= 4 and not w.isdigit() and w not in _TEMPLATE]

    queries: list[str] = []
    while len(queries) < count:
        words = words_of(rng.choice(entries))
        if len(words) < 2:
            continue
        if len(queries) % 2 == 0:
            queries.append(rng.choice(words))
        elif len(queries) % 4 == 1:  # two words of the same entry: the AND search finds it
            queries.append(" ".join(rng.sample(words, 2)))
        else:  # two words of different entries: often the OR fallback
            other = words_of(rng.choice(entries)) or words
            queries.append(f"{rng.choice(words)} {rng.choice(other)}")
    return queries


# --- Loading -------------------------------------------------------------------------------


async def skill_ids(uow: UnitOfWork) -> dict[str, int]:
    slugs = {slug for item in CORPUS["tutorial"] for slug in item["skills"]}
    return {slug: row.id for slug, row in (await uow.skills.by_slugs(sorted(slugs))).items()}


async def load_with_repository(app: App, entries: Sequence[Entry]) -> None:
    """The product's own path: `TutorialRepository.add` per tutorial, one commit per batch."""
    services = app.services
    for batch in chunks(entries, BATCH):
        async with services.uow() as uow:
            ids = await skill_ids(uow)
            for entry in batch:
                await uow.tutorials.add(
                    request_id=None,
                    author_id=None,
                    title=entry.title,
                    problem=entry.problem,
                    steps=entry.steps,
                    skill_ids=[ids[slug] for slug in entry.skills],
                    themes=entry.themes,
                    skills_text=skills_text(services.matcher, entry.skills),
                    language=entry.language,
                    now=NOW,
                    status=TutorialStatus.PUBLISHED,
                )
            await uow.commit()


async def load_in_bulk(app: App, entries: Sequence[Entry]) -> None:
    """The same rows written with executemany: tutorials, skills, themes, FTS5 rows, words.

    The FTS5 rows hold what `SqliteSearch.index` computes; PostgreSQL computes its vector.
    """
    services = app.services
    postgres = app.db.dialect == "postgresql"
    words: set[str] = set()
    next_id = 1
    for batch in chunks(entries, BATCH):
        async with services.uow() as uow:
            ids = await skill_ids(uow)
            rows, skills, themes, index = [], [], [], []
            for entry in batch:
                labels = skills_text(services.matcher, entry.skills)
                solution = "\n".join(entry.steps)
                rows.append(
                    {
                        "id": next_id,
                        "request_id": None,
                        "author_id": None,
                        "asker_id": None,
                        "title": entry.title,
                        "problem": entry.problem,
                        "solution": solution,
                        "status": TutorialStatus.PUBLISHED.value,
                        "language": entry.language,
                        "licence": "Etalab-2.0",
                        "audience": "",
                        "skills_text": labels,
                        "helped_count": 0,
                        "flag_count": 0,
                        "created_at": NOW,
                        "updated_at": NOW,
                        "checked_at": NOW,
                        "published_at": NOW,
                    }
                )
                skills += [{"tutorial_id": next_id, "skill_id": ids[s]} for s in entry.skills]
                themes += [{"tutorial_id": next_id, "theme": t} for t in sorted(entry.themes)]
                for part in (entry.title, labels, entry.problem, solution):
                    words.update(index_words(part))
                if not postgres:
                    index.append(
                        {
                            "id": next_id,
                            "title": stemmed_text(entry.title, entry.language),
                            "skills": stemmed_text(labels, "fr") + " " + stemmed_text(labels, "en"),
                            "problem": stemmed_text(entry.problem, entry.language),
                            "steps": stemmed_text(solution, entry.language),
                            "tags": " ".join(
                                [tag("skill", slug) for slug in entry.skills]
                                + [tag("theme", theme) for theme in sorted(entry.themes)]
                            ),
                        }
                    )
                next_id += 1
            session = uow.session
            await session.execute(insert(table(TutorialModel)), rows)
            await session.execute(insert(table(TutorialSkillModel)), skills)
            await session.execute(insert(table(TutorialThemeModel)), themes)
            if index:
                await session.execute(
                    text(
                        "INSERT INTO tutorial_index (rowid, title, skills, problem, steps, tags) "
                        "VALUES (:id, :title, :skills, :problem, :steps, :tags)"
                    ),
                    index,
                )
            await uow.commit()
    async with services.uow() as uow:
        vocabulary = insert_for(uow.session, table(TutorialWordModel))
        for part in chunks(sorted(words), 5000):
            await uow.session.execute(
                vocabulary.on_conflict_do_nothing(index_elements=["word"]),
                [{"word": word} for word in part],
            )
        if postgres:  # explicit ids: move the sequence past them
            await uow.session.execute(
                text("SELECT setval(pg_get_serial_sequence('tutorials', 'id'), :last)"),
                {"last": next_id - 1},
            )
        await uow.commit()


# --- Measures ------------------------------------------------------------------------------


def like_sql(words: Sequence[str]) -> tuple[str, dict[str, str]]:
    """The naive scan: every word somewhere in the text, newest first."""
    haystack = "lower(title || ' ' || problem || ' ' || solution)"
    conditions = [f"{haystack} LIKE :w{i}" for i in range(len(words))]
    where = " AND ".join(conditions) if conditions else "1 = 1"
    params = {f"w{i}": f"%{word}%" for i, word in enumerate(words)}
    return f"SELECT id FROM tutorials WHERE {where} ORDER BY id DESC LIMIT {LIMIT}", params


async def time_fts(app: App, queries: Sequence[str], repeat: int) -> list[float]:
    services = app.services
    latencies = []
    for query in queries:
        await tutorial_search.search(services, query, limit=LIMIT)
        for _ in range(repeat):
            start = time.perf_counter()
            await tutorial_search.search(services, query, limit=LIMIT)
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


async def time_like(app: App, queries: Sequence[str], repeat: int) -> list[float]:
    """The naive scan, one unit of work per call like the search (the words fold and split
    the same way: `query_words`)."""
    latencies = []
    for query in queries:
        sql, params = like_sql(query_words(query.replace("#", " ")))
        statement = text(sql)
        for run in range(repeat + 1):
            start = time.perf_counter()
            async with app.services.uow() as uow:
                list(await uow.session.scalars(statement, params))
            if run:  # the first run warms up
                latencies.append((time.perf_counter() - start) * 1000)
    return latencies


async def measure(
    backend: str, size: int, args: argparse.Namespace, versions: dict[str, str]
) -> Result:
    entries = synthesise(size, args.seed)
    queries = [q["q"] for q in CORPUS["query"]] + drawn_queries(entries, DRAWN_QUERIES, args.seed)
    loader = args.loader
    if loader == "auto":
        loader = "repo" if size <= REPO_LOADER_MAX else "bulk"
    async with database(backend, args.postgres_url) as url:
        config = parse_config({"database": {"url": url}}, "bench", {})
        app = App.build(config, clock=FixedClock(NOW))
        try:
            await app.prepare(migrate=True)
            start = time.perf_counter()
            if loader == "repo":
                await load_with_repository(app, entries)
            else:
                await load_in_bulk(app, entries)
            load_s = time.perf_counter() - start
            async with app.services.uow() as uow:
                if backend == "postgresql":  # autovacuum would have analysed a real base
                    await uow.session.execute(text("ANALYZE"))
                    versions["postgresql"] = str(
                        await uow.session.scalar(text("SHOW server_version"))
                    )
                vocabulary = int(
                    await uow.session.scalar(text("SELECT count(*) FROM tutorial_words")) or 0
                )
                await uow.commit()
            result = Result(backend, size, loader, load_s, vocabulary)
            result.fts = await time_fts(app, queries, args.repeat)
            result.like = await time_like(app, queries, args.repeat)
        finally:
            await app.close()
    return result


# --- Report --------------------------------------------------------------------------------


def report(results: Sequence[Result], args: argparse.Namespace, versions: dict[str, str]) -> None:
    print_machine(versions, args.one_core)
    print(f"seed {args.seed}, {args.repeat} timed runs per query after one warm-up run")
    print()
    print(
        "| backend | tutorials | words | loader | load s | FTS p50 | FTS p95 "
        "| LIKE p50 | LIKE p95 | ratio p95 |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        fts50, fts95 = percentile(r.fts, 0.5), percentile(r.fts, 0.95)
        like50, like95 = percentile(r.like, 0.5), percentile(r.like, 0.95)
        print(
            f"| {r.backend} | {r.size:,} | {r.vocabulary:,} | {r.loader} | {r.load_s:.1f} "
            f"| {fts50:.2f} ms | {fts95:.2f} ms | {like50:.2f} ms | {like95:.2f} ms "
            f"| {like95 / fts95:.1f}× |"
        )


async def run(args: argparse.Namespace) -> None:
    versions = {"sqlite": sqlite3.sqlite_version}
    results = []
    for backend in args.backends:
        for size in args.sizes:
            result = await measure(backend, size, args, versions)
            print(
                f"{backend} {size:>7,}: loaded ({result.loader}) in {result.load_s:.1f} s, "
                f"FTS p95 {percentile(result.fts, 0.95):.2f} ms, "
                f"LIKE p95 {percentile(result.like, 0.95):.2f} ms",
                flush=True,
            )
            results.append(result)
    report(results, args, versions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--loader",
        choices=["auto", "repo", "bulk"],
        default="auto",
        help=f"repo: TutorialRepository.add per row; bulk: executemany (auto: repo up to "
        f"{REPO_LOADER_MAX:,} tutorials)",
    )
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    one_core_option(parser)
    args = parser.parse_args()
    pin_to_one_core(args)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
