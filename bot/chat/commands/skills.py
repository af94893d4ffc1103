"""`/competences`: declare, list, re-level and remove one's skills; proposed skills, which
coordinators validate into the network's own skills or replace by a known one."""

from __future__ import annotations

from bot.chat.commands.requests import ask_from_text
from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.dialogs import await_answer
from bot.chat.i18n import N_
from bot.chat.permissions import sub_allowed
from bot.chat.subcommands import Sub, Subcommands
from bot.chat.types import Action, Outgoing
from bot.chat.wording import LEVEL_KEYWORDS, bullet, level_name
from bot.core import skill_review
from bot.core import skills as member_skills
from bot.core.types import MemberSkill, SkillSource
from skills import SkillLevel, fold, parse_level

# Keywords inside `/competences valider …` and `/competences fusionner …` (folded).
_UNDER = frozenset({"sous", "under"})
_ALIASES = frozenset({"alias", "aliases"})
_INTO = frozenset({"avec", "par", "with", "into", "by"})
MAX_REVIEW_TEXT = 400
SHOWN_PROPOSALS = 10  # proposals listed with their buttons


def _skill_line(ctx: Context, declared: MemberSkill) -> str:
    label = declared.skill.label(ctx.t.locale)
    if declared.skill.source is SkillSource.PROPOSED:
        label = ctx._("{skill} (proposed)").format(skill=label)
    return bullet(f"{label} — {level_name(ctx, declared.level)}")


async def _list(ctx: Context) -> Reply:
    mine = await member_skills.declared(ctx.services, ctx.me.id)
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
    result = await member_skills.declare(ctx.services, ctx.me.id, text)
    if (
        not result.recognised
        and not result.proposed
        and not result.full
        and len(member_skills.split_items(text)) == 1
    ):
        # A whole sentence where a list of skills was expected: most likely a need for help.
        return await ask_from_text(ctx, text)
    lines = _recognised_lines(ctx, result)
    for typed, kept in result.kept_higher:
        lines.append(
            ctx._("“{typed}” is {skill} again: I kept the highest level you gave.").format(
                typed=typed, skill=kept.skill.label(ctx.t.locale)
            )
        )
    proposed, actions = _proposal_lines(ctx, result)
    lines += proposed
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


def _recognised_lines(ctx: Context, result: member_skills.Declaration) -> list[str]:
    """The skills recognised, each with what the member typed when it reads otherwise."""
    if not result.recognised:
        return []
    lines = [ctx._("Noted:")]
    # A skill written twice ("ameli, compte ameli (former)") is one line: the highest level
    # given, which is the one kept (the last one recognised at it).
    latest = {declared.skill.slug: (typed, declared) for typed, declared in result.recognised}
    for typed, declared in latest.values():
        line = _skill_line(ctx, declared)
        if fold(typed) not in (fold(declared.skill.label_fr), fold(declared.skill.label_en)):
            line += " " + ctx._("(you wrote “{typed}”)").format(typed=typed)
        lines.append(line)
    return lines


def _proposal_lines(
    ctx: Context, result: member_skills.Declaration
) -> tuple[list[str], list[Action]]:
    """The skills kept as proposals, and a button for each skill the member may have meant."""
    lines: list[str] = []
    actions: list[Action] = []
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
    return lines, actions


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
    mine = await member_skills.declared(ctx.services, ctx.me.id)
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
            ctx.services,
            ctx.me.id,
            phrase,
            level,
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
        mine = await member_skills.declared(ctx.services, ctx.me.id)
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
    removed, missing = await member_skills.remove(ctx.services, ctx.me.id, text)
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
    replaced = await member_skills.replace_proposed(ctx.services, ctx.me.id, parts[0], parts[1])
    if replaced is None:
        return [
            ctx.reply(
                ctx._("This choice is no longer valid."),
                actions=[Action(ctx._("My skills"), "/competences")],
            )
        ]
    return [ctx.reply(ctx._("Done:"), _skill_line(ctx, replaced))]


async def _proposed(ctx: Context) -> Reply:
    if not sub_allowed("competences", "proposed", ctx.me.role):
        return [ctx.reply(ctx._("This list is for coordinators."))]
    proposals = await skill_review.proposed(ctx.services)
    if not proposals:
        return [ctx.reply(ctx._("No skill is waiting for review."))]
    lines = [ctx._("Skills proposed by members:")]
    actions: list[Action] = []
    for proposal in proposals[:SHOWN_PROPOSALS]:
        label, ref = proposal.skill.label_fr, skill_review.proposal_reference(proposal.skill)
        actions.append(
            Action(
                ctx._("Validate “{skill}”").format(skill=label),
                f"/competences valider {ref}",
            )
        )
        actions.append(
            Action(
                ctx._("Replace “{skill}” with…").format(skill=label),
                f"/competences fusionner {ref}",
            )
        )
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
    lines.append(ctx._("Validate one: it becomes a skill of the network, found in requests."))
    lines.append(ctx._("Or replace it with a known skill, for everyone who declared it."))
    return [ctx.reply(*lines, actions=actions)]


