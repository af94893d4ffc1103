"""The folder a command writes files into (`--out` of `samu report` and `samu tutorials
export`), or the one file it writes (`--out` of `samu lieux export`): checked before any work,
written without a traceback, problems named."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from bot.chat.i18n import Translator

OutFileWriter = Callable[[bytes], Coroutine[Any, Any, None]]


class OutProblem(StrEnum):
    """Why files cannot be written where `--out` says."""

    NOT_A_FOLDER = "not_a_folder"  # a folder was asked for
    IS_A_FOLDER = "is_a_folder"  # a file name was asked for
    FOLDER_MISSING = "folder_missing"  # the folder of the one file asked for
    NOT_WRITABLE = "not_writable"
    REPORT_EXISTS = "report_exists"
    NOT_EMPTY = "not_empty"
    FILE_EXISTS = "file_exists"


class OutError(Exception):
    """What `--out` names cannot be written; `path` is the one at fault."""

    def __init__(self, problem: OutProblem, path: Path) -> None:
        super().__init__(f"{problem.value}: {path}")
        self.problem = problem
        self.path = path


def out_problem_text(error: OutError, t: Translator) -> str:
    """Why `--out` cannot be used, and what to do, in the operator's language."""
    messages = {
        OutProblem.NOT_A_FOLDER: t._("{path} is not a folder: give a folder to --out."),
        OutProblem.IS_A_FOLDER: t._("{path} is a folder: give a file name to --out."),
        OutProblem.FOLDER_MISSING: t._(
            "The folder {path} does not exist: create it, or choose another one."
        ),
        OutProblem.NOT_WRITABLE: t._(
            "I cannot write into {path}: check its permissions, or choose another folder."
        ),
        OutProblem.REPORT_EXISTS: t._(
            "There is already a report in {path}: choose another folder, "
            "or add --force to replace it."
        ),
        OutProblem.NOT_EMPTY: t._(
            "{path} is not empty and was not written by an export: choose an empty folder, "
            "or add --force to write into it (nothing there is deleted)."
        ),
        OutProblem.FILE_EXISTS: t._(
            "{path} already exists: choose another name, or add --force to replace it."
        ),
    }
    return messages[error.problem].format(path=error.path)


def check_writable(out: Path) -> None:
    """Raise OutError unless `out` is a folder that can be written (or can be created)."""
    existing = out
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise OutError(OutProblem.NOT_A_FOLDER, existing)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutError(OutProblem.NOT_WRITABLE, existing)


def write_files(out: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write each file (by `/`-separated path) under `out`; the paths written.

    Raises OutError when the system refuses (permissions, a read-only file system, a
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
        raise OutError(OutProblem.NOT_A_FOLDER, Path(error.filename or out)) from error
    except OSError as error:
        raise OutError(OutProblem.NOT_WRITABLE, Path(error.filename or out)) from error
    return written


def check_out_file(out: Path, *, force: bool = False) -> None:
    """Raise OutError unless `out` can be written: its folder exists and can be written,
    it is not a folder, and it does not exist yet (unless `force`)."""
    folder = out.absolute().parent
    if not folder.is_dir():
        raise OutError(OutProblem.FOLDER_MISSING, folder)
    if out.is_dir():
        raise OutError(OutProblem.IS_A_FOLDER, out)
    if out.exists() and not force:
        raise OutError(OutProblem.FILE_EXISTS, out)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutError(OutProblem.NOT_WRITABLE, folder)


def _partial_file(out: Path) -> tuple[Path, IO[bytes]]:
    folder = out.absolute().parent
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".part")
    except OSError as error:
        raise OutError(OutProblem.NOT_WRITABLE, folder) from error
    return Path(name), os.fdopen(handle, "wb")


def _publish(partial: Path, out: Path, *, force: bool) -> None:
    try:
        if force:
            os.replace(partial, out)
        else:
            os.link(partial, out)  # unlike a rename, fails if `out` appeared meanwhile
    except FileExistsError as error:
        raise OutError(OutProblem.FILE_EXISTS, out) from error
    except IsADirectoryError as error:
        raise OutError(OutProblem.IS_A_FOLDER, out) from error
    except OSError as error:
        raise OutError(OutProblem.NOT_WRITABLE, out) from error


@asynccontextmanager
async def out_file(out: Path, *, force: bool = False) -> AsyncIterator[OutFileWriter]:
    """Write `out` through the function given, the file taking its name when the block ends
    without an error.

    It is written next to `out` under a hidden name first: a failure leaves no half-written
    file, and a file at `out` is replaced only with `force`. Raises OutError when the
    system refuses (before the block, while writing, or at the end).
    """
    await asyncio.to_thread(check_out_file, out, force=force)
    partial, stream = await asyncio.to_thread(_partial_file, out)

    async def write(data: bytes) -> None:
        try:
            await asyncio.to_thread(stream.write, data)
        except OSError as error:
            raise OutError(OutProblem.NOT_WRITABLE, out) from error

    try:
        try:
            yield write
        finally:
            await asyncio.to_thread(stream.close)
        await asyncio.to_thread(_publish, partial, out, force=force)
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)
