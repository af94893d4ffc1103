"""Helping: claim, decline, release, talk, solve, confirm, write up, assign, and `/tuto`."""

from __future__ import annotations

from bot.chat.commands.solving import talk_hint
from bot.chat.confirmations import Ending, ask, confirmed
from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.i18n import N_
from bot.chat.request_replies import progress_lines, request_number, wrong_state
from bot.chat.types import Action
from bot.chat.wording import who
from bot.core import claims
from bot.core.errors import AlreadyTaken, NotAllowed
from bot.core.types import RequestStatus

SKIP_WORDS = frozenset({"-", "passer", "skip"})


def _holder_actions(ctx: Context, request_id: int) -> list[Action]:
    return [
        Action(ctx._("It is solved"), f"/resolu {request_id}"),
        Action(ctx._("I give it back"), f"/lacher {request_id}"),
    ]


async def claim(ctx: Context, args: str) -> Reply:
    """`/prendre N`: take a request offered to you (the first one wins)."""
    request_id, _ = request_number(args)
    services = ctx.services
    try:
        request = await claims.claim(services, request_id, ctx.me)
    except NotAllowed:
        return [ctx.reply(ctx._("You cannot take your own request."))]
    except AlreadyTaken as taken:
        if taken.helper_id == ctx.me.id:  # a second press of one's own [I'll take it]
            return [
                ctx.reply(
                    ctx._("You already took request #{n}.").format(n=request_id),
                    talk_hint(ctx, request_id),
                    about=request_id,
                )
            ]
        return [
            ctx.reply(
                ctx._("Too late: {name} already took request #{n}.").format(
                    name=taken.helper_name or ctx._("someone"), n=request_id
                ),
                ctx._("Thank you all the same!"),
            )
        ]
    if request.status is not RequestStatus.CLAIMED:  # cancelled right after: already told
        return [wrong_state(ctx, request_id, request.status)]
    return [
        ctx.reply(
            ctx._("It is yours: request #{n} from {name}.").format(
                n=request_id, name=request.author_name or ctx._("a member")
            ),
            talk_hint(ctx, request_id),
            actions=_holder_actions(ctx, request_id),
            about=request_id,
        )
    ]


async def decline(ctx: Context, args: str) -> Reply:
    """`/decliner N`: not available for this request; someone else is asked at once."""
    request_id, _ = request_number(args)
    services = ctx.services
    await claims.decline(services, request_id, ctx.me)
    return [
        ctx.reply(
            ctx._("Noted for request #{n}, thank you. I am asking someone else.").format(
                n=request_id
            ),
            about=request_id,
        )
    ]


async def release(ctx: Context, args: str) -> Reply:
    """`/lacher N`: give back a request you hold, once you said yes to the question naming
    it (`/lacher N oui`)."""
    request_id, rest = request_number(args)
    services = ctx.services
    if not confirmed(rest):
        return [await ask(ctx, Ending.RELEASE, request_id, f"/lacher {request_id}")]
    await claims.release(services, request_id, ctx.me)
    return [
        ctx.reply(
            ctx._("Request #{n} is open again. I am offering it to others.").format(n=request_id),
            about=request_id,
        )
    ]


async def reopen(ctx: Context, args: str) -> Reply:
    """`/relancer N`: open one of your closed or cancelled requests again."""
    request_id, _ = request_number(args)
    services = ctx.services
    progress = await claims.reopen(services, request_id, ctx.me)
    return [
        ctx.reply(
            ctx._("Request #{n} is open again.").format(n=request_id),
            *progress_lines(ctx, progress),
            about=request_id,
        )
    ]


async def assign(ctx: Context, args: str) -> Reply:
    """`/assigner N NAME`: a coordinator gives a request to a member."""
    request_id, name = request_number(args)
    if not name:
        raise UsageError
    services = ctx.services
    try:
        request = await claims.assign(services, request_id, ctx.me, name)
    except AlreadyTaken as taken:
        return [
            ctx.reply(
                ctx._("Request #{n} is already taken by {name}.").format(
                    n=request_id, name=who(ctx, taken.helper_name)
                )
            )
        ]
    except NotAllowed as refused:
        if refused.reason == "own_request":
            return [ctx.reply(ctx._("The author cannot help with their own request."))]
        return [
            ctx.reply(
                ctx._("I find no single member called {name}.").format(name=name),
                ctx._("See {command}").format(command=ctx.cmd("membres")),
            )
        ]
    return [
        ctx.reply(
            ctx._("Done: request #{n} is given to {name}.").format(
                n=request_id, name=request.helper_name or name
            )
        )
    ]


COMMANDS = (
    Command(
        "prendre",
        "claim",
        claim,
        summary=N_("take a request offered to you"),
        usage=N_("N"),
        in_help=False,
    ),
    Command(
        "decliner",
        "decline",
        decline,
        summary=N_("not available for a request"),
        usage=N_("N"),
        in_help=False,
    ),
    Command(
        "lacher",
        "release",
        release,
        summary=N_("give back a request you hold"),
        usage=N_("N"),
        in_help=False,
    ),
    Command(
        "relancer",
        "reopen",
        reopen,
        summary=N_("open one of your requests again"),
        usage=N_("N"),
        in_help=False,
    ),
    Command(
        "assigner",
        "assign",
        assign,
        summary=N_("give a request to a member"),
        usage=N_("N name"),
    ),
)
