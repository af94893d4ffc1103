"""The tutorial base in chat: `/tuto` to search, open, thank, report, change and publish."""

from __future__ import annotations

from dataclasses import replace

from bot.chat.commands import writeup
from bot.chat.confirmations import Ending, ask, confirmed
from bot.chat.context import Command, Context, Reply
from bot.chat.i18n import N_
from bot.chat.request_replies import request_number
from bot.chat.subcommands import Sub, Subcommands
from bot.chat.tutorial_views import entry, open_actions, result_line
from bot.chat.types import Action
from bot.core import tutorial_feedback, tutorial_revisions, tutorial_search, tutorials
from bot.core.numbers import ascii_number
from bot.core.request_states import IllegalTransition
from bot.core.tutorials import TutorialNotFound
from bot.core.types import Tutorial

not_found_tutorial = writeup.tutorial_not_found


async def search(ctx: Context, text: str) -> Reply:
    """`/tuto words #skill #theme`: the published tutorials that answer it."""
    services = ctx.services
    found = await tutorial_search.search(services, text)
    if not found.tutorials:
        return [
            ctx.reply(
                ctx._("No tutorial found for “{query}”.").format(query=text.strip()),
                ctx._("Ask the network: {command}").format(
                    command=ctx.cmd("demande", ctx._("your question"))
                ),
            )
        ]
    lines = []
    if found.corrections:
        fixed = ", ".join(f"{typed} → {known}" for typed, known in found.corrections.items())
        lines.append(ctx._("I also searched for: {words}.").format(words=fixed))
    if found.exact:
        lines.append(ctx._("Tutorials:"))
    else:
        lines.append(ctx._("Nothing has all these words. The closest tutorials:"))
    lines.extend(result_line(ctx, tutorial) for tutorial in found.tutorials)
    lines.append(ctx._("To open one: {command}").format(command=ctx.cmd("tuto", ctx._("number"))))
    return [ctx.reply(*lines, actions=open_actions(ctx, found.tutorials))]


async def overview(ctx: Context) -> Reply:
    """`/tuto` alone: how to search, the most useful entries, and the member's drafts."""
    services = ctx.services
    found = await tutorial_search.search(services, "", limit=5)
    mine = await tutorials.drafts(services, ctx.me)
    lines = [
        ctx._("The network's tutorials, written from solved cases."),
        ctx._("To search: {command}").format(command=ctx.cmd("tuto", ctx._("words or #skill"))),
    ]
    if found.tutorials:
        lines.append(ctx._("Most useful:"))
        lines.extend(result_line(ctx, tutorial) for tutorial in found.tutorials)
    if mine:
        lines.append(ctx._("Your drafts:"))
        lines.extend(result_line(ctx, tutorial) for tutorial in mine)
    return [ctx.reply(*lines, actions=open_actions(ctx, [*mine, *found.tutorials]))]


async def show(ctx: Context, args: str) -> Reply:
    """`/tuto N`: one tutorial in full (and, for its authors and coordinators, the change
    that waits for review)."""
    tutorial_id, _ = request_number(args)
    try:
        tutorial = await tutorials.visible(ctx.services, tutorial_id, ctx.me)
    except TutorialNotFound:
        return [not_found_tutorial(ctx, tutorial_id)]
    shown = [entry(ctx, tutorial)]
    proposed = await tutorial_revisions.pending_version(ctx.services, tutorial_id, ctx.me)
    if proposed is not None:
        actions = []
        if tutorials.is_coordinator(ctx.me):
            actions = [
                Action(ctx._("Publish the change"), f"/tuto publier {tutorial_id}"),
                Action(ctx._("Refuse the change"), f"/tuto refuser {tutorial_id}"),
            ]
        shown.append(ctx.reply(ctx._("A change waits for a coordinator's review:")))
        shown.append(replace(entry(ctx, proposed), actions=tuple(actions)))
    return shown


async def refuse_change(ctx: Context, args: str) -> Reply:
    """`/tuto refuser N` (coordinators): the change waiting for review is dropped."""
    tutorial_id, _ = request_number(args)
    if not tutorials.is_coordinator(ctx.me):
        return [ctx.reply(ctx._("This is for coordinators."))]
    if not await tutorial_revisions.refuse(ctx.services, tutorial_id, ctx.me):
        return [ctx.reply(ctx._("No change waits for tutorial #{n}.").format(n=tutorial_id))]
    return [
        ctx.reply(
            ctx._("The change is refused: tutorial #{n} stays as it was.").format(n=tutorial_id)
        )
    ]


async def thank(ctx: Context, args: str) -> Reply:
    """`/tuto merci N`: the tutorial helped me."""
    tutorial_id, _ = request_number(args)
    services = ctx.services
    try:
        await tutorial_feedback.helped(services, tutorial_id, ctx.me)
    except TutorialNotFound:
        return [not_found_tutorial(ctx, tutorial_id)]
    return [ctx.reply(ctx._("Thank you! I counted it for tutorial #{n}.").format(n=tutorial_id))]


async def solved_by(ctx: Context, args: str) -> Reply:
    """`/tuto aide T R`: tutorial T answered my draft request R, which need not be posted
    (once the author said yes to the question naming it: `/tuto aide T R oui`)."""
    tutorial_id, rest = request_number(args)
    request_id, rest = request_number(rest)
    services = ctx.services
    try:
        if not confirmed(rest):
            command = f"/tuto aide {tutorial_id} {request_id}"
            return [await ask(ctx, Ending.DEFLECT, request_id, command, tutorial=tutorial_id)]
        await tutorial_feedback.deflect(services, request_id, tutorial_id, ctx.me)
    except TutorialNotFound:
        return [not_found_tutorial(ctx, tutorial_id)]
    except IllegalTransition:
        return [ctx.reply(ctx._("Request #{n} is already posted.").format(n=request_id))]
    return [
        ctx.reply(
            ctx._("Great! I did not post request #{n}.").format(n=request_id),
            ctx._("Thank you: tutorial #{n} counts one more person helped.").format(n=tutorial_id),
            about=request_id,
        )
    ]


