"""Queued messages about help requests: offers, claims, relays, closing, alerts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from bot.chat.context import Context
from bot.chat.file_views import as_attachments
from bot.chat.notifications.base import Wording
from bot.chat.outcomes import outcome_message
from bot.chat.request_views import number, offer_lines, quoted, skills_line, urgency_line
from bot.chat.types import Action, Answer, Outgoing
from bot.chat.wording import help_hint, resumed_notice, who
from bot.core import attachments, choices, conversation, outbox, requests, tutorials
from bot.core.choices import Outcome
from bot.core.notices import (
    AboutRequest,
    ChoiceOutcome,
    Closed,
    DeliveryFailed,
    GivenBack,
    NoticeKind,
    PrivateChatMoved,
    RelayNotice,
    Released,
)
from bot.core.request_states import is_active
from bot.core.types import HelpRequest, RequestStatus

P = TypeVar("P", AboutRequest, ChoiceOutcome, Closed, Released, RelayNotice)
RequestBody = Callable[[Context, HelpRequest, P], Awaitable[Outgoing | None]]


def _always(ctx: Context, request: HelpRequest) -> bool:
    return True


def _is_active(ctx: Context, request: HelpRequest) -> bool:
    return is_active(request.status)


def _is_claimed(ctx: Context, request: HelpRequest) -> bool:
    return request.status is RequestStatus.CLAIMED


def _is_resolved(ctx: Context, request: HelpRequest) -> bool:
    return request.status is RequestStatus.RESOLVED


def _helped_by_reader(ctx: Context, request: HelpRequest) -> bool:
    return request.helper_id == ctx.me.id


def _about_request(
    payload: type[P],
    body: RequestBody[P],
    *,
    when: Callable[[Context, HelpRequest], bool] = _always,
) -> Wording[P]:
    """The wording of a notice about a request by `body`, given the request; stale once the
    request is gone (erased) or no longer `when` (e.g. an offer of a request already taken)."""

    async def word(ctx: Context, notice: P, request: HelpRequest | None) -> Outgoing | None:
        if request is None or not when(ctx, request):
            return None
        return await body(ctx, request, notice)

    return Wording(payload, word)


async def _with_request_files(ctx: Context, reply: Outgoing, request: HelpRequest) -> Outgoing:
    """A message that shows a request, with the files sent with it."""
    files = await attachments.of_request_to_send(ctx.services, request.id)
    return replace(reply, attachments=as_attachments(files)) if files else reply


async def _offer(ctx: Context, request: HelpRequest, notice: AboutRequest) -> Outgoing | None:
    reply = ctx.reply(
        *offer_lines(ctx, request),
        actions=[
            Action(ctx._("I'll take it"), f"/prendre {request.id}", Answer.YES),
            Action(ctx._("Not available"), f"/decliner {request.id}", Answer.NO),
        ],
    )
    return await _with_request_files(ctx, reply, request)


async def _choice_outcome(
    ctx: Context, request: HelpRequest, notice: ChoiceOutcome
) -> Outgoing | None:
    """The edit of a message that showed a request's buttons: what became of the request."""
    if notice.outcome not in set(Outcome):
        return None
    choice = await choices.get(ctx.services, notice.choice_id)
    if choice is None:
        return None
    actor = notice.actor_id
    name = await requests.member_name(ctx.services, actor) if actor is not None else None
    return outcome_message(ctx, choice, request, Outcome(notice.outcome), actor, name)


async def _offer_taken(ctx: Context, request: HelpRequest, notice: AboutRequest) -> Outgoing | None:
    text = ctx._("Request {number}: already taken by {name}. Thank you all the same!").format(
        number=number(request), name=who(ctx, request.helper_name)
    )
    return Outgoing(text=text, edit_of=await _earlier_offer(ctx, request.id))


async def _earlier_offer(ctx: Context, request_id: int) -> str | None:
    sent = await outbox.sent_to(ctx.services, ctx.me.id, NoticeKind.OFFER)
    for earlier in sent:
        if (
            earlier.params.get("request_id") == request_id
            and earlier.platform == ctx.incoming.platform
        ):
            return earlier.delivery_ref
    return None


async def _offer_withdrawn(
    ctx: Context, request: HelpRequest, notice: AboutRequest
) -> Outgoing | None:
    text = ctx._("Request {number} was cancelled by its author.").format(number=number(request))
    return Outgoing(text=text, edit_of=await _earlier_offer(ctx, request.id))


async def _claimed(ctx: Context, request: HelpRequest, notice: AboutRequest) -> Outgoing | None:
    return ctx.reply(
        ctx._("{name} took your request {number}.").format(
            name=request.helper_name or ctx._("someone"), number=number(request)
        ),
        ctx._("To write to them: reply to this message, or {command}").format(
            command=ctx.cmd("msg", ctx._("{n} your message").format(n=request.id))
        ),
        actions=[Action(ctx._("It is solved"), f"/resolu {request.id}")],
    )


async def _assigned(ctx: Context, request: HelpRequest, notice: AboutRequest) -> Outgoing | None:
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


async def _released(ctx: Context, request: HelpRequest, notice: Released) -> Outgoing | None:
    return ctx.reply(
        ctx._("{name} gave your request {number} back.").format(
            name=who(ctx, notice.helper or None, first=True), number=number(request)
        ),
        ctx._("I am looking for someone else."),
    )


