"""Coordinators' commands: invitations and the members directory."""

from __future__ import annotations

from itertools import groupby

from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.i18n import N_
from bot.chat.invitations import matrix_line, matrix_link
from bot.chat.types import Action
from bot.chat.wording import bullet
from bot.core import invites, members
from bot.core import skills as member_skills
from bot.core.errors import InvalidValue
from bot.core.types import Role
from skills import fold

_ROLE_WORDS = {
    "membre": Role.MEMBER,
    "member": Role.MEMBER,
    "coordinateur": Role.COORDINATOR,
    "coordinatrice": Role.COORDINATOR,
    "coordination": Role.COORDINATOR,
    "coordinator": Role.COORDINATOR,
}


async def create_invitation(ctx: Context, args: str) -> Reply:
    """`/invitation [membre|coordinateur] [N]`: a code for N people to join."""
    role, uses = Role.MEMBER, ctx.services.invites.uses
    for word in args.split():
        if word.isdigit():
            uses = int(word)
        elif fold(word) in _ROLE_WORDS:
            role = _ROLE_WORDS[fold(word)]
        else:
            raise UsageError
    try:
        invite = await invites.create_invite(
            ctx.services.uow(),
            ctx.services.clock,
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


async def list_members(ctx: Context, args: str) -> Reply:
    """`/membres`: the members of the network, by structure."""
    directory = await members.directory(ctx.services.uow())
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
    many = await members.with_many_skills(ctx.services.uow())
    if many:
        lines.append(ctx._("Unusually many skills (they are offered many requests):"))
        lines.append(
            bullet(", ".join(f"{member.display_name} ({count})" for member, count in many))
        )
    proposed = await member_skills.proposed(ctx.services.uow())
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


COMMANDS = (
    Command(
        "invitation",
        "invite",
        create_invitation,
        summary=N_("create an invitation code"),
        usage=N_("[member|coordinator] [number of people]"),
    ),
    Command(
        "membres",
        "members",
        list_members,
        summary=N_("the members, by structure"),
        usage="",
    ),
)
