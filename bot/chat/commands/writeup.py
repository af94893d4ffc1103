"""Writing a solved case up (`/rediger`), publishing it, and changing it later."""

from __future__ import annotations

from bot.chat.context import Context, Reply
from bot.chat.dialogs import await_answer
from bot.chat.personal_data_views import mask_labels
from bot.chat.request_replies import not_found, request_number
from bot.chat.tutorial_views import entry, personal_data_guard
from bot.chat.types import Action, Outgoing
from bot.core import tutorials
from bot.core.errors import InvalidValue, NotAllowed
from bot.core.tutorial_changes import Field
from bot.core.tutorials import Outcome, TutorialNotFound
from skills import fold
from skills.taxonomy import THEMES

SKIP_WORDS = frozenset(
    {"-", "passer", "skip", "garder", "keep", "garder ce titre", "keep this title"}
)
_STEPS = {
    "probleme": "problem",
    "problem": "problem",
    "etapes": "steps",
    "steps": "steps",
    "solution": "steps",
    "titre": "title",
    "title": "title",
}


async def ask_problem(ctx: Context, request_id: int) -> Outgoing:
    """First question of the write-up: what was the problem."""
    await await_answer(ctx, "rediger", f"{request_id} probleme")
    return ctx.reply(
        ctx._("To help others next time, a short write-up (3 questions)."),
        ctx._("1/3 — What was the problem, in one or two sentences?"),
        actions=[
            Action(ctx._("Skip"), f"/rediger {request_id} probleme passer"),
            Action(ctx._("Later"), "/annuler"),
        ],
    )


async def write_up(ctx: Context, args: str) -> Reply:
    """`/rediger N`: write a solved case up as a tutorial, one short question at a time.

    Each answer is stored as soon as it is typed; "skip" keeps what is there.
    """
    request_id, rest = request_number(args)
    word, _, text = rest.partition(" ")
    step = _STEPS.get(fold(word))
    if step is None:
        return [await ask_problem(ctx, request_id)]
    skipped = not text.strip() or fold(text) in SKIP_WORDS
    services = ctx.services
    try:
        if step == "problem":
            await _write_problem(ctx, request_id, None if skipped else text)
            await await_answer(ctx, "rediger", f"{request_id} etapes")
            return [
                ctx.reply(
                    ctx._("2/3 — How was it solved? Give the steps, one per line."),
                    actions=[
                        Action(ctx._("Skip"), f"/rediger {request_id} etapes passer"),
                        Action(ctx._("Later"), "/annuler"),
                    ],
                )
            ]
        draft = await tutorials.draft_for(services, request_id, ctx.me)
        if draft is None:
            draft_id = await _write_problem(ctx, request_id, None)
        else:
            draft_id = draft.id
        if step == "steps":
            if not skipped:
                await tutorials.edit(
                    services,
                    draft_id,
                    ctx.me,
                    Field.STEPS,
                    text,
                )
            return [await _ask_title(ctx, request_id, draft_id)]
        if not skipped:
            await tutorials.edit(
                services,
                draft_id,
                ctx.me,
                Field.TITLE,
                text,
            )
    except TutorialNotFound:
        return [not_found(ctx, request_id)]
    except NotAllowed:
        return [ctx.reply(ctx._("Request #{n} is not solved yet.").format(n=request_id))]
    return await publish(ctx, draft_id)


async def _write_problem(ctx: Context, request_id: int, text: str | None) -> int:
    services = ctx.services
    return await tutorials.write_problem(
        services,
        request_id,
        ctx.me,
        text,
    )


async def _ask_title(ctx: Context, request_id: int, tutorial_id: int) -> Outgoing:
    tutorial = await tutorials.visible(ctx.services, tutorial_id, ctx.me)
    await await_answer(ctx, "rediger", f"{request_id} titre")
    return ctx.reply(
        ctx._("3/3 — Suggested title: “{title}”.").format(title=tutorial.title),
        ctx._("Write another title, or keep this one."),
        actions=[
            Action(ctx._("Keep this title"), f"/rediger {request_id} titre garder"),
            Action(ctx._("Later"), "/annuler"),
        ],
    )


