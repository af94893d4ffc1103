"""`samu lieux import|export|edit`: the places of digital mediation outside chat.

`import FILE` (or `--url URL`, downloaded first with httpx) reads the national dataset as
CSV or JSON, with a progress bar on large files, and prints what it kept and rejected, line
by line. `export` writes GeoJSON or CSV. `edit` completes one place (or a structure's
entry) field by field, as coordinators do in chat with `/lieu`.

The parser is declared with every `samu --help`: httpx, tqdm and the application are
imported by the handlers, when a command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from bot.chat.i18n import N_, Translator
from bot.out_folder import OutError, check_out_file, out_file, out_problem_text

if TYPE_CHECKING:
    from tqdm import tqdm

    from bot.app import App
    from bot.core.place_edits import EditField
    from bot.core.place_import import ImportReport

Handler = Callable[["App", argparse.Namespace, Translator], Coroutine[Any, Any, int]]
# Written out so that `--help` imports no model (a test checks they are the values of
# bot.core.place_files.FileFormat and bot.core.place_export.ExportFormat).
IMPORT_FORMATS = ("csv", "json")
EXPORT_FORMATS = ("geojson", "csv")
PROGRESS_FROM_BYTES = 5 << 20  # smaller files import before a bar would be worth showing
DOWNLOAD_TIMEOUT = 60.0


def _print(*lines: str) -> None:
    for line in lines:
        print(line)


def _report_lines(t: Translator, report: ImportReport) -> list[str]:
    from bot.chat.place_views import issue_text

    lines = []
    if report.resumed_after:
        lines.append(
            t.ngettext(
                "Resumed an interrupted import after {n} row.",
                "Resumed an interrupted import after {n} rows.",
                report.resumed_after,
            ).format(n=report.resumed_after)
        )
    lines.append(
        t._("{rows}: {kept}, {rejected}.").format(
            rows=t.ngettext(
                "{n} row read", "{n} rows read", report.read, zero=N_("No row read")
            ).format(n=report.read),
            kept=t.ngettext("{n} kept", "{n} kept", report.accepted, zero=N_("none kept")).format(
                n=report.accepted
            ),
            rejected=t.ngettext(
                "{n} rejected", "{n} rejected", report.rejected, zero=N_("none rejected")
            ).format(n=report.rejected),
        )
    )
    if report.warned:
        lines.append(
            t.ngettext(
                "{n} kept without a wrong field.",
                "{n} kept without their wrong field.",
                report.warned,
            ).format(n=report.warned)
        )
    lines.extend(
        t._("Line {line}: {what}").format(line=found.line, what=issue_text(t, found.issue))
        for found in report.issues
    )
    if report.pruned is not None:
        lines.append(
            t.ngettext(
                "{n} place no longer in the file was removed.",
                "{n} places no longer in the file were removed.",
                report.pruned,
                zero=N_("No place had to be removed: they are all still in the file."),
            ).format(n=report.pruned)
        )
    if report.prune_refused:
        lines.append(t._("Nothing was kept from this file: no place was removed (--prune)."))
    return lines


async def _download(url: str) -> Path:
    """Fetch `url` into a temporary file (streamed); its path."""
    import httpx

    suffix = Path(urlparse(url).path).suffix or ".csv"
    handle = tempfile.NamedTemporaryFile(prefix="samu-lieux-", suffix=suffix, delete=False)  # noqa: SIM115
    target = Path(handle.name)
    try:
        async with (
            httpx.AsyncClient(follow_redirects=True, timeout=DOWNLOAD_TIMEOUT) as client,
            client.stream("GET", url) as response,
        ):
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                await asyncio.to_thread(handle.write, chunk)
    finally:
        handle.close()
    return target


def _progress_bar(path: Path) -> tqdm[Any] | None:
    from tqdm import tqdm

    size = path.stat().st_size
    if size < PROGRESS_FROM_BYTES or not sys.stderr.isatty():
        return None
    return tqdm(total=size, unit="B", unit_scale=True, file=sys.stderr, leave=False)


async def _import(app: App, args: argparse.Namespace, t: Translator) -> int:
    import httpx

    from bot.core.place_files import FileFormat, guess_format
    from bot.core.place_import import import_places

    await app.prepare()
    downloaded = None
    if args.url:
        try:
            downloaded = await _download(args.url)
        except httpx.HTTPError as error:
            _print(t._("Could not download {url}: {error}").format(url=args.url, error=error))
            return 2
    path = downloaded or Path(args.file or "")
    if not path.is_file():
        _print(t._("No such file: {path}").format(path=path))
        return 2
    fmt = FileFormat(args.format) if args.format else guess_format(path)
    bar = _progress_bar(path)

    def progress(done: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)

    services = app.services
    try:
        report = await import_places(services, path, fmt, prune=args.prune, progress=progress)
    finally:
        if bar is not None:
            bar.close()
        if downloaded is not None:
            downloaded.unlink(missing_ok=True)
    _print(*_report_lines(t, report))
    return 0 if report.accepted or not report.read else 1


def _out_file_problem(problem: OutError, t: Translator) -> int:
    """Say why the file given to `--out` cannot be written; the exit status for it."""
    _print(out_problem_text(problem, t))
    return 2


async def _export(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.core.place_export import ExportFormat, export_places

    out = Path(args.out)
    try:
        await asyncio.to_thread(check_out_file, out, force=args.force)
    except OutError as problem:
        return _out_file_problem(problem, t)
    await app.prepare()
    services = app.services
    try:
        async with out_file(out, force=args.force) as write:
            count = await export_places(services, ExportFormat(args.format), write)
    except OutError as problem:
        return _out_file_problem(problem, t)
    _print(
        t.ngettext(
            "{n} place written to {out}.",
            "{n} places written to {out}.",
            count.written,
            zero=N_("No place written to {out}."),
        ).format(n=count.written, out=out)
    )
    if count.unlocated:
        _print(
            t.ngettext(
                "{n} place without coordinates is not on the map.",
                "{n} places without coordinates are not on the map.",
                count.unlocated,
            ).format(n=count.unlocated)
        )
    return 0


def _edits(values: list[str], t: Translator) -> list[tuple[EditField, str]] | None:
    from bot.core.place_edits import EditField

    fields = {edit.value: edit for edit in EditField} | {"gps": EditField.COORDINATES}
    edits = []
    for item in values:
        name, _, value = item.partition("=")
        edit = fields.get(name.strip())
        if edit is None:
            _print(
                t._("Unknown field {name}: use one of {fields}.").format(
                    name=name, fields=", ".join(sorted(fields))
                )
            )
            return None
        edits.append((edit, value))
    return edits


async def _edit(app: App, args: argparse.Namespace, t: Translator) -> int:
    from bot.chat.place_views import issue_text
    from bot.core import members, place_edits
    from bot.core.place_edits import PlaceNotFound

    await app.prepare()
    edits = _edits(args.set or [], t)
    if not edits:
        return 2
    services = app.services
    structure = None
    if args.structure:
        structure = await members.structure_named(services, args.structure)
        if structure is None:
            _print(t._("Unknown structure: {name}.").format(name=args.structure))
            return 2
    for edit, value in edits:
        if structure is not None:
            result = await place_edits.edit_structure_entry(services, structure, edit, value)
        else:
            try:
                result = await place_edits.edit_place(services, args.id, edit, value)
            except PlaceNotFound:
                _print(t._("No place has the id {id}.").format(id=args.id))
                return 2
        if result.place is None:
            _print(*(issue_text(t, issue, outcome=False) for issue in result.issues))
            return 2
        _print(t._("{field} saved.").format(field=edit.value))
    return 0


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    t: Translator,
) -> None:
    """Declare `samu lieux …` on the main parser."""
    _ = t._
    places = sub.add_parser(
        "lieux", parents=[common], help=_("the places of digital mediation (open data)")
    )
    places_sub = places.add_subparsers(dest="places_command", required=True, metavar="ACTION")
    load = places_sub.add_parser(
        "import", parents=[common], help=_("import the national places file (CSV or JSON)")
    )
    load.add_argument("file", nargs="?", metavar="FILE", help=_("the file to import"))
    load.add_argument("--url", metavar="URL", help=_("download the file from this address first"))
    load.add_argument("--format", choices=IMPORT_FORMATS, help=_("format"))
    load.add_argument(
        "--prune", action="store_true", help=_("remove the imported places the file no longer has")
    )
    load.set_defaults(handler=_import)
    export = places_sub.add_parser(
        "export", parents=[common], help=_("write the places as GeoJSON or CSV")
    )
    export.add_argument("--format", choices=EXPORT_FORMATS, default="geojson", help=_("format"))
    export.add_argument("--out", required=True, metavar="FILE", help=_("file to write"))
    export.add_argument("--force", action="store_true", help=_("replace an existing file"))
    export.set_defaults(handler=_export)
    edit = places_sub.add_parser(
        "edit", parents=[common], help=_("complete a place or a structure's entry")
    )
    which = edit.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", metavar="ID", help=_("the id of the place (as in the file)"))
    which.add_argument("--structure", metavar="NAME", help=_("a structure of the network"))
    edit.add_argument(
        "--set",
        action="append",
        metavar="FIELD=VALUE",
        help=_("a field of the schema and its new value (several allowed)"),
    )
    edit.set_defaults(handler=_edit)
