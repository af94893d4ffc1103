"""Synapse for the Matrix tests, installed once per machine: into a cache keyed by the Synapse
version pinned here (and the Python that runs it), outside any test's timing.

Only the standard library: CI runs it before the project's venv exists, then the README's test
command (`.ci/run`); a developer may run it once, or let the first Matrix test install it:

    python3 -m tests.fakes.synapse_install      # prints the venv's python, or why it failed

The default place is `${XDG_CACHE_HOME:-~/.cache}/samu-numerique/synapse-<version>-py<X.Y>`,
shared by every checkout on the machine; `SAMU_SYNAPSE_VENV` names another folder. A file lock
next to the venv keeps two processes from installing at once (the second waits, then finds it
installed); a marker file in the venv records the requirement it holds.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

SYNAPSE_REQUIREMENT = "matrix-synapse==1.163.*"
INSTALL_TIMEOUT = 900.0  # seconds; a cold install takes ~20-60 s with a warm network
MARKER = ".samu-synapse-requirement"


class SynapseError(RuntimeError):
    """Synapse could not be installed, started or used."""


def pinned_version(requirement: str | None = None) -> str:
    """The version a requirement pins (`SYNAPSE_REQUIREMENT` by default), as a folder name
    takes it: "1.163" for "matrix-synapse==1.163.*"."""
    requirement = SYNAPSE_REQUIREMENT if requirement is None else requirement
    _, separator, version = requirement.partition("==")
    if not separator or not version.strip():
        raise ValueError(f"not a pinned requirement: {requirement!r}")
    return version.strip().removesuffix(".*")


def synapse_venv(environ: Mapping[str, str] | None = None, *, home: Path | None = None) -> Path:
    """Where Synapse's venv lives: `SAMU_SYNAPSE_VENV`, else the machine's cache folder
    (`$XDG_CACHE_HOME` when it is an absolute path, as the XDG rules say, else ~/.cache)."""
    environ = os.environ if environ is None else environ
    override = environ.get("SAMU_SYNAPSE_VENV")
    if override:
        return Path(override)
    cache = environ.get("XDG_CACHE_HOME", "")
    root = Path(cache) if cache and Path(cache).is_absolute() else (home or Path.home()) / ".cache"
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return root / "samu-numerique" / f"synapse-{pinned_version()}-py{python}"


def installed(venv: Path) -> Path | None:
    """The venv's python if it holds `SYNAPSE_REQUIREMENT`, else None."""
    python, marker = venv / "bin" / "python", venv / MARKER
    if (
        python.exists()
        and marker.is_file()
        and marker.read_text(encoding="utf-8").strip() == SYNAPSE_REQUIREMENT
    ):
        return python
    return None


def install(venv: Path) -> Path:
    """The python of `venv` holding Synapse, installing it there first when needed (blocking:
    pip runs in a subprocess). Raises SynapseError or OSError when it cannot."""
    python = installed(venv)
    if python is not None:
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be installing: wait for it
        python = installed(venv)
        if python is not None:
            return python
        python = venv / "bin" / "python"
        started = time.monotonic()
        print(f"\n[synapse] installing {SYNAPSE_REQUIREMENT} into {venv} …", flush=True)
        if (venv / MARKER).exists():  # ours, for another requirement or half installed
            shutil.rmtree(venv, ignore_errors=True)
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--retries=2",
                SYNAPSE_REQUIREMENT,
            ],
            [str(python), "-c", "import synapse.app.homeserver"],
        ]
        for number, step in enumerate(steps):
            if number == 1:  # the venv exists: from now on it is ours to replace
                (venv / MARKER).write_text("installing\n", encoding="utf-8")
            done = subprocess.run(
                step,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
                check=False,
                env={**os.environ, "PIP_NO_INPUT": "1"},
            )
            if done.returncode != 0:
                output = tail(done.stdout + "\n" + done.stderr)
                raise SynapseError(f"`{' '.join(step)}` failed ({done.returncode}):\n{output}")
        (venv / MARKER).write_text(SYNAPSE_REQUIREMENT + "\n", encoding="utf-8")
        elapsed = time.monotonic() - started
        print(f"[synapse] installed {SYNAPSE_REQUIREMENT} in {elapsed:.1f} s", flush=True)
        return python


def tail(text: str, lines: int = 30) -> str:
    """The last `lines` lines of `text`."""
    return "\n".join(text.strip().splitlines()[-lines:])


def main(argv: Sequence[str] | None = None) -> int:
    """Install Synapse where the tests look for it; 0 and its python, or 1 and why not."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments not in ([], ["install"], ["where"]):
        print("usage: python3 -m tests.fakes.synapse_install [install|where]", file=sys.stderr)
        return 2
    venv = synapse_venv()
    if arguments == ["where"]:
        print(venv)
        return 0
    try:
        python = install(venv)
    except (OSError, subprocess.SubprocessError, SynapseError) as error:
        print(f"cannot install {SYNAPSE_REQUIREMENT} into {venv}: {error}", file=sys.stderr)
        return 1
    print(python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
