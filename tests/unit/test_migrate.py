"""The start-up schema check reads the revision without Alembic; Alembic agrees with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from storage.migrate import HEAD_REVISION, current_revision, head_revision

ROOT = Path(__file__).resolve().parents[2]


def test_head_constant_is_alembics_head() -> None:
    # Adding a migration without updating HEAD_REVISION fails here.
    assert head_revision() == HEAD_REVISION


def test_current_revision_reads_the_version_table(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as connection:
        assert current_revision(connection) is None
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        assert current_revision(connection) is None
        connection.execute(text("INSERT INTO alembic_version VALUES ('0004')"))
        assert current_revision(connection) == "0004"
        connection.execute(text("INSERT INTO alembic_version VALUES ('0003')"))
        assert current_revision(connection) == "0003,0004"  # never equal to a single head
    engine.dispose()


def test_the_command_imports_neither_alembic_nor_a_chat_library() -> None:
    # The commands import only what the enabled transports need; Alembic only to migrate.
    code = (
        "import sys, bot.cli; "
        "print(sorted(m for m in ('alembic', 'telegram', 'nio') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"


def test_known_revisions_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config, known_revisions

    scripts = ScriptDirectory.from_config(alembic_config())
    assert known_revisions() == {script.revision for script in scripts.walk_revisions()}
