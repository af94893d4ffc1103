"""`samu doctor`'s checks of what the bot needs on this machine besides the database: the
folders it writes into and the monitoring address it listens on."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

from bot.chat.i18n import Translator
from bot.config import Config, listen_address
from bot.doctor_check import Check


def _writable_folder(path: Path) -> bool:
    """Whether the bot can write into `path`, or create it (its nearest existing parent)."""
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            return False
        existing = existing.parent
    return existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)


def _bind_error(host: str, port: int) -> str | None:
    """Why nothing could listen on host:port now, or None when it could."""
    try:
        with socket.create_server((host, port)):
            return None
    except OSError as error:
        return error.strerror or str(error)


async def folder_checks(config: Config, t: Translator) -> list[Check]:
    """The kept-messages folder, and the Matrix store when Matrix is enabled."""
    _ = t._
    folders = [(Path(config.workers.kept_dir), "[workers] kept_dir")]
    if config.matrix.enabled:
        folders.append((Path(config.matrix.store_path), "[matrix] store_path"))
    checks = []
    for path, key in folders:
        if await asyncio.to_thread(_writable_folder, path):
            checks.append(
                Check(True, _("Folder {path} ({key}): writable.").format(path=path, key=key))
            )
        else:
            checks.append(
                Check(
                    False,
                    _("Folder {path} ({key}): the bot cannot write there.").format(
                        path=path, key=key
                    ),
                    _(
                        "Give the bot's user the right to write there, "
                        "or set {key} to another folder."
                    ).format(key=key),
                )
            )
    return checks


async def monitoring_check(config: Config, t: Translator) -> list[Check]:
    """The monitoring address is free, when `[monitoring] listen` is set."""
    _ = t._
    if not config.monitoring.listen:
        return []
    host, port = listen_address(config.monitoring.listen)
    error = await asyncio.to_thread(_bind_error, host, port)
    if error is None:
        return [
            Check(
                True, _("Monitoring: {address} is free.").format(address=config.monitoring.listen)
            )
        ]
    return [
        Check(
            False,
            _("Monitoring: cannot listen on {address} ({error}).").format(
                address=config.monitoring.listen, error=error
            ),
            _(
                "Stop what listens there (samu run itself, if it is running), "
                "or set [monitoring] listen to another port."
            ),
        )
    ]
