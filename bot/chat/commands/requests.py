"""Asking for help: `/demande`, drafts from plain messages, corrections, `/mesdemandes`."""

from __future__ import annotations

from dataclasses import replace

from bot.chat.confirmations import Ending, ask, confirmed
from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.dialogs import await_answer
from bot.chat.file_views import file_lines
from bot.chat.i18n import N_
from bot.chat.personal_data_views import (
    CHANGE_WORDS,
    CHOICE_WORDS,
    found_lines,
    mask_labels,
    request_choices,
    request_question,
)
from bot.chat.request_replies import (
    not_found,
    progress_lines,
    request_number,
    too_long,
    wrong_state,
)
from bot.chat.request_views import (
    author_actions,
    number,
    offer_lines,
    skills_line,
    summary_line,
    urgency_line,
)
from bot.chat.tutorial_views import suggestions
from bot.chat.types import Action, Answer, Outgoing
from bot.chat.wording import STATUS_NAMES, URGENCY_WORDS, help_hint
from bot.core import claims, requests, tutorial_search
from bot.core.guard import Decision, TooLong, fingerprint
from bot.core.numbers import ascii_number
from bot.core.places import PlaceHint
from bot.core.request_states import IllegalTransition, is_active
from bot.core.types import HelpRequest, OfferState, RequestStatus
from skills import fold


def stored(ctx: Context, submitted: requests.Submitted) -> Outgoing:
    """The answer to a new request: stored, understood, offered (and a nearby place that
    offers what it is about, if there is one)."""
    request = submitted.request
    return ctx.reply(
        ctx._("Your request {number} is recorded.").format(number=number(request)),
        *file_lines(ctx, submitted.files, submitted.placed),
        skills_line(ctx, request),
        urgency_line(ctx, request),
        *progress_lines(ctx, submitted.progress),
        place_hint_line(ctx, submitted.nearby),
        actions=author_actions(ctx, request),
        about=request.id,
    )


def place_hint_line(ctx: Context, hint: PlaceHint | None) -> str:
    """ "A nearby place can also welcome the person: /orienter …" ("" without a hint)."""
    if hint is None:
        return ""
    return ctx._("A nearby place can also welcome the person: {command}").format(
        command=ctx.cmd("orienter", f"{hint.need_word} {hint.where}")
    )


MIN_WORDS = 2


async def ask_from_text(ctx: Context, text: str) -> Reply:
    """A plain message in a private chat: kept as a draft, the person confirms it is a request
    (and, when it seems to hold personal data, chooses what to do with it in the same step)."""
    if sum(any(ch.isalpha() for ch in word) for word in text.split()) < MIN_WORDS:
        return [
            ctx.reply(
                ctx._("I did not understand."),
                ctx._("To ask the network for help, describe your need in a sentence."),
                help_hint(ctx),
            )
        ]
    services = ctx.services
    draft = await requests.latest_draft(services, ctx.me)
    try:
        if draft is not None:
            submitted = await requests.add_to_draft(services, draft, text)
            first = ctx._("I added this to your draft {number}.").format(number=number(draft))
        else:
            submitted = await requests.ask(
                services,
                ctx.me,
                text,
                draft=True,
            )
            first = ctx._("I kept your message.")
    except TooLong as error:
        return [_draft_too_long(ctx, error, draft)]
    request = submitted.request
    if submitted.findings:
        held = requests.Held(request, submitted.findings)
        question = ctx.reply(
            first,
            ctx._("Shall I make it a help request for the network?"),
            ctx._("Check this first: I found personal data."),
            *found_lines(ctx, submitted.findings),
            ctx._("I can hide it, or you can change the text."),
            actions=[
                *request_choices(ctx, request.id, held.fingerprint),
                Action(ctx._("No"), f"/annuler {request.id}"),
            ],
        )
    else:
        question = ctx.reply(
            first,
            *file_lines(ctx, submitted.files, submitted.placed),
            ctx._("Shall I make it a help request for the network?"),
            actions=[
                Action(ctx._("Yes, send it"), f"/envoyer {request.id}", Answer.YES),
                Action(ctx._("No"), f"/annuler {request.id}"),
            ],
            about=request.id,
        )
    reply = [question]
    found = await tutorial_search.suggest(services, request.text or text)
    if found:
        reply.append(suggestions(ctx, found, request.id, post_anyway=not submitted.findings))
    return reply


def _draft_too_long(ctx: Context, error: TooLong, draft: HelpRequest | None) -> Outgoing:
    if draft is None:
        return too_long(ctx, error)
    return ctx.reply(
        ctx._("I cannot add this: your draft {number} would be too long.").format(
            number=number(draft)
        ),
        ctx._("A request has {limit} characters at most.").format(
            limit=f"{error.limit:,}".replace(",", "\u202f")
        ),
        actions=[
            Action(ctx._("Send #{n}").format(n=draft.id), f"/envoyer {draft.id}"),
            Action(ctx._("Cancel the request"), f"/annuler {draft.id}"),
        ],
    )