async def report(ctx: Context, args: str) -> Reply:
    """`/tuto signaler N`: the tutorial may be out of date (the service changed)."""
    tutorial_id, _ = request_number(args)
    services = ctx.services
    try:
        await tutorial_feedback.flag(services, tutorial_id, ctx.me)
    except TutorialNotFound:
        return [not_found_tutorial(ctx, tutorial_id)]
    return [
        ctx.reply(
            ctx._("Thank you. The coordination will check tutorial #{n}.").format(n=tutorial_id),
            ctx._("You can also correct it: {command}").format(
                command=ctx.cmd("tuto", ctx._("change {n}").format(n=tutorial_id))
            ),
        )
    ]


async def credit(ctx: Context, args: str) -> Reply:
    """`/tuto credit N`: the person who asked agrees to be named as co-author."""
    tutorial_id, _ = request_number(args)
    services = ctx.services
    try:
        await tutorials.credit_asker(services, tutorial_id, ctx.me)
    except TutorialNotFound:
        return [not_found_tutorial(ctx, tutorial_id)]
    return [
        ctx.reply(ctx._("Done: you are named as co-author of tutorial #{n}.").format(n=tutorial_id))
    ]


async def _checked(ctx: Context, args: str, *, outdated: bool) -> Reply:
    tutorial_id, _ = request_number(args)
    services = ctx.services
    try:
        await tutorial_feedback.review(services, tutorial_id, ctx.me, outdated=outdated)
    except TutorialNotFound:
        return [not_found_tutorial(ctx, tutorial_id)]
    if outdated:
        return [ctx.reply(ctx._("Tutorial #{n} is marked out of date.").format(n=tutorial_id))]
    return [ctx.reply(ctx._("Tutorial #{n} is marked checked today.").format(n=tutorial_id))]


async def checked(ctx: Context, args: str) -> Reply:
    """`/tuto verifie N`: still right (reports cleared, last check is today)."""
    return await _checked(ctx, args, outdated=False)


async def outdated(ctx: Context, args: str) -> Reply:
    """`/tuto perime N`: out of date (still found, marked as such)."""
    return await _checked(ctx, args, outdated=True)


async def to_check(ctx: Context, args: str) -> Reply:
    """`/tuto asuivre` (coordinators): reported, not checked for long, waiting for review."""
    if not tutorials.is_coordinator(ctx.me):
        return [ctx.reply(ctx._("This is for coordinators."))]
    services = ctx.services
    flagged, stale, waiting = await tutorial_feedback.to_check(services)
    if not (flagged or stale or waiting):
        return [ctx.reply(ctx._("No tutorial to check."))]
    lines: list[str] = []
    sections: list[tuple[str, list[Tutorial]]] = [
        (ctx._("Waiting for your review:"), waiting),
        (ctx._("Reported as out of date:"), flagged),
        (ctx._("Not checked for a long time:"), stale),
    ]
    for heading, entries in sections:
        if entries:
            lines.append(heading)
            lines.extend(result_line(ctx, tutorial) for tutorial in entries)
    return [ctx.reply(*lines, actions=open_actions(ctx, [*waiting, *flagged, *stale]))]


async def mine(ctx: Context, args: str) -> Reply:
    """`/tuto mes`: my drafts."""
    found = await tutorials.drafts(ctx.services, ctx.me)
    if not found:
        return [ctx.reply(ctx._("You have no tutorial draft."))]
    lines = [ctx._("Your drafts:"), *(result_line(ctx, tutorial) for tutorial in found)]
    return [ctx.reply(*lines, actions=open_actions(ctx, found))]


async def _publish(ctx: Context, args: str) -> Reply:
    return await writeup.publish_command(ctx, args)


async def _hide(ctx: Context, args: str) -> Reply:
    return await writeup.publish_command(ctx, args, masked=True)


async def _show_or_search(ctx: Context, args: str) -> Reply:
    head, _, rest = args.partition(" ")
    if not head:
        return await overview(ctx)
    if ascii_number(head) is not None and not rest:
        return await show(ctx, head)
    return await search(ctx, args)


_SUBCOMMANDS = Subcommands(
    Sub(("merci", "thanks"), thank),
    Sub(("aide", "helped"), solved_by),
    Sub(("signaler", "report"), report),
    Sub(("modifier", "change"), writeup.change),
    Sub(("publier", "publish"), _publish),
    Sub(("masquer", "hide"), _hide),
    Sub(("credit",), credit),
    Sub(("verifie", "checked"), checked),
    Sub(("perime", "outdated"), outdated),
    Sub(("refuser", "reject"), refuse_change),
    Sub(("asuivre", "tocheck"), to_check),
    Sub(("mes", "mine"), mine),
    otherwise=_show_or_search,  # `/tuto 12` shows an entry, `/tuto ameli` searches
)


async def tutorial_command(ctx: Context, args: str) -> Reply:
    """`/tuto [words | N | merci N | signaler N | modifier N | publier N | …]`."""
    return await _SUBCOMMANDS.run(ctx, args)


COMMANDS = (
    Command(
        "rediger",
        "writeup",
        writeup.write_up,
        summary=N_("write up a solved case"),
        usage=N_("N"),
        in_help=False,
    ),
    Command(
        "tuto",
        "tutorial",
        tutorial_command,
        summary=N_("find tutorials"),
        usage=N_("[words or #skill]"),
        example="ameli",
    ),
)
