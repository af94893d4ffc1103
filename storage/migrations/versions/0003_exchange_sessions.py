"""Exchange sessions and RSVPs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Exchange sessions and RSVPs"""
    op.create_table(
        "exchange_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=True),
        sa.Column("agenda", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_sessions")),
    )
    with op.batch_alter_table("exchange_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_sessions_starts_at"), ["starts_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exchange_sessions_status"), ["status"], unique=False)

    op.create_table(
        "rsvps",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_rsvps_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["exchange_sessions.id"],
            name=op.f("fk_rsvps_session_id_exchange_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "member_id", name=op.f("pk_rsvps")),
    )


def downgrade() -> None:
    """Undo: Exchange sessions and RSVPs"""
    op.drop_table("rsvps")
    with op.batch_alter_table("exchange_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_sessions_status"))
        batch_op.drop_index(batch_op.f("ix_exchange_sessions_starts_at"))

    op.drop_table("exchange_sessions")
