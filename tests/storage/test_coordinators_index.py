"""The coordinators are read from their own index, not by a scan of every member."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, text

from domain.records import MemberStatus, Role
from storage.db import Database
from storage.models import MemberModel
from tests.helpers import python_prints

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


async def _network(db: Database, members: int) -> None:
    def member(n: int, role: Role, status: MemberStatus) -> dict[str, object]:
        return {
            "display_name": f"Membre {n:04d}",
            "role": role.value,
            "locale": "fr",
            "status": status.value,
            "created_at": NOW,
            "updated_at": NOW,
        }

    rows = [member(n, Role.MEMBER, MemberStatus.ACTIVE) for n in range(members)]
    rows += [
        member(members, Role.COORDINATOR, MemberStatus.ACTIVE),
        member(members + 1, Role.ADMIN, MemberStatus.ACTIVE),
        member(members + 2, Role.COORDINATOR, MemberStatus.LEFT),
    ]
    async with db.uow() as uow:
        await uow.session.execute(insert(MemberModel), rows)
        await uow.commit()


async def test_the_coordinators_are_the_active_coordinators_and_admins(db: Database) -> None:
    await _network(db, 50)
    async with db.uow(read_only=True) as uow:
        found = await uow.members.coordinators()
    assert [(m.display_name, m.role) for m in found] == [
        ("Membre 0050", Role.COORDINATOR),
        ("Membre 0051", Role.ADMIN),
    ]


async def test_the_coordinators_index_holds_the_coordinators_only(
    db: Database, database_url: str
) -> None:
    """The migration makes the index partial on both databases (the model names its columns
    only, and the comparison of the schema with the models does not read predicates)."""
    read = (
        "SELECT sql FROM sqlite_master WHERE name = 'ix_members_coordinators'"
        if database_url.startswith("sqlite")
        else "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_members_coordinators'"
    )
    async with db.uow(read_only=True) as uow:
        definition = str((await uow.session.execute(text(read))).scalar_one())
    words = " ".join(definition.replace("(", "").replace(")", "").split()).lower()
    assert " where role in " in words or " where role::text = any " in words, definition
    assert "'coordinator'" in words and "'admin'" in words and "'member'" not in words


@pytest.mark.cli_subprocess
def test_the_models_load_no_dialect_of_their_own(tmp_path: Path) -> None:
    """Importing the models loads neither SQLAlchemy's PostgreSQL nor its SQLite dialect: a
    partial index's `postgresql_where` would load the first on every SQLite start."""
    probe = (
        "import sys, storage.models; "
        "print(sorted(m for m in sys.modules if m.startswith('sqlalchemy.dialects.')))"
    )
    loaded = python_prints(probe, tmp_path)
    assert loaded.strip() == "[]", loaded


async def test_reading_the_coordinators_searches_their_own_index(
    db: Database, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's plan depends on its statistics; its predicate: see above")
    await _network(db, 2000)
    sent: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM members" in statement:
            sent.append((statement, parameters))

    # The statement as it is sent (SQLite uses a partial index only for terms written out).
    event.listen(db.engine.sync_engine, "before_cursor_execute", remember)
    try:
        async with db.uow(read_only=True) as uow:
            await uow.members.coordinators()
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", remember)
    [(statement, parameters)] = sent
    # Before and after ANALYZE, which tells SQLite that nearly every member has the same role
    # (with an index on the role alone, it then scans the table).
    for analyzed in (False, True):
        async with db.engine.connect() as connection:
            if analyzed:
                await connection.exec_driver_sql("ANALYZE")
            result = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = [row[-1] for row in result]
            await connection.commit()
        assert plan[0].startswith("SEARCH members USING INDEX ix_members_coordinators"), (
            analyzed,
            plan,
        )
        assert not any("TEMP B-TREE" in step for step in plan), (analyzed, plan)
