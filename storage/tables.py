"""The tables that one-shot commands read without the ORM, declared in SQLAlchemy Core.

`storage.models` maps them like every other table (and Alembic compares them with the
migrations through the same metadata), but `samu invite list`, `create` and `revoke` reach
them through `storage.repositories.invites` alone: building the 31 declarative classes and
configuring their mappers costs about a tenth of a second, which those commands do not pay.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

from storage.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Stable constraint names (needed for SQLite batch migrations); the declarative base uses it.
METADATA = MetaData(naming_convention=NAMING_CONVENTION)

INVITES = Table(
    "invites",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("structure_id", ForeignKey("structures.id", ondelete="SET NULL")),
    Column("max_uses", Integer, nullable=False, default=1),
    Column("uses", Integer, nullable=False, default=0),
    Column("expires_at", UTCDateTime()),
    Column("created_by", ForeignKey("members.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
)

JOIN_ATTEMPTS = Table(
    "join_attempts",
    METADATA,
    Column("platform", String(16), primary_key=True),
    Column("user_id", String(255), primary_key=True),
    Column("tries", Integer, nullable=False),
    Column("window_started_at", UTCDateTime(), nullable=False),
)
