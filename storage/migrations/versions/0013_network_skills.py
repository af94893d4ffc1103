"""The network's own skills: proposed skills promoted or replaced by coordinators

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """skills: aliases and parent of a network skill; what replaced a proposal; when reviewed"""
    with op.batch_alter_table("skills") as batch:
        batch.add_column(sa.Column("aliases", sa.Text(), nullable=True))
        batch.add_column(sa.Column("parent_slug", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("replaced_by", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("reviewed_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Drop the columns of the network's own skills (network skills become proposed again)"""
    op.execute("UPDATE skills SET source = 'proposed' WHERE source IN ('network', 'replaced')")
    with op.batch_alter_table("skills") as batch:
        batch.drop_column("reviewed_at")
        batch.drop_column("replaced_by")
        batch.drop_column("parent_slug")
        batch.drop_column("aliases")
