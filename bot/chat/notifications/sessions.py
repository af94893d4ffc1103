"""Queued messages about the exchange sessions, and the coordinators' weekly digest."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.chat.commands.followup import digest_message, weak_spot_lines
from bot.chat.context import Context
from bot.chat.notifications.base import Wording
from bot.chat.session_views import ics, rsvp_actions, session_lines
from bot.chat.types import Outgoing
from bot.core import digest, sessions
from bot.core.notices import AboutSession, DigestNotice, NoticeKind, SessionReminder
from bot.core.sessions import SessionProblem
from bot.core.types import ExchangeSession, HelpRequest, SessionStatus


async def _session(ctx: Context, notice: AboutSession | SessionReminder) -> ExchangeSession | None:
    try:
        return await sessions.get(ctx.services.uow, notice.session_id)
    except SessionProblem:
        return None


async def _planned(ctx: Context, notice: AboutSession | SessionReminder) -> ExchangeSession | None:
    """The notice's session while it is still planned (else the notice is stale)."""
    session = await _session(ctx, notice)
    return session if session is not None and session.status is SessionStatus.PLANNED else None


async def _session_announce(
    ctx: Context, notice: AboutSession, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, notice)
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
    ctx: Context, notice: SessionReminder, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, notice)
    if session is None:
        return None
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


async def _session_changed(
    ctx: Context, notice: AboutSession, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, notice)
    if session is None:
        return None
    reply = ctx.reply(
        ctx._("The exchange session has changed."),
        *session_lines(ctx, session),
        actions=rsvp_actions(ctx, session),
    )
    return replace(reply, attachments=(await ics(ctx, session),))


async def _session_cancelled(
    ctx: Context, notice: AboutSession, request: HelpRequest | None
) -> Outgoing | None:
    session = await _session(ctx, notice)
    if session is None:
        return None
    reply = ctx.reply(
        ctx._("The exchange session #{n} is cancelled.").format(n=session.id),
        ctx._("The attached file removes it from your calendar."),
    )
    return replace(reply, attachments=(await ics(ctx, session, cancelled=True),))


async def _session_incomplete(
    ctx: Context, notice: AboutSession, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, notice)
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
    ctx: Context, notice: AboutSession, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, notice)
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
    ctx: Context, notice: AboutSession, request: HelpRequest | None
) -> Outgoing | None:
    session = await _session(ctx, notice)
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
    ctx: Context, notice: DigestNotice, request: HelpRequest | None
) -> Outgoing | None:
    summary = await digest.summary(
        ctx.services.uow, notice.since, notice.until, ctx.services.tutorials.stale_after
    )
    return digest_message(ctx, summary, heading=ctx._("Your weekly digest:"))


async def _session_suggestions(
    ctx: Context, notice: AboutSession, request: HelpRequest | None
) -> Outgoing | None:
    session = await _planned(ctx, notice)
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


WORDINGS: dict[NoticeKind, Wording[Any]] = {
    NoticeKind.SESSION_ANNOUNCE: Wording(AboutSession, _session_announce),
    NoticeKind.SESSION_REMINDER: Wording(SessionReminder, _session_reminder),
    NoticeKind.SESSION_CHANGED: Wording(AboutSession, _session_changed),
    NoticeKind.SESSION_CANCELLED: Wording(AboutSession, _session_cancelled),
    NoticeKind.SESSION_INCOMPLETE: Wording(AboutSession, _session_incomplete),
    NoticeKind.SESSION_ATTENDANCE: Wording(AboutSession, _session_attendance),
    NoticeKind.SESSION_NOTES: Wording(AboutSession, _session_notes),
    NoticeKind.SESSION_SUGGESTIONS: Wording(AboutSession, _session_suggestions),
    NoticeKind.DIGEST: Wording(DigestNotice, _digest),
}
