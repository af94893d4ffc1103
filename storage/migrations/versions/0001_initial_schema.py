"""Members, structures, invites, skills, dialogs and processed events.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the first schema."""
    op.create_table(
        "structures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("name", name="uq_structures_name"),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column(
            "structure_id",
            sa.Integer(),
            sa.ForeignKey(
                "structures.id",
                ondelete="SET NULL",
                name="fk_members_structure_id_structures",
            ),
            nullable=True,
        ),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_members_structure_id", "members", ["structure_id"])
    op.create_index("ix_members_status", "members", ["status"])
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column(
            "structure_id",
            sa.Integer(),
            sa.ForeignKey(
                "structures.id",
                ondelete="SET NULL",
                name="fk_invites_structure_id_structures",
            ),
            nullable=True,
        ),
        sa.Column("max_uses", sa.Integer(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column(
            "created_by",
            sa.Integer(),
            sa.ForeignKey("members.id", ondelete="SET NULL", name="fk_invites_created_by_members"),
            nullable=True,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("code", name="uq_invites_code"),
    )
    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey("members.id", ondelete="CASCADE", name="fk_identities_member_id_members"),
            nullable=False,
        ),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("platform_user_id", sa.String(255), nullable=False),
        sa.Column("chat_id", sa.String(255), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("platform", "platform_user_id", name="uq_identities_platform"),
    )
    op.create_index("ix_identities_member_id", "identities", ["member_id"])
    op.create_table(
        "skills",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("label_fr", sa.String(120), nullable=False),
        sa.Column("label_en", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("area", sa.String(8), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column(
            "proposed_by",
            sa.Integer(),
            sa.ForeignKey("members.id", ondelete="SET NULL", name="fk_skills_proposed_by_members"),
            nullable=True,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("slug", name="uq_skills_slug"),
    )
    op.create_index("ix_skills_source", "skills", ["source"])
    op.create_table(
        "member_skills",
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey(
                "members.id",
                ondelete="CASCADE",
                name="fk_member_skills_member_id_members",
            ),
            primary_key=True,
        ),
        sa.Column(
            "skill_id",
            sa.Integer(),
            sa.ForeignKey("skills.id", ondelete="CASCADE", name="fk_member_skills_skill_id_skills"),
            primary_key=True,
        ),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_member_skills_skill_level", "member_skills", ["skill_id", "level"])
    op.create_table(
        "dialog_states",
        sa.Column(
            "member_id",
            sa.Integer(),
            sa.ForeignKey(
                "members.id",
                ondelete="CASCADE",
                name="fk_dialog_states_member_id_members",
            ),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "processed_events",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_processed_events_processed_at", "processed_events", ["processed_at"])
    op.create_table(
        "transport_state",
        sa.Column("key", sa.String(120), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    """Drop the first schema."""
    for table in (
        "transport_state",
        "processed_events",
        "dialog_states",
        "member_skills",
        "skills",
        "identities",
        "invites",
        "members",
        "structures",
    ):
        op.drop_table(table)
