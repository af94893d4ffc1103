"""Several workers: heartbeats, the outbox send under way, events being handled

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Workers' heartbeats; when the outbox began sending a row; who handles an event"""
    op.create_table(
        "workers",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_workers")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempted_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("worker", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("handled_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE processed_events SET handled_at = processed_at")


def downgrade() -> None:
    """Undo: workers' heartbeats, outbox send under way, events being handled"""
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.drop_column("handled_at")
        batch_op.drop_column("worker")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("attempted_at")
    op.drop_table("workers")
