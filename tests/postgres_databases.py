"""Throwaway PostgreSQL databases, each created empty for one test and dropped after it."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.db import create_engine

POSTGRES_URL = os.environ.get("SAMU_TEST_POSTGRES_URL", "")


@asynccontextmanager
async def empty_postgres_database() -> AsyncIterator[str]:
    """The URL of a new, empty PostgreSQL database (no table, no migration)."""
    name = f"samu_ops_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
