"""Coordinators' commands: invitations and the members directory."""

from __future__ import annotations

from itertools import groupby

from babel.numbers import format_decimal

from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.dates import day_text
from bot.chat.i18n import N_
from bot.chat.invitations import matrix_line, matrix_link
from bot.chat.request_replies import request_number
from bot.chat.subcommands import Sub, Subcommands
from bot.chat.types import Action
from bot.chat.wording import ROLE_NAMES, bullet, level_name
from bot.core import invites, members, skill_review
from bot.core.errors import InvalidValue
from bot.core.numbers import ascii_number
from bot.core.types import Role, SkillRow, SkillSource
from bot.core.why import why
from skills import fold

_ROLE_WORDS = {
    "membre": Role.MEMBER,
    "member": Role.MEMBER,
    "coordinateur": Role.COORDINATOR,
    "coordinatrice": Role.COORDINATOR,
    "coordination": Role.COORDINATOR,
    "coordinator": Role.COORDINATOR,
}


async def invitation(ctx: Context, args: str) -> Reply:
    """`/invitation [membre|coordinateur] [N]` creates a code for N people to join;
    `/invitation liste` lists the codes still usable, `/invitation revoquer CODE` cancels one."""
    return await _INVITATION.run(ctx, args)


async def list_invitations(ctx: Context, _: str = "") -> Reply:
    """The codes that still let someone join, with their role, uses and end."""
    found = await invites.usable(ctx.services)
    if not found:
        return [ctx.reply(ctx._("No invitation code is usable now."))]
    lines = [
        ctx.ngettext(
            "{n} invitation code is usable:", "{n} invitation codes are usable:", len(found)
        ).format(n=len(found))
    ]
    for invite in found:
        ends = (
            day_text(invite.expires_at.date(), ctx.t.locale, "d MMMM y")
            if invite.expires_at is not None
            else ctx._("never")
        )
        lines.append(
            bullet(
                ctx._("{code}: {role}, used {uses} of {max} times, until {date}").format(
                    code=invites.display_code(invite.code),
                    role=ctx._(ROLE_NAMES[invite.role]),
                    uses=invite.uses,
                    max=invite.max_uses,
                    date=ends,
                )
            )
        )
    lines.append(
        ctx._("To cancel one: {command}").format(
            command=ctx.cmd("invitation", ctx._("revoke CODE"))
        )
    )
    return [ctx.reply(*lines)]


async def revoke_invitation(ctx: Context, typed: str) -> Reply:
    """Cancel a code: nobody can join with it any more."""
    if not typed.strip():
        raise UsageError
    if not await invites.revoke(ctx.services, typed):
        return [
            ctx.reply(
                ctx._("No usable invitation code is {code}.").format(code=typed.strip()),
                ctx._("The usable codes: {command}").format(
                    command=ctx.cmd("invitation", ctx._("list"))
                ),
            )
        ]
    return [
        ctx.reply(
            ctx._("The code {code} is cancelled: nobody can join with it any more.").format(
                code=invites.display_code(invites.canonical_code(typed) or typed)
            )
        )
    ]


async def create_invitation(ctx: Context, args: str) -> Reply:
    """A code for N people to join (`/invitation [membre|coordinateur] [N]`)."""
    role, uses = Role.MEMBER, ctx.services.invites.uses
    for word in args.split():
        number = ascii_number(word)
        if number is not None:
            uses = number
        elif fold(word) in _ROLE_WORDS:
            role = _ROLE_WORDS[fold(word)]
        else:
            raise UsageError
    try:
        invite = await invites.create_invite(
            ctx.services,
            role=role,
            uses=uses,
            expires_days=ctx.services.invites.expires_days,
            created_by=ctx.me.id,
        )
    except InvalidValue:
        return [ctx.reply(ctx._("An invitation is for 1 to 500 people."))]
    code = invites.display_code(invite.code)
    days = ctx.services.invites.expires_days
    lines = [
        ctx._("Here is an invitation code: {code}").format(code=code),
        ctx.ngettext("It is valid for {n} day.", "It is valid for {n} days.", days).format(n=days),
        ctx.ngettext("It works for {n} person.", "It works for {n} people.", uses).format(n=uses),
    ]
    if role is Role.COORDINATOR:
        lines.append(ctx._("Whoever uses it becomes a coordinator."))
    lines.append(
        ctx._("The person writes to the bot: {command}").format(command=ctx.cmd("start", code))
    )
    bot_on_matrix = ctx.services.invites.matrix_user_id
    if bot_on_matrix and ctx.incoming.platform != "matrix":
        lines.append(matrix_line(ctx.t, code, bot_on_matrix))
    elif bot_on_matrix:
        lines.append(
            ctx._("The bot on Matrix: {user} ({link})").format(
                user=bot_on_matrix, link=matrix_link(bot_on_matrix)
            )
        )
    return [ctx.reply(*lines)]


