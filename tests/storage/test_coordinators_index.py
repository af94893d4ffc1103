"""The coordinators are read from their own index, not by a scan of every member."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, insert

from domain.records import MemberStatus, Role
from storage.db import Database
from storage.models import MemberModel

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


async def test_reading_the_coordinators_searches_their_own_index(
    db: Database, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's plan depends on its statistics; the index is in the schema test")
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
