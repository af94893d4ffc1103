"""Indexes that let matching read candidates and their load from the index alone

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """member_skills by (skill, level, member); help_requests by (helper, status)"""
    op.drop_index("ix_member_skills_skill_level", table_name="member_skills")
    op.create_index(
        "ix_member_skills_skill_level_member", "member_skills", ["skill_id", "level", "member_id"]
    )
    op.drop_index("ix_help_requests_helper_id", table_name="help_requests")
    op.create_index("ix_help_requests_helper_status", "help_requests", ["helper_id", "status"])


def downgrade() -> None:
    """The indexes of 0005"""
    op.drop_index("ix_help_requests_helper_status", table_name="help_requests")
    op.create_index("ix_help_requests_helper_id", "help_requests", ["helper_id"])
    op.drop_index("ix_member_skills_skill_level_member", table_name="member_skills")
    op.create_index("ix_member_skills_skill_level", "member_skills", ["skill_id", "level"])
