"""The coordinators read from an index of their own, not by a scan of every member

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A request nobody can take is reported to the coordinators: SQLite scanned the whole members
# table for them (0.9 ms at 10,000 members, in a matching step). A partial index holds the
# coordinators and administrators alone, by status and name (its terms as `MemberRepository`
# writes them; written out here, as a migration does not follow later changes of the models).
COORDINATING = "role IN ('coordinator', 'admin')"


def upgrade() -> None:
    """ix_members_coordinators"""
    op.create_index(
        "ix_members_coordinators",
        "members",
        ["status", "display_name"],
        sqlite_where=sa.text(COORDINATING),
        postgresql_where=sa.text(COORDINATING),
    )


def downgrade() -> None:
    """No index of the coordinators"""
    op.drop_index("ix_members_coordinators", table_name="members")
