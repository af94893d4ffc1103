"""French full-text search over a realistic corpus, on SQLite (FTS5) and PostgreSQL (tsvector).

The corpus (`tests/data/tutorial_corpus.toml`) says, query by query, which entries must be
found, which must not, and which must come first. On PostgreSQL the same corpus is also
loaded into a SQLite database and every query must return the same entries on both.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import parse_config
from bot.core import tutorial_search
from bot.core.clock import FixedClock
from bot.core.tutorials import skills_text
from bot.core.types import TutorialStatus
from tests.conftest import START, Backend
from tests.helpers import prepared_app

CORPUS = tomllib.loads(
    (Path(__file__).parent.parent / "data" / "tutorial_corpus.toml").read_text(encoding="utf-8")
)
QUERIES: list[dict[str, Any]] = CORPUS["query"]


@dataclass(frozen=True)
class Loaded:
    """An app whose tutorial base holds the corpus, and the corpus key of each number."""

    app: App
    keys: dict[int, str]

    async def search(self, query: str, limit: int = 10) -> list[str]:
        services = self.app.services
        found = await tutorial_search.search(services, query, limit=limit)
        return [self.keys[tutorial.id] for tutorial in found.tutorials]


async def load_corpus(app: App) -> Loaded:
    """Publish every corpus entry (in file order) and remember its key."""
    services = app.services
    keys: dict[int, str] = {}
    async with services.uow() as uow:
        for entry in CORPUS["tutorial"]:
            rows = await uow.skills.by_slugs(entry["skills"])
            tutorial_id = await uow.tutorials.add(
                request_id=None,
                author_id=None,
                title=entry["title"],
                problem=entry["problem"],
                steps=entry["steps"],
                skill_ids=[rows[slug].id for slug in entry["skills"]],
                themes=entry["themes"],
                skills_text=skills_text(services.matcher, entry["skills"]),
                language=entry["language"],
                now=START,
                status=TutorialStatus.PUBLISHED,
            )
            keys[tutorial_id] = entry["key"]
        await uow.commit()
    return Loaded(app, keys)


@pytest.fixture(scope="module")
async def corpus_template(
    backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[int, str]] | None:
    """On SQLite, a copy of the migrated database with the corpus loaded, made once for the
    module (each test copies the file instead of publishing the ~50 entries again); None on
    PostgreSQL, where each test loads the corpus into its emptied database."""
    if backend.template is None:
        return None
    path = tmp_path_factory.mktemp("corpus") / "samu.db"
    shutil.copy(backend.template, path)
    async with prepared_app(f"sqlite:///{path}", FixedClock(START)) as app:
        keys = (await load_corpus(app)).keys
    # Closed: the write-ahead log is folded into the file, which alone is copied.
    assert not path.with_name(path.name + "-wal").exists()
    return path, keys


@pytest.fixture
async def corpus(
    database_url: str,
    corpus_template: tuple[Path, dict[int, str]] | None,
    tmp_path: Path,
    clock: FixedClock,
) -> AsyncIterator[Loaded]:
    """The corpus in the backend under test, in a database of the test's own."""
    if corpus_template is None:
        async with prepared_app(database_url, clock) as app:
            yield await load_corpus(app)
        return
    template, keys = corpus_template
    copy = tmp_path / "samu.db"
    shutil.copy(template, copy)
    async with prepared_app(f"sqlite:///{copy}", clock) as app:
        yield Loaded(app, keys)


@asynccontextmanager
async def sqlite_corpus(tmp_path: Path) -> AsyncIterator[Loaded]:
    """The corpus in a separate SQLite database, to compare backends."""
    config = parse_config({"database": {"url": f"sqlite:///{tmp_path / 'other.db'}"}}, "t", {})
    application = App.build(config, clock=FixedClock(START))
    await application.prepare(migrate=True)
    try:
        yield await load_corpus(application)
    finally:
        await application.close()


def test_the_corpus_is_large_and_realistic() -> None:
    assert len(CORPUS["tutorial"]) >= 50
    assert len({entry["key"] for entry in CORPUS["tutorial"]}) == len(CORPUS["tutorial"])
    assert {entry["language"] for entry in CORPUS["tutorial"]} == {"fr", "en"}
    assert len(QUERIES) >= 25


@pytest.mark.parametrize("query", QUERIES, ids=[q["q"] for q in QUERIES])
async def test_corpus_query(corpus: Loaded, query: dict[str, Any]) -> None:
    found = await corpus.search(query["q"])
    missing = [key for key in query["must"] if key not in found]
    assert not missing, f"{query['q']!r} ({query.get('note')}) misses {missing}; got {found}"
    unwanted = [key for key in query.get("must_not", []) if key in found]
    assert not unwanted, f"{query['q']!r} should not find {unwanted}"
    if not query["must"]:
        assert found == []
    if "top" in query:
        assert found[0] == query["top"], f"{query['q']!r}: {found}"


async def test_same_results_on_sqlite_and_postgresql(corpus: Loaded, tmp_path: Path) -> None:
    if corpus.app.config.database.url.startswith("sqlite"):
        pytest.skip("compares PostgreSQL with SQLite")
    async with sqlite_corpus(tmp_path) as on_sqlite_base:
        for query in QUERIES:
            on_postgres = await corpus.search(query["q"], limit=len(CORPUS["tutorial"]))
            on_sqlite = await on_sqlite_base.search(query["q"], limit=len(CORPUS["tutorial"]))
            assert set(on_postgres) == set(on_sqlite), query["q"]
            if "top" in query:  # rankings differ in detail (BM25, ts_rank), not on clear winners
                assert on_postgres[0] == on_sqlite[0], query["q"]


async def test_a_typo_is_corrected_and_said(corpus: Loaded) -> None:
    services = corpus.app.services
    found = await tutorial_search.search(services, "atestation ameli")
    assert found.corrections == {"atestation": "attestation"}
    assert "ameli-attestation" in [corpus.keys[t.id] for t in found.tutorials]


async def test_drafts_are_never_found(corpus: Loaded) -> None:
    services = corpus.app.services
    async with services.uow() as uow:
        first = min(corpus.keys)
        await uow.tutorials.update(first, START, status=TutorialStatus.DRAFT)
        await uow.commit()
    found = await corpus.search(CORPUS["tutorial"][0]["title"])
    assert CORPUS["tutorial"][0]["key"] not in found


async def test_some_words_only_give_close_matches(corpus: Loaded) -> None:
    services = corpus.app.services
    found = await tutorial_search.search(services, "ameli astrophysique")
    assert not found.exact and found.tutorials


async def test_a_very_common_word_ranks_only_its_newest_matches(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.search.RANK_WINDOW", 3)
    services = app.services
    async with services.uow() as uow:
        for n in range(5):
            title = "Compte ameli" if n == 0 else f"Carte Vitale {n}"
            await uow.tutorials.add(
                request_id=None,
                author_id=None,
                title=title,
                problem="Une démarche sur ameli.",
                steps=["Ouvrir ameli.fr"],
                skill_ids=[],
                now=START,
                status=TutorialStatus.PUBLISHED,
            )
        await uow.commit()
    found = await tutorial_search.search(services, "ameli")
    assert sorted(t.id for t in found.tutorials) == [3, 4, 5]  # the best one, #1, is too old
    found = await tutorial_search.search(services, "compte ameli")
    assert [t.id for t in found.tutorials] == [1]  # a narrower query ranks everything it finds
