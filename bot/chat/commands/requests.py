"""Asking for help: `/demande`, drafts from plain messages, corrections, `/mesdemandes`."""

from __future__ import annotations

from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.dialogs import await_answer
from bot.chat.i18n import N_
from bot.chat.request_views import (
    author_actions,
    number,
    offer_lines,
    privacy_warning,
    skills_line,
    summary_line,
    urgency_line,
)
from bot.chat.tutorial_views import suggestions
from bot.chat.types import Action, Answer, Outgoing
from bot.chat.wording import STATUS_NAMES, URGENCY_WORDS, help_hint
from bot.core import claims, requests, tutorial_search
from bot.core.errors import RequestNotFound
from bot.core.matching import Progress, Step
from bot.core.request_states import IllegalTransition
from bot.core.types import HelpRequest, RequestStatus
from skills import fold


def not_found(ctx: Context, request_id: int | str) -> Outgoing:
    """The same answer for a missing request and one the person may not see."""
    return ctx.reply(
        ctx._("I find no request #{n} for you.").format(n=request_id),
        ctx._("Your requests: {command}").format(command=ctx.cmd("mesdemandes")),
    )


def wrong_state(ctx: Context, request_id: int, status: RequestStatus) -> Outgoing:
    """Refusal of an action the request's state does not allow."""
    return ctx.reply(
        ctx._("Request #{n} is {status}: this is not possible now.").format(
            n=request_id, status=ctx._(STATUS_NAMES[status])
        ),
        ctx._("Your requests: {command}").format(command=ctx.cmd("mesdemandes")),
    )


def request_number(text: str) -> tuple[int, str]:
    """Split `12 rest` (or `#12 rest`) into the number and the rest; UsageError otherwise."""
    head, _, rest = text.strip().partition(" ")
    head = head.lstrip("#")
    if not head.isdigit() or len(head) > 9:
        raise UsageError
    return int(head), rest.strip()


def progress_lines(ctx: Context, progress: Progress | None) -> list[str]:
    """What matching did, told to the author."""
    if progress is None:
        return []
    if progress.step is Step.OFFERED:
        return [
            ctx.ngettext(
                "I offered it to {n} person who knows this.",
                "I offered it to {n} people who know this.",
                progress.offered,
            ).format(n=progress.offered),
            ctx._("I will tell you as soon as someone takes it."),
        ]
    if progress.step is Step.DEFERRED:
        return [
            ctx._(
                "It is outside working hours: I will offer it at the start of the next working day."
            ),
            ctx._("If it is urgent, choose “today” below."),
        ]
    if progress.step is Step.NO_HELPER:
        return [
            ctx._("Nobody in the network has declared these skills yet."),
            ctx._("I told the coordination; your request stays open."),
        ]
    return []


def stored(ctx: Context, submitted: requests.Submitted) -> Outgoing:
    """The answer to a new request: stored, understood, offered."""
    request = submitted.request
    return ctx.reply(
        ctx._("Your request {number} is recorded.").format(number=number(request)),
        skills_line(ctx, request),
        urgency_line(ctx, request),
        *privacy_warning(ctx, submitted.personal_data),
        *progress_lines(ctx, submitted.progress),
        actions=author_actions(ctx, request),
    )


MIN_WORDS = 2


async def ask_from_text(ctx: Context, text: str) -> Reply:
    """A plain message in a private chat: kept as a draft, the person confirms it is a request."""
    if sum(any(ch.isalpha() for ch in word) for word in text.split()) < MIN_WORDS:
        return [
            ctx.reply(
                ctx._("I did not understand."),
                ctx._("To ask the network for help, describe your need in a sentence."),
                help_hint(ctx),
            )
        ]
    services = ctx.services
    draft = await requests.latest_draft(services.uow, services.clock, ctx.me)
    if draft is not None:
        submitted = await requests.add_to_draft(
            services.uow, services.clock, services.matcher, draft, text
        )
        first = ctx._("I added this to your draft {number}.").format(number=number(draft))
    else:
        submitted = await requests.ask(
            services.uow,
            services.clock,
            services.matcher,
            services.requests,
            ctx.me,
            text,
            draft=True,
        )
        first = ctx._("I kept your message.")
    request = submitted.request
    reply = [
        ctx.reply(
            first,
            ctx._("Shall I make it a help request for the network?"),
            *privacy_warning(ctx, submitted.personal_data),
            actions=[
                Action(ctx._("Yes, send it"), f"/envoyer {request.id}", Answer.YES),
                Action(ctx._("No"), f"/annuler {request.id}"),
            ],
        )
    ]
    found = await tutorial_search.suggest(services.uow, request.text or text)
    if found:
        reply.append(suggestions(ctx, found, request.id))
    return reply


