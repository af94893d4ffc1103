"""Which action a press, a reaction or a typed number stands for, and whether it still holds.

A press names its message (the transport says which); a bare number chooses from the list it
replies to, or else from the newest lists shown in the chat, on platforms that number their
actions. The rules are in `bot.core.choices`; here they are applied and the refusals worded.
Answers are remembered once delivered (`remember`), numbered on across one answer's messages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from bot.chat.context import Context
from bot.chat.i18n import N_
from bot.chat.request_views import number
from bot.chat.types import Outgoing, Sent, payload_position
from bot.chat.wording import STATUS_NAMES, help_hint
from bot.core import choices
from bot.core.choices import Checked, Shown, Verdict
from bot.core.claims import HELD
from bot.core.services import Services
from bot.core.types import Choice, HelpRequest, RequestStatus, ShownAction

log = logging.getLogger(__name__)

# A number someone may mean as a choice: plain ASCII digits (never "²" or "١"), at most two.
BARE_NUMBER = re.compile(r"[0-9]{1,2}")

# What a person is told when the action they used no longer holds.
REFUSALS: Mapping[Verdict, str] = MappingProxyType(
    {
        Verdict.SUPERSEDED: N_("This choice is no longer valid: a newer message replaced it."),
        Verdict.CLOSED: N_("This choice is no longer valid."),
        Verdict.NOT_YOURS: N_("This button is for someone else."),
        Verdict.UNKNOWN: N_("This button is no longer valid."),
        Verdict.NOT_SHOWN: N_("This button is no longer valid."),
    }
)

# Where a request stands, said in one line (after a refusal).
STANDING: Mapping[RequestStatus, str] = MappingProxyType(
    {
        RequestStatus.CLAIMED: N_("Request {number} is already taken by {name}."),
        RequestStatus.RESOLVED: N_("Request {number} is already taken by {name}."),
        RequestStatus.CANCELLED: N_("Request {number} was cancelled by its author."),
        RequestStatus.CLOSED: N_("Request {number} is closed."),
    }
)


@dataclass(frozen=True, slots=True)
class Resolved:
    """The text to handle, whether it came from an action the bot offered, the list it came
    from, and the answer instead when that action no longer holds."""

    text: str
    pressed: bool
    choice: Choice | None = None
    refusal: Outgoing | None = None


async def resolve(ctx: Context, text: str) -> Resolved:
    """What a member's message stands for: the command of an action, or the text itself."""
    incoming = ctx.incoming
    if ctx.member is None:
        return Resolved(text, incoming.is_button)
    services = ctx.services
    if incoming.choice_of is not None:
        checked = await choices.check(
            services,
            incoming.platform,
            incoming.chat_id,
            incoming.choice_of,
            ctx.me.id,
            text,
            position=payload_position(text),
        )
        return _judged(ctx, checked, checked.action.payload if checked.action else text)
    if incoming.numbers_choose and BARE_NUMBER.fullmatch(text):
        picked = await choices.pick(
            services, incoming.platform, incoming.chat_id, ctx.me.id, int(text), incoming.reply_to
        )
        if picked is None or picked.action is None:
            return Resolved(text, False)
        return _judged(ctx, picked, picked.action.payload)
    return Resolved(text, incoming.is_button)


def _judged(ctx: Context, checked: Checked, payload: str) -> Resolved:
    if checked.verdict is Verdict.VALID:
        return Resolved(payload, True, checked.choice)
    if checked.verdict is Verdict.NOT_YOURS:  # in a group: a word to the presser, no more
        brief = replace(ctx.reply(ctx._(REFUSALS[checked.verdict])), brief=True)
        return Resolved(payload, True, checked.choice, refusal=brief)
    lines = [ctx._(REFUSALS[checked.verdict])]
    if checked.request is not None:
        lines.append(standing(ctx, checked.request))
    lines.append(help_hint(ctx))
    return Resolved(payload, True, checked.choice, refusal=ctx.reply(*lines))


def standing(ctx: Context, request: HelpRequest) -> str:
    """Where a request stands, in one line (to its helper: that they took it)."""
    if request.helper_id == ctx.me.id and request.status in HELD:
        return ctx._("You already took request #{n}.").format(n=request.id)
    wording = STANDING.get(request.status)
    if wording is None:
        return ctx._("Request {number}: {status}.").format(
            number=number(request), status=ctx._(STATUS_NAMES[request.status])
        )
    return ctx._(wording).format(
        number=number(request), name=request.helper_name or ctx._("someone")
    )


def number_lists(replies: list[Outgoing]) -> list[Outgoing]:
    """Number the actions of an answer's messages on from one to the next (1, 2, then 3…),
    so that a number typed afterwards means one action only."""
    numbered, next_number = [], 1
    for reply in replies:
        if reply.actions:
            reply = replace(reply, first_number=next_number)
            next_number += len(reply.actions)
        numbered.append(reply)
    return numbered


async def remember(services: Services, sent: Sent) -> None:
    """Keep what a delivered answer showed, when a reply or a press may refer to it later
    (a failure is logged: the answer is out, only its list cannot be used)."""
    message = sent.message
    shown = Shown(
        platform=sent.incoming.platform,
        chat_id=sent.chat_id,
        message_ref=sent.ref,
        origin="answer",
        answer=sent.answer,
        actions=tuple(ShownAction(a.label, a.payload) for a in message.actions),
        first_number=message.first_number,
        request_id=message.about,
        user_id=sent.incoming.user_id,
        edit=message.edit_of is not None,
    )
    if not shown.worth_keeping:
        return
    try:
        await choices.record(services, shown)
    except Exception as error:
        log.warning("could not remember the answer shown in %s: %s", sent.chat_id, error)
