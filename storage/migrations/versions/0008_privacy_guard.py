"""Relayed messages held until their author chose what to do with the personal data found

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """relay_messages.held: stored, not yet passed on (personal data, author to choose)"""
    with op.batch_alter_table("relay_messages") as batch:
        batch.add_column(sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Without relay_messages.held"""
    with op.batch_alter_table("relay_messages") as batch:
        batch.drop_column("held")