_INVITATION = Subcommands(
    Sub(("liste", "list"), list_invitations),
    Sub(("revoquer", "revoke"), revoke_invitation),
    otherwise=create_invitation,  # `/invitation`, `/invitation coordinateur 3`
)


async def list_members(ctx: Context, args: str) -> Reply:
    """`/membres`: the members of the network, by structure."""
    directory = await members.directory(ctx.services)
    if not directory:
        return [ctx.reply(ctx._("The network has no members yet."))]
    lines = [ctx.ngettext("{n} member:", "{n} members:", len(directory)).format(n=len(directory))]
    for structure, group in groupby(directory, key=lambda m: m.structure_name):
        people = list(group)
        names = ", ".join(
            m.display_name + (ctx._(" (coordinator)") if m.role.allows(Role.COORDINATOR) else "")
            for m in people
        )
        label = structure or ctx._("No structure")
        lines.append(
            bullet(
                ctx._("{structure} ({n}): {names}").format(
                    structure=label, n=len(people), names=names
                )
            )
        )
    many = await members.with_many_skills(ctx.services)
    if many:
        lines.append(ctx._("Unusually many skills (they are offered many requests):"))
        lines.append(
            bullet(", ".join(f"{member.display_name} ({count})" for member, count in many))
        )
    proposed = await skill_review.proposed(ctx.services)
    actions = []
    if proposed:
        lines.append(
            ctx.ngettext(
                "{n} skill proposed by members awaits review.",
                "{n} skills proposed by members await review.",
                len(proposed),
            ).format(n=len(proposed))
        )
        actions.append(Action(ctx._("Proposed skills"), "/competences proposees"))
    return [ctx.reply(*lines, actions=actions)]


def _skill_name(ctx: Context, skill: SkillRow) -> str:
    """A skill's label; a proposed one (looked for by similar text) says so."""
    if skill.source is SkillSource.PROPOSED:
        return ctx._("{skill} (proposed skill, similar text)").format(
            skill=skill.label(ctx.t.locale)
        )
    return skill.label(ctx.t.locale)


async def explain(ctx: Context, args: str) -> Reply:
    """`/pourquoi N`: the skills found in request N with their weight in the need, and each
    helper it was offered to with their levels and load."""
    request_id, _ = request_number(args)
    services = ctx.services
    found = await why(services, request_id)
    if found is None:
        return [ctx.reply(ctx._("I find no request #{n}.").format(n=request_id))]
    lines = [ctx._("Why request #{n} went to whom:").format(n=request_id)]
    if found.weights:
        lines.append(ctx._("Skills found, with their weight in the need (1 = the need):"))
        lines.extend(
            bullet(
                f"{_skill_name(ctx, skill)} — "
                + format_decimal(weight, format="0.00", locale=ctx.t.locale)
            )
            for skill, weight in found.weights
        )
    else:
        lines.append(ctx._("No skill was found in it: nobody could be offered it."))
    if found.relatives:
        lines.append(
            ctx.ngettext(
                "{n} broader or narrower skill was looked for too, at half weight.",
                "{n} broader or narrower skills were looked for too, at half weight.",
                found.relatives,
            ).format(n=found.relatives)
        )
    if found.helpers:
        lines.append(ctx._("Offered to, in this order (their load now):"))
    for helper in found.helpers:
        levels = ", ".join(
            f"{_skill_name(ctx, skill)} — {level_name(ctx, level)}"
            for skill, level in helper.levels
        )
        load = ctx._("requests held: {claims}, offers in the last 7 days: {offers}").format(
            claims=helper.open_claims, offers=helper.recent_offers
        )
        lines.append(
            bullet(
                ctx._("{name}: {levels}; {load}").format(
                    name=helper.name, levels=levels or "—", load=load
                )
            )
        )
    lines.append(
        ctx._(
            "Level times weight, summed; minus 1 per request held and 0.5 per recent offer. "
            "Equal helpers: fewer recent offers first, then whoever was asked longest ago."
        )
    )
    return [ctx.reply(*lines)]


COMMANDS = (
    Command(
        "pourquoi",
        "why",
        explain,
        summary=N_("why a request went to whom"),
        usage=N_("N"),
    ),
    Command(
        "invitation",
        "invite",
        invitation,
        summary=N_("create, list or cancel invitation codes"),
        usage=N_("[member|coordinator] [number of people] | list | revoke CODE"),
        example=N_("member 5"),
    ),
    Command(
        "membres",
        "members",
        list_members,
        summary=N_("the members, by structure"),
        usage="",
    ),
)