def _decision(ctx: Context, rest: str) -> Decision | None:
    """The author's choice after `/envoyer N`: `masquer|telquel [fingerprint]`; UsageError
    for another word."""
    words = rest.split()
    if not words:
        return None
    choice = CHOICE_WORDS.get(fold(words[0]).replace(" ", ""))
    if choice is None:
        raise UsageError
    seen = words[1] if len(words) > 1 else None
    return Decision(choice, mask_labels(ctx), seen)


async def send_draft(ctx: Context, args: str) -> Reply:
    """`/envoyer N [masquer|telquel]`: send a draft as a help request (asked first when it
    seems to hold personal data)."""
    request_id, rest = request_number(args)
    decision = _decision(ctx, rest)
    services = ctx.services
    try:
        outcome = await requests.send_draft(
            services,
            ctx.me,
            request_id,
            decision,
        )
    except IllegalTransition as illegal:
        if is_active(illegal.status) or illegal.status in (
            RequestStatus.RESOLVED,
            RequestStatus.CLOSED,
        ):
            return [already_sent(ctx, request_id)]
        return [wrong_state(ctx, request_id, illegal.status)]
    if isinstance(outcome, requests.Held):
        lines = []
        if decision is not None:  # an old button: the text changed since the question
            lines.append(ctx._("Your request #{n} has changed since.").format(n=request_id))
        question = request_question(ctx, request_id, outcome.findings, outcome.fingerprint)
        return [replace(question, text="\n".join([*lines, question.text]))]
    return [stored(ctx, outcome)]


def already_sent(ctx: Context, request_id: int) -> Outgoing:
    """A second press on a send button: the request already left."""
    return ctx.reply(
        ctx._("Request #{n} is already sent: nothing more to do.").format(n=request_id),
        ctx._("To see it: {command}").format(command=ctx.cmd("demande", str(request_id))),
    )


async def request_command(ctx: Context, args: str) -> Reply:
    """`/demande TEXT` asks; `/demande N` shows; `/demande N urgence|competences …` corrects;
    `/demande N modifier` rewrites a draft."""
    if not args:
        await await_answer(ctx, "demande")
        return [
            ctx.reply(
                ctx._("Describe what you need help with, in a few sentences."),
                actions=[Action(ctx._("Cancel"), "/annuler")],
            )
        ]
    head, _, rest = args.partition(" ")
    if ascii_number(head) is not None and (not rest or fold(rest.split()[0]) in _EDITS):
        return await _show_or_edit(ctx, request_number(head)[0], rest)
    services = ctx.services
    try:
        asked = await requests.ask_or_suggest(
            services,
            ctx.me,
            args,
        )
    except TooLong as error:
        return [too_long(ctx, error)]
    if asked.findings:  # one question: the personal data, and the tutorials if any
        seen = fingerprint(asked.text)
        reply = [request_question(ctx, asked.request_id, asked.findings, seen)]
        if asked.suggestions:
            reply.append(suggestions(ctx, asked.suggestions, asked.request_id, post_anyway=False))
        return reply
    if asked.submitted is None:  # kept as a draft: these tutorials may already answer it
        found = suggestions(ctx, asked.suggestions, asked.request_id)
        if asked.placed.files:
            return [ctx.reply(*file_lines(ctx, asked.placed.files, asked.placed)), found]
        return [found]
    return [stored(ctx, asked.submitted)]


_EDITS = {
    "urgence": "urgency",
    "urgency": "urgency",
    "competences": "skills",
    "skills": "skills",
    **{word: "text" for word in (*CHANGE_WORDS, "texte", "text")},
}


async def _show_or_edit(ctx: Context, request_id: int, rest: str) -> Reply:
    services = ctx.services
    request = await requests.visible(services, request_id, ctx.me)
    if not rest:
        if request.author_id != ctx.me.id:
            return [show(ctx, request)]
        shown = await requests.shown_to(services, request_id, ctx.me)
        return [show(ctx, request, shown_line(ctx, shown))]
    word, _, value = rest.partition(" ")
    if request.author_id != ctx.me.id:
        return [not_found(ctx, request_id)]
    if _EDITS[fold(word)] == "text":
        return await _rewrite(ctx, request, value)
    if _EDITS[fold(word)] == "urgency":
        urgency = URGENCY_WORDS.get(fold(value).replace(" ", ""), URGENCY_WORDS.get(fold(value)))
        if urgency is None:
            raise UsageError
        updated = await requests.set_urgency(services, request_id, ctx.me, urgency)
        return [
            ctx.reply(
                urgency_line(ctx, updated), actions=author_actions(ctx, updated), about=request_id
            )
        ]
    if not value.strip():
        await await_answer(ctx, "demande", f"{request_id} competences")
        return [
            ctx.reply(
                skills_line(ctx, request),
                ctx._("Write the right skills, separated by commas."),
                actions=[Action(ctx._("Cancel"), "/annuler")],
            )
        ]
    updated = await requests.set_skills(
        services,
        request_id,
        ctx.me,
        value,
    )
    return [
        ctx.reply(skills_line(ctx, updated), actions=author_actions(ctx, updated), about=request_id)
    ]


