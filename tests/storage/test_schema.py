"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from storage.db import Database, create_engine
from storage.migrate import head_revision, schema_status, upgrade
from storage.models import Base
from storage.search import include_in_schema


async def test_migrated_schema_matches_the_models(db: Database) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_schema}
        )
        return list(compare_metadata(context, Base.metadata))

    async with db.engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


async def test_schema_status_reports_head_after_upgrade(db: Database) -> None:
    status = await schema_status(db.engine)
    assert status.current == head_revision()
    assert status.up_to_date


async def test_empty_database_is_out_of_date_until_upgraded(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        before = await schema_status(engine)
        assert before.current is None and not before.up_to_date
        await upgrade(engine)
        await upgrade(engine)  # running it again changes nothing
        assert (await schema_status(engine)).up_to_date
    finally:
        await engine.dispose()
