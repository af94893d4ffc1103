"""Messages the bot sends on its own (from the outbox), worded for their recipient.

A notification is stored as a kind and a few ids; it is worded here, at delivery time, in
the recipient's current language and with live data. One that no longer makes sense (an
offer for a request already taken) renders to None and is skipped. Every notification asks
for the person's attention (their device notifies them) except the kinds in `QUIET_KINDS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from bot.chat import operations_notices, tutorial_notices
from bot.chat.commands.followup import digest_message, weak_spot_lines
from bot.chat.context import Context
from bot.chat.file_views import as_attachments
from bot.chat.i18n import translator
from bot.chat.outcomes import outcome_message
from bot.chat.request_views import number, offer_lines, quoted, skills_line, urgency_line
from bot.chat.session_views import ics, rsvp_actions, session_lines
from bot.chat.types import Action, Answer, Attention, Incoming, Outgoing
from bot.chat.wording import help_hint, resumed_notice, who
from bot.core import (
    attachments,
    choices,
    conversation,
    digest,
    outbox,
    requests,
    routes,
    sessions,
    tutorials,
)
from bot.core.choices import Outcome
from bot.core.periodic import JOB_FAILED
from bot.core.request_states import is_active
from bot.core.services import Services
from bot.core.sessions import SessionProblem
from bot.core.tutorial_revisions import TUTORIAL_CHANGE
from bot.core.types import (
    ExchangeSession,
    HelpRequest,
    Member,
    OutboxMessage,
    RequestStatus,
    SessionStatus,
)

Renderer = Callable[[Context, OutboxMessage, HelpRequest | None], Awaitable[Outgoing | None]]


def _context(services: Services, recipient: Member | None, platform: str, prefix: str) -> Context:
    incoming = Incoming(platform=platform, user_id="", chat_id="", text="", command_prefix=prefix)
    locale = recipient.locale if recipient else services.default_locale
    return Context(incoming, recipient, services, translator(locale), _names)


def _names(name: str, locale: str) -> str:
    return name


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


async def render(
    services: Services, recipient: Member, message: OutboxMessage, platform: str, prefix: str
) -> Outgoing | None:
    """Word a queued message for its recipient; None when it should not be sent any more."""
    ctx = _context(services, recipient, platform, prefix)
    request_id = message.params.get("request_id")
    request = await requests.load(services.uow, request_id) if isinstance(request_id, int) else None
    renderer = _RENDERERS.get(message.kind)
    if renderer is None:
        return None
    rendered = await renderer(ctx, message, request)
    if rendered is not None and message.kind in QUIET_KINDS:
        return replace(rendered, attention=Attention.QUIET)
    return rendered


async def render_for_chat(
    services: Services,
    message: OutboxMessage,
    platform: str,
    prefix: str,
    *,
    private_link: str | None = None,
) -> Outgoing | None:
    """Word an announcement for a group chat: no request text, no names, ever
    (`private_link`: the link that opens a private chat with the bot, if there is one)."""
    if message.kind != "announce_request":
        return None
    ctx = _context(services, None, platform, prefix)
    request_id = message.params.get("request_id")
    request = await requests.load(services.uow, request_id) if isinstance(request_id, int) else None
    if request is None or not is_active(request.status):
        return None
    slugs = ", ".join(skill.slug for skill in request.skills[:3])
    lines = [
        ctx._("A help request is waiting for someone: {number}.").format(number=number(request)),
        skills_line(ctx, request),
        urgency_line(ctx, request),
    ]
    if slugs:
        lines.append(
            ctx._("You know how? Tell me in a private chat: {command}").format(
                command=ctx.cmd("competences", ctx._("add") + " " + slugs)
            )
        )
        if private_link:
            lines.append(ctx._("Write to me here: {link}").format(link=private_link))
    return replace(ctx.reply(*lines), attention=Attention.QUIET)


async def _with_request_files(ctx: Context, reply: Outgoing, request: HelpRequest) -> Outgoing:
    """A message that shows a request, with the files sent with it."""
    files = await attachments.of_request_to_send(ctx.services.uow, request.id)
    return replace(reply, attachments=as_attachments(files)) if files else reply


async def _offer(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None or not is_active(request.status):
        return None
    reply = ctx.reply(
        *offer_lines(ctx, request),
        actions=[
            Action(ctx._("I'll take it"), f"/prendre {request.id}", Answer.YES),
            Action(ctx._("Not available"), f"/decliner {request.id}", Answer.NO),
        ],
    )
    return await _with_request_files(ctx, reply, request)


async def _choice_outcome(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    """The edit of a message that showed a request's buttons: what became of the request."""
    choice_id = message.params.get("choice_id")
    outcome = message.params.get("outcome")
    if request is None or not isinstance(choice_id, int) or outcome not in set(Outcome):
        return None
    choice = await choices.get(ctx.services.uow, choice_id)
    if choice is None:
        return None
    actor_id = message.params.get("actor_id")
    actor = actor_id if isinstance(actor_id, int) else None
    name = await requests.member_name(ctx.services.uow, actor) if actor is not None else None
    return outcome_message(ctx, choice, request, Outcome(str(outcome)), actor, name)


