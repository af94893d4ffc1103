"""The folder a command writes files into (`--out` of `samu report` and `samu tutorials
export`): checked before any work, written without a traceback, problems named."""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path


class OutProblem(StrEnum):
    """Why files cannot be written where asked."""

    NOT_A_FOLDER = "not_a_folder"
    NOT_WRITABLE = "not_writable"
    REPORT_EXISTS = "report_exists"
    NOT_EMPTY = "not_empty"


class OutFolderError(Exception):
    """The folder given to `--out` cannot be used; `path` is the one at fault."""

    def __init__(self, problem: OutProblem, path: Path) -> None:
        super().__init__(f"{problem.value}: {path}")
        self.problem = problem
        self.path = path


def check_writable(out: Path) -> None:
    """Raise OutFolderError unless `out` is a folder that can be written (or can be created)."""
    existing = out
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise OutFolderError(OutProblem.NOT_A_FOLDER, existing)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutFolderError(OutProblem.NOT_WRITABLE, existing)


def write_files(out: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write each file (by `/`-separated path) under `out`; the paths written.

    Raises OutFolderError when the system refuses (permissions, a read-only file system, a
    file where a folder should be).
    """
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for relative, content in files.items():
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            written.append(target)
    except (NotADirectoryError, FileExistsError) as error:
        raise OutFolderError(OutProblem.NOT_A_FOLDER, Path(error.filename or out)) from error
    except OSError as error:
        raise OutFolderError(OutProblem.NOT_WRITABLE, Path(error.filename or out)) from error
    return written
