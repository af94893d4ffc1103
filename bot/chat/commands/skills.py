"""`/competences`: declare, list, re-level and remove one's skills; proposed skills."""

from __future__ import annotations

from bot.chat.commands.requests import ask_from_text
from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.dialogs import await_answer
from bot.chat.i18n import N_
from bot.chat.types import Action, Outgoing
from bot.chat.wording import LEVEL_KEYWORDS, bullet, level_name
from bot.core import skills as member_skills
from bot.core.types import MemberSkill, Role, SkillSource
from skills import SkillLevel, fold, parse_level

_SUBCOMMANDS = {
    "ajouter": "add",
    "add": "add",
    "retirer": "remove",
    "supprimer": "remove",
    "remove": "remove",
    "niveau": "level",
    "level": "level",
    "remplacer": "replace",
    "replace": "replace",
    "proposees": "proposed",
    "proposed": "proposed",
}


def _skill_line(ctx: Context, declared: MemberSkill) -> str:
    label = declared.skill.label(ctx.t.locale)
    if declared.skill.source is SkillSource.PROPOSED:
        label = ctx._("{skill} (proposed)").format(skill=label)
    return bullet(f"{label} — {level_name(ctx, declared.level)}")


async def _list(ctx: Context) -> Reply:
    mine = await member_skills.declared(ctx.services.uow(), ctx.me.id)
    add = Action(ctx._("Add skills"), "/competences ajouter")
    if not mine:
        return [
            ctx.reply(
                ctx._("You have not declared any skill yet."),
                ctx._("Example: {command}").format(
                    command=ctx.cmd("competences", ctx._("add ameli, WordPress (can teach)"))
                ),
                actions=[add],
            )
        ]
    lines = [ctx._("Your skills:"), *(_skill_line(ctx, ms) for ms in mine)]
    return [
        ctx.reply(
            *lines,
            actions=[
                add,
                Action(ctx._("Change a level"), "/competences niveau"),
                Action(ctx._("Remove a skill"), "/competences retirer"),
            ],
        )
    ]


async def _add(ctx: Context, text: str) -> Reply:
    if not text:
        await await_answer(ctx, "competences", "ajouter")
        return [
            ctx.reply(
                ctx._("Write your skills, separated by commas."),
                ctx._("Example: ameli, WordPress (can teach), Scribus"),
                actions=[Action(ctx._("Cancel"), "/annuler")],
            )
        ]
    limits = ctx.services.skills.max_per_level
    result = await member_skills.declare(
        ctx.services.uow(), ctx.services.clock, ctx.services.matcher, ctx.me.id, text, limits
    )
    if (
        not result.recognised
        and not result.proposed
        and not result.full
        and len(member_skills.split_items(text)) == 1
    ):
        # A whole sentence where a list of skills was expected: most likely a need for help.
        return await ask_from_text(ctx, text)
    lines: list[str] = []
    actions: list[Action] = []
    if result.recognised:
        lines.append(ctx._("Noted:"))
        # A skill written twice ("ameli, compte ameli (former)") is one line: the highest
        # level given, which is the one kept (the last one recognised at it).
        latest = {declared.skill.slug: (typed, declared) for typed, declared in result.recognised}
        for typed, declared in latest.values():
            line = _skill_line(ctx, declared)
            if fold(typed) not in (
                fold(declared.skill.label_fr),
                fold(declared.skill.label_en),
            ):
                line += " " + ctx._("(you wrote “{typed}”)").format(typed=typed)
            lines.append(line)
    for typed, kept in result.kept_higher:
        lines.append(
            ctx._("“{typed}” is {skill} again: I kept the highest level you gave.").format(
                typed=typed, skill=kept.skill.label(ctx.t.locale)
            )
        )
    for proposal in result.proposed:
        lines.append(ctx._("I don't know “{skill}”.").format(skill=proposal.typed))
        lines.append(ctx._("I kept it as a proposed skill; a coordinator will see it."))
        for suggestion in proposal.suggestions:
            actions.append(
                Action(
                    ctx._("I meant {skill}").format(skill=suggestion.skill.label(ctx.t.locale)),
                    f"/competences remplacer {proposal.declared.skill.slug} "
                    + suggestion.skill.slug,
                )
            )
    if result.rejected:
        lines.append(
            ctx._("I could not read: {items}.").format(
                items=", ".join(f"“{r}”" for r in result.rejected)
            )
        )
        lines.append(ctx._("Each skill must be a short name, 60 characters at most."))
    for level, items in result.full.items():
        lines.extend(level_full_lines(ctx, level, limits[level], items))
    if result.recognised or result.proposed:
        lines.append(ctx._("You can change a level at any time."))
        actions.append(Action(ctx._("Change a level"), "/competences niveau"))
        actions.append(Action(ctx._("My skills"), "/competences"))
    return [ctx.reply(*lines, actions=actions)]


def _split_level(text: str) -> tuple[str, SkillLevel | None]:
    """`wordpress je peux former` → (`wordpress`, TEACHING): the level is the last words."""
    words = text.split()
    for size in (3, 2, 1):
        if len(words) > size:
            level = parse_level(" ".join(words[-size:]))
            if level is not None:
                return " ".join(words[:-size]), level
    return text, None