def _review_usage(ctx: Context, sub: str) -> Reply:
    """How to write `/competences valider …` or `/competences fusionner …`."""
    if sub == "validate":
        syntax = ctx._("validate PROPOSAL [under SKILL] [aliases NAME, NAME]")
        example = ctx._("validate Genially under Canva aliases genialy")
    else:
        syntax = ctx._("merge PROPOSAL with SKILL")
        example = ctx._("merge impots en ligne with impots.gouv")
    return [
        ctx.reply(
            ctx._("Usage: {usage}").format(usage=ctx.cmd("competences", syntax)),
            ctx._("Example: {command}").format(command=ctx.cmd("competences", example)),
            actions=[Action(ctx._("Proposed skills"), "/competences proposees")],
        )
    ]


def _sections(text: str, keywords: dict[str, frozenset[str]]) -> dict[str, str] | None:
    """Split `PROPOSAL kw1 … kw2 …` on its keywords (each at most once); None if a keyword
    comes twice."""
    found: dict[str, list[str]] = {"": []}
    current = ""
    for word in text.split():
        name = next((n for n, words in keywords.items() if fold(word) in words), None)
        if name is not None and found[current]:
            if name in found:
                return None
            found[name] = []
            current = name
            continue
        found[current].append(word)
    return {name: " ".join(words) for name, words in found.items()}


def _refusal(ctx: Context) -> Reply:
    return [
        ctx.reply(
            ctx._("Only coordinators review proposed skills."),
            ctx._("They decide what the whole network's matching knows."),
            ctx._("Ask the coordination if a skill is missing."),
        )
    ]


def _already(ctx: Context, done: skill_review.AlreadyReviewed) -> Reply:
    label = done.skill.label(ctx.t.locale)
    if done.skill.source is SkillSource.NETWORK:
        line = ctx._("“{skill}” was validated already: it is a skill of the network.").format(
            skill=label
        )
    elif done.replacement is not None:
        line = ctx._("“{skill}” was replaced already, with {other}.").format(
            skill=label, other=done.replacement.label(ctx.t.locale)
        )
    else:
        line = ctx._("“{skill}” was replaced already.").format(skill=label)
    return [ctx.reply(line, actions=[Action(ctx._("Proposed skills"), "/competences proposees")])]


def _not_found(ctx: Context, reference: str) -> Reply:
    return [
        ctx.reply(
            ctx._("No proposed skill is called “{skill}”.").format(skill=reference),
            actions=[Action(ctx._("Proposed skills"), "/competences proposees")],
        )
    ]


async def _validate(ctx: Context, text: str) -> Reply:
    if not sub_allowed("competences", "validate", ctx.me.role):
        return _refusal(ctx)
    asked = _validation_asked(text)
    if asked is None:
        return _review_usage(ctx, "validate")
    reference, parent, aliases = asked
    try:
        done = await skill_review.validate_proposed(
            ctx.services, reference, parent=parent, aliases=aliases
        )
    except skill_review.NoSuchProposal:
        return _not_found(ctx, reference)
    except skill_review.AlreadyReviewed as already:
        return _already(ctx, already)
    except skill_review.NameTaken as taken:
        return await _name_taken(ctx, reference, taken)
    except skill_review.UnknownSkill as unknown:
        return await _unknown_parent(ctx, reference, unknown)
    label = done.skill.label(ctx.t.locale)
    lines = [ctx._("“{skill}” is now a skill of the network.").format(skill=label)]
    if done.parent is not None:
        lines.append(
            ctx._("It is a case of {skill}.").format(skill=done.parent.label(ctx.t.locale))
        )
    if done.aliases:
        lines.append(ctx._("Also found as: {names}.").format(names=", ".join(done.aliases)))
    lines.append(
        ctx.ngettext(
            "Requests that name it now reach the {n} member who declared it.",
            "Requests that name it now reach the {n} members who declared it.",
            done.holders,
            zero=N_("Requests that name it will reach the members who declare it."),
        ).format(n=done.holders)
    )
    return [ctx.reply(*lines, actions=[Action(ctx._("Proposed skills"), "/competences proposees")])]


def _validation_asked(text: str) -> tuple[str, str | None, tuple[str, ...]] | None:
    """(proposal, parent, aliases) of `/competences valider …`; None when it cannot be read."""
    parts = _sections(text, {"under": _UNDER, "aliases": _ALIASES})
    if not text or len(text) > MAX_REVIEW_TEXT or parts is None:
        return None
    reference, parent = parts[""], parts.get("under")
    aliases = tuple(member_skills.split_items(parts.get("aliases", "")))
    names = [*aliases, *([parent] if parent is not None else [])]
    if not skill_review.is_proposal_reference(reference):
        names.append(reference)
    if (
        any(skill_review.bad_name(name) for name in names)
        or ("aliases" in parts and not aliases)
        or len(aliases) > skill_review.MAX_ALIASES
    ):
        return None
    return reference, parent, aliases


