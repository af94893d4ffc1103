"""Messages the bot sends on its own (from the outbox), worded for their recipient.

A notification is stored as a kind and a few ids (`bot.core.notices`); it is worded here, at
delivery time, in the recipient's current language and with live data. One that no longer
makes sense (an offer for a request already taken) renders to None and is skipped. One whose
kind is unknown or whose payload does not parse raises `NoticeError` (kept pending by the
dispatcher). Every notification asks for the person's attention (their device notifies them)
except the kinds in `QUIET_KINDS`.

The wording of each kind lives by topic: `requests`, `sessions`, `tutorials`, `operations`,
`skills`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.chat.context import Context
from bot.chat.i18n import translator
from bot.chat.notifications import operations, requests, sessions, skills, tutorials
from bot.chat.notifications.base import Wording
from bot.chat.request_views import number, skills_line, urgency_line
from bot.chat.types import Attention, Incoming, Outgoing
from bot.core import requests as core_requests
from bot.core.notices import AboutRequest, Notice, NoticeError, NoticeKind, decode
from bot.core.request_states import is_active
from bot.core.services import Services
from bot.core.types import HelpRequest, Member, OutboxMessage

__all__ = ["QUIET_KINDS", "RENDERERS", "NoticeError", "Wording", "render", "render_for_chat"]


def _context(services: Services, recipient: Member | None, platform: str, prefix: str) -> Context:
    incoming = Incoming(platform=platform, user_id="", chat_id="", text="", command_prefix=prefix)
    locale = recipient.locale if recipient else services.default_locale
    return Context(incoming, recipient, services, translator(locale), _names)


def _names(name: str, locale: str) -> str:
    return name


async def _request(services: Services, notice: Notice) -> HelpRequest | None:
    request_id = getattr(notice, "request_id", None)
    return await core_requests.load(services, request_id) if request_id is not None else None


async def render(
    services: Services, recipient: Member, message: OutboxMessage, platform: str, prefix: str
) -> Outgoing | None:
    """Word a queued message for its recipient; None when it should not be sent any more.

    Raises NoticeError for a message whose kind has no wording or whose payload does not parse.
    """
    notice = decode(message.kind, message.params)
    wording = RENDERERS.get(notice.kind)
    if wording is None:
        raise NoticeError(f"{notice.kind} notices are not sent to members")
    ctx = _context(services, recipient, platform, prefix)
    rendered = await wording(ctx, notice, await _request(services, notice))
    if rendered is not None and notice.kind in QUIET_KINDS:
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
    (`private_link`: the link that opens a private chat with the bot, if there is one).

    Raises NoticeError for a message that is not an announcement, or does not parse."""
    notice = decode(message.kind, message.params)
    if not isinstance(notice, AboutRequest) or notice.kind is not NoticeKind.ANNOUNCE_REQUEST:
        raise NoticeError(f"{notice.kind} notices are not sent to group chats")
    ctx = _context(services, None, platform, prefix)
    request = await _request(services, notice)
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


# Information no one needs to be woken by (Matrix sends them as `m.notice`, which default push
# rules keep silent). Everything else — offers, relays, reminders, invitations, alerts — rings.
QUIET_KINDS = frozenset(
    {
        NoticeKind.OFFER_TAKEN,  # an edit of the offer: the request went to someone else
        NoticeKind.OFFER_WITHDRAWN,  # the same, cancelled by its author
        NoticeKind.CHOICE_OUTCOME,  # an edit of a message whose buttons no longer apply
        NoticeKind.DIGEST,
        NoticeKind.SESSION_ATTENDANCE,
        NoticeKind.SESSION_SUGGESTIONS,
        NoticeKind.TUTORIAL_CREDIT,
        NoticeKind.SKILL_REVIEWED,  # news about one's profile, nothing to do
    }
)

# The wording of every kind sent to a member (ANNOUNCE_REQUEST goes to group chats only).
RENDERERS: Mapping[NoticeKind, Wording[Any]] = {
    **requests.WORDINGS,
    **sessions.WORDINGS,
    **tutorials.WORDINGS,
    **operations.WORDINGS,
    **skills.WORDINGS,
}
