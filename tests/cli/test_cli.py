"""The `samu` command as a person runs it: piped input, what it prints, exit codes.

Its logic runs in the test process (`tests.helpers.samu_in_process`); what needs a process of
its own (the installed entry point, `samu run`, a file or nothing as standard input) runs one."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest

from bot.app import App
from bot.config import parse_config
from bot.core.demo_history import DEMO_CASES
from tests.helpers import samu_in_thread

SAMU = str(Path(sys.executable).parent / "samu")


async def samu(
    *args: str, stdin: str | Path = "", cwd: Path, database_url: str | None = None
) -> tuple[int, str]:
    """`samu ARGS` in the test process: its exit status and all it printed (stdout and stderr
    interleaved, as the terminal shows them)."""
    env = {"SAMU_DATABASE_URL": database_url} if database_url else {}
    ran = await samu_in_thread(args, cwd=cwd, env=env, stdin=stdin)
    return ran.code, ran.output


async def samu_process(
    *args: str, stdin: str = "", cwd: Path, database_url: str | None = None
) -> tuple[int, str]:
    """`samu ARGS` run by the installed command in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMU_")}
    if database_url:
        env["SAMU_DATABASE_URL"] = database_url
    process = await asyncio.create_subprocess_exec(
        SAMU,
        *args,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=60)
    assert process.returncode is not None
    return process.returncode, output.decode()


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("db",),
        ("db", "upgrade"),
        ("demo",),
        ("chat",),
        ("invite", "create"),
        ("doctor",),
        ("run",),
    ],
)
async def test_every_subcommand_has_help(args: tuple[str, ...], tmp_path: Path) -> None:
    code, output = await samu(*args, "--help", cwd=tmp_path)
    assert code == 0, output
    assert "--config" in output


async def test_out_of_date_database_is_refused_with_the_command_that_fixes_it(
    tmp_path: Path,
) -> None:
    code, output = await samu("chat", "--as", "Alice", cwd=tmp_path)
    assert code == 3
    assert "samu db upgrade" in output
    code, output = await samu("doctor", cwd=tmp_path)
    assert code == 1
    assert "samu db upgrade" in output
    code, output = await samu("db", "upgrade", cwd=tmp_path)
    assert code == 0, output
    assert (tmp_path / "samu.db").exists()
    code, output = await samu("doctor", cwd=tmp_path)
    assert code == 0, output
    assert "✘" not in output


async def test_scripted_invite_then_skills_in_the_terminal(
    tmp_path: Path, database_url: str
) -> None:
    """The issue's "done when": invite → /start → three skills (misspelled, unknown) → list."""
    code, output = await samu(
        "invite", "create", "--role", "member", cwd=tmp_path, database_url=database_url
    )
    assert code == 0, output
    invite = output.splitlines()[0]
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", invite)
    script = (
        f"/start {invite}\n"
        "/competences ajouter wordpres, démarches CAF, tricot (former)\n"
        "/competences\n"
    )
    code, output = await samu(
        "chat", "--as", "Alice", stdin=script, cwd=tmp_path, database_url=database_url
    )
    assert code == 0, output
    listing = output[output.rindex("Alice> /competences\n") :]
    assert "WordPress — je pratique" in listing
    assert "CAF (Caisse d'allocations familiales) — je pratique" in listing
    assert "tricot (proposée) — je peux former" in listing
    assert "wordpres —" not in listing


async def test_demo_opens_a_chat_on_the_demo_network(tmp_path: Path) -> None:
    code, output = await samu("demo", stdin="/aide\n/as Claire\n/membres\n/quit\n", cwd=tmp_path)
    assert code == 0, output
    assert "Amina> /aide" in output
    assert "Mission locale (2) : Amina, Sophie" in output
    assert "Claire (coordination)" in output
    code, output = await samu("demo", stdin="", cwd=tmp_path)  # a second run keeps the data
    assert code == 0, output


async def test_invite_options_are_checked(tmp_path: Path) -> None:
    await samu("db", "upgrade", cwd=tmp_path)
    code, output = await samu("invite", "create", "--structure", "Nulle part", cwd=tmp_path)
    assert code == 2 and "Nulle part" in output
    code, output = await samu("invite", "create", "--uses", "0", cwd=tmp_path)
    assert code == 2 and "--uses" in output
    code, output = await samu("invite", "create", "--role", "boss", cwd=tmp_path)
    assert code == 2