async def _name_taken(ctx: Context, reference: str, taken: skill_review.NameTaken) -> Reply:
    """A name given to the proposal already means another skill: offer to merge into it."""
    proposal = await _slug_of(ctx, reference)
    existing = taken.existing.label(ctx.t.locale)
    return [
        ctx.reply(
            ctx._("“{name}” already means {skill}.").format(name=taken.name, skill=existing),
            ctx._("Replace the proposal with it instead."),
            actions=[
                Action(
                    ctx._("Replace with {skill}").format(skill=existing),
                    f"/competences fusionner {proposal} avec {taken.existing.slug}",
                )
            ],
        )
    ]


async def _unknown_parent(
    ctx: Context, reference: str, unknown: skill_review.UnknownSkill
) -> Reply:
    """The parent named is no skill: offer the skills it may have meant."""
    proposal = await _slug_of(ctx, reference)
    return [
        ctx.reply(
            ctx._("I don't know the skill “{skill}”.").format(skill=unknown.name),
            actions=[
                Action(
                    ctx._("Under {skill}").format(skill=s.skill.label(ctx.t.locale)),
                    f"/competences valider {proposal} sous {s.skill.slug}",
                )
                for s in unknown.suggestions
            ],
        )
    ]


async def _slug_of(ctx: Context, reference: str) -> str:
    """The short name a button can carry for a proposal named by its label or slug."""
    found = await skill_review.find_proposal(ctx.services, reference)
    return skill_review.proposal_reference(found) if found is not None else reference


async def _merge(ctx: Context, text: str) -> Reply:
    if not sub_allowed("competences", "merge", ctx.me.role):
        return _refusal(ctx)
    parts = _sections(text, {"into": _INTO})
    if not text or len(text) > MAX_REVIEW_TEXT or parts is None:
        return _review_usage(ctx, "merge")
    reference, target = parts[""], parts.get("into")
    named = [*filter(None, [target])]
    if not skill_review.is_proposal_reference(reference):
        named.append(reference)
    if any(skill_review.bad_name(name) for name in named) or ("into" in parts and not target):
        return _review_usage(ctx, "merge")
    services = ctx.services
    try:
        if target is None:
            proposal, suggestions = await skill_review.suggestions_for(services, reference)
            label = proposal.label(ctx.t.locale)
            return [
                ctx.reply(
                    ctx._("Replace “{skill}” with which skill?").format(skill=label),
                    ctx._("Choose, or type: {command}").format(
                        command=ctx.cmd(
                            "competences", ctx._("merge {skill} with …").format(skill=label)
                        )
                    ),
                    actions=[
                        Action(
                            s.skill.label(ctx.t.locale),
                            f"/competences fusionner {skill_review.proposal_reference(proposal)}"
                            f" avec {s.skill.slug}",
                        )
                        for s in suggestions
                    ],
                )
            ]
        done = await skill_review.replace_everywhere(services, reference, target)
    except skill_review.NoSuchProposal:
        return _not_found(ctx, reference)
    except skill_review.AlreadyReviewed as already:
        return _already(ctx, already)
    except skill_review.UnknownSkill as unknown:
        return [
            ctx.reply(
                ctx._("I don't know the skill “{skill}”.").format(skill=unknown.name),
                actions=[
                    Action(
                        s.skill.label(ctx.t.locale),
                        f"/competences fusionner {reference} avec {s.skill.slug}",
                    )
                    for s in unknown.suggestions
                ],
            )
        ]
    return [
        ctx.reply(
            ctx._("“{skill}” is replaced with {other}.").format(
                skill=done.proposal.label(ctx.t.locale), other=done.skill.label(ctx.t.locale)
            ),
            ctx.ngettext(
                "The {n} member who declared it has {other} now, at the same level.",
                "The {n} members who declared it have {other} now, at the same level.",
                done.moved,
                zero=N_("Nobody declared it any more."),
            ).format(n=done.moved, other=done.skill.label(ctx.t.locale)),
            actions=[Action(ctx._("Proposed skills"), "/competences proposees")],
        )
    ]


async def _list_or_add(ctx: Context, text: str) -> Reply:
    return await _add(ctx, text) if text else await _list(ctx)


async def _proposals(ctx: Context, _: str) -> Reply:
    return await _proposed(ctx)


_SUBCOMMANDS = Subcommands(
    Sub(("ajouter", "add"), _add),
    Sub(("retirer", "supprimer", "remove"), _remove),
    Sub(("niveau", "level"), _level),
    Sub(("remplacer", "replace"), _replace),
    Sub(("proposees", "proposed"), _proposals),
    Sub(("valider", "validate"), _validate),
    Sub(("fusionner", "merge"), _merge),
    otherwise=_list_or_add,  # `/competences ameli (former)` adds, as `ajouter` does
)


async def skills_command(ctx: Context, args: str) -> Reply:
    """`/competences [ajouter|retirer|niveau …]`: the member's skills."""
    return await _SUBCOMMANDS.run(ctx, args)


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
