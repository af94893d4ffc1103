"""Help requests, offers, relay messages, skill gaps, outbox and tutorial drafts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Help requests, offers, relay messages, skill gaps, outbox and tutorial drafts"""
    op.create_table(
        "help_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("next_check_at", UTCDateTime(), nullable=True),
        sa.Column("alerted_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("thanked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["members.id"],
            name=op.f("fk_help_requests_author_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["helper_id"],
            ["members.id"],
            name=op.f("fk_help_requests_helper_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_requests")),
    )
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_help_requests_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_help_requests_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_help_requests_helper_id"), ["helper_id"], unique=False)
        batch_op.create_index(
            "ix_help_requests_status_next_check", ["status", "next_check_at"], unique=False
        )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("target_platform", sa.String(length=16), nullable=True),
        sa.Column("target_chat", sa.String(length=255), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=True),
        sa.Column("not_before", UTCDateTime(), nullable=False),
        sa.Column("retry_at", UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=True),
        sa.Column("chat_id", sa.String(length=255), nullable=True),
        sa.Column("delivery_ref", sa.String(length=255), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["members.id"],
            name=op.f("fk_outbox_recipient_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_outbox_dedup_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_delivery", ["platform", "chat_id", "delivery_ref"], unique=False
        )
        batch_op.create_index("ix_outbox_due", ["sent_at", "failed_at", "not_before"], unique=False)
        batch_op.create_index(
            "ix_outbox_recipient_pending",
            ["recipient_id", "sent_at", "failed_at", "id"],
            unique=False,
        )

    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("offered_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["helper_id"],
            ["members.id"],
            name=op.f("fk_offers_helper_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name=op.f("fk_offers_request_id_help_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint("request_id", "helper_id", name=op.f("uq_offers_request_id")),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index("ix_offers_helper_offered", ["helper_id", "offered_at"], unique=False)

    op.create_table(
        "relay_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name=op.f("fk_relay_messages_request_id_help_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["members.id"],
            name=op.f("fk_relay_messages_sender_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relay_messages")),
    )
    with op.batch_alter_table("relay_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_relay_messages_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "request_skills",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name=op.f("fk_request_skills_request_id_help_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
            name=op.f("fk_request_skills_skill_id_skills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "skill_id", name=op.f("pk_request_skills")),
    )
    with op.batch_alter_table("request_skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_skills_skill_id"), ["skill_id"], unique=False)

    op.create_table(
        "skill_gaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name=op.f("fk_skill_gaps_request_id_help_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
            name=op.f("fk_skill_gaps_skill_id_skills"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_gaps")),
        sa.UniqueConstraint("request_id", "skill_id", name=op.f("uq_skill_gaps_request_id")),
    )
    with op.batch_alter_table("skill_gaps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skill_gaps_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_skill_gaps_skill_id"), ["skill_id"], unique=False)

    op.create_table(
        "tutorials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("solution", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["members.id"],
            name=op.f("fk_tutorials_author_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["help_requests.id"],
            name=op.f("fk_tutorials_request_id_help_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tutorials")),
    )
    with op.batch_alter_table("tutorials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tutorials_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tutorials_status"), ["status"], unique=False)

    op.create_table(
        "tutorial_skills",
        sa.Column("tutorial_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
            name=op.f("fk_tutorial_skills_skill_id_skills"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tutorial_id"],
            ["tutorials.id"],
            name=op.f("fk_tutorial_skills_tutorial_id_tutorials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tutorial_id", "skill_id", name=op.f("pk_tutorial_skills")),
    )
    with op.batch_alter_table("tutorial_skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tutorial_skills_skill_id"), ["skill_id"], unique=False)


def downgrade() -> None:
    """Undo: Help requests, offers, relay messages, skill gaps, outbox and tutorial drafts"""
    with op.batch_alter_table("tutorial_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tutorial_skills_skill_id"))

    op.drop_table("tutorial_skills")
    with op.batch_alter_table("tutorials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tutorials_status"))
        batch_op.drop_index(batch_op.f("ix_tutorials_request_id"))

    op.drop_table("tutorials")
    with op.batch_alter_table("skill_gaps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skill_gaps_skill_id"))
        batch_op.drop_index(batch_op.f("ix_skill_gaps_created_at"))

    op.drop_table("skill_gaps")
    with op.batch_alter_table("request_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_skills_skill_id"))

    op.drop_table("request_skills")
    with op.batch_alter_table("relay_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relay_messages_request_id"))

    op.drop_table("relay_messages")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index("ix_offers_helper_offered")

    op.drop_table("offers")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_recipient_pending")
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_index("ix_outbox_delivery")

    op.drop_table("outbox")
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_help_requests_status_next_check")
        batch_op.drop_index(batch_op.f("ix_help_requests_helper_id"))
        batch_op.drop_index(batch_op.f("ix_help_requests_created_at"))
        batch_op.drop_index(batch_op.f("ix_help_requests_author_id"))

    op.drop_table("help_requests")
