"""Places of digital mediation (national open-data schema) and their import runs

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """places, place_imports"""
    op.create_table(
        "place_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_imports")),
    )
    op.create_index(op.f("ix_place_imports_key"), "place_imports", ["key"], unique=False)
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=True),
        sa.Column("pivot", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=250), nullable=False),
        sa.Column("commune", sa.String(length=120), nullable=True),
        sa.Column("commune_key", sa.String(length=120), nullable=True),
        sa.Column("postal_code", sa.String(length=5), nullable=True),
        sa.Column("insee_code", sa.String(length=5), nullable=True),
        sa.Column("address", sa.String(length=250), nullable=True),
        sa.Column("address_extra", sa.String(length=250), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("typologies", sa.String(length=250), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("emails", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("hours", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("services", sa.Integer(), nullable=False),
        sa.Column("publics", sa.Text(), nullable=True),
        sa.Column("fees", sa.String(length=60), nullable=True),
        sa.Column("access_modes", sa.Text(), nullable=True),
        sa.Column("support_modes", sa.Text(), nullable=True),
        sa.Column("booking_url", sa.Text(), nullable=True),
        sa.Column("accessibility_url", sa.Text(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["place_imports.id"],
            name=op.f("fk_places_import_id_place_imports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structures.id"],
            name=op.f("fk_places_structure_id_structures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("source_id", name=op.f("uq_places_source_id")),
        sa.UniqueConstraint("structure_id", name=op.f("uq_places_structure_id")),
    )
    op.create_index(op.f("ix_places_commune_key"), "places", ["commune_key"], unique=False)
    op.create_index(op.f("ix_places_import_id"), "places", ["import_id"], unique=False)
    op.create_index(op.f("ix_places_postal_code"), "places", ["postal_code"], unique=False)
    op.create_index("ix_places_position_services", "places", ["latitude", "longitude", "services"])


def downgrade() -> None:
    """Back to 0006"""
    op.drop_table("places")
    op.drop_table("place_imports")
