"""Joining with an invitation code, help, and stopping what is in progress."""

from __future__ import annotations

import math
from dataclasses import replace

from bot.chat.commands.requests import cancel_request
from bot.chat.context import Command, Context, Reply
from bot.chat.dialogs import await_answer
from bot.chat.i18n import N_, pick_locale, translator
from bot.chat.permissions import allowed
from bot.chat.types import Action, Outgoing
from bot.chat.wording import help_hint, join_explanation, usage_lines
from bot.core import attachments, choices, members, names
from bot.core import skills as member_skills
from bot.core.errors import AlreadyMember, InviteProblem, InviteRejected, NameProblem
from bot.core.types import Member, Role

# Why the name of a person's chat account is not used (they are asked to choose one).
REFUSED_NAMES = {
    NameProblem.EMPTY: N_("Your account has no name: please choose one."),
    NameProblem.TOO_LONG: N_("The name of your account is too long (60 characters at most)."),
    NameProblem.INVISIBLE: N_("The name of your account cannot be read: please choose one."),
    NameProblem.COORDINATOR: N_(
        "A coordinator already has the name of your account: please choose another one."
    ),
}
_INVITE_PROBLEMS = {
    InviteProblem.MALFORMED: N_("This code does not work."),
    InviteProblem.UNKNOWN: N_("This code does not work."),
    InviteProblem.EXPIRED: N_("This code has expired."),
    InviteProblem.USED_UP: N_("This code has already been used."),
    InviteProblem.REVOKED: N_("This code has been cancelled."),
    InviteProblem.TOO_MANY_TRIES: N_("You have tried too many codes."),
}


async def ask_structure(ctx: Context, question: str) -> Outgoing:
    """Ask which partner structure the member works in, with one button per structure."""
    known = await members.structures(ctx.services)
    await await_answer(ctx, "structure")
    return ctx.reply(
        question,
        ctx._("Choose below, or type its name."),
        actions=[Action(s.name, f"/structure {s.name}") for s in known],
    )


async def ask_skills(ctx: Context) -> Outgoing:
    """Invite the member to declare skills; the next text they type is the list."""
    await await_answer(ctx, "competences", "ajouter")
    return ctx.reply(
        ctx._("What do you know how to do? Write your skills, separated by commas."),
        ctx._("Example: ameli, WordPress (can teach), Scribus"),
        actions=[Action(ctx._("Later"), "/annuler")],
    )


async def next_onboarding_step(ctx: Context, member: Member) -> list[Outgoing]:
    """The question that completes a new member's profile, if any is left."""
    if member.structure_id is None:
        return [await ask_structure(ctx, ctx._("Which structure do you work in?"))]
    if not await _has_skills(ctx, member):
        return [await ask_skills(ctx)]
    return []


async def _has_skills(ctx: Context, member: Member) -> bool:
    return bool(await member_skills.declared(ctx.services, member.id))


async def start(ctx: Context, args: str) -> Reply:
    """`/start CODE`: become a member with an invitation code."""
    if ctx.member is not None:
        return [ctx.reply(ctx._("You are already a member of the network."), help_hint(ctx))]
    if not args:
        return [join_explanation(ctx)]
    incoming = ctx.incoming
    given_name = incoming.display_name or ""
    refused = await names.name_problem(ctx.services, given_name)
    locale = pick_locale(incoming.language, ctx.services.default_locale)
    try:
        member = await members.join(
            ctx.services,
            account=members.Account(incoming.platform, incoming.user_id, incoming.chat_id),
            typed_code=args,
            display_name=given_name,
            locale=locale,
            fallback_name=translator(locale)._("Member"),
        )
    except AlreadyMember:
        return [ctx.reply(ctx._("You are already a member of the network."), help_hint(ctx))]
    except InviteRejected as rejected:
        if rejected.retry_at is not None:
            wait = rejected.retry_at - ctx.services.clock.now()
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            return [
                ctx.reply(
                    ctx._("You have tried too many codes."),
                    ctx.ngettext(
                        "You can try again in {n} minute.",
                        "You can try again in {n} minutes.",
                        minutes,
                    ).format(n=minutes),
                )
            ]
        return [
            ctx.reply(
                ctx._(_INVITE_PROBLEMS[rejected.problem]),
                ctx._("Check it, or ask a coordinator for a new one."),
            )
        ]
    ctx = ctx.as_member(member)
    if ctx.services.member_changed is not None:
        await ctx.services.member_changed(member)
    lines = [ctx._("Welcome to the network, {name}!").format(name=member.display_name)]
    if refused is not None and refused is not NameProblem.EMPTY:
        lines.append(ctx._(REFUSED_NAMES[refused]))
    if member.structure_name:
        lines.append(
            ctx._("You are registered with {structure}.").format(structure=member.structure_name)
        )
    if member.role.allows(Role.COORDINATOR):
        lines.append(ctx._("You are a coordinator of the network."))
    lines.append(
        ctx._("To change your name or language: {command}.").format(command=ctx.cmd("profil"))
    )
    actions = [Action(ctx._("Choose my name"), "/nom")] if refused is not None else []
    return [ctx.reply(*lines, actions=actions), *await next_onboarding_step(ctx, member)]


async def show_help(ctx: Context, args: str) -> Reply:
    """`/aide [command]`: what the person can do, with the commands of their role only."""
    if ctx.member is None:
        return [join_explanation(ctx)]
    if args:
        wanted = next(
            (c for c in ctx.commands if args.lstrip("/!").lower() in (c.name, c.name_en)),
            None,
        )
        if wanted is not None:
            return [ctx.reply(ctx._(wanted.summary), *usage_lines(ctx, wanted))]
    lines = [ctx._("Here is what you can do:")]
    for command in ctx.commands:
        if command.in_help and allowed(command.name, ctx.me.role):
            lines.append(f"{ctx.cmd(command.name)} — {ctx._(command.summary)}")
    prefix = ctx.incoming.command_prefix
    if ctx.t.locale == "fr":
        lines.append(f"In English: {prefix}{ctx.names('langue', 'en')} en")
    else:
        lines.append(f"En français : {prefix}{ctx.names('langue', 'fr')} fr")
    return [ctx.reply(*lines)]


async def cancel(ctx: Context, args: str) -> Reply:
    """`/annuler`: stop the question in progress (and drop the files waiting for a place);
    `/annuler N`: cancel one's request N.

    Pressed on a question (its [No], [Later], [Cancel]), the question's message itself says
    so, and its buttons are gone.
    """
    if args:
        return await cancel_request(ctx, args)
    if await attachments.discard(ctx.services, ctx.me):
        stopped = ctx.reply(
            ctx._("OK, let's leave it there."), ctx._("I no longer keep your file.")
        )
    else:
        stopped = ctx.reply(ctx._("OK, let's leave it there."), help_hint(ctx))
    if ctx.choice is None:
        return [stopped]
    await choices.close(ctx.services, ctx.choice.id)
    return [replace(stopped, edit_of=ctx.choice.message_ref)]


COMMANDS = (
    Command(
        "start",
        "start",
        start,
        summary=N_("join the network with an invitation code"),
        usage=N_("CODE"),
        example="K7QF-3MZP",
        in_help=False,
    ),
    Command(
        "aide",
        "help",
        show_help,
        summary=N_("what you can do"),
        usage=N_("[command]"),
        example=N_("request"),
    ),
    Command(
        "annuler",
        "cancel",
        cancel,
        summary=N_("stop what is in progress"),
        usage=N_("[request number]"),
        example="12",
        in_help=False,
    ),
)
