"""On SQLite, units of work queue for the database in this process; a long wait is reported."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from storage import db as storage_db
from storage.db import Database, StorageUnavailable


async def test_a_unit_of_work_kept_waiting_too_long_reports_the_database_unavailable(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL lets units of work run side by side")
    monkeypatch.setattr(storage_db, "SQLITE_BUSY_SECONDS", 0.01)
    database = Database.from_url(database_url)
    finished: list[str] = []

    async def another(name: str) -> None:
        async with database.uow() as uow:
            await uow.session.execute(text("SELECT 1"))
            finished.append(name)

    try:
        async with database.uow() as holder:
            await holder.session.execute(text("SELECT 1"))
            with pytest.raises(StorageUnavailable):
                await asyncio.create_task(another("kept waiting"))
        await another("after")
    finally:
        await database.dispose()
    assert finished == ["after"]
