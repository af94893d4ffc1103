"""SQLite overwrites deleted content with zeros on every connection (issue 15: erasure)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from storage.db import Database, _configure_sqlite


class _Recorder:
    def __init__(self) -> None:
        self.statements: list[str] = []
        self.isolation_level: Any = ""

    def cursor(self) -> _Recorder:
        return self

    def execute(self, statement: str) -> None:
        self.statements.append(statement)

    def fetchone(self) -> tuple[str]:
        return ("delete",)  # the journal mode of a brand-new file

    def close(self) -> None:
        """Nothing to close."""

    def create_function(self, name: str, arity: int, function: Any, **options: Any) -> None:
        self.statements.append(f"function {name}/{arity}")


def test_every_sqlite_connection_turns_secure_delete_on() -> None:
    # Some SQLite builds have it on by default; the project must not rely on that.
    connection = _Recorder()
    _configure_sqlite(connection, None)
    assert "PRAGMA secure_delete=ON" in connection.statements


async def test_a_pooled_sqlite_connection_has_secure_delete(db: Database) -> None:
    if db.dialect != "sqlite":
        return
    async with db.session() as session:
        assert (await session.execute(text("PRAGMA secure_delete"))).scalar() == 1