@pytest.mark.cli_subprocess
async def test_samu_run_says_at_start_what_runs(tmp_path: Path) -> None:
    """Also the end-to-end check of the installed `samu` entry point, input through a pipe."""
    code, output = await samu_process("db", "upgrade", cwd=tmp_path)
    assert code == 0, output
    code, output = await samu_process("run", stdin="", cwd=tmp_path)  # ends with its input
    assert code == 0, output
    assert "INFO bot.app: samu run: console; database sqlite+aiosqlite:///samu.db" in output


async def test_the_database_password_is_not_logged(tmp_path: Path) -> None:
    config = parse_config(
        {"database": {"url": "postgresql://samu:s3cret@db.example/samu"}}, "t", {}
    )
    app = App.build(config)
    try:
        summary = app.run_summary(["telegram", "matrix"])
    finally:
        await app.close()
    assert "s3cret" not in summary
    assert (
        summary
        == "samu run: telegram, matrix; database postgresql+asyncpg://samu:***@db.example/samu; "
        f"worker {app.services.worker.name}; monitoring off"
    )


async def test_with_matrix_an_invitation_says_where_to_find_the_bot(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[matrix]\nenabled = true\nhomeserver = "https://matrix.example.org"\n'
        'user_id = "@samu:example.org"\npassword = "x"\n'
    )
    await samu("db", "upgrade", cwd=tmp_path)
    code, output = await samu("invite", "create", cwd=tmp_path)
    assert code == 0, output
    code_line = output.splitlines()[0]
    assert f"/start {code_line}" in output  # Telegram and the terminal
    assert "@samu:example.org (https://matrix.to/#/@samu:example.org)" in output
    assert f"!start {code_line}" in output


async def test_bad_configuration_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[bot]\ntimezone = "Paris"\n')
    code, output = await samu("doctor", cwd=tmp_path)
    assert code == 2
    assert "[bot] timezone" in output and "Europe/Paris" in output
    assert "la configuration n'est pas valide" in output  # in French, like the rest
    code, output = await samu("doctor", "--config", "missing.toml", cwd=tmp_path)
    assert code == 2 and "missing.toml : fichier introuvable" in output
    (tmp_path / "typo.toml").write_text("[sessions]\nrgle = 1\n")
    code, output = await samu("doctor", "--config", "typo.toml", cwd=tmp_path)
    assert "[sessions] rgle: clé inconnue" in output and "unknown" not in output
    (tmp_path / "broken.toml").write_text("[sessions\n")
    code, output = await samu("doctor", "--config", "broken.toml", cwd=tmp_path)
    assert code == 2 and "ce n'est pas du TOML valide" in output


async def test_scripted_help_request_from_question_to_tutorial(tmp_path: Path) -> None:
    """Issue 3's "done when", typed into `samu demo` through a pipe, personas switched.

    The demo network has a past quarter of requests: the new one comes after them.
    """
    N = len(DEMO_CASES) + 1
    script = "\n".join(
        [
            "/demande comment créer un compte ameli pour un jeune ?",
            "/as Karim",
            f"/prendre {N}",
            "/as Sophie",
            f"/prendre {N}",
            "/as Amina",
            f"/msg {N} Il a son numéro de sécu mais pas d'adresse mail.",
            "/as Karim",
            f"/msg {N} Créons d'abord une adresse mail.",
            f"/resolu {N}",
            "1",
            "Le jeune n'avait pas d'adresse mail pour créer son compte ameli.",
            "Créer une adresse mail, puis le compte sur ameli.fr.",
            "passer",
            "/as Amina",
            f"/confirmer {N} merci",
            "/tuto ameli",
            "",
        ]
    )
    code, output = await samu("demo", stdin=script, cwd=tmp_path)
    assert code == 0, output
    asked = between(output, "Amina> /demande", "Amina> /as Karim")
    # Offered to the two who declared ameli, not to the others (who may get other notices
    # meanwhile, e.g. the coordinators' weekly digest when the test runs on a Monday).
    offered = {
        name
        for name in ("karim", "sophie", "bruno", "claire")
        if f"— {name} —\nDemande #{N}" in asked
    }
    assert offered == {"karim", "sophie"}, asked
    sophie = between(output, f"Sophie> /prendre {N}", "Sophie> /as Amina")
    assert "Trop tard" in sophie and "Karim" in sophie
    relay_to_karim = between(output, f"Amina> /msg {N}", "Amina> /as Karim")
    assert "— karim —" in relay_to_karim and "pas d'adresse mail" in relay_to_karim
    relay_to_amina = between(output, f"Karim> /msg {N}", f"Karim> /resolu {N}")
    assert "— amina —" in relay_to_amina and "Créons d'abord une adresse mail." in relay_to_amina
    confirmed = between(output, f"Amina> /confirmer {N}", "Amina> /tuto")
    assert "— karim —" in confirmed and "merci" in confirmed.lower()
    written = between(output, "Karim> passer", "Karim> /as Amina")
    assert "est publié" in written
    tutorials = output[output.index("Amina> /tuto ameli") :]
    assert "pas d'adresse mail pour créer son compte ameli" in tutorials


