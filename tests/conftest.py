"""Shared fixtures: a migrated database per backend, the app, and console conversations.

Storage and conversation tests run on SQLite always, and on PostgreSQL too when
`SAMU_TEST_POSTGRES_URL` points to a server (one throwaway database per test session).

Hypothesis runs with the "ci" profile when the environment variable `CI` is set (no deadline
nor "too slow" check: a busy machine must not fail a test; the same examples on every run; no
example database; a failure prints the blob that reproduces it), with the "dev" profile
(Hypothesis's defaults) otherwise; `pytest --hypothesis-profile=ci` picks one by hand.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.app import App
from bot.core.clock import FixedClock
from storage.db import Database, create_engine
from storage.migrate import upgrade
from storage.models import Base
from tests.helpers import Conversation, prepared_app

POSTGRES_URL = os.environ.get("SAMU_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday morning

# Loaded here, before the test modules are imported: their `@settings(...)` build on it.
settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev")
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `synapse` every test that uses the real homeserver (the `synapse` fixture, directly or
    through another fixture), so that a new Matrix test is marked without anyone thinking of it.
    `slow` and `cli_subprocess` are set by the test modules themselves (see pyproject.toml)."""
    for item in items:
        if "synapse" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.synapse)


@dataclass(frozen=True)
class Backend:
    """A migrated database the tests of one backend share (reset between tests)."""

    name: str
    url: str
    template: Path | None = None


@pytest.fixture(scope="session", params=BACKENDS)
async def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Backend]:
    """Migrate a fresh database once per backend and test session."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("template") / "samu.db"
        engine = create_engine(f"sqlite:///{template}")
        await upgrade(engine)
        await engine.dispose()
        yield Backend("sqlite", f"sqlite:///{template}", template)
        return
    name = f"samu_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    await upgrade(engine)
    await engine.dispose()
    try:
        yield Backend("postgresql", url)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def database_url(backend: Backend, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty, migrated database for one test."""
    if backend.template is not None:
        copy = tmp_path / "samu.db"
        shutil.copy(backend.template, copy)
        yield f"sqlite:///{copy}"
        return
    engine = create_engine(backend.url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    yield backend.url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A Database on a fresh migrated schema."""
    database = Database.from_url(database_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    """A clock that only moves when the test says so."""
    return FixedClock(START)


@pytest.fixture
async def app(database_url: str, clock: FixedClock) -> AsyncIterator[App]:
    """The whole application on a fresh database, taxonomy loaded, console-ready."""
    async with prepared_app(database_url, clock) as application:
        yield application


@pytest.fixture
async def chat(app: App) -> AsyncIterator[Conversation]:
    """Talk to the app through the console transport, as several personas."""
    conversation = Conversation(app)
    try:
        yield conversation
    finally:
        # A line kept during a simulated outage must not be handed over again during a later
        # test (the event loop is shared): it would write into that test's database.
        await conversation.console.close()