def level_full_lines(
    ctx: Context, level: SkillLevel, limit: int, items: list[str] | None = None
) -> list[str]:
    """Refusal of skills over the limit of a level: the limit, and how to make room."""
    lines = [
        ctx._("At most {limit} skills at the level “{level}”.").format(
            limit=limit, level=level_name(ctx, level)
        )
    ]
    if items:
        lines.append(
            ctx._("I did not add: {items}.").format(items=", ".join(f"“{i}”" for i in items))
        )
    lines.append(
        ctx._("To make room: {command}, or choose a lower level.").format(
            command=ctx.cmd("competences", ctx._("remove") + " …")
        )
    )
    return lines


async def _level(ctx: Context, text: str) -> Reply:
    mine = await member_skills.declared(ctx.services.uow(), ctx.me.id)
    if not text:
        if not mine:
            return await _list(ctx)
        return [
            ctx.reply(
                ctx._("Which skill?"),
                actions=[
                    Action(
                        ms.skill.label(ctx.t.locale),
                        f"/competences niveau {ms.skill.slug}",
                    )
                    for ms in mine
                ],
            )
        ]
    phrase, level = _split_level(text)
    if level is None:
        return [_ask_level(ctx, phrase)]
    try:
        changed = await member_skills.change_level(
            ctx.services.uow(),
            ctx.services.clock,
            ctx.services.matcher,
            ctx.me.id,
            phrase,
            level,
            ctx.services.skills.max_per_level,
        )
    except member_skills.LevelFull as full:
        return [ctx.reply(*level_full_lines(ctx, full.level, full.limit))]
    if changed is None:
        return [
            ctx.reply(
                ctx._("“{skill}” is not among your skills.").format(skill=phrase),
                actions=[Action(ctx._("My skills"), "/competences")],
            )
        ]
    return [ctx.reply(ctx._("Done:"), _skill_line(ctx, changed))]


def _ask_level(ctx: Context, phrase: str) -> Outgoing:
    return ctx.reply(
        ctx._("What is your level for “{skill}”?").format(skill=phrase),
        actions=[
            Action(
                level_name(ctx, level),
                f"/competences niveau {phrase} {LEVEL_KEYWORDS[level]}",
            )
            for level in (
                SkillLevel.DISCOVERING,
                SkillLevel.PRACTISING,
                SkillLevel.TEACHING,
            )
        ],
    )


async def _remove(ctx: Context, text: str) -> Reply:
    if not text:
        mine = await member_skills.declared(ctx.services.uow(), ctx.me.id)
        if not mine:
            return await _list(ctx)
        await await_answer(ctx, "competences", "retirer")
        return [
            ctx.reply(
                ctx._("Which skill should I remove? Choose or type it."),
                actions=[
                    Action(
                        ms.skill.label(ctx.t.locale),
                        f"/competences retirer {ms.skill.slug}",
                    )
                    for ms in mine
                ],
            )
        ]
    removed, missing = await member_skills.remove(
        ctx.services.uow(), ctx.services.matcher, ctx.me.id, text
    )
    lines = []
    if removed:
        lines.append(
            ctx._("Removed: {skills}.").format(
                skills=", ".join(s.label(ctx.t.locale) for s in removed)
            )
        )
    if missing:
        lines.append(
            ctx._("Not among your skills: {items}.").format(
                items=", ".join(f"“{m}”" for m in missing)
            )
        )
    return [ctx.reply(*lines, actions=[Action(ctx._("My skills"), "/competences")])]


async def _replace(ctx: Context, text: str) -> Reply:
    parts = text.split()
    if len(parts) != 2:
        raise UsageError
    replaced = await member_skills.replace_proposed(
        ctx.services.uow(), ctx.services.clock, ctx.me.id, parts[0], parts[1]
    )
    if replaced is None:
        return [
            ctx.reply(
                ctx._("This choice is no longer valid."),
                actions=[Action(ctx._("My skills"), "/competences")],
            )
        ]
    return [ctx.reply(ctx._("Done:"), _skill_line(ctx, replaced))]


async def _proposed(ctx: Context) -> Reply:
    if not ctx.me.role.allows(Role.COORDINATOR):
        return [ctx.reply(ctx._("This list is for coordinators."))]
    proposals = await member_skills.proposed(ctx.services.uow())
    if not proposals:
        return [ctx.reply(ctx._("No skill is waiting for review."))]
    lines = [ctx._("Skills proposed by members:")]
    for proposal in proposals:
        lines.append(
            bullet(
                ctx.ngettext(
                    "{skill} — proposed by {name}, declared by {n} member",
                    "{skill} — proposed by {name}, declared by {n} members",
                    proposal.member_count,
                    zero=N_("{skill} — proposed by {name}, declared by no member now"),
                ).format(
                    skill=proposal.skill.label_fr,
                    name=proposal.proposed_by or ctx._("a former member"),
                    n=proposal.member_count,
                )
            )
        )
    return [ctx.reply(*lines)]


async def skills_command(ctx: Context, args: str) -> Reply:
    """`/competences [ajouter|retirer|niveau …]`: the member's skills."""
    if not args:
        return await _list(ctx)
    head, _, rest = args.partition(" ")
    sub = _SUBCOMMANDS.get(fold(head))
    rest = rest.strip()
    if sub == "remove":
        return await _remove(ctx, rest)
    if sub == "level":
        return await _level(ctx, rest)
    if sub == "replace":
        return await _replace(ctx, rest)
    if sub == "proposed":
        return await _proposed(ctx)
    return await _add(ctx, rest if sub == "add" else args)


COMMANDS = (
    Command(
        "competences",
        "skills",
        skills_command,
        summary=N_("see and declare your skills"),
        usage=N_("[add|remove|level] skill, skill (can teach)"),
        example=N_("add ameli, WordPress (can teach)"),
    ),
)
