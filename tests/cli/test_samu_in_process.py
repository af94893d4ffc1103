"""`tests.helpers.samu_in_process` runs `samu` in the test process as a process of its own
would: its exit status, its streams, its log; and leaves the test process as it found it."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest

from tests.helpers import samu_in_process, samu_in_thread


def test_argparse_exits_become_the_exit_status(tmp_path: Path) -> None:
    ran = samu_in_process(["--help"], cwd=tmp_path)
    assert ran.code == 0 and "--config" in ran.stdout and ran.stderr == ""
    ran = samu_in_process(["invite", "create", "--role", "boss"], cwd=tmp_path)
    assert ran.code == 2 and ran.stdout == ""
    assert "argument --role: invalid choice: 'boss'" in ran.stderr
    assert ran.output == ran.stderr


def test_the_outer_samu_variables_are_hidden_and_everything_is_restored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outer = tmp_path / "outer.db"
    monkeypatch.setenv("SAMU_DATABASE_URL", f"sqlite:///{outer}")
    monkeypatch.setenv("SAMU_LOG_FORMAT", "json")
    here = tmp_path / "here"
    here.mkdir()
    root = logging.getLogger()
    chatty = logging.getLogger("httpx")
    before = (
        dict(os.environ), os.getcwd(), root.handlers[:], root.level, chatty.level,
        (sys.stdin, sys.stdout, sys.stderr),
    )  # fmt: skip
    ran = samu_in_process(["db", "upgrade"], cwd=here, env={"SAMU_LOG_LEVEL": "DEBUG"})
    assert ran.code == 0, ran.output
    assert (here / "samu.db").exists() and not outer.exists()  # the folder, not the outer URL
    # samu's own text log on stderr (not JSON: SAMU_LOG_FORMAT was hidden), at the level given
    assert "DEBUG aiosqlite: " in ran.stderr and "{" not in ran.stderr.splitlines()[0]
    assert "Nouveau fichier de base de données créé" in ran.stdout
    assert "DEBUG" not in ran.stdout
    after = (
        dict(os.environ), os.getcwd(), root.handlers[:], root.level, chatty.level,
        (sys.stdin, sys.stdout, sys.stderr),
    )  # fmt: skip
    assert after == before
    assert logging.getLogger("aiosqlite").getEffectiveLevel() == root.getEffectiveLevel()


def test_standard_input_is_a_pipe_or_the_file_given(tmp_path: Path) -> None:
    assert samu_in_process(["db", "upgrade"], cwd=tmp_path).code == 0
    ran = samu_in_process(["chat", "--as", "Alice"], cwd=tmp_path, stdin="/aide\n")
    assert ran.code == 0 and "Alice> /aide" in ran.stdout, ran.output
    assert "Discussion dans le terminal" not in ran.output  # the greeting of a terminal only
    script = tmp_path / "script.txt"
    script.write_text("/aide\n", encoding="utf-8")
    ran = samu_in_process(["chat", "--as", "Bruno"], cwd=tmp_path, stdin=script)
    assert ran.code == 0 and "Bruno> /aide" in ran.stdout, ran.output


async def test_from_an_event_loop_it_runs_in_a_thread(tmp_path: Path) -> None:
    ran = await samu_in_thread(["db", "upgrade"], cwd=tmp_path)
    assert ran.code == 0 and (tmp_path / "samu.db").exists(), ran.output
