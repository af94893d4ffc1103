"""The member's profile: name, structure, language."""

from __future__ import annotations

from bot.chat.commands.onboarding import ask_structure, next_onboarding_step
from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.dialogs import await_answer
from bot.chat.i18n import LOCALES, N_, pick_locale
from bot.chat.types import Action
from bot.chat.wording import LANGUAGE_NAMES, ROLE_NAMES
from bot.core import members
from bot.core.errors import NameProblem, NameRefused, UnknownStructure


async def show_profile(ctx: Context, args: str) -> Reply:
    """`/profil`: what the network knows of the member, with the ways to change it."""
    member = ctx.me
    other_locale = "en" if ctx.t.locale == "fr" else "fr"
    return [
        ctx.reply(
            ctx._("Name: {name}").format(name=member.display_name),
            ctx._("Structure: {structure}").format(
                structure=member.structure_name or ctx._("not set")
            ),
            ctx._("Role: {role}").format(role=ctx._(ROLE_NAMES[member.role])),
            ctx._("Language: {language}").format(language=LANGUAGE_NAMES[ctx.t.locale]),
            actions=[
                Action(ctx._("Change my name"), "/nom"),
                Action(ctx._("Change structure"), "/structure"),
                Action(LANGUAGE_NAMES[other_locale], f"/langue {other_locale}"),
            ],
        )
    ]


_NAME_PROBLEMS = {
    NameProblem.EMPTY: N_("This name is empty."),
    NameProblem.TOO_LONG: N_("This name is too long: 60 characters at most."),
    NameProblem.INVISIBLE: N_("This name cannot be read: it has no visible letter."),
    NameProblem.COORDINATOR: N_("A coordinator of the network already has this name."),
}


async def change_name(ctx: Context, args: str) -> Reply:
    """`/nom NAME`: the name the network sees."""
    if not args:
        await await_answer(ctx, "nom")
        return [
            ctx.reply(
                ctx._("What name should the network see? Write it below."),
                actions=[Action(ctx._("Cancel"), "/annuler")],
            )
        ]
    try:
        member = await members.rename(ctx.services, ctx.me.id, args)
    except NameRefused as refused:
        return [
            ctx.reply(ctx._(_NAME_PROBLEMS[refused.problem]), ctx._("Please write another name."))
        ]
    return [
        ctx.reply(
            ctx._("Done. The network now sees you as {name}.").format(name=member.display_name)
        )
    ]


async def change_structure(ctx: Context, args: str) -> Reply:
    """`/structure NAME`: the partner structure the member works in."""
    if not args:
        return [await ask_structure(ctx, ctx._("Which structure do you work in?"))]
    try:
        member = await members.set_structure(ctx.services, ctx.me.id, args)
    except UnknownStructure:
        return [await ask_structure(ctx, ctx._("I don't know this structure."))]
    ctx = ctx.as_member(member)
    done = ctx.reply(
        ctx._("Done. You are now with {structure}.").format(structure=member.structure_name)
    )
    return [done, *await next_onboarding_step(ctx, member)]


async def change_language(ctx: Context, args: str) -> Reply:
    """`/langue fr|en`: the language the bot uses with the member."""
    wanted = args.strip().lower()
    if not wanted:
        return [
            ctx.reply(
                ctx._("Which language do you prefer?"),
                actions=[Action(LANGUAGE_NAMES[code], f"/langue {code}") for code in LOCALES],
            )
        ]
    aliases = {
        "francais": "fr",
        "français": "fr",
        "french": "fr",
        "anglais": "en",
        "english": "en",
    }
    locale = pick_locale(aliases.get(wanted, wanted))
    if aliases.get(wanted, wanted) not in LOCALES:
        raise UsageError
    member = await members.set_locale(ctx.services, ctx.me.id, locale)
    if ctx.services.member_changed is not None:
        await ctx.services.member_changed(member)
    ctx = ctx.as_member(member)
    return [ctx.reply(ctx._("Done. I will write to you in English."))]


COMMANDS = (
    Command(
        "profil",
        "profile",
        show_profile,
        summary=N_("your name, structure and language"),
        usage="",
    ),
    Command(
        "nom",
        "name",
        change_name,
        summary=N_("change the name the network sees"),
        usage=N_("[your name]"),
        example="Amina B.",
        in_help=False,
    ),
    Command(
        "structure",
        "organisation",
        change_structure,
        summary=N_("change your structure"),
        usage=N_("[structure name]"),
        example="Mission locale",
        in_help=False,
    ),
    Command(
        "langue",
        "language",
        change_language,
        summary=N_("change language (fr or en)"),
        usage="fr|en",
        example="en",
        in_help=False,
    ),
)
