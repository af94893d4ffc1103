"""The `samu` commands that write files into a folder: `report` and `tutorials export`.

A folder that cannot be used (a file, not writable, an earlier report, someone else's files)
is said plainly, with exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.app import App
from bot.chat.exports import ExportFormat, export_tutorials
from bot.chat.i18n import N_, Translator
from bot.core import places, tutorials
from bot.out_folder import OutError, check_writable, out_problem_text
from bot.report_cli import write_report
from bot.tutorials_export import export_to_folder


def _print(*lines: str) -> None:
    for line in lines:
        print(line)


def _out_problem(problem: OutError, t: Translator) -> int:
    """Say why `--out` cannot be used; the exit status for it."""
    _print(out_problem_text(problem, t))
    return 2


async def tutorials_export_command(app: App, args: argparse.Namespace, t: Translator) -> int:
    """`samu tutorials export`: published entries (drafts too with --include-drafts)."""
    await app.prepare()
    out = Path(args.out)
    try:
        await asyncio.to_thread(check_writable, out)
    except OutError as problem:
        return _out_problem(problem, t)
    found = await tutorials.everything(app.services, only_published=not args.include_drafts)
    known_places = await places.everything(app.services)
    files = export_tutorials(
        found,
        ExportFormat(args.format),
        locale=app.config.bot.default_locale,
        places=known_places,
    )
    try:
        done = await asyncio.to_thread(export_to_folder, out, files, force=args.force)
    except OutError as problem:
        return _out_problem(problem, t)
    _print(
        t.ngettext(
            "{n} tutorial exported to {out} ({files} files).",
            "{n} tutorials exported to {out} ({files} files).",
            len(found),
            zero=N_("No tutorial exported to {out} ({files} files)."),
        ).format(n=len(found), out=out, files=len(files))
    )
    if done.removed:
        _print(
            t.ngettext(
                "{n} file of the previous export removed.",
                "{n} files of the previous export removed.",
                len(done.removed),
            ).format(n=len(done.removed))
        )
    for kept in done.kept:
        _print(t._("Left in place, changed since the previous export: {path}").format(path=kept))
    return 0


async def report_command(app: App, args: argparse.Namespace, t: Translator) -> int:
    """`samu report --out DIR`: the coordinators' report of a period."""
    await app.prepare()
    try:
        written = await write_report(app, Path(args.out), args.since, args.until, force=args.force)
    except OutError as problem:
        return _out_problem(problem, t)
    except ValueError:
        _print(t._("The report needs --from, and --to must not come before it."))
        return 2
    _print(
        t._("Report written: {path}").format(path=Path(args.out) / "rapport.html"),
        t.ngettext("{n} file.", "{n} files.", len(written)).format(n=len(written)),
    )
    return 0
