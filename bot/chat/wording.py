"""Small pieces of wording shared by several commands."""

from __future__ import annotations

from bot.chat.context import Command, Context
from bot.chat.i18n import N_
from bot.chat.types import Action, Outgoing
from bot.core.types import RequestStatus, Role, Urgency
from skills import SkillLevel

LEVEL_NAMES = {
    SkillLevel.DISCOVERING: N_("discovering"),
    SkillLevel.PRACTISING: N_("practising"),
    SkillLevel.TEACHING: N_("can teach"),
}

# The word used in action payloads for each level; `skills.parse_level` reads it back.
LEVEL_KEYWORDS = {
    SkillLevel.DISCOVERING: "decouvre",
    SkillLevel.PRACTISING: "pratique",
    SkillLevel.TEACHING: "former",
}

ROLE_NAMES = {
    Role.MEMBER: N_("member"),
    Role.COORDINATOR: N_("coordinator"),
    Role.ADMIN: N_("administrator"),
}

URGENCY_NAMES = {
    Urgency.TODAY: N_("today"),
    Urgency.WEEK: N_("this week"),
    Urgency.NO_RUSH: N_("no rush"),
}

# The word used in action payloads for each urgency; `URGENCY_WORDS` reads it back.
URGENCY_KEYWORDS = {
    Urgency.TODAY: "aujourdhui",
    Urgency.WEEK: "semaine",
    Urgency.NO_RUSH: "paspresse",
}

URGENCY_WORDS = {
    "aujourdhui": Urgency.TODAY,
    "today": Urgency.TODAY,
    "urgent": Urgency.TODAY,
    "semaine": Urgency.WEEK,
    "week": Urgency.WEEK,
    "paspresse": Urgency.NO_RUSH,
    "pas presse": Urgency.NO_RUSH,
    "norush": Urgency.NO_RUSH,
    "no rush": Urgency.NO_RUSH,
}

STATUS_NAMES = {
    RequestStatus.DRAFT: N_("draft, not sent"),
    RequestStatus.OPEN: N_("waiting for a helper"),
    RequestStatus.OFFERED: N_("offered to helpers"),
    RequestStatus.CLAIMED: N_("taken"),
    RequestStatus.RESOLVED: N_("solved, to be confirmed"),
    RequestStatus.CLOSED: N_("closed"),
    RequestStatus.CANCELLED: N_("cancelled"),
}

LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def level_name(ctx: Context, level: SkillLevel) -> str:
    """The level as the person reads it ("je peux former")."""
    return ctx._(LEVEL_NAMES[level])


EXAMPLE_NUMBER = 12
"""The number in the example of a usage line (`/prendre 12`)."""


def usage_lines(ctx: Context, command: Command) -> list[str]:
    """How to type a command, then an example: the command's own, or `12 …` for a command
    that takes a request number first (`/prendre 12`)."""
    usage = ctx._(command.usage)
    lines = [ctx._("Usage: {usage}").format(usage=ctx.cmd(command.name, usage))]
    first, _, rest = usage.partition(" ")
    if command.example:
        example = ctx.cmd(command.name, ctx._(command.example))
    elif first == "N":
        example = ctx.cmd(command.name, f"{EXAMPLE_NUMBER} {rest}".strip())
    else:
        return lines
    return [*lines, ctx._("For example: {example}").format(example=example)]


def help_hint(ctx: Context) -> str:
    """The sentence that points to the help."""
    return ctx._("Type {command} to see what you can do.").format(command=ctx.cmd("aide"))


def private_only(ctx: Context) -> Outgoing:
    """The answer to a command for private chats written in a group: where to write instead
    (with the link that opens a private chat with the bot, where the platform has one)."""
    link = ctx.incoming.private_link
    return ctx.reply(
        ctx._("Please write to me in a private chat for this."),
        ctx._("Write to me here: {link}").format(link=link) if link else "",
    )


def bullet(text: str) -> str:
    """One item of a list."""
    return f"• {text}"


def join_explanation(ctx: Context) -> Outgoing:
    """What a stranger is told, whatever they write: how to join, and nothing else."""
    return ctx.reply(
        ctx._("This bot is for the members of the Samu numérique network."),
        ctx._("To join, ask a coordinator for an invitation code."),
        ctx._("Then write: {command}").format(command=ctx.cmd("start", ctx._("YOUR-CODE"))),
    )


RESUMED_QUOTE_LENGTH = 200


def resumed_notice(ctx: Context, text: str) -> Outgoing:
    """A message whose handling a stopped worker may or may not have finished: the person
    gets their text back and checks before sending it again (nothing is done twice)."""
    quoted = text if len(text) <= RESUMED_QUOTE_LENGTH else text[:RESUMED_QUOTE_LENGTH] + "…"
    actions = [Action(ctx._("My requests"), "/mesdemandes")] if ctx.member is not None else []
    return ctx.reply(
        ctx._("I restarted while handling your message:"),
        ctx._("“{text}”").format(text=quoted),
        ctx._("It may not have been handled."),
        ctx._("Check with {command}, then send it again if needed.").format(
            command=ctx.cmd("mesdemandes")
        )
        if ctx.member is not None
        else ctx._("Please send it again."),
        actions=actions,
    )


def who(ctx: Context, name: str | None, *, first: bool = False) -> str:
    """A member as a notice names them: their name, or, once they were erased, a person
    who has left the network (`first`: at the start of a sentence)."""
    if name:
        return name
    if first:
        return ctx._("Someone who has left the network")
    return ctx._("someone who has left the network")
