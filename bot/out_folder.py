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

OutFileWriter = Callable[[bytes], Coroutine[Any, Any, None]]


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


class OutFileProblem(StrEnum):
    """Why the one file asked for cannot be written there."""

    FOLDER_MISSING = "folder_missing"
    IS_A_FOLDER = "is_a_folder"
    FILE_EXISTS = "file_exists"
    NOT_WRITABLE = "not_writable"


class OutFileError(Exception):
    """The file given to `--out` cannot be written; `path` is the one at fault."""

    def __init__(self, problem: OutFileProblem, path: Path) -> None:
        super().__init__(f"{problem.value}: {path}")
        self.problem = problem
        self.path = path


def check_out_file(out: Path, *, force: bool = False) -> None:
    """Raise OutFileError unless `out` can be written: its folder exists and can be written,
    it is not a folder, and it does not exist yet (unless `force`)."""
    folder = out.absolute().parent
    if not folder.is_dir():
        raise OutFileError(OutFileProblem.FOLDER_MISSING, folder)
    if out.is_dir():
        raise OutFileError(OutFileProblem.IS_A_FOLDER, out)
    if out.exists() and not force:
        raise OutFileError(OutFileProblem.FILE_EXISTS, out)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutFileError(OutFileProblem.NOT_WRITABLE, folder)


def _partial_file(out: Path) -> tuple[Path, IO[bytes]]:
    folder = out.absolute().parent
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".part")
    except OSError as error:
        raise OutFileError(OutFileProblem.NOT_WRITABLE, folder) from error
    return Path(name), os.fdopen(handle, "wb")


def _publish(partial: Path, out: Path, *, force: bool) -> None:
    try:
        if force:
            os.replace(partial, out)
        else:
            os.link(partial, out)  # unlike a rename, fails if `out` appeared meanwhile
    except FileExistsError as error:
        raise OutFileError(OutFileProblem.FILE_EXISTS, out) from error
    except IsADirectoryError as error:
        raise OutFileError(OutFileProblem.IS_A_FOLDER, out) from error
    except OSError as error:
        raise OutFileError(OutFileProblem.NOT_WRITABLE, out) from error


@asynccontextmanager
async def out_file(out: Path, *, force: bool = False) -> AsyncIterator[OutFileWriter]:
    """Write `out` through the function given, the file taking its name when the block ends
    without an error.

    It is written next to `out` under a hidden name first: a failure leaves no half-written
    file, and a file at `out` is replaced only with `force`. Raises OutFileError when the
    system refuses (before the block, while writing, or at the end).
    """
    await asyncio.to_thread(check_out_file, out, force=force)
    partial, stream = await asyncio.to_thread(_partial_file, out)

    async def write(data: bytes) -> None:
        try:
            await asyncio.to_thread(stream.write, data)
        except OSError as error:
            raise OutFileError(OutFileProblem.NOT_WRITABLE, out) from error

    try:
        try:
            yield write
        finally:
            await asyncio.to_thread(stream.close)
        await asyncio.to_thread(_publish, partial, out, force=force)
    finally:
        await asyncio.to_thread(partial.unlink, missing_ok=True)
