"""`/joindre`: where a file sent alone goes (the buttons under "what shall I do with it?")."""

from __future__ import annotations

from bot.chat.commands.solving import nothing_waiting, relay_files
from bot.chat.context import Command, Context, Reply
from bot.chat.i18n import N_
from bot.chat.request_replies import request_number
from bot.core import attachments
from skills import fold

DELETE_WORDS = frozenset({"effacer", "supprimer", "delete", "non", "no"})


async def attach(ctx: Context, args: str) -> Reply:
    """`/joindre N`: send one's waiting files in request N's thread; `/joindre effacer`:
    delete them."""
    services = ctx.services
    if fold(args.strip()) in DELETE_WORDS:
        if await attachments.discard(services, ctx.me):
            return [ctx.reply(ctx._("Deleted: I no longer keep your file."))]
        return [nothing_waiting(ctx)]
    request_id, _ = request_number(args)
    waiting = await attachments.waiting(services, ctx.me)
    if not waiting:
        return [nothing_waiting(ctx)]
    return await relay_files(ctx, request_id, "", tuple(file.id for file in waiting))


COMMANDS = (
    Command(
        "joindre",
        "attach",
        attach,
        summary=N_("send the file you just sent in a request's conversation"),
        usage=N_("N | delete"),
        in_help=False,
    ),
)
