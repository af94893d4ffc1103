"""Attachments: files members send (screenshots, documents), kept with their request

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The attachments table, by request and message, and by sender"""
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("relay_id", sa.Integer(), nullable=True),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name=op.f("fk_attachments_request_id_help_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["relay_id"],
            ["relay_messages.id"],
            name=op.f("fk_attachments_relay_id_relay_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["members.id"],
            name=op.f("fk_attachments_sender_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    op.create_index("ix_attachments_request_relay", "attachments", ["request_id", "relay_id"])
    op.create_index("ix_attachments_sender_created", "attachments", ["sender_id", "created_at"])
    op.create_index(op.f("ix_attachments_relay_id"), "attachments", ["relay_id"])


def downgrade() -> None:
    """Undo: the attachments table"""
    op.drop_index(op.f("ix_attachments_relay_id"), table_name="attachments")
    op.drop_index("ix_attachments_sender_created", table_name="attachments")
    op.drop_index("ix_attachments_request_relay", table_name="attachments")
    op.drop_table("attachments")