async def _rewrite(ctx: Context, request: HelpRequest, text: str) -> Reply:
    """`/demande N modifier [TEXT]`: the author changes a draft's text, then it is sent (or
    asked about again)."""
    if request.status is not RequestStatus.DRAFT:
        return [already_sent(ctx, request.id)]
    if not text.strip():
        await await_answer(ctx, "demande", f"{request.id} texte")
        return [
            ctx.reply(
                ctx._("Write the new text of your request #{n}.").format(n=request.id),
                ctx._("Without the personal data of the people you support."),
                actions=[Action(ctx._("Cancel"), "/annuler")],
            )
        ]
    services = ctx.services
    try:
        await requests.rewrite_draft(services, ctx.me, request.id, text.strip())
    except TooLong as error:
        return [too_long(ctx, error)]
    except IllegalTransition:
        return [already_sent(ctx, request.id)]
    return await send_draft(ctx, str(request.id))


async def cancel_request(ctx: Context, args: str) -> Reply:
    """`/annuler N`: the author cancels their request, once they said yes to the question
    naming it (`/annuler N oui`)."""
    request_id, rest = request_number(args)
    if not confirmed(rest):
        return [await ask(ctx, Ending.CANCEL, request_id, f"/annuler {request_id}")]
    request = await claims.cancel(ctx.services, request_id, ctx.me)
    return [
        ctx.reply(
            ctx._("Request #{n} is cancelled.").format(n=request.id),
            ctx._("To open it again: {command}").format(
                command=ctx.cmd("relancer", str(request.id))
            ),
            about=request.id,
        )
    ]


def show(ctx: Context, request: HelpRequest, *more: str) -> Outgoing:
    """A request in full, for someone allowed to read it."""
    lines = [*offer_lines(ctx, request)]
    lines.append(ctx._("State: {status}.").format(status=ctx._(STATUS_NAMES[request.status])))
    if request.helper_name:
        lines.append(ctx._("Taken by {name}.").format(name=request.helper_name))
    return ctx.reply(*lines, *more)


_OFFER_NOTES = {
    OfferState.DECLINED: N_("declined"),
    OfferState.RELEASED: N_("gave it back"),
    OfferState.ACCEPTED: N_("took it"),
}


def shown_line(ctx: Context, shown: list[tuple[str, OfferState]]) -> str:
    """To whom the author's request was shown (offered), for its author."""
    if not shown:
        return ctx._("Shown to nobody yet.")
    names = ", ".join(
        name + (f" ({ctx._(_OFFER_NOTES[state])})" if state in _OFFER_NOTES else "")
        for name, state in shown
    )
    return ctx._("Shown to: {names}.").format(names=names)


async def my_requests(ctx: Context, args: str) -> Reply:
    """`/mesdemandes`: one's requests and claims, with their state and next action;
    `/mesdemandes N`: one of them, and (to its author) to whom it was shown."""
    if args.strip():
        request_id, _ = request_number(args)
        return await _show_or_edit(ctx, request_id, "")
    mine = await requests.mine(ctx.services, ctx.me)
    asked = [r for r in mine if r.author_id == ctx.me.id]
    helping = [r for r in mine if r.helper_id == ctx.me.id]
    if not asked and not helping:
        return [
            ctx.reply(
                ctx._("You have no request yet."),
                ctx._("To ask for help: {command}").format(
                    command=ctx.cmd("demande", ctx._("your question"))
                ),
            )
        ]
    lines: list[str] = []
    actions: list[Action] = []
    if asked:
        lines.append(ctx._("Your requests:"))
        lines.extend(summary_line(ctx, r) for r in asked)
    if helping:
        lines.append(ctx._("Requests you are helping with:"))
        lines.extend(summary_line(ctx, r) for r in helping)
    for request in helping:
        if request.status is RequestStatus.CLAIMED:
            actions.append(
                Action(ctx._("#{n} solved").format(n=request.id), f"/resolu {request.id}")
            )
    for request in asked:
        if request.status is RequestStatus.RESOLVED:
            actions.append(
                Action(
                    ctx._("Confirm #{n}").format(n=request.id),
                    f"/confirmer {request.id}",
                    Answer.YES,
                )
            )
        if request.status is RequestStatus.DRAFT:
            actions.append(
                Action(
                    ctx._("Send #{n}").format(n=request.id), f"/envoyer {request.id}", Answer.YES
                )
            )
    return [ctx.reply(*lines, actions=actions[:6])]


COMMANDS = (
    Command(
        "demande",
        "request",
        request_command,
        summary=N_("ask the network for help"),
        usage=N_("your question, in a few sentences"),
        example=N_("how to create an ameli account for a young person?"),
    ),
    Command(
        "mesdemandes",
        "myrequests",
        my_requests,
        summary=N_("your requests and the ones you help with"),
        usage=N_("[N]"),
        example="12",
    ),
    Command(
        "envoyer",
        "send",
        send_draft,
        summary=N_("send a draft as a request"),
        usage=N_("N"),
        in_help=False,
    ),
)
