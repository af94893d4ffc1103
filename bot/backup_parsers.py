"""The parsers of `samu backup`, `samu restore` and `samu db copy`.

Declaring them imports nothing heavy (see bot/cli.py): each handler imports `bot.backup_cli`,
and with it the application and SQLAlchemy, only when its command runs.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.chat.i18n import Translator

if TYPE_CHECKING:
    from bot.app import App


async def _backup(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.backup_cli import backup_command

    return await backup_command(app, args, t)


async def _restore(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.backup_cli import restore_command

    return await restore_command(app, args, t)


async def _db_copy(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.backup_cli import db_copy_command

    return await db_copy_command(app, args, t)


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    db_sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    t: Translator,
) -> None:
    """Declare `samu backup`, `samu restore` and `samu db copy`."""
    _ = t._
    copy = db_sub.add_parser(
        "copy", parents=[common], help=_("copy every row into another, empty database")
    )
    copy.add_argument(
        "--to", required=True, metavar="URL", help=_("the target, e.g. postgresql://samu@/samu")
    )
    copy.set_defaults(handler=_db_copy)
    save = sub.add_parser(
        "backup", parents=[common], help=_("write a backup of the database into a file")
    )
    save.add_argument("--out", required=True, metavar="FILE", help=_("the backup file"))
    save.add_argument("--force", action="store_true", help=_("replace an existing file"))
    save.set_defaults(handler=_backup)
    load = sub.add_parser(
        "restore", parents=[common], help=_("restore a backup into an empty database")
    )
    load.add_argument("file", metavar="FILE", help=_("the backup file"))
    load.set_defaults(handler=_restore)