async def _offer_taken(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None:
        return None
    text = ctx._("Request {number}: already taken by {name}. Thank you all the same!").format(
        number=number(request), name=who(ctx, request.helper_name)
    )
    return Outgoing(text=text, edit_of=await _earlier_offer(ctx, request.id))


async def _earlier_offer(ctx: Context, request_id: int) -> str | None:
    sent = await outbox.sent_to(ctx.services.uow(), ctx.me.id, "offer")
    for earlier in sent:
        if (
            earlier.params.get("request_id") == request_id
            and earlier.platform == ctx.incoming.platform
        ):
            return earlier.delivery_ref
    return None


async def _offer_withdrawn(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None:
        return None
    text = ctx._("Request {number} was cancelled by its author.").format(number=number(request))
    return Outgoing(text=text, edit_of=await _earlier_offer(ctx, request.id))


async def _claimed(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None or request.status is not RequestStatus.CLAIMED:
        return None
    return ctx.reply(
        ctx._("{name} took your request {number}.").format(
            name=request.helper_name or ctx._("someone"), number=number(request)
        ),
        ctx._("To write to them: reply to this message, or {command}").format(
            command=ctx.cmd("msg", ctx._("{n} your message").format(n=request.id))
        ),
        actions=[Action(ctx._("It is solved"), f"/resolu {request.id}")],
    )


async def _assigned(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None or request.helper_id != ctx.me.id:
        return None
    reply = ctx.reply(
        ctx._("The coordination gave you a request."),
        *offer_lines(ctx, request),
        ctx._("To write to them: reply to this message, or {command}").format(
            command=ctx.cmd("msg", ctx._("{n} your message").format(n=request.id))
        ),
        actions=[
            Action(ctx._("It is solved"), f"/resolu {request.id}"),
            Action(ctx._("I give it back"), f"/lacher {request.id}"),
        ],
    )
    return await _with_request_files(ctx, reply, request)


async def _released(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None:
        return None
    return ctx.reply(
        ctx._("{name} gave your request {number} back.").format(
            name=who(ctx, _text(message.params.get("helper")), first=True), number=number(request)
        ),
        ctx._("I am looking for someone else."),
    )


async def _relay(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None:
        return None
    relay_id = int(message.params.get("relay_id") or 0)
    text = await conversation.thread_text(ctx.services.uow, relay_id, request.id)
    files = await attachments.of_message_to_send(ctx.services.uow, relay_id)
    sender = who(ctx, _text(message.params.get("sender")), first=True)
    if text == "" and files:
        heading = [
            ctx.ngettext(
                "{name} sent you a file about request {number}.",
                "{name} sent you {n} files about request {number}.",
                len(files),
            ).format(name=sender, n=len(files), number=number(request))
        ]
    else:
        heading = [
            ctx._("Message from {name} about request {number}:").format(
                name=sender, number=number(request)
            ),
            quoted(text),
        ]
    reply = ctx.reply(
        *heading,
        ctx._("To answer: reply to this message, or {command}").format(
            command=ctx.cmd("msg", ctx._("{n} your message").format(n=request.id))
        ),
    )
    return replace(reply, attachments=as_attachments(files)) if files else reply


async def _confirm_solved(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None or request.status is not RequestStatus.RESOLVED:
        return None
    return ctx.reply(
        ctx._("{name} says your request {number} is solved.").format(
            name=request.helper_name or ctx._("Your helper"), number=number(request)
        ),
        ctx._("Is that right?"),
        actions=[
            Action(ctx._("Yes, thank you!"), f"/confirmer {request.id} merci", Answer.YES),
            Action(ctx._("Yes"), f"/confirmer {request.id}", Answer.YES),
            Action(ctx._("Not yet"), f"/pasresolu {request.id}", Answer.NO),
        ],
    )


async def _closed(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None:
        return None
    lines = [ctx._("Request {number} is closed.").format(number=number(request))]
    if message.params.get("thanked"):
        lines.append(
            ctx._("{name} says thank you!").format(name=who(ctx, request.author_name, first=True))
        )
    actions = []
    if await tutorials.draft_for(ctx.services.uow, request.id, ctx.me) is None:
        lines.append(ctx._("Could you write it up in three short answers, to help others?"))
        actions.append(Action(ctx._("Write it up"), f"/rediger {request.id}"))
    return ctx.reply(*lines, actions=actions)


async def _not_solved(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None:
        return None
    return ctx.reply(
        ctx._("{name} says request {number} is not solved yet.").format(
            name=who(ctx, request.author_name, first=True), number=number(request)
        ),
        actions=[Action(ctx._("It is solved"), f"/resolu {request.id}")],
    )


async def _cancelled(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None:
        return None
    return ctx.reply(
        ctx._("{name} cancelled request {number}. Thank you for your help.").format(
            name=who(ctx, request.author_name, first=True), number=number(request)
        )
    )


def _ask_coordinators(ctx: Context, request: HelpRequest, heading: str) -> Outgoing:
    """A request coordinators should give to someone: number, skills, urgency — no text."""
    return ctx.reply(
        heading.format(number=number(request)),
        skills_line(ctx, request),
        urgency_line(ctx, request),
        ctx._("To give it to someone: {command}").format(
            command=ctx.cmd("assigner", ctx._("{n} name").format(n=request.id))
        ),
    )


async def _skill_gap(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None or not is_active(request.status):
        return None
    return _ask_coordinators(
        ctx, request, ctx._("Skill gap: nobody can take request {number} yet.")
    )


async def _escalated(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None or not is_active(request.status):
        return None
    return _ask_coordinators(ctx, request, ctx._("Request {number} is still waiting for a helper."))


async def _delivery_failed(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    member_id = message.params.get("member_id")
    name = (
        await requests.member_name(ctx.services.uow, int(member_id))
        if isinstance(member_id, int)
        else None
    )
    return ctx.reply(
        ctx._("I could not deliver a message to {name}.").format(name=who(ctx, name)),
        ctx._("I keep it and try again every hour."),
        ctx._("Please check they can still be reached."),
    )


async def _offer_undelivered(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    if request is None or not is_active(request.status):
        return None
    return ctx.reply(
        ctx._("I could not send your request {number} to one of the people I chose.").format(
            number=number(request)
        ),
        ctx._("The coordination is told. Your request stays open."),
        about=request.id,
    )


async def _private_chat_moved(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    return ctx.reply(
        ctx._("This is our private conversation now: I will write to you here."),
        ctx._("Someone else had come into our previous one."),
        help_hint(ctx),
    )


async def _session(ctx: Context, message: OutboxMessage) -> ExchangeSession | None:
    session_id = message.params.get("session_id")
    if not isinstance(session_id, int):
        return None
    try:
        return await sessions.get(ctx.services.uow, session_id)
    except SessionProblem:
        return None


async def _planned(ctx: Context, message: OutboxMessage) -> ExchangeSession | None:
    """The message's session while it is still planned (else the notice is stale)."""
    session = await _session(ctx, message)
    return session if session is not None and session.status is SessionStatus.PLANNED else None


async def _session_announce(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, message)
    if session is None:
        return None
    reply = ctx.reply(
        ctx._("You are invited to the network's next exchange session."),
        *session_lines(ctx, session),
        ctx._("Will you come? The invitation for your calendar is attached."),
        actions=rsvp_actions(ctx, session),
    )
    return replace(reply, attachments=(await ics(ctx, session),))


async def _session_reminder(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, message)
    if session is None:
        return None
    days = int(message.params.get("days", 1))
    return ctx.reply(
        ctx.ngettext(
            "Reminder: the exchange session is in {n} day.",
            "Reminder: the exchange session is in {n} days.",
            days,
        ).format(n=days),
        *session_lines(ctx, session),
        actions=rsvp_actions(ctx, session),
    )


async def _session_changed(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, message)
    if session is None:
        return None
    reply = ctx.reply(
        ctx._("The exchange session has changed."),
        *session_lines(ctx, session),
        actions=rsvp_actions(ctx, session),
    )
    return replace(reply, attachments=(await ics(ctx, session),))


async def _session_cancelled(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    session = await _session(ctx, message)
    if session is None:
        return None
    reply = ctx.reply(
        ctx._("The exchange session #{n} is cancelled.").format(n=session.id),
        ctx._("The attached file removes it from your calendar."),
    )
    return replace(reply, attachments=(await ics(ctx, session, cancelled=True),))


async def _session_incomplete(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, message)
    if session is None:
        return None
    if session.place and session.agenda:
        return None
    return ctx.reply(
        ctx._("The next exchange session still needs a place or an agenda."),
        *session_lines(ctx, session),
        ctx._("To set them: {command}").format(
            command=ctx.cmd("session", ctx._("edit {n} place …").format(n=session.id))
        ),
    )


async def _session_attendance(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, message)
    if session is None:
        return None
    names = await sessions.attendees(ctx.services.uow, session.id)
    return ctx.reply(
        ctx._("Tomorrow's exchange session: who is coming."),
        *session_lines(ctx, session),
        ctx._("Coming: {names}.").format(names=", ".join(names.coming) or "—"),
        ctx._("Maybe: {names}.").format(names=", ".join(names.maybe) or "—"),
    )


async def _session_notes(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    session = await _session(ctx, message)
    if session is None or session.notes:
        return None
    return ctx.reply(
        ctx._("The exchange session #{n} took place. What should the network remember?").format(
            n=session.id
        ),
        ctx._("Write a few lines: {command}").format(
            command=ctx.cmd("session", ctx._("notes {n} …").format(n=session.id))
        ),
    )


async def _digest(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    since = datetime.fromisoformat(str(message.params["since"]))
    until = datetime.fromisoformat(str(message.params["until"]))
    summary = await digest.summary(
        ctx.services.uow, since, until, ctx.services.tutorials.stale_after
    )
    return digest_message(ctx, summary, heading=ctx._("Your weekly digest:"))


async def _session_suggestions(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, message)
    if session is None:
        return None
    gaps, topics = await digest.weak_spots(ctx.services.uow, ctx.services.clock)
    return ctx.reply(
        ctx._("Ideas for the agenda of session #{n}, from the last quarter:").format(n=session.id),
        *weak_spot_lines(ctx, gaps, topics),
        ctx._("To set the agenda: {command}").format(
            command=ctx.cmd("session", ctx._("edit {n} agenda …").format(n=session.id))
        ),
    )


async def _given_back(
    ctx: Context, message: OutboxMessage, request: HelpRequest | None
) -> Outgoing | None:
    return resumed_notice(ctx, str(message.params.get("text", "")))


# Information no one needs to be woken by (Matrix sends them as `m.notice`, which default push
# rules keep silent). Everything else — offers, relays, reminders, invitations, alerts — rings.
QUIET_KINDS = frozenset(
    {
        "offer_taken",  # an edit of the offer: the request went to someone else
        "offer_withdrawn",  # the same, cancelled by its author
        "choice_outcome",  # an edit of a message whose buttons no longer apply
        "digest",
        "session_attendance",
        "session_suggestions",
        "tutorial_credit",
    }
)

_RENDERERS: dict[str, Renderer] = {
    "offer": _offer,
    "choice_outcome": _choice_outcome,
    # Queued before choices were remembered: edits of the offers' messages.
    "offer_taken": _offer_taken,
    "offer_withdrawn": _offer_withdrawn,
    "claimed": _claimed,
    "assigned": _assigned,
    "released": _released,
    "relay": _relay,
    "confirm_solved": _confirm_solved,
    "closed": _closed,
    "not_solved": _not_solved,
    "cancelled": _cancelled,
    "skill_gap": _skill_gap,
    "escalated": _escalated,
    "delivery_failed": _delivery_failed,
    outbox.OFFER_UNDELIVERED: _offer_undelivered,
    routes.NEW_PRIVATE_CHAT: _private_chat_moved,
    "given_back": _given_back,
    "session_announce": _session_announce,
    "session_reminder": _session_reminder,
    "session_changed": _session_changed,
    "session_cancelled": _session_cancelled,
    "session_incomplete": _session_incomplete,
    "session_attendance": _session_attendance,
    "session_notes": _session_notes,
    "session_suggestions": _session_suggestions,
    "digest": _digest,
    "tutorial_review": tutorial_notices.review,
    "tutorial_flagged": tutorial_notices.flagged,
    "tutorial_credit": tutorial_notices.credit,
    TUTORIAL_CHANGE: tutorial_notices.change,
    JOB_FAILED: operations_notices.job_failed,
}
