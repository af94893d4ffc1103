"""Members' data rights: the privacy notice, the export of one's data, and erasure.

```
/oublier ──▶ what goes, what stays   [Yes, erase everything] [Cancel]
                 │ /oublier confirmer          │ /annuler
                 ▼                             ▼
            erased: a stranger now        nothing changes
```
"""

from __future__ import annotations

from dataclasses import replace

from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.i18n import N_
from bot.chat.types import Action, Attachment
from bot.chat.wording import bullet
from bot.core import privacy

CONFIRM_WORDS = frozenset({"confirmer", "confirm", "oui", "yes"})


async def show_notice(ctx: Context, args: str) -> Reply:
    """`/confidentialite`: what is stored, why, for how long, who sees it, one's rights."""
    months = ctx.services.retention.months
    lines = [
        ctx._("What the bot keeps:"),
        bullet(ctx._("your profile: name, structure, language, chat accounts.")),
        bullet(ctx._("your skills.")),
        bullet(ctx._("your help requests, and the messages and files passed through the bot.")),
        bullet(ctx._("the tutorials you write.")),
        ctx._("Why: to find the right helpers and keep the network's memory."),
        ctx.ngettext(
            "How long: the texts of a request are erased {n} month after it is closed.",
            "How long: the texts of a request are erased {n} months after it is closed.",
            months,
        ).format(n=months),
        ctx._("The numbers stay, without names or texts, for the statistics."),
        ctx._("Who reads a request: its author, the helpers it is offered to, its helper."),
        ctx._("Coordinators see numbers and skills, not the texts, unless they help."),
        ctx._("Before anyone sees your request or message, I show you the personal data I find."),
        ctx._("After an erasure, old copies stay on the server's disk for a while:"),
        bullet(ctx._("in the database's free space and journal, until they are reused;")),
        bullet(ctx._("in the backups, until they expire.")),
        ctx._("A copy of your data: {command}").format(command=ctx.cmd("mesdonnees")),
        ctx._("Erase your data: {command}").format(command=ctx.cmd("oublier")),
        ctx._("A question? Write to the network's coordination."),
    ]
    if ctx.member is None:
        return [ctx.reply(*lines)]
    return [
        ctx.reply(
            *lines,
            actions=[
                Action(ctx._("My data"), "/mesdonnees"),
                Action(ctx._("Erase my data"), "/oublier"),
            ],
        )
    ]


async def export_my_data(ctx: Context, args: str) -> Reply:
    """`/mesdonnees`: a JSON file with everything the bot stores about the member."""
    content = await privacy.export(ctx.services, ctx.me.id)
    if content is None:
        return [ctx.reply(ctx._("I found nothing about you."))]
    attachment = Attachment(
        filename=privacy.EXPORT_FILENAME, content=content, media_type="application/json"
    )
    reply = ctx.reply(ctx._("Here is everything the bot keeps about you."))
    return [replace(reply, attachments=(attachment,))]


async def forget_me(ctx: Context, args: str) -> Reply:
    """`/oublier`: explain and ask; `/oublier confirmer`: erase everything about the member."""
    word = args.strip().lower()
    if not word:
        return [
            ctx.reply(
                ctx._("Your profile, skills and chat accounts will be erased."),
                ctx._("The texts of your requests and messages will be erased."),
                ctx._("Anonymous numbers stay; your tutorials stay, signed “{author}”.").format(
                    author=ctx._("a member of the network")
                ),
                actions=[
                    Action(ctx._("Yes, erase everything"), "/oublier confirmer"),
                    Action(ctx._("Cancel"), "/annuler"),
                ],
            )
        ]
    if word not in CONFIRM_WORDS:
        raise UsageError
    services = ctx.services
    report = await privacy.forget(services, ctx.me.id)
    if report is None:
        return [ctx.reply(ctx._("I found nothing about you."))]
    return [
        ctx.reply(
            ctx._("Done: the bot has forgotten you."),
            ctx._("To come back one day, ask a coordinator for an invitation."),
        )
    ]


COMMANDS = (
    Command(
        "confidentialite",
        "privacy",
        show_notice,
        summary=N_("what the bot keeps about you, and your rights"),
        usage="",
    ),
    Command(
        "mesdonnees",
        "mydata",
        export_my_data,
        summary=N_("get a copy of your data"),
        usage="",
        in_help=False,
    ),
    Command(
        "oublier",
        "forget",
        forget_me,
        summary=N_("erase everything the bot keeps about you"),
        usage=N_("[confirm]"),
        example=N_("confirm"),
        in_help=False,
    ),
)
