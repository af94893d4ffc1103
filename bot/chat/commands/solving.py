"""Solving: talk through the bot, mark solved, confirm, or say it is not solved yet."""

from __future__ import annotations

from dataclasses import replace

from bot.chat.commands.writeup import ask_problem
from bot.chat.confirmations import Ending, ask, confirmed
from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.dialogs import await_answer
from bot.chat.file_views import reminder
from bot.chat.i18n import N_
from bot.chat.personal_data_views import CHANGE_WORDS, CHOICE_WORDS, mask_labels, relay_question
from bot.chat.request_replies import not_found, request_number, too_long
from bot.chat.types import Action, Outgoing
from bot.chat.wording import STATUS_NAMES, help_hint
from bot.core import attachments, choices, conversation, outbox, requests
from bot.core.errors import NotAllowed, RequestNotFound
from bot.core.guard import Decision, TooLong
from bot.core.types import HelpRequest, RequestStatus
from skills import fold


def talk_hint(ctx: Context, request_id: int) -> str:
    """How to write to the other side of a request."""
    return ctx._("To write to them: reply to my message, or {command}").format(
        command=ctx.cmd("msg", ctx._("{n} your message").format(n=request_id))
    )


async def message(ctx: Context, args: str) -> Reply:
    """`/msg N TEXT`: write to the other side of a request, through the bot (with the files
    that came with the message, if any)."""
    request_id, text = request_number(args)
    if not text and not ctx.files:
        await await_answer(ctx, "msg", str(request_id))
        return [
            ctx.reply(
                ctx._("Write your message below."), actions=[Action(ctx._("Cancel"), "/annuler")]
            )
        ]
    return await relay_files(ctx, request_id, text, ctx.files)


async def relay_files(ctx: Context, request_id: int, text: str, files: tuple[int, ...]) -> Reply:
    """Pass a message and/or waiting files to the other side of a request; the sender's first
    file in the request comes with the personal-data reminder."""
    services = ctx.services
    first = bool(files) and await attachments.first_in(services, request_id, ctx.me)
    try:
        relayed = await conversation.relay(services, request_id, ctx.me, text, files=files)
    except TooLong as error:
        return [too_long(ctx, error)]
    except NotAllowed as refused:
        if refused.reason == "nothing_to_send":
            return [nothing_waiting(ctx)]
        current = await requests.visible(services, request_id, ctx.me)
        return [not_sent(ctx, current, participant=True)]
    answer = _relay_answer(ctx, relayed)
    return [replace(answer, text="\n".join([answer.text, *reminder(ctx)])) if first else answer]


def nothing_waiting(ctx: Context) -> Outgoing:
    """No file of the person waits for a place any more."""
    return ctx.reply(
        ctx._("You have no file waiting to be sent."),
        ctx._("Send your picture or file again, then choose where it goes."),
    )


def _relay_answer(ctx: Context, relayed: conversation.Relayed) -> Outgoing:
    request = relayed.request
    if relayed.held:
        return relay_question(
            ctx, relayed.message.id, request.id, relayed.findings, relayed.fingerprint
        )
    other = request.helper_name if ctx.me.id == request.author_id else request.author_name
    return ctx.reply(
        ctx._("Sent to {name}.").format(name=other or ctx._("the other person")),
        about=request.id,
    )


async def pass_on(ctx: Context, args: str) -> Reply:
    """`/transmettre R masquer|telquel|modifier [TEXT]`: the author's choice about a message
    held because personal data was found in it."""
    relay_id, rest = request_number(args)
    word, _, value = rest.partition(" ")
    services = ctx.services
    decision = None
    new_text = None
    if fold(word) in CHANGE_WORDS and not value.strip():
        await await_answer(ctx, "transmettre", f"{relay_id} texte")
        return [
            ctx.reply(
                ctx._("Write your message again."),
                ctx._("Without the personal data of the people you support."),
                actions=[Action(ctx._("Cancel"), "/annuler")],
            )
        ]
    if fold(word) in (*CHANGE_WORDS, "texte", "text"):
        new_text = value.strip()
    elif fold(word) in CHOICE_WORDS:
        seen = value.split()[0] if value.split() else None
        decision = Decision(CHOICE_WORDS[fold(word)], mask_labels(ctx), seen)
    else:
        raise UsageError
    try:
        relayed = await conversation.decide_relay(services, relay_id, ctx.me, decision, new_text)
    except RequestNotFound:
        return [ctx.reply(ctx._("I find no message waiting for your choice."))]
    except TooLong as error:
        return [too_long(ctx, error)]
    except NotAllowed as refused:
        if refused.reason == "already_sent":
            return [ctx.reply(ctx._("This message is already passed on: nothing more to do."))]
        return [ctx.reply(ctx._("There is no one to write to any more for this request."))]
    if relayed.held and decision is not None:
        question = _relay_answer(ctx, relayed)
        return [
            replace(question, text=ctx._("Your message has changed since.") + "\n" + question.text)
        ]
    return [_relay_answer(ctx, relayed)]


