"""How files are spoken of: sizes, what came with a request, the personal-data reminder, and
the answers to what the bot cannot take (voice notes, stickers, files too big)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from babel.numbers import format_decimal

from bot.chat.context import Context
from bot.chat.request_views import number
from bot.chat.types import Action, Attachment, FileKind, FileProblem, Outgoing
from bot.core.attachments import FileToSend, Placed, is_image
from bot.core.types import HelpRequest, StoredAttachment

MEGABYTE = 1024 * 1024
KILOBYTE = 1024
MAX_THREAD_BUTTONS = 3


def size_text(ctx: Context, size: int) -> str:
    """A file size as people read it: `850 kB`, `1.5 MB`, `10 MB` (in their language)."""
    if size < MEGABYTE:
        kilobytes = max(1, math.ceil(size / KILOBYTE))
        return ctx._("{size} kB").format(size=kilobytes)
    value = format_decimal(round(size / MEGABYTE, 1), format="#,##0.#", locale=ctx.t.locale)
    return ctx._("{size} MB").format(size=value)


def names(files: Sequence[StoredAttachment]) -> str:
    """The files' names, as a list."""
    return ", ".join(f"« {file.filename} »" for file in files)


def file_lines(ctx: Context, files: Sequence[StoredAttachment], placed: Placed) -> list[str]:
    """What came with a request, for its author; and, the first time they send a file in
    this request, the reminder that screenshots often show personal data."""
    if not files:
        return []
    lines = [
        ctx.ngettext(
            "With your file: {names}.", "With your {n} files: {names}.", len(files)
        ).format(n=len(files), names=names(files))
    ]
    if placed.first:
        lines.extend(reminder(ctx))
    return lines


def reminder(ctx: Context) -> list[str]:
    """The reminder given with the first file a person sends in a request."""
    return [
        ctx._("Careful: screenshots often show personal data (names, numbers, addresses)."),
        ctx._("Hide it before sending a file: the helpers see what you send."),
    ]


def as_attachments(files: Sequence[FileToSend]) -> tuple[Attachment, ...]:
    """Kept files, as the transports send them."""
    return tuple(Attachment(f.info.filename, f.content, f.info.media_type) for f in files)


def refusal(ctx: Context, kind: FileKind) -> Outgoing:
    """The answer to what the bot does not pass on: a voice note, a sticker, a location…"""
    if kind is FileKind.VOICE:
        return ctx.reply(
            ctx._("I cannot pass on voice messages."),
            ctx._("Please write your message: helpers often read it at work, without sound."),
        )
    if kind is FileKind.STICKER:
        return ctx.reply(
            ctx._("Stickers are not passed on."),
            ctx._("To say something to someone, write it in words."),
        )
    return ctx.reply(
        ctx._("I can only read text, pictures and files."),
        ctx._("Type {command} to see what you can do.").format(command=ctx.cmd("aide")),
    )


def problem(ctx: Context, trouble: FileProblem, limit: int) -> Outgoing:
    """Why a file was not taken, and what to do."""
    if trouble is FileProblem.TOO_BIG:
        return ctx.reply(
            ctx._("Your file is too big: {size} at most.").format(size=size_text(ctx, limit)),
            ctx._("Nothing was sent."),
            ctx._("Send a smaller file, for example a screenshot of the part that matters."),
        )
    if trouble is FileProblem.UNDECRYPTABLE:
        return ctx.reply(
            ctx._("I could not open your file (encryption)."),
            ctx._("Nothing was sent. Please send it again."),
        )
    return ctx.reply(
        ctx._("I could not get your file."),
        ctx._("Nothing was sent. Please send it again in a moment."),
    )


def kept_for_request(ctx: Context, files: Sequence[StoredAttachment]) -> Outgoing:
    """A file sent while the bot waits for the description of a new request."""
    return ctx.reply(
        ctx.ngettext(
            "I keep your file {names} for your request.",
            "I keep your {n} files {names} for your request.",
            len(files),
        ).format(n=len(files), names=names(files)),
        ctx._("Now describe what you need, in a few sentences."),
        actions=[Action(ctx._("Cancel"), "/annuler")],
    )


def choices(
    ctx: Context, files: Sequence[StoredAttachment], threads: Sequence[HelpRequest]
) -> Outgoing:
    """A file with no place yet: what the bot can do with it, as buttons."""
    pictures = all(is_image(file.media_type) for file in files)
    if len(files) == 1:
        what = ctx._("your picture {names}") if pictures else ctx._("your file {names}")
    else:
        what = ctx._("your {n} pictures") if pictures else ctx._("your {n} files")
    lines = [
        ctx._("What shall I do with {what}?").format(
            what=what.format(n=len(files), names=names(files))
        ),
        ctx._("To ask the network for help with it, write your question: I will attach it."),
    ]
    actions = [Action(ctx._("Make it a help request"), "/demande")]
    for request in threads[:MAX_THREAD_BUTTONS]:
        other = request.helper_name if request.author_id == ctx.me.id else request.author_name
        actions.append(
            Action(
                ctx._("Send it in {number} ({name})").format(
                    number=number(request), name=other or "?"
                ),
                f"/joindre {request.id}",
            )
        )
    if threads:
        lines.append(ctx._("Or choose one of your conversations below."))
    actions.append(Action(ctx._("Delete"), "/joindre effacer"))
    return ctx.reply(*lines, actions=actions)
