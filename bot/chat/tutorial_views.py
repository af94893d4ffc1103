"""How tutorials are shown in chat: a result line, a full entry, the personal-data guard."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.context import Context
from bot.chat.i18n import N_
from bot.chat.personal_data_views import MASK_LABELS, found_lines
from bot.chat.themes import theme_name
from bot.chat.types import Action, Answer, Outgoing
from bot.core.tutorials import FieldFinding, is_coordinator
from bot.core.types import Tutorial, TutorialStatus

STATUS_NOTES = {
    TutorialStatus.DRAFT: N_("draft"),
    TutorialStatus.REVIEW: N_("waiting for review"),
    TutorialStatus.OUTDATED: N_("maybe out of date"),
}
MAX_SHOWN = 5


def result_line(ctx: Context, tutorial: Tutorial) -> str:
    """One search result: number, title, and a note when it is not a plain published entry."""
    note = STATUS_NOTES.get(tutorial.status)
    suffix = f" ({ctx._(note)})" if note else ""
    return f"• #{tutorial.id} {tutorial.title}{suffix}"


def open_actions(ctx: Context, tutorials: Sequence[Tutorial]) -> list[Action]:
    """A button to open each of the first results."""
    return [Action(f"#{t.id}", f"/tuto {t.id}") for t in tutorials[:MAX_SHOWN]]


def skill_names(ctx: Context, tutorial: Tutorial) -> str:
    """The tutorial's skills in the reader's language."""
    french = ctx.t.locale == "fr"
    return ", ".join(s.label_fr if french else s.label_en for s in tutorial.skills)


def entry(ctx: Context, tutorial: Tutorial) -> Outgoing:
    """A whole tutorial, with what the reader can do with it."""
    lines = [f"#{tutorial.id} {tutorial.title}"]
    note = STATUS_NOTES.get(tutorial.status)
    if note:
        lines.append(ctx._("Status: {status}.").format(status=ctx._(note)))
    lines.append(ctx._("Problem: {text}").format(text=tutorial.problem))
    if tutorial.steps:
        lines.append(ctx._("Steps:"))
        lines.extend(f"{n}. {step}" for n, step in enumerate(tutorial.steps, start=1))
    else:
        lines.append(ctx._("No steps yet."))
    if tutorial.skills:
        lines.append(ctx._("Skills: {names}").format(names=skill_names(ctx, tutorial)))
    if tutorial.themes:
        names = ", ".join(theme_name(ctx.t, theme) for theme in tutorial.themes)
        lines.append(ctx._("Themes: {names}").format(names=names))
    authors = ", ".join(tutorial.authors) or ctx._("a member of the network")
    lines.append(
        ctx._("Written by {names}. Licence {licence}.").format(
            names=authors, licence=tutorial.licence
        )
    )
    if tutorial.helped_count:
        lines.append(
            ctx.ngettext(
                "It helped {n} person.", "It helped {n} people.", tutorial.helped_count
            ).format(n=tutorial.helped_count)
        )
    return ctx.reply(*lines, actions=entry_actions(ctx, tutorial))


def entry_actions(ctx: Context, tutorial: Tutorial) -> list[Action]:
    """Buttons under a tutorial: feedback for readers, changes for its author."""
    n = tutorial.id
    actions: list[Action] = []
    if tutorial.published:
        actions += [
            Action(ctx._("It helped me"), f"/tuto merci {n}"),
            Action(ctx._("Out of date?"), f"/tuto signaler {n}"),
        ]
    can_change = tutorial.author_id == ctx.me.id or is_coordinator(ctx.me)
    if can_change:
        actions.append(Action(ctx._("Change"), f"/tuto modifier {n}"))
    if can_change and not tutorial.published:
        actions.append(Action(ctx._("Publish"), f"/tuto publier {n}"))
    return actions


def personal_data_guard(
    ctx: Context, tutorial: Tutorial, findings: Sequence[FieldFinding]
) -> Outgoing:
    """Publication stopped: what looks personal, and the choice to mask it or edit."""
    lines = [
        ctx._("Before publishing tutorial #{n}: I found personal data.").format(n=tutorial.id),
    ]
    lines.extend(found_lines(ctx, [found.finding for found in findings]))
    example = ctx._(MASK_LABELS[findings[0].finding.kind])
    lines.append(
        ctx._("I can hide it (it becomes {label}), or you can change the text.").format(
            label=example
        )
    )
    return ctx.reply(
        *lines,
        actions=[
            Action(ctx._("Hide and publish"), f"/tuto masquer {tutorial.id}"),
            Action(ctx._("Change the text"), f"/tuto modifier {tutorial.id}"),
            Action(ctx._("Later"), "/annuler"),
        ],
    )


def suggestions(
    ctx: Context, found: Sequence[Tutorial], request_id: int, *, post_anyway: bool = True
) -> Outgoing:
    """Before a request is posted: tutorials that may already answer it.

    Without `post_anyway`, the way to send the request is offered elsewhere (by the
    personal-data question, so that the person is asked once).
    """
    lines = [ctx._("This may already help you:")]
    lines.extend(result_line(ctx, tutorial) for tutorial in found)
    lines.append(ctx._("To read one: {command}").format(command=ctx.cmd("tuto", ctx._("number"))))
    lines.append(
        ctx._("Your request #{n} is kept as a draft until you choose.").format(n=request_id)
    )
    actions = [
        Action(
            ctx._("#{n} helped me").format(n=tutorial.id), f"/tuto aide {tutorial.id} {request_id}"
        )
        for tutorial in found
    ]
    if post_anyway:
        actions.append(Action(ctx._("Post anyway"), f"/envoyer {request_id}", Answer.YES))
    return ctx.reply(*lines, actions=actions, about=request_id)
