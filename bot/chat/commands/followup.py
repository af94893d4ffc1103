"""`/suivi` (coordinators): the week's figures, the requests waiting, the skills missing."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.chat.context import Command, Context, Reply
from bot.chat.dates import day_text
from bot.chat.digest_views import digest_message, weak_spot_lines
from bot.chat.i18n import N_
from bot.chat.wording import URGENCY_NAMES, bullet
from bot.core import digest
from bot.core.types import Urgency
from skills import fold


async def followup(ctx: Context, args: str) -> Reply:
    """`/suivi [attente|lacunes]`."""
    services = ctx.services
    what = fold(args)
    if what in ("attente", "waiting"):
        waiting = await digest.waiting(services.uow)
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
    if what in ("lacunes", "gaps"):
        gaps, topics = await digest.weak_spots(services.uow, services.clock)
        return [ctx.reply(*weak_spot_lines(ctx, gaps, topics))]
    now = services.clock.now()
    summary = await digest.summary(
        services.uow, now - timedelta(days=7), now, services.tutorials.stale_after
    )
    return [digest_message(ctx, summary, heading=ctx._("The last 7 days:"))]


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
