"""Operator mistakes with the `samu` command get a clear message and an exit status, never a
traceback: a database from a newer version, a new SQLite file, codes to list or revoke."""

from __future__ import annotations

import re
import socket
import sqlite3
from pathlib import Path

from tests.cli.test_cli import samu
from tests.read_only import read_only


async def test_a_new_sqlite_file_is_only_created_by_an_upgrade_which_says_so(
    tmp_path: Path,
) -> None:
    code, output = await samu("chat", "--as", "Alice", cwd=tmp_path)
    assert code == 3 and "samu db upgrade" in output
    assert not (tmp_path / "samu.db").exists()  # nothing created by a command that only reads
    code, output = await samu("db", "upgrade", cwd=tmp_path)
    assert code == 0, output
    assert f"Nouveau fichier de base de données créé : {tmp_path / 'samu.db'}" in output
    code, output = await samu("db", "upgrade", cwd=tmp_path)
    assert code == 0 and "créé" not in output
    elsewhere = tmp_path / "data" / "bot.db"
    code, output = await samu("demo", stdin="", cwd=tmp_path, database_url=f"sqlite:///{elsewhere}")
    assert code == 0 and str(elsewhere) in output.splitlines()[0]


async def test_a_database_from_a_newer_version_is_named_and_left_alone(tmp_path: Path) -> None:
    code, output = await samu("db", "upgrade", cwd=tmp_path)
    assert code == 0, output
    with sqlite3.connect(tmp_path / "samu.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0042'")
    for command in (("chat",), ("db", "upgrade"), ("invite", "create")):
        code, output = await samu(*command, cwd=tmp_path)
        assert code == 3, (command, output)
        assert "version plus récente" in output and "0042" in output, output
        assert "samu db upgrade" not in output and "Traceback" not in output
    code, output = await samu("doctor", cwd=tmp_path)
    assert code == 1 and "✘" in output and "0042" in output and "Traceback" not in output
    with sqlite3.connect(tmp_path / "samu.db") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0042",)
        ]


async def test_invitation_codes_are_listed_and_revoked(tmp_path: Path) -> None:
    await samu("db", "upgrade", cwd=tmp_path)
    code, output = await samu("invite", "list", cwd=tmp_path)
    assert code == 0 and "Aucun code" in output
    _, first = await samu("invite", "create", "--uses", "3", cwd=tmp_path)
    _, second = await samu("invite", "create", "--role", "coordinator", cwd=tmp_path)
    first_code, second_code = first.splitlines()[0], second.splitlines()[0]
    code, listing = await samu("invite", "list", cwd=tmp_path)
    assert code == 0
    assert re.search(rf"{first_code}\s+member\s+0/3\s+\d{{4}}-\d\d-\d\d", listing), listing
    assert re.search(rf"{second_code}\s+coordinator\s+0/1", listing), listing
    code, output = await samu("invite", "revoke", second_code.lower(), cwd=tmp_path)
    assert code == 0 and "annulé" in output
    code, listing = await samu("invite", "list", cwd=tmp_path)
    assert second_code not in listing and first_code in listing
    code, output = await samu("invite", "revoke", second_code, cwd=tmp_path)
    assert code == 2 and "Aucun code" in output


async def test_report_out_problems_exit_2_with_a_message(tmp_path: Path) -> None:
    code, output = await samu("demo", stdin="/quit\n", cwd=tmp_path)
    assert code == 0, output
    (tmp_path / "a-file.txt").write_text("x")
    code, output = await samu("report", "--out", "a-file.txt", cwd=tmp_path)
    assert code == 2 and "n'est pas un dossier" in output and "Traceback" not in output
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked):
        code, output = await samu("report", "--out", "locked/rapport", cwd=tmp_path)
    assert code == 2 and "Je ne peux pas écrire" in output and "Traceback" not in output
    code, output = await samu("report", "--out", "r", cwd=tmp_path)
    assert code == 0, output
    code, output = await samu("report", "--out", "r", cwd=tmp_path)
    assert code == 2 and "déjà un rapport" in output and "--force" in output
    code, output = await samu("report", "--out", "r", "--force", cwd=tmp_path)
    assert code == 0, output


DRAFT_SCRIPT = "\n".join(
    [
        "/demande comment créer un compte ameli pour un jeune ?",
        "/as Karim",
        "/prendre {n}",
        "/resolu {n} oui",
        "UNIQUE-DRAFT le jeune n'avait pas d'adresse mail.",
        "/annuler",
        "",
    ]
)


