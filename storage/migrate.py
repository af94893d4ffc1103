"""Schema migrations to head, and the check that the schema is current.

The check runs at every start, so it reads the revision with SQLAlchemy and compares it with
`HEAD_REVISION`, without importing Alembic (about 7 MiB and 0.07 s, for a process that only
needs to know the schema is current). Alembic is imported when migrations really run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.leader import lock_key

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration in storage/migrations/versions; a unit test checks it against Alembic's
# own reading of the scripts, so adding a migration without updating it fails the tests.
HEAD_REVISION = "0016"

# Where Alembic records the revision (its default; storage/migrations/env.py keeps it).
VERSION_TABLE = "alembic_version"


def alembic_config() -> Config:
    """The Alembic configuration of the packaged migrations."""
    from alembic.config import Config  # Alembic is loaded only to migrate or read the scripts

    config = Config()
    config.set_main_option("script_location", str(files("storage") / "migrations"))
    return config


def head_revision() -> str:
    """The newest migration shipped with the code, as Alembic reads the scripts."""
    from alembic.script import ScriptDirectory  # see alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> frozenset[str]:
    """The revisions of the migrations shipped with the code (from the scripts' file names,
    `NNNN_what.py`, without importing Alembic; a unit test checks them against Alembic's)."""
    versions = files("storage") / "migrations" / "versions"
    return frozenset(
        match[1]
        for entry in versions.iterdir()
        if (match := _SCRIPT_NAME.fullmatch(entry.name)) is not None
    )


_SCRIPT_NAME = re.compile(r"(\d{4})_\w+\.py")


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """Where the database schema stands compared with the code."""

    current: str | None
    head: str
    known: frozenset[str] = frozenset()

    @property
    def up_to_date(self) -> bool:
        """True when the database is at the code's newest migration."""
        return self.current == self.head

    @property
    def from_newer_version(self) -> bool:
        """True when the database was migrated by a version of samu this code does not know
        (a newer one): upgrading cannot help, and going on could damage it."""
        return self.current is not None and self.current not in self.known | {self.head}


def current_revision(connection: Connection) -> str | None:
    """The revision recorded in the database (None for an empty database).

    Several rows (branches, which this project does not use) read as their sorted list
    joined by commas, which never equals a single head.
    """
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return ",".join(sorted(rows)) or None


async def schema_status(engine: AsyncEngine) -> SchemaStatus:
    """Read the database's migration revision and compare it with the code's."""
    async with engine.connect() as connection:
        current = await connection.run_sync(current_revision)
    return SchemaStatus(current=current, head=HEAD_REVISION, known=known_revisions())


# The advisory lock two `samu db upgrade` on one PostgreSQL database take in turn.
UPGRADE_LOCK = "samu:db-upgrade"


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply every pending migration, in one transaction where the database allows it.

    On PostgreSQL the transaction first takes an advisory lock (freed at its end): a second
    process upgrading at the same time waits, then finds nothing left to do. SQLite's write
    lock already lets one writer through at a time.
    """
    from alembic import command  # see alembic_config

    def run(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(UPGRADE_LOCK)}
            )
        await connection.run_sync(run)
