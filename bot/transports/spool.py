"""Messages kept on disk while the database is away, so that a crash does not lose them.

Each kept message is one small JSON file, written completely (temporary file, fsync, rename)
before the platform is told the message was received, and removed once it is handled. A
worker that starts again hands the files it finds over to the conversation, oldest first.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bot.chat.types import ChatType, FileKind, Incoming, IncomingFile

log = logging.getLogger(__name__)

SUFFIX = ".json"


@dataclass
class Spool:
    """A directory of kept messages (created when the first message is kept)."""

    directory: Path
    _order: itertools.count[int] = field(default_factory=itertools.count)

    async def put(self, incoming: Incoming) -> str:
        """Write one message durably; returns its name in the spool."""
        # Names sort by arrival, also across restarts (time first, then a counter).
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._order):06d}{SUFFIX}"
        data = json.dumps(asdict(incoming), ensure_ascii=False).encode()
        await asyncio.to_thread(self._write, name, data)
        return name

    async def drop(self, name: str) -> None:
        """Forget a message once it is handled."""
        await asyncio.to_thread((self.directory / name).unlink, missing_ok=True)

    async def forget(self, user_ids: Collection[str]) -> int:
        """Remove the kept messages of these platform users (a member was erased); returns
        how many files went. Files set aside as unreadable are checked too."""
        wanted = set(user_ids)
        return await asyncio.to_thread(self._forget, wanted) if wanted else 0

    def _forget(self, wanted: set[str]) -> int:
        if not self.directory.is_dir():
            return 0
        removed = 0
        for path in sorted(self.directory.iterdir()):
            try:
                raw = path.read_bytes()
            except (FileNotFoundError, IsADirectoryError):
                continue
            try:
                user_id = json.loads(raw).get("user_id")
            except (ValueError, AttributeError):
                user_id = None
            unreadable = user_id is None and any(w.encode() in raw for w in wanted)
            if user_id in wanted or unreadable:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    async def load(self) -> list[tuple[str, Incoming]]:
        """The messages left by an earlier run, oldest first (unreadable files are logged and
        set aside with a `.bad` suffix, never deleted)."""
        return await asyncio.to_thread(self._read_all)

    def _write(self, name: str, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.directory / f".{name}.partial"
        with partial.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        partial.rename(self.directory / name)
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _read_all(self) -> list[tuple[str, Incoming]]:
        if not self.directory.is_dir():
            return []
        found = []
        for path in sorted(self.directory.glob(f"*{SUFFIX}")):
            try:
                found.append((path.name, _incoming(json.loads(path.read_text("utf-8")))))
            except FileNotFoundError:
                continue  # handled (and removed) meanwhile
            except (OSError, ValueError, TypeError) as error:
                log.error("kept message %s cannot be read (%s); set aside", path.name, error)
                path.rename(path.with_suffix(".bad"))
        return found


def _incoming(data: dict[str, Any]) -> Incoming:
    data["chat_type"] = ChatType(data.get("chat_type", ChatType.PRIVATE))
    if data.get("file") is not None:
        file = data["file"]
        data["file"] = IncomingFile(**{**file, "kind": FileKind(file["kind"])})
    return Incoming(**data)
