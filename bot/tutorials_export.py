"""`samu tutorials export`: the files of an export written into a folder that the export owns.

The export keeps a manifest of the files it wrote (with their SHA-256). The next export into
the same folder removes its own files that are no longer part of it (a tutorial unpublished or
renamed), unless someone changed them since; it never deletes a file it did not write. A
folder that is not empty and holds no manifest is not the export's: it is refused unless
`force` (then files are only added or overwritten, nothing is deleted).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bot.out_folder import OutError, OutProblem, check_writable, write_files

MANIFEST = ".samu-export.json"
GENERATOR = "samu tutorials export"


@dataclass(frozen=True, slots=True)
class Exported:
    """What an export did in its folder."""

    written: list[Path]
    removed: list[Path]
    kept: list[Path]
    """Files of an earlier export no longer part of this one, left because they were changed."""


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _previous_files(out: Path) -> dict[str, str] | None:
    """The files of the export last written in `out` (None: no manifest, or not readable)."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if manifest.get("generator") != GENERATOR or not isinstance(files, dict):
        return None
    return {str(path): str(digest) for path, digest in files.items()}


def _inside(out: Path, relative: str) -> Path | None:
    """The file of a manifest entry, only if it stays inside `out` (a manifest edited by hand
    must not make the export delete anything elsewhere)."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or pure.name == MANIFEST:
        return None
    return out.joinpath(*pure.parts)


def _remove_stale(out: Path, stale: Mapping[str, str]) -> tuple[list[Path], list[Path]]:
    removed, kept = [], []
    for relative, digest in sorted(stale.items()):
        target = _inside(out, relative)
        if target is None or not target.is_file() or target.is_symlink():
            continue
        if _digest(target.read_bytes()) != digest:
            kept.append(target)
            continue
        target.unlink()
        removed.append(target)
        folder = target.parent
        while folder != out and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return removed, kept


def export_to_folder(out: Path, files: Mapping[str, bytes], *, force: bool = False) -> Exported:
    """Write an export's files into `out` as described above; raises OutError."""
    check_writable(out)
    previous = _previous_files(out) if out.is_dir() else None
    if previous is None and out.is_dir() and any(out.iterdir()) and not force:
        raise OutError(OutProblem.NOT_EMPTY, out)
    written = write_files(out, files)
    stale = {path: digest for path, digest in (previous or {}).items() if path not in files}
    try:
        removed, kept = _remove_stale(out, stale)
    except OSError as error:
        raise OutError(OutProblem.NOT_WRITABLE, Path(error.filename or out)) from error
    manifest = {
        "generator": GENERATOR,
        "files": {path: _digest(content) for path, content in sorted(files.items())},
    }
    text = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    write_files(out, {MANIFEST: text.encode("utf-8")})
    return Exported(written, removed, kept)
