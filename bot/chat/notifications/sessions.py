"""Queued messages about the exchange sessions, and the coordinators' weekly digest.

Each session notice is worded from its session, looked up once by `_about_session`: a notice
about a session no longer planned (or no longer there) is stale, except the cancellation and
the call for notes, worded whatever the session's state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

from bot.chat.context import Context
from bot.chat.digest_views import digest_message, weak_spot_lines
from bot.chat.notifications.base import Wording
from bot.chat.session_views import ics, rsvp_actions, session_lines
from bot.chat.types import Outgoing
from bot.core import digest, sessions
from bot.core.notices import AboutSession, DigestNotice, NoticeKind, SessionReminder
from bot.core.sessions import SessionProblem
from bot.core.types import ExchangeSession, HelpRequest, SessionStatus

N = TypeVar("N", AboutSession, SessionReminder)
SessionBody = Callable[[Context, ExchangeSession, N], Awaitable[Outgoing | None]]


def _about_session(payload: type[N], body: SessionBody[N], *, planned: bool = True) -> Wording[N]:
    """The wording of a session notice by `body`, given the session (`planned`: only while
    it is still planned, else the notice is stale)."""

    async def word(ctx: Context, notice: N, request: HelpRequest | None) -> Outgoing | None:
        try:
            session = await sessions.get(ctx.services, notice.session_id)
        except SessionProblem:
            return None
        if planned and session.status is not SessionStatus.PLANNED:
            return None
        return await body(ctx, session, notice)

    return Wording(payload, word)


async def _invitation(
    ctx: Context, session: ExchangeSession, heading: str, *after: str
) -> Outgoing:
    """The session, the answers it asks for, and the invitation for a calendar."""
    reply = ctx.reply(
        heading, *session_lines(ctx, session), *after, actions=rsvp_actions(ctx, session)
    )
    return replace(reply, attachments=(await ics(ctx, session),))


async def _announce(ctx: Context, session: ExchangeSession, notice: AboutSession) -> Outgoing:
    return await _invitation(
        ctx,
        session,
        ctx._("You are invited to the network's next exchange session."),
        ctx._("Will you come? The invitation for your calendar is attached."),
    )


async def _changed(ctx: Context, session: ExchangeSession, notice: AboutSession) -> Outgoing:
    return await _invitation(ctx, session, ctx._("The exchange session has changed."))


async def _reminder(ctx: Context, session: ExchangeSession, notice: SessionReminder) -> Outgoing:
    days = notice.days
    return ctx.reply(
        ctx.ngettext(
            "Reminder: the exchange session is in {n} day.",
            "Reminder: the exchange session is in {n} days.",
            days,
        ).format(n=days),
        *session_lines(ctx, session),
        actions=rsvp_actions(ctx, session),
    )


async def _cancelled(ctx: Context, session: ExchangeSession, notice: AboutSession) -> Outgoing:
    reply = ctx.reply(
        ctx._("The exchange session #{n} is cancelled.").format(n=session.id),
        ctx._("The attached file removes it from your calendar."),
    )
    return replace(reply, attachments=(await ics(ctx, session, cancelled=True),))


async def _incomplete(
    ctx: Context, session: ExchangeSession, notice: AboutSession
) -> Outgoing | None:
    if session.place and session.agenda:
        return None
    return ctx.reply(
        ctx._("The next exchange session still needs a place or an agenda."),
        *session_lines(ctx, session),
        ctx._("To set them: {command}").format(
            command=ctx.cmd("session", ctx._("edit {n} place …").format(n=session.id))
        ),
    )


async def _attendance(ctx: Context, session: ExchangeSession, notice: AboutSession) -> Outgoing:
    names = await sessions.attendees(ctx.services, session.id)
    return ctx.reply(
        ctx._("Tomorrow's exchange session: who is coming."),
        *session_lines(ctx, session),
        ctx._("Coming: {names}.").format(names=", ".join(names.coming) or "—"),
        ctx._("Maybe: {names}.").format(names=", ".join(names.maybe) or "—"),
    )


async def _notes(ctx: Context, session: ExchangeSession, notice: AboutSession) -> Outgoing | None:
    if session.notes:
        return None
    return ctx.reply(
        ctx._("The exchange session #{n} took place. What should the network remember?").format(
            n=session.id
        ),
        ctx._("Write a few lines: {command}").format(
            command=ctx.cmd("session", ctx._("notes {n} …").format(n=session.id))
        ),
    )


async def _suggestions(ctx: Context, session: ExchangeSession, notice: AboutSession) -> Outgoing:
    gaps, topics = await digest.weak_spots(ctx.services)
    return ctx.reply(
        ctx._("Ideas for the agenda of session #{n}, from the last quarter:").format(n=session.id),
        *weak_spot_lines(ctx, gaps, topics),
        ctx._("To set the agenda: {command}").format(
            command=ctx.cmd("session", ctx._("edit {n} agenda …").format(n=session.id))
        ),
    )


async def _digest(
    ctx: Context, notice: DigestNotice, request: HelpRequest | None
) -> Outgoing | None:
    summary = await digest.summary(ctx.services, notice.since, notice.until)
    return digest_message(ctx, summary, heading=ctx._("Your weekly digest:"))


WORDINGS: dict[NoticeKind, Wording[Any]] = {
    NoticeKind.SESSION_ANNOUNCE: _about_session(AboutSession, _announce),
    NoticeKind.SESSION_REMINDER: _about_session(SessionReminder, _reminder),
    NoticeKind.SESSION_CHANGED: _about_session(AboutSession, _changed),
    NoticeKind.SESSION_CANCELLED: _about_session(AboutSession, _cancelled, planned=False),
    NoticeKind.SESSION_INCOMPLETE: _about_session(AboutSession, _incomplete),
    NoticeKind.SESSION_ATTENDANCE: _about_session(AboutSession, _attendance),
    NoticeKind.SESSION_NOTES: _about_session(AboutSession, _notes, planned=False),
    NoticeKind.SESSION_SUGGESTIONS: _about_session(AboutSession, _suggestions),
    NoticeKind.DIGEST: Wording(DigestNotice, _digest),
}