async def _relay(ctx: Context, request: HelpRequest, notice: RelayNotice) -> Outgoing | None:
    relay_id = notice.relay_id
    text = await conversation.thread_text(ctx.services, relay_id, request.id)
    files = await attachments.of_message_to_send(ctx.services, relay_id)
    sender = who(ctx, notice.sender or None, first=True)
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
    ctx: Context, request: HelpRequest, notice: AboutRequest
) -> Outgoing | None:
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


async def _closed(ctx: Context, request: HelpRequest, notice: Closed) -> Outgoing | None:
    lines = [ctx._("Request {number} is closed.").format(number=number(request))]
    if notice.thanked:
        lines.append(
            ctx._("{name} says thank you!").format(name=who(ctx, request.author_name, first=True))
        )
    actions = []
    if await tutorials.draft_for(ctx.services, request.id, ctx.me) is None:
        lines.append(ctx._("Could you write it up in three short answers, to help others?"))
        actions.append(Action(ctx._("Write it up"), f"/rediger {request.id}"))
    return ctx.reply(*lines, actions=actions)


async def _not_solved(ctx: Context, request: HelpRequest, notice: AboutRequest) -> Outgoing | None:
    return ctx.reply(
        ctx._("{name} says request {number} is not solved yet.").format(
            name=who(ctx, request.author_name, first=True), number=number(request)
        ),
        actions=[Action(ctx._("It is solved"), f"/resolu {request.id}")],
    )


async def _cancelled(ctx: Context, request: HelpRequest, notice: AboutRequest) -> Outgoing | None:
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


async def _skill_gap(ctx: Context, request: HelpRequest, notice: AboutRequest) -> Outgoing | None:
    return _ask_coordinators(
        ctx, request, ctx._("Skill gap: nobody can take request {number} yet.")
    )


async def _escalated(ctx: Context, request: HelpRequest, notice: AboutRequest) -> Outgoing | None:
    return _ask_coordinators(ctx, request, ctx._("Request {number} is still waiting for a helper."))


async def _delivery_failed(
    ctx: Context, notice: DeliveryFailed, request: HelpRequest | None
) -> Outgoing | None:
    name = await requests.member_name(ctx.services, notice.member_id)
    if notice.unreadable:
        return ctx.reply(
            ctx._("I cannot write out a message meant for {name}.").format(name=who(ctx, name)),
            ctx._("It is damaged, or comes from another version of the bot."),
            ctx._("I keep it and try again every hour."),
            ctx._("Please tell whoever runs the server: the details are in its log."),
        )
    return ctx.reply(
        ctx._("I could not deliver a message to {name}.").format(name=who(ctx, name)),
        ctx._("I keep it and try again every hour."),
        ctx._("Please check they can still be reached."),
    )


async def _offer_undelivered(
    ctx: Context, request: HelpRequest, notice: AboutRequest
) -> Outgoing | None:
    return ctx.reply(
        ctx._("I could not send your request {number} to one of the people I chose.").format(
            number=number(request)
        ),
        ctx._("The coordination is told. Your request stays open."),
        about=request.id,
    )


async def _private_chat_moved(
    ctx: Context, notice: PrivateChatMoved, request: HelpRequest | None
) -> Outgoing | None:
    return ctx.reply(
        ctx._("This is our private conversation now: I will write to you here."),
        ctx._("Someone else had come into our previous one."),
        help_hint(ctx),
    )


async def _given_back(
    ctx: Context, notice: GivenBack, request: HelpRequest | None
) -> Outgoing | None:
    return resumed_notice(ctx, notice.text)


WORDINGS: dict[NoticeKind, Wording[Any]] = {
    NoticeKind.OFFER: _about_request(AboutRequest, _offer, when=_is_active),
    NoticeKind.CHOICE_OUTCOME: _about_request(ChoiceOutcome, _choice_outcome),
    # Queued before choices were remembered: edits of the offers' messages.
    NoticeKind.OFFER_TAKEN: _about_request(AboutRequest, _offer_taken),
    NoticeKind.OFFER_WITHDRAWN: _about_request(AboutRequest, _offer_withdrawn),
    NoticeKind.CLAIMED: _about_request(AboutRequest, _claimed, when=_is_claimed),
    NoticeKind.ASSIGNED: _about_request(AboutRequest, _assigned, when=_helped_by_reader),
    NoticeKind.RELEASED: _about_request(Released, _released),
    NoticeKind.RELAY: _about_request(RelayNotice, _relay),
    NoticeKind.CONFIRM_SOLVED: _about_request(AboutRequest, _confirm_solved, when=_is_resolved),
    NoticeKind.CLOSED: _about_request(Closed, _closed),
    NoticeKind.NOT_SOLVED: _about_request(AboutRequest, _not_solved),
    NoticeKind.CANCELLED: _about_request(AboutRequest, _cancelled),
    NoticeKind.SKILL_GAP: _about_request(AboutRequest, _skill_gap, when=_is_active),
    NoticeKind.ESCALATED: _about_request(AboutRequest, _escalated, when=_is_active),
    NoticeKind.DELIVERY_FAILED: Wording(DeliveryFailed, _delivery_failed),
    NoticeKind.OFFER_UNDELIVERED: _about_request(AboutRequest, _offer_undelivered, when=_is_active),
    NoticeKind.PRIVATE_CHAT_MOVED: Wording(PrivateChatMoved, _private_chat_moved),
    NoticeKind.GIVEN_BACK: Wording(GivenBack, _given_back),
}