async def publish(ctx: Context, tutorial_id: int, *, masked: bool = False) -> Reply:
    """Try to publish: personal-data guard, review if required, or published."""
    services = ctx.services
    publication = await tutorials.publish(
        services,
        tutorial_id,
        ctx.me,
        mask_labels=mask_labels(ctx) if masked else None,
    )
    tutorial = publication.tutorial
    n = tutorial.id
    if publication.outcome is Outcome.PERSONAL_DATA:
        return [personal_data_guard(ctx, tutorial, publication.findings)]
    if publication.outcome is Outcome.INCOMPLETE:
        return [
            ctx.reply(
                ctx._("Tutorial #{n} is kept as a draft.").format(n=n),
                ctx._("It needs the problem and at least one step."),
                ctx._("To add the steps: {command}").format(
                    command=ctx.cmd("tuto", ctx._("change {n} steps").format(n=n))
                ),
            )
        ]
    if publication.outcome is Outcome.REVIEW:
        return [
            ctx.reply(
                ctx._("Thank you! Tutorial #{n} is saved.").format(n=n),
                ctx._("A coordinator will read it before it is published."),
            )
        ]
    return [
        ctx.reply(
            ctx._("Thank you! Tutorial #{n} is published.").format(n=n),
            ctx._("Others will find it with {command}").format(command=ctx.cmd("tuto")),
            actions=[Action(ctx._("See it"), f"/tuto {n}")],
        )
    ]


_FIELDS = {
    "titre": Field.TITLE,
    "title": Field.TITLE,
    "probleme": Field.PROBLEM,
    "problem": Field.PROBLEM,
    "etapes": Field.STEPS,
    "steps": Field.STEPS,
    "ajouter": Field.ADD_STEP,
    "add": Field.ADD_STEP,
    "themes": Field.THEMES,
    "public": Field.AUDIENCE,
    "audience": Field.AUDIENCE,
}


async def change(ctx: Context, args: str) -> Reply:
    """`/tuto modifier N [titre|probleme|etapes|ajouter|themes|public] [text]`."""
    tutorial_id, rest = request_number(args)
    word, _, text = rest.partition(" ")
    field = _FIELDS.get(fold(word))
    services = ctx.services
    try:
        tutorial = await tutorials.visible(services, tutorial_id, ctx.me)
        if field is None:
            if tutorial.author_id != ctx.me.id and not tutorials.is_coordinator(ctx.me):
                raise TutorialNotFound(tutorial_id)
            return [_what_to_change(ctx, tutorial_id)]
        if not text.strip():
            await await_answer(ctx, "tuto", f"modifier {tutorial_id} {word}")
            return [ctx.reply(_question(ctx, field), actions=[Action(ctx._("Cancel"), "/annuler")])]
        edited = await tutorials.edit(
            services,
            tutorial_id,
            ctx.me,
            field,
            text,
        )
    except TutorialNotFound:
        return [tutorial_not_found(ctx, tutorial_id)]
    except InvalidValue:
        names = ", ".join(sorted(THEMES))
        return [ctx.reply(ctx._("I know these themes: {names}.").format(names=names))]
    if edited.proposed is not None:
        return [
            ctx.reply(
                ctx._("Your change is saved. A coordinator will read it."),
                ctx._(
                    "Until then, the network reads the approved version of tutorial #{n}."
                ).format(n=tutorial_id),
            ),
            entry(ctx, edited.proposed),
        ]
    if tutorial.published and not edited.tutorial.published:
        return await publish(ctx, tutorial_id)
    return [ctx.reply(ctx._("Changed.")), entry(ctx, edited.tutorial)]


def _question(ctx: Context, field: Field) -> str:
    questions = {
        Field.TITLE: ctx._("Write the new title."),
        Field.PROBLEM: ctx._("Write the problem again, in one or two sentences."),
        Field.STEPS: ctx._("Write all the steps again, one per line."),
        Field.ADD_STEP: ctx._("Write the step to add."),
        Field.THEMES: ctx._("Write the themes, separated by spaces (for example: emploi sante)."),
        Field.AUDIENCE: ctx._(
            "Who is it for? Separate with commas (for example: jeunes, seniors)."
        ),
    }
    return questions[field]


def _what_to_change(ctx: Context, tutorial_id: int) -> Outgoing:
    n = tutorial_id
    return ctx.reply(
        ctx._("What do you want to change in tutorial #{n}?").format(n=n),
        actions=[
            Action(ctx._("Title"), f"/tuto modifier {n} titre"),
            Action(ctx._("Problem"), f"/tuto modifier {n} probleme"),
            Action(ctx._("All the steps"), f"/tuto modifier {n} etapes"),
            Action(ctx._("Add a step"), f"/tuto modifier {n} ajouter"),
        ],
    )


def tutorial_not_found(ctx: Context, tutorial_id: int) -> Outgoing:
    """The same answer for a missing tutorial and one the person may not see or change."""
    return ctx.reply(
        ctx._("I find no tutorial #{n} for you.").format(n=tutorial_id),
        ctx._("To search the tutorials: {command}").format(command=ctx.cmd("tuto", ctx._("words"))),
    )


async def publish_command(ctx: Context, args: str, *, masked: bool = False) -> Reply:
    """`/tuto publier N` (author, or coordinator for a reviewed entry); `/tuto masquer N`."""
    tutorial_id, _ = request_number(args)
    try:
        return await publish(ctx, tutorial_id, masked=masked)
    except TutorialNotFound:
        return [tutorial_not_found(ctx, tutorial_id)]
