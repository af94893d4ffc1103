"""Choices: the messages the bot showed, what they are about and the lists they offered

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """The choices table (a numbered list or set of buttons belongs to its message)"""
    op.create_table(
        "choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=255), nullable=False),
        sa.Column("message_ref", sa.String(length=255), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(length=40), nullable=False),
        sa.Column("answer", sa.String(length=64), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("action_count", sa.Integer(), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("shown_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_choices_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name=op.f("fk_choices_request_id_help_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_choices")),
        sa.UniqueConstraint("platform", "chat_id", "message_ref", name=op.f("uq_choices_platform")),
    )
    with op.batch_alter_table("choices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_choices_member_chat", ["member_id", "platform", "chat_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_choices_request_closed", ["request_id", "closed_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_choices_shown_at"), ["shown_at"], unique=False)


def downgrade() -> None:
    """Undo: the choices table"""
    with op.batch_alter_table("choices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_choices_shown_at"))
        batch_op.drop_index("ix_choices_request_closed")
        batch_op.drop_index("ix_choices_member_chat")
    op.drop_table("choices")
