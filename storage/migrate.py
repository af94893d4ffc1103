"""Schema migrations to head, and the check that the schema is current."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config() -> Config:
    """The Alembic configuration of the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    return config


def head_revision() -> str:
    """The newest migration shipped with the code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """Where the database schema stands compared with the code."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        """True when the database is at the code's newest migration."""
        return self.current == self.head


async def schema_status(engine: AsyncEngine) -> SchemaStatus:
    """Read the database's migration revision (None for an empty database)."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        current = await connection.run_sync(read)
    return SchemaStatus(current=current, head=head_revision())


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply every pending migration, in one transaction where the database allows it."""

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)
