"""The matching version also follows the skills themselves and newly added members

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Matching now reads from memory, at the counter's version, what it read from `skills` (the
# network's own skills, the proposals some member declares, the id of each slug) and how many
# members are active. So a change of `skills` bumps the counter too (no member changed), and so
# does a member's arrival (an active newcomer counts among the active members).

_SQLITE_BUMP = """
    UPDATE matching_version SET version = version + 1 WHERE id = 1;
    INSERT INTO matching_version (id, version)
        SELECT 1, 1 WHERE NOT EXISTS (SELECT 1 FROM matching_version WHERE id = 1);
"""
_SQLITE_RECORD = """
    UPDATE matching_changes
        SET version = (SELECT version FROM matching_version WHERE id = 1)
        WHERE member_id = NEW.id;
    INSERT INTO matching_changes (member_id, version)
        SELECT NEW.id, version FROM matching_version
        WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM matching_changes WHERE member_id = NEW.id);
"""
_SQLITE_TRIGGERS = {
    "matching_skill_added": ("AFTER INSERT ON skills", _SQLITE_BUMP),
    "matching_skill_changed": ("AFTER UPDATE ON skills", _SQLITE_BUMP),
    "matching_skill_removed": ("AFTER DELETE ON skills", _SQLITE_BUMP),
    "matching_member_added": ("AFTER INSERT ON members", _SQLITE_BUMP + _SQLITE_RECORD),
}

_POSTGRES_FUNCTION = """
CREATE FUNCTION matching_skills_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO matching_version (id, version) VALUES (1, 1)
        ON CONFLICT (id) DO UPDATE SET version = matching_version.version + 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
_POSTGRES_TRIGGERS = {
    # Once per statement: the taxonomy's synchronisation writes many skills at once.
    "matching_skills": (
        "AFTER INSERT OR UPDATE OR DELETE ON skills FOR EACH STATEMENT",
        "matching_skills_changed",
    ),
    "matching_member_added": (
        "AFTER INSERT ON members FOR EACH ROW",
        "matching_member_changed",  # migration 0012's
    ),
}


def upgrade() -> None:
    """Triggers: a change of `skills` and a member's arrival bump the matching version"""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        for name, (when, function) in _POSTGRES_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {function}()")
        return
    for name, (when, body) in _SQLITE_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def downgrade() -> None:
    """Drop those triggers"""
    if op.get_bind().dialect.name == "postgresql":
        for name, (when, _) in _POSTGRES_TRIGGERS.items():
            table = when.split(" ON ")[1].split()[0]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS matching_skills_changed()")
        return
    for name in _SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
