"""`/suivi` (coordinators): the week's figures, the requests waiting, the skills missing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.chat.context import Command, Context, Reply
from bot.chat.dates import day_text
from bot.chat.digest_views import digest_message, weak_spot_lines
from bot.chat.i18n import N_
from bot.chat.subcommands import Sub, Subcommands
from bot.chat.wording import URGENCY_NAMES, bullet
from bot.core import digest
from bot.core.types import Urgency


async def _waiting(ctx: Context, _: str) -> Reply:
    """The requests waiting for a helper, oldest first."""
    services = ctx.services
    waiting = await digest.waiting(services)
    if not waiting:
        return [ctx.reply(ctx._("No request is waiting for a helper."))]
    lines = [ctx._("Requests waiting for a helper:")]
    zone = ZoneInfo(services.digest.timezone)
    for number, urgency, created in waiting:
        lines.append(
            bullet(
                ctx._("#{n} — {urgency} — since {date}").format(
                    n=number,
                    urgency=ctx._(URGENCY_NAMES[Urgency(urgency)]),
                    date=day_text(created.astimezone(zone).date(), ctx.t.locale),
                )
            )
        )
    lines.append(
        ctx._("To give one to someone: {command}").format(
            command=ctx.cmd("assigner", ctx._("{n} name").format(n="N"))
        )
    )
    return [ctx.reply(*lines)]


async def _gaps(ctx: Context, _: str) -> Reply:
    """The skills asked for with nobody to help, and the tutorials' topics."""
    gaps, topics = await digest.weak_spots(ctx.services)
    return [ctx.reply(*weak_spot_lines(ctx, gaps, topics))]


async def _week(ctx: Context, _: str) -> Reply:
    """The figures of the last 7 days."""
    services = ctx.services
    now = services.clock.now()
    summary = await digest.summary(services, now - timedelta(days=7), now)
    return [digest_message(ctx, summary, heading=ctx._("The last 7 days:"))]


_FOLLOWUP = Subcommands(
    Sub(("attente", "waiting"), _waiting),
    Sub(("lacunes", "gaps"), _gaps),
    otherwise=_week,
)


async def followup(ctx: Context, args: str) -> Reply:
    """`/suivi [attente|lacunes]`."""
    return await _FOLLOWUP.run(ctx, args)


COMMANDS = (
    Command(
        "suivi",
        "followup",
        followup,
        summary=N_("the week's figures and what is waiting"),
        usage=N_("[waiting|gaps]"),
        example=N_("waiting"),
    ),
)
