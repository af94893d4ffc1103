"""`samu backup`, `samu restore` and `samu db copy`: the whole database, saved, put back, moved.

The work is in storage/backup.py and storage/copy.py; here each refusal becomes one plain
sentence saying what to do, with exit status 2 (3 for a backup from a newer samu).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from bot.app import App, SchemaOutOfDate
from bot.chat.i18n import N_, Translator
from storage.backup import (
    BackupError,
    Problem,
    backup,
    dump_command_line,
    kind_of,
    read_backup,
    restore,
    restore_command_line,
    shown_url,
)
from storage.copy import CopyProblem, CopyRefused, copy_database
from storage.db import is_unavailable
from storage.migrate import HEAD_REVISION, SchemaStatus, known_revisions, upgrade
from storage.urls import DatabaseUrlError


def _print(*lines: str) -> None:
    for line in lines:
        print(line)


def _backup_problem(error: BackupError, t: Translator, command: str = "") -> int:
    """Say why a backup or a restore was not done; the exit status for it."""
    _ = t._
    messages = {
        Problem.NO_DATABASE: _("There is no database at {path}: nothing to back up."),
        Problem.FOLDER_MISSING: _(
            "The folder {path} does not exist: create it, or choose another one."
        ),
        Problem.NOT_WRITABLE: _(
            "I cannot write into {path}: check its permissions, or choose another folder."
        ),
        Problem.FILE_EXISTS: _(
            "{path} already exists: choose another name, or add --force to replace it."
        ),
        Problem.IS_A_FOLDER: _("{path} is a folder: give a file name to --out."),
        Problem.NOT_A_BACKUP: _(
            "{path} is not a samu backup (or it is damaged): nothing was restored."
        ),
        Problem.OTHER_KIND: _(
            "{path} is a {detail} backup, and the configured database is not: restore it into "
            "a database of that kind, then move it with samu db copy --to URL."
        ),
        Problem.NOT_EMPTY: _(
            "The database {path} is not empty ({detail}): a backup is restored only into an "
            "empty database. Create a new one (PostgreSQL: createdb; SQLite: a file name that "
            "does not exist) and point [database] url to it."
        ),
        Problem.TOOL_MISSING: _("{path} is not installed here."),
        Problem.TOOL_FAILED: _("{path} failed: {detail}"),
    }
    _print(messages[error.problem].format(path=error.path, detail=error.detail))
    if error.problem is Problem.NOT_A_BACKUP and error.detail:
        _print("    " + error.detail.splitlines()[-1])
    if error.problem is Problem.TOOL_MISSING and command:
        _print(
            _("Install the PostgreSQL client tools, or run on a machine that has them:"),
            "    " + command,
            _("(with the database password in the PGPASSWORD environment variable)"),
        )
    return 2


async def backup_command(app: App, args: argparse.Namespace, t: Translator) -> int:
    """`samu backup --out FILE`: a consistent copy of the database, the bot running or not."""
    url = app.config.database.url
    out = Path(args.out)
    try:
        size = await backup(url, out, force=args.force)
    except BackupError as error:
        return _backup_problem(error, t, dump_command_line(url, out))
    _print(t._("Backup written: {path} ({size} kB).").format(path=out, size=max(1, size // 1024)))
    if app.config.matrix.enabled:
        _print(
            t._(
                "Also keep the Matrix store folder {path}: without it the bot comes back as a "
                "new device and cannot read the old encrypted messages."
            ).format(path=app.config.matrix.store_path)
        )
    return 0


async def restore_command(app: App, args: argparse.Namespace, t: Translator) -> int:
    """`samu restore FILE`: put a backup back into an empty database, then migrate it."""
    url = app.config.database.url
    path = Path(args.file)
    try:
        info = await read_backup(path)
        found = SchemaStatus(current=info.revision, head=HEAD_REVISION, known=known_revisions())
        if found.from_newer_version:
            raise SchemaOutOfDate(found)  # said by the CLI, exit status 3
        await restore(url, path, info)
    except BackupError as error:
        return _backup_problem(error, t, restore_command_line(url, path))
    _print(
        t._("Backup {path} restored into {database} (revision {revision}).").format(
            path=path, database=shown_url(url), revision=info.revision
        )
    )
    if info.revision != HEAD_REVISION:
        _print(
            t._("The backup comes from an older version: migrating to revision {head}.").format(
                head=HEAD_REVISION
            )
        )
        await upgrade(app.db.engine)
    _print(t._("Check it with: samu doctor"))
    return 0


async def db_copy_command(app: App, args: argparse.Namespace, t: Translator) -> int:
    """`samu db copy --to URL`: every row into another, empty database."""
    _ = t._
    status = await app.schema()
    if not status.up_to_date:
        raise SchemaOutOfDate(status)  # said by the CLI, exit status 3
    try:
        target = shown_url(args.to)
        kind_of(args.to)
        report = await copy_database(app.db.engine, app.config.database.url, args.to)
    except DatabaseUrlError as error:
        _print(_("I cannot use this database URL: {error}").format(error=error))
        return 2
    except CopyRefused as refused:
        messages = {
            CopyProblem.SAME_DATABASE: _("--to names the configured database itself."),
            CopyProblem.SOURCE_OUT_OF_DATE: _("Run samu db upgrade first."),
            CopyProblem.TARGET_OTHER_REVISION: _(
                "{url} holds a samu database at another revision ({detail}): "
                "copy only into an empty database."
            ),
            CopyProblem.TARGET_NOT_EMPTY: _(
                "{url} is not empty ({detail}): copy only into an empty database."
            ),
        }
        _print(messages[refused.problem].format(url=target, detail=refused.detail))
        return 2
    except (DBAPIError, OSError) as error:
        first = str(getattr(error, "orig", None) or error).splitlines()[0]
        if is_unavailable(error):
            _print(_("I cannot reach {url}: {error}").format(url=target, error=first))
        else:
            _print(
                _("The copy stopped: {error}").format(error=first),
                _("Nothing was written into {url}.").format(url=target),
            )
        return 2
    _print(
        t.ngettext(
            "{total} row copied into {url} (revision {revision}).",
            "{total} rows copied into {url} (revision {revision}).",
            report.total,
            zero=N_("Nothing to copy: the database is empty; {url} is at revision {revision}."),
        ).format(total=report.total, url=target, revision=report.revision),
        _("To use it: set [database] url (or SAMU_DATABASE_URL) to it, then run samu doctor."),
    )
    return 0


__all__ = ["backup_command", "db_copy_command", "restore_command"]