async def test_demo_reads_a_file_or_nothing_as_its_input(tmp_path: Path) -> None:
    """Standard input may be a regular file or /dev/null (as under systemd), not only a pipe."""
    script = tmp_path / "script.txt"
    script.write_text("/tuto ameli\n", encoding="utf-8")
    for source in (script, Path(os.devnull)):
        code, output = await samu("demo", stdin=source, cwd=tmp_path)
        assert code == 0, output
        if source == script:
            assert "Tutoriels :" in output


def between(text: str, start: str, end: str) -> str:
    """The part of a transcript from `start` to the next `end` after it."""
    first = text.index(start)
    return text[first : text.index(end, first)]


async def test_sessions_plan_and_list(tmp_path: Path) -> None:
    await samu("db", "upgrade", cwd=tmp_path)
    code, output = await samu("sessions", "plan", cwd=tmp_path)
    assert code == 2 and "--rule" in output
    code, output = await samu("sessions", "plan", "--rule", "n'importe quoi", cwd=tmp_path)
    assert code == 2
    rule = "premier jeudi de chaque trimestre 9h-12h"
    code, output = await samu("sessions", "plan", "--rule", rule, "--count", "2", cwd=tmp_path)
    assert code == 0 and output.count("09:00-12:00 Europe/Paris") == 2
    code, listing = await samu("sessions", "list", cwd=tmp_path)
    assert code == 0 and listing.splitlines() == output.splitlines()


@pytest.mark.parametrize("fmt", ["markdown", "dokuwiki", "html"])
async def test_export_the_demo_tutorials(tmp_path: Path, fmt: str) -> None:
    code, output = await samu("demo", stdin="/quit\n", cwd=tmp_path)
    assert code == 0, output
    snapshots = []
    for out in ("first", "second"):
        code, output = await samu(
            "tutorials", "export", "--format", fmt, "--out", out, "--only-published", cwd=tmp_path
        )
        assert code == 0, output
        assert "6 tutoriels exportés" in output
        snapshots.append(
            {
                path.relative_to(tmp_path / out).as_posix(): path.read_bytes()
                for path in sorted((tmp_path / out).rglob("*"))
                if path.is_file()
            }
        )
    assert snapshots[0] == snapshots[1]  # deterministic
    index = {"markdown": "index.md", "dokuwiki": "pages/start.txt", "html": "index.html"}[fmt]
    assert "ameli" in snapshots[0][index].decode("utf-8").lower()


async def test_report_and_forget_on_the_demo_network(tmp_path: Path) -> None:
    code, output = await samu("demo", stdin="/quit\n", cwd=tmp_path)
    assert code == 0, output
    code, output = await samu("report", "--out", "rapport", cwd=tmp_path)  # last quarter
    assert code == 0, output
    assert "rapport.html" in output
    written = {path.name for path in (tmp_path / "rapport").iterdir()}
    assert {"rapport.html", "per_month.png", "per_month.csv", "help_flows.png"} <= written
    page = (tmp_path / "rapport" / "rapport.html").read_text(encoding="utf-8")
    assert 'lang="fr"' in page and "Qui aide qui" in page
    code, output = await samu("report", "--out", "x", "--to", "2026-01-01", cwd=tmp_path)
    assert code == 2 and "--from" in output

    code, output = await samu("member", "forget", "Personne", cwd=tmp_path)
    assert code == 2 and "Aucun membre" in output
    code, output = await samu("member", "forget", "Bruno", cwd=tmp_path)
    assert code == 0 and "Bruno" in output and "oublié" in output
    code, output = await samu("member", "forget", "Bruno", cwd=tmp_path)
    assert code == 2
