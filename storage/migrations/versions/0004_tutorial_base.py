"""The tutorial base: entry fields, themes, feedback, vocabulary, full-text index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NEW_TEXT_COLUMNS = (
    ("language", sa.String(length=8), "fr"),
    ("licence", sa.String(length=40), "Etalab-2.0"),
    ("audience", sa.String(length=200), ""),
    ("skills_text", sa.Text(), ""),
)

# PostgreSQL: French and English configurations that ignore accents, and the weighted vector.
_PG_CONFIG_TEMPLATE = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'samu_{language}') THEN
    CREATE TEXT SEARCH CONFIGURATION samu_{language} (COPY = pg_catalog.{language});
    ALTER TEXT SEARCH CONFIGURATION samu_{language}
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {language}_stem;
  END IF;
END $$
"""

_PG_CONFIG = (
    "CASE WHEN language = 'en' THEN 'samu_english'::regconfig ELSE 'samu_french'::regconfig END"
)
# PostgreSQL's parser keeps "impots.gouv" or "a@b.fr" whole; split them like our own
# analysis does (punctuation separates words), so that both databases index the same words.
_SPLIT = "translate({column}, '._@/:+#', '       ')"
_PG_VECTOR = f"""
ALTER TABLE tutorials ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector({_PG_CONFIG}, {_SPLIT.format(column="title")}), 'A') ||
  setweight(to_tsvector('samu_french'::regconfig, {_SPLIT.format(column="skills_text")}), 'B') ||
  setweight(to_tsvector('samu_english'::regconfig, {_SPLIT.format(column="skills_text")}), 'B') ||
  setweight(to_tsvector({_PG_CONFIG}, {_SPLIT.format(column="problem")}), 'C') ||
  setweight(to_tsvector({_PG_CONFIG}, {_SPLIT.format(column="solution")}), 'D')
) STORED
"""
_PG_VECTOR_INDEX = "CREATE INDEX ix_tutorials_search_vector ON tutorials USING gin (search_vector)"

# `tags` holds skill and theme tokens (skill_impots_gouv, theme_sante) for filtering in MATCH.
_SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE tutorial_index USING fts5(title, skills, problem, steps, tags, "
    "tokenize = \"unicode61 remove_diacritics 2 tokenchars '_'\")"
)


def upgrade() -> None:
    """The tutorial base: entry fields, themes, feedback, vocabulary, full-text index"""
    with op.batch_alter_table("tutorials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("asker_id", sa.Integer(), nullable=True))
        for name, kind, default in _NEW_TEXT_COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=False, server_default=default))
        for name in ("helped_count", "flag_count"):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("checked_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("published_at", UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tutorials_asker_id_members"),
            "members",
            ["asker_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute("UPDATE tutorials SET checked_at = created_at")
    with op.batch_alter_table("tutorials", schema=None) as batch_op:
        batch_op.alter_column("checked_at", existing_type=UTCDateTime(), nullable=False)
        batch_op.create_index(batch_op.f("ix_tutorials_checked_at"), ["checked_at"], unique=False)
        batch_op.create_index("ix_tutorials_helped_count_id", ["helped_count", "id"], unique=False)

    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("solved_by_tutorial_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_help_requests_solved_by_tutorial_id_tutorials"),
            "tutorials",
            ["solved_by_tutorial_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "tutorial_themes",
        sa.Column("tutorial_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["tutorial_id"],
            ["tutorials.id"],
            name=op.f("fk_tutorial_themes_tutorial_id_tutorials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tutorial_id", "theme", name=op.f("pk_tutorial_themes")),
    )
    with op.batch_alter_table("tutorial_themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tutorial_themes_theme"), ["theme"], unique=False)

    op.create_table(
        "tutorial_feedback",
        sa.Column("tutorial_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_tutorial_feedback_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tutorial_id"],
            ["tutorials.id"],
            name=op.f("fk_tutorial_feedback_tutorial_id_tutorials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tutorial_id", "member_id", "kind", name=op.f("pk_tutorial_feedback")
        ),
    )
    op.create_table(
        "tutorial_words",
        sa.Column("word", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_tutorial_words")),
    )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        for language in ("french", "english"):
            op.execute(_PG_CONFIG_TEMPLATE.format(language=language))
        op.execute(_PG_VECTOR)
        op.execute(_PG_VECTOR_INDEX)
    else:
        # Only published entries are indexed; every tutorial before this revision is a draft.
        op.execute(_SQLITE_INDEX)


def downgrade() -> None:
    """Undo: The tutorial base: entry fields, themes, feedback, vocabulary, full-text index"""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_tutorials_search_vector")
        op.execute("ALTER TABLE tutorials DROP COLUMN IF EXISTS search_vector")
    else:
        op.execute("DROP TABLE IF EXISTS tutorial_index")
    op.drop_table("tutorial_words")
    op.drop_table("tutorial_feedback")
    with op.batch_alter_table("tutorial_themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tutorial_themes_theme"))
    op.drop_table("tutorial_themes")
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_help_requests_solved_by_tutorial_id_tutorials"), type_="foreignkey"
        )
        batch_op.drop_column("solved_by_tutorial_id")
    with op.batch_alter_table("tutorials", schema=None) as batch_op:
        batch_op.drop_index("ix_tutorials_helped_count_id")
        batch_op.drop_index(batch_op.f("ix_tutorials_checked_at"))
        batch_op.drop_constraint(batch_op.f("fk_tutorials_asker_id_members"), type_="foreignkey")
        for name in ("published_at", "checked_at", "flag_count", "helped_count", "asker_id"):
            batch_op.drop_column(name)
        for name, _, _ in _NEW_TEXT_COLUMNS:
            batch_op.drop_column(name)
