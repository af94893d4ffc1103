"""The version of what matching reads about members, kept by triggers for the candidate index

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every change matching's candidate step depends on (a member's skills and levels, their
# status, their removal) bumps the one-row counter and records the member with the new
# version, in the same transaction, whatever code (or person with a SQL prompt) made it.
# The counter row is updated, not a sequence: its row lock orders the versions as the
# transactions commit, so a reader that sees version N has seen every change up to N.

# No UPSERT nor OR REPLACE here: inside a trigger SQLite applies the conflict policy of the
# statement that fired it (the member_skills upsert), which would fail on matching_changes.
_SQLITE_BUMP = """
    UPDATE matching_version SET version = version + 1 WHERE id = 1;
    INSERT INTO matching_version (id, version)
        SELECT 1, 1 WHERE NOT EXISTS (SELECT 1 FROM matching_version WHERE id = 1);
    UPDATE matching_changes
        SET version = (SELECT version FROM matching_version WHERE id = 1)
        WHERE member_id = {member};
    INSERT INTO matching_changes (member_id, version)
        SELECT {member}, version FROM matching_version
        WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM matching_changes WHERE member_id = {member});
"""

_SQLITE_TRIGGERS = {
    "matching_member_skill_added": ("AFTER INSERT ON member_skills", ["NEW.member_id"]),
    "matching_member_skill_changed": (
        "AFTER UPDATE ON member_skills",
        ["OLD.member_id", "NEW.member_id"],
    ),
    "matching_member_skill_removed": ("AFTER DELETE ON member_skills", ["OLD.member_id"]),
    "matching_member_status": (
        "AFTER UPDATE OF status ON members WHEN OLD.status IS NOT NEW.status",
        ["NEW.id"],
    ),
    "matching_member_removed": ("AFTER DELETE ON members", ["OLD.id"]),
}

_POSTGRES_FUNCTIONS = (
    """
CREATE FUNCTION matching_bump(member integer) RETURNS void AS $$
DECLARE
    bumped bigint;
BEGIN
    INSERT INTO matching_version (id, version) VALUES (1, 1)
        ON CONFLICT (id) DO UPDATE SET version = matching_version.version + 1
        RETURNING version INTO bumped;
    INSERT INTO matching_changes (member_id, version) VALUES (member, bumped)
        ON CONFLICT (member_id) DO UPDATE SET version = EXCLUDED.version;
END
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION matching_member_skill_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM matching_bump(OLD.member_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM matching_bump(NEW.member_id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
    """
CREATE FUNCTION matching_member_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM matching_bump(OLD.id);
    ELSE
        PERFORM matching_bump(NEW.id);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
""",
)

_POSTGRES_TRIGGERS = {
    "matching_member_skills": (
        "AFTER INSERT OR UPDATE OR DELETE ON member_skills FOR EACH ROW",
        "matching_member_skill_changed",
    ),
    "matching_member_status": (
        "AFTER UPDATE OF status ON members FOR EACH ROW"
        " WHEN (OLD.status IS DISTINCT FROM NEW.status)",
        "matching_member_changed",
    ),
    "matching_member_removed": (
        "AFTER DELETE ON members FOR EACH ROW",
        "matching_member_changed",
    ),
}


def upgrade() -> None:
    """matching_version (one counter row), matching_changes (each member's latest change),
    and the triggers that keep them"""
    op.create_table(
        "matching_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matching_version")),
    )
    op.create_table(
        "matching_changes",
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_matching_changes")),
    )
    op.create_index(
        op.f("ix_matching_changes_version"), "matching_changes", ["version"], unique=False
    )
    # No row yet: the first change inserts it (version 1); none reads as version 0. (An empty
    # migrated database stays without rows, as `samu db copy` wants its target.)
    if op.get_bind().dialect.name == "postgresql":
        for function in _POSTGRES_FUNCTIONS:
            op.execute(function)
        for name, (when, function) in _POSTGRES_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {function}()")
        return
    for name, (when, members) in _SQLITE_TRIGGERS.items():
        body = "".join(_SQLITE_BUMP.format(member=member) for member in members)
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def downgrade() -> None:
    """Drop the triggers, matching_changes and matching_version"""
    if op.get_bind().dialect.name == "postgresql":
        for name, (when, _) in _POSTGRES_TRIGGERS.items():
            table = when.split(" ON ")[1].split()[0]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in ("matching_member_changed()", "matching_member_skill_changed()"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
        op.execute("DROP FUNCTION IF EXISTS matching_bump(integer)")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index(op.f("ix_matching_changes_version"), table_name="matching_changes")
    op.drop_table("matching_changes")
    op.drop_table("matching_version")