async def test_export_writes_published_entries_unless_drafts_are_asked_for(
    tmp_path: Path,
) -> None:
    from bot.core.demo_history import DEMO_CASES

    script = DRAFT_SCRIPT.format(n=len(DEMO_CASES) + 1)
    code, output = await samu("demo", stdin=script, cwd=tmp_path)
    assert code == 0, output
    code, output = await samu("tutorials", "export", "--out", "pub", cwd=tmp_path)
    assert code == 0 and "6 tutoriels exportés" in output, output
    assert "UNIQUE-DRAFT" not in "".join(p.read_text() for p in (tmp_path / "pub").rglob("*.md"))
    code, output = await samu(
        "tutorials", "export", "--out", "all", "--include-drafts", cwd=tmp_path
    )
    assert code == 0 and "7 tutoriels exportés" in output, output
    code, output = await samu(
        "tutorials", "export", "--out", "old", "--only-published", cwd=tmp_path
    )
    assert code == 0 and "6 tutoriels exportés" in output  # the old flag still works
    # Back to published only in the same folder: the draft's file goes, nothing else.
    (tmp_path / "all" / "README-wiki.txt").write_text("mine")
    code, output = await samu("tutorials", "export", "--out", "all", cwd=tmp_path)
    assert code == 0 and "1 fichier de l'export précédent supprimé" in output, output
    assert (tmp_path / "all" / "README-wiki.txt").exists()
    assert "UNIQUE-DRAFT" not in "".join(p.read_text() for p in (tmp_path / "all").rglob("*.md"))


async def test_export_out_problems_exit_2_with_a_message(tmp_path: Path) -> None:
    await samu("db", "upgrade", cwd=tmp_path)
    (tmp_path / "a-file.txt").write_text("x")
    code, output = await samu("tutorials", "export", "--out", "a-file.txt", cwd=tmp_path)
    assert code == 2 and "n'est pas un dossier" in output
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "index.html").write_text("their site")
    code, output = await samu("tutorials", "export", "--out", "theirs", cwd=tmp_path)
    assert code == 2 and "n'est pas vide" in output and "--force" in output
    with read_only(theirs):
        code, output = await samu("tutorials", "export", "--out", "theirs", "--force", cwd=tmp_path)
    assert code == 2 and "Je ne peux pas écrire" in output and "Traceback" not in output
    code, output = await samu("tutorials", "export", "--out", "theirs", "--force", cwd=tmp_path)
    assert code == 0, output
    assert (theirs / "index.html").read_text() == "their site"  # not deleted nor changed
    assert (theirs / "index.md").exists()


async def test_doctor_names_a_session_rule_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[sessions]\nrule = "un jeudi de temps en temps"\n')
    code, output = await samu("doctor", cwd=tmp_path)
    assert code == 2 and "[sessions] rule" in output and "premier jeudi" in output
    assert "Traceback" not in output


async def test_doctor_names_a_folder_it_cannot_write_and_a_taken_monitoring_port(
    tmp_path: Path,
) -> None:
    code, output = await samu("db", "upgrade", cwd=tmp_path)
    assert code == 0, output
    (tmp_path / "a-file").write_text("not a folder")
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        (tmp_path / "config.toml").write_text(
            f'[workers]\nkept_dir = "a-file/kept"\n\n[monitoring]\nlisten = "127.0.0.1:{port}"\n'
        )
        code, output = await samu("doctor", cwd=tmp_path)
    assert code == 1, output
    assert "a-file/kept ([workers] kept_dir)" in output and "ne peut pas écrire" in output
    assert f"127.0.0.1:{port}" in output and "Traceback" not in output
    (tmp_path / "config.toml").write_text(
        f'[workers]\nkept_dir = "kept"\n\n[monitoring]\nlisten = "127.0.0.1:{port}"\n'
    )
    code, output = await samu("doctor", cwd=tmp_path)  # the port is free again
    assert code == 0 and "✘" not in output, output


async def test_commands_typed_by_hand_read_the_services_environment_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "secrets.env").write_text(
        "# as systemd reads it\nSAMU_DATABASE_URL=sqlite:///from-env-file.db\n"
        'SAMU_LOG_LEVEL="WARNING"\n'
    )
    (tmp_path / "config.toml").write_text('env_file = "secrets.env"\n')
    code, output = await samu("db", "upgrade", cwd=tmp_path)
    assert code == 0 and (tmp_path / "from-env-file.db").exists(), output
    # what the environment already says wins, as with systemd's Environment=
    code, output = await samu(
        "db", "upgrade", cwd=tmp_path, database_url=f"sqlite:///{tmp_path / 'given.db'}"
    )
    assert code == 0 and (tmp_path / "given.db").exists(), output
    (tmp_path / "config.toml").write_text('env_file = "missing.env"\n')
    code, output = await samu("doctor", cwd=tmp_path)
    assert code == 2 and "missing.env" in output and "Traceback" not in output, output
    # saved by an editor in Windows-1252: said with its line, not a traceback
    (tmp_path / "latin.env").write_bytes(
        b"SAMU_DATABASE_URL=sqlite:///x.db\nSAMU_MATRIX_PASSWORD=s\xe9same\n"
    )
    (tmp_path / "config.toml").write_text('env_file = "latin.env"\n')
    code, output = await samu("doctor", cwd=tmp_path)
    assert code == 2 and "Traceback" not in output, output
    assert "latin.env, line 2: not UTF-8 text" in output, output
