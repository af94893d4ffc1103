"""Where the Matrix tests find Synapse (a per-machine cache keyed by its version, or
`SAMU_SYNAPSE_VENV`), and what installing says when it cannot: all without installing it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.fakes import synapse_install
from tests.fakes.synapse import last_install_error, synapse_python
from tests.fakes.synapse_install import (
    MARKER,
    SYNAPSE_REQUIREMENT,
    install,
    installed,
    main,
    pinned_version,
    synapse_venv,
)

PY = f"py{sys.version_info.major}.{sys.version_info.minor}"


def test_the_folder_is_named_after_the_pinned_version() -> None:
    assert pinned_version("matrix-synapse==1.163.*") == "1.163"
    assert pinned_version("matrix-synapse==1.170.0") == "1.170.0"
    assert pinned_version() == SYNAPSE_REQUIREMENT.split("==")[1].removesuffix(".*")
    with pytest.raises(ValueError, match="not a pinned requirement"):
        pinned_version("matrix-synapse>=1.163")


def test_the_default_is_the_machines_cache_not_the_checkout(tmp_path: Path) -> None:
    version = pinned_version()
    home = tmp_path / "home"
    assert synapse_venv({}, home=home) == home / ".cache/samu-numerique" / f"synapse-{version}-{PY}"
    cache = tmp_path / "xdg"
    assert (
        synapse_venv({"XDG_CACHE_HOME": str(cache)}, home=home)
        == cache / "samu-numerique" / f"synapse-{version}-{PY}"
    )
    # The XDG rules: a relative path is ignored.
    assert synapse_venv({"XDG_CACHE_HOME": "relative"}, home=home) == synapse_venv({}, home=home)
    repo = Path(__file__).resolve().parents[2]
    outer = {name: value for name, value in os.environ.items() if name != "SAMU_SYNAPSE_VENV"}
    assert repo not in synapse_venv(outer).parents  # no longer <repo>/.cache/synapse-venv


def test_samu_synapse_venv_overrides_the_cache(tmp_path: Path) -> None:
    chosen = tmp_path / "mine"
    environ = {"SAMU_SYNAPSE_VENV": str(chosen), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert synapse_venv(environ) == chosen


def test_another_pin_is_another_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = synapse_venv({}, home=tmp_path)
    monkeypatch.setattr(synapse_install, "SYNAPSE_REQUIREMENT", "matrix-synapse==1.170.*")
    after = synapse_venv({}, home=tmp_path)
    assert after != before and after.name == f"synapse-1.170-{PY}"


def test_an_installed_venv_is_used_as_it_is(tmp_path: Path) -> None:
    """The marker names the requirement: the same one, and nothing runs; another, and it is
    not taken for installed."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    (venv / MARKER).write_text("matrix-synapse==1.0.*\n")
    assert installed(venv) is None
    (venv / MARKER).write_text(SYNAPSE_REQUIREMENT + "\n")
    assert installed(venv) == venv / "bin" / "python"
    assert install(venv) == venv / "bin" / "python"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["venv"]  # not even a lock


def test_where_and_what_installing_says_when_it_cannot(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    venv = tmp_path / "a-file" / "synapse"
    monkeypatch.setenv("SAMU_SYNAPSE_VENV", str(venv))
    assert main(["where"]) == 0
    assert capsys.readouterr().out == f"{venv}\n"
    assert main(["install"]) == 1
    assert f"cannot install {SYNAPSE_REQUIREMENT} into {venv}" in capsys.readouterr().err
    assert main(["reinstall"]) == 2
    assert "usage:" in capsys.readouterr().err
    # The tests' entry point: None, and the reason they skip with.
    assert synapse_python() is None
    assert f"cannot install {SYNAPSE_REQUIREMENT} into {venv}" in (last_install_error() or "")