async def solved(ctx: Context, args: str) -> Reply:
    """`/resolu N`: the request is solved (by its author or its helper), once they said yes
    to the question naming it (`/resolu N oui`)."""
    request_id, rest = request_number(args)
    services = ctx.services
    if not confirmed(rest):
        return [await ask(ctx, Ending.CLOSE, request_id, f"/resolu {request_id}")]
    request = await conversation.mark_solved(services, request_id, ctx.me)
    if ctx.me.id == request.author_id:
        return [
            ctx.reply(
                ctx._("Great! Request #{n} is closed.").format(n=request_id), about=request_id
            )
        ]
    return [
        ctx.reply(
            ctx._("Thank you! I am asking {name} to confirm request #{n}.").format(
                name=request.author_name or ctx._("the author"), n=request_id
            ),
            about=request_id,
        ),
        await ask_problem(ctx, request_id),
    ]


async def confirm(ctx: Context, args: str) -> Reply:
    """`/confirmer N [merci]`: the author confirms the request is solved."""
    request_id, rest = request_number(args)
    thanked = fold(rest) in ("merci", "thanks", "thank you")
    services = ctx.services
    try:
        await conversation.confirm(services, request_id, ctx.me, thanked=thanked)
    except (RequestNotFound, NotAllowed):
        return [not_found(ctx, request_id)]
    lines = [ctx._("Request #{n} is closed.").format(n=request_id)]
    if thanked:
        lines.append(ctx._("I passed on your thanks."))
    return [ctx.reply(*lines, about=request_id)]


async def not_solved(ctx: Context, args: str) -> Reply:
    """`/pasresolu N`: the author says it is not solved yet."""
    request_id, _ = request_number(args)
    services = ctx.services
    try:
        request = await conversation.not_solved(services, request_id, ctx.me)
    except (RequestNotFound, NotAllowed):
        return [not_found(ctx, request_id)]
    return [
        ctx.reply(
            ctx._("Noted. I told {name}.").format(name=request.helper_name or ctx._("your helper")),
            talk_hint(ctx, request_id),
            about=request_id,
        )
    ]


async def relay_reply(ctx: Context, reply_to: str, text: str) -> Reply | None:
    """A reply to one of the bot's messages about a request goes to that request's thread
    when the person is its author or helper (like `/msg N`); never to a new request.

    None when the message replied to is about no request, or about the person's own draft
    (then the text is handled as if it were no reply: it adds to the draft).
    """
    request_id = await replied_request(ctx, reply_to)
    if request_id is None:
        return None
    request = await requests.visible(ctx.services, request_id, ctx.me)
    participant = ctx.me.id in (request.author_id, request.helper_id)
    if participant and request.status in TALKING:
        return await message(ctx, f"{request_id} {text}")
    if request.status is RequestStatus.DRAFT and request.author_id == ctx.me.id:
        return None
    return [not_sent(ctx, request, participant)]


# The states of a request in which its author and helper talk through the bot.
TALKING = frozenset({RequestStatus.CLAIMED, RequestStatus.RESOLVED})


async def replied_request(ctx: Context, reply_to: str) -> int | None:
    """The request the bot's message `reply_to` (in this chat) is about, if any."""
    incoming = ctx.incoming
    shown = await choices.find(ctx.services, incoming.platform, incoming.chat_id, reply_to)
    if shown is not None and shown.member_id == ctx.me.id:
        return shown.request_id
    delivered = await outbox.delivered_as(
        ctx.services, incoming.platform, incoming.chat_id, reply_to
    )
    if delivered is None or delivered.recipient_id != ctx.me.id:
        return None
    request_id = delivered.params.get("request_id")
    return request_id if isinstance(request_id, int) else None


def not_sent(ctx: Context, request: HelpRequest, participant: bool) -> Outgoing:
    """A reply about a request that has no conversation now: kept from everyone, and why."""
    first = ctx._("Your message was not sent.")
    if not participant:
        return ctx.reply(
            first,
            ctx._("Only the author and the helper of request #{n} write to each other.").format(
                n=request.id
            ),
            help_hint(ctx),
        )
    if request.status in (RequestStatus.OPEN, RequestStatus.OFFERED):
        return ctx.reply(
            first,
            ctx._("Nobody has taken request #{n} yet: there is no one to write to.").format(
                n=request.id
            ),
            ctx._("I will tell you as soon as someone takes it."),
        )
    return ctx.reply(
        first,
        ctx._("Request #{n} is {status}: this is not possible now.").format(
            n=request.id, status=ctx._(STATUS_NAMES[request.status])
        ),
    )


COMMANDS = (
    Command(
        "msg",
        "message",
        message,
        summary=N_("write to the other side of a request"),
        usage=N_("N your message"),
        in_help=False,
    ),
    Command(
        "transmettre",
        "pass",
        pass_on,
        summary=N_("pass on a message held for its personal data"),
        usage=N_("N hide|asis|change"),
        in_help=False,
    ),
    Command(
        "resolu",
        "solved",
        solved,
        summary=N_("a request is solved"),
        usage=N_("N"),
        in_help=False,
    ),
    Command(
        "confirmer",
        "confirm",
        confirm,
        summary=N_("confirm your request is solved"),
        usage=N_("N [thanks]"),
        in_help=False,
    ),
    Command(
        "pasresolu",
        "notsolved",
        not_solved,
        summary=N_("your request is not solved yet"),
        usage=N_("N"),
        in_help=False,
    ),
)