async def send_draft(ctx: Context, args: str) -> Reply:
    """`/envoyer N`: send a draft as a help request."""
    request_id, _ = request_number(args)
    services = ctx.services
    try:
        submitted = await requests.send_draft(
            services.uow, services.clock, services.requests, ctx.me, request_id
        )
    except RequestNotFound:
        return [not_found(ctx, request_id)]
    except IllegalTransition as illegal:
        return [wrong_state(ctx, request_id, illegal.status)]
    return [stored(ctx, submitted)]


async def request_command(ctx: Context, args: str) -> Reply:
    """`/demande TEXT` asks; `/demande N` shows; `/demande N urgence|competences …` corrects."""
    if not args:
        await await_answer(ctx, "demande")
        return [
            ctx.reply(
                ctx._("Describe what you need help with, in a few sentences."),
                actions=[Action(ctx._("Cancel"), "/annuler")],
            )
        ]
    head, _, rest = args.partition(" ")
    if head.lstrip("#").isdigit() and (not rest or fold(rest.split()[0]) in _EDITS):
        return await _show_or_edit(ctx, int(head.lstrip("#")), rest)
    services = ctx.services
    asked = await requests.ask_or_suggest(
        services.uow, services.clock, services.matcher, services.requests, ctx.me, args
    )
    if asked.submitted is None:  # kept as a draft: these tutorials may already answer it
        return [suggestions(ctx, asked.suggestions, asked.request_id)]
    return [stored(ctx, asked.submitted)]


_EDITS = {"urgence": "urgency", "urgency": "urgency", "competences": "skills", "skills": "skills"}


async def _show_or_edit(ctx: Context, request_id: int, rest: str) -> Reply:
    services = ctx.services
    try:
        request = await requests.visible(services.uow, request_id, ctx.me)
    except RequestNotFound:
        return [not_found(ctx, request_id)]
    if not rest:
        return [show(ctx, request)]
    word, _, value = rest.partition(" ")
    if request.author_id != ctx.me.id:
        return [not_found(ctx, request_id)]
    if _EDITS[fold(word)] == "urgency":
        urgency = URGENCY_WORDS.get(fold(value).replace(" ", ""), URGENCY_WORDS.get(fold(value)))
        if urgency is None:
            raise UsageError
        updated = await requests.set_urgency(
            services.uow, services.clock, services.requests, request_id, ctx.me, urgency
        )
        return [ctx.reply(urgency_line(ctx, updated), actions=author_actions(ctx, updated))]
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
        services.uow,
        services.clock,
        services.matcher,
        services.requests,
        request_id,
        ctx.me,
        value,
    )
    return [ctx.reply(skills_line(ctx, updated), actions=author_actions(ctx, updated))]


async def cancel_request(ctx: Context, args: str) -> Reply:
    """`/annuler N`: the author cancels their request (a draft is simply dropped)."""
    request_id, _ = request_number(args)
    try:
        request = await claims.cancel(ctx.services.uow, ctx.services.clock, request_id, ctx.me)
    except RequestNotFound:
        return [not_found(ctx, request_id)]
    except IllegalTransition as illegal:
        return [wrong_state(ctx, request_id, illegal.status)]
    return [
        ctx.reply(
            ctx._("Request #{n} is cancelled.").format(n=request.id),
            ctx._("To open it again: {command}").format(
                command=ctx.cmd("relancer", str(request.id))
            ),
        )
    ]


def show(ctx: Context, request: HelpRequest) -> Outgoing:
    """A request in full, for someone allowed to read it."""
    lines = [*offer_lines(ctx, request)]
    lines.append(ctx._("State: {status}.").format(status=ctx._(STATUS_NAMES[request.status])))
    if request.helper_name:
        lines.append(ctx._("Taken by {name}.").format(name=request.helper_name))
    return ctx.reply(*lines)


async def my_requests(ctx: Context, args: str) -> Reply:
    """`/mesdemandes`: one's requests and claims, with their state and next action."""
    mine = await requests.mine(ctx.services.uow, ctx.me)
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
    ),
    Command(
        "mesdemandes",
        "myrequests",
        my_requests,
        summary=N_("your requests and the ones you help with"),
        usage="",
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
