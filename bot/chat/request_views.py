"""How a help request is shown: to its author, to a helper, in lists."""

from __future__ import annotations

from bot.chat.context import Context
from bot.chat.i18n import N_
from bot.chat.text import shorten
from bot.chat.types import Action
from bot.chat.wording import STATUS_NAMES, URGENCY_KEYWORDS, URGENCY_NAMES
from bot.core.pii import PiiKind
from bot.core.types import HelpRequest, Urgency

PII_NAMES = {
    PiiKind.PHONE: N_("a phone number"),
    PiiKind.EMAIL: N_("an e-mail address"),
    PiiKind.NIR: N_("a social security number"),
    PiiKind.IBAN: N_("a bank account number (IBAN)"),
    PiiKind.ADDRESS: N_("a postal address"),
    PiiKind.NAME: N_("a person's full name"),
}

PREVIEW_LENGTH = 80


def number(request: HelpRequest) -> str:
    """How a request is always named: `#N`."""
    return f"#{request.id}"


def skills_line(ctx: Context, request: HelpRequest) -> str:
    """The skills the request needs, or that none was recognised."""
    if not request.skills:
        return ctx._("No precise skill recognised.")
    labels = ", ".join(skill.label(ctx.t.locale) for skill in request.skills)
    return ctx._("Skills: {skills}.").format(skills=labels)


def urgency_line(ctx: Context, request: HelpRequest) -> str:
    """The request's urgency."""
    return ctx._("Urgency: {urgency}.").format(urgency=ctx._(URGENCY_NAMES[request.urgency]))


def quoted(text: str | None) -> str:
    """A person's words, quoted."""
    return f"« {text} »" if text else "« … »"


def privacy_warning(ctx: Context, found: list[PiiKind]) -> list[str]:
    """The gentle warning shown when a request seems to hold someone's personal data."""
    if not found:
        return []
    what = ", ".join(ctx._(PII_NAMES[kind]) for kind in found)
    return [
        ctx._("Careful: your message seems to contain {what}.").format(what=what),
        ctx._("Avoid writing the personal data of the people you support."),
    ]


def author_actions(ctx: Context, request: HelpRequest) -> list[Action]:
    """What the author can change right after asking."""
    actions = [
        Action(
            ctx._("Urgency: {urgency}").format(urgency=ctx._(URGENCY_NAMES[urgency])),
            f"/demande {request.id} urgence {URGENCY_KEYWORDS[urgency]}",
        )
        for urgency in Urgency
        if urgency is not request.urgency
    ]
    actions.append(Action(ctx._("Correct the skills"), f"/demande {request.id} competences"))
    actions.append(Action(ctx._("Cancel the request"), f"/annuler {request.id}"))
    return actions


def summary_line(ctx: Context, request: HelpRequest) -> str:
    """One line of a list: number, state, start of the text."""
    return "• {number} — {status} — {text}".format(
        number=number(request),
        status=ctx._(STATUS_NAMES[request.status]),
        text=shorten(request.text or "…", PREVIEW_LENGTH).replace("\n", " "),
    )


def offer_lines(ctx: Context, request: HelpRequest) -> list[str]:
    """What a helper is shown when a request is offered or given to them."""
    who = request.author_name or ctx._("a member")
    if request.author_structure:
        who = ctx._("{name} ({structure})").format(name=who, structure=request.author_structure)
    return [
        ctx._("Request {number} from {who}:").format(number=number(request), who=who),
        quoted(request.text),
        skills_line(ctx, request),
        urgency_line(ctx, request),
    ]
