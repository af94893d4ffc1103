"""How an exchange session is shown: its date in the person's language, place, agenda."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.chat.context import Context
from bot.chat.dates import day_text
from bot.chat.i18n import N_
from bot.chat.types import Action, Answer, Attachment
from bot.core.calendar_ics import CalendarEvent, invitation
from bot.core.installation import calendar_identity
from bot.core.types import ExchangeSession, RsvpAnswer

ANSWER_NAMES = {
    RsvpAnswer.YES: N_("I'm coming"),
    RsvpAnswer.NO: N_("I'm not coming"),
    RsvpAnswer.MAYBE: N_("Maybe"),
}
ANSWER_KEYWORDS = {RsvpAnswer.YES: "oui", RsvpAnswer.NO: "non", RsvpAnswer.MAYBE: "peutetre"}
# The same answers as reactions (✅ ❌ 🤔 on Matrix).
AS_ANSWERS = {RsvpAnswer.YES: Answer.YES, RsvpAnswer.NO: Answer.NO, RsvpAnswer.MAYBE: Answer.MAYBE}
ANSWER_WORDS = {
    "oui": RsvpAnswer.YES,
    "yes": RsvpAnswer.YES,
    "non": RsvpAnswer.NO,
    "no": RsvpAnswer.NO,
    "peutetre": RsvpAnswer.MAYBE,
    "maybe": RsvpAnswer.MAYBE,
}


def _hour(moment: datetime, locale: str) -> str:
    if locale == "fr":
        return f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")
    return f"{moment:%H:%M}"


def when(ctx: Context, session: ExchangeSession) -> str:
    """ "jeudi 1er octobre 2026, 9 h – 12 h" (or its English form), in the session's timezone."""
    zone = ZoneInfo(session.timezone)
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    day = day_text(start.date(), ctx.t.locale, "EEEE d MMMM y")
    return f"{day}, {_hour(start, ctx.t.locale)} – {_hour(end, ctx.t.locale)}"


def session_lines(ctx: Context, session: ExchangeSession) -> list[str]:
    """The session's number, date, place and agenda."""
    return [
        ctx._("Exchange session #{n}: {when}.").format(n=session.id, when=when(ctx, session)),
        ctx._("Place: {place}.").format(place=session.place or ctx._("to be decided")),
        ctx._("Agenda: {agenda}").format(agenda=session.agenda or ctx._("to be decided")),
    ]


def rsvp_actions(ctx: Context, session: ExchangeSession) -> list[Action]:
    """[I'm coming] [I'm not coming] [Maybe]."""
    return [
        Action(ctx._(ANSWER_NAMES[a]), f"/rsvp {session.id} {ANSWER_KEYWORDS[a]}", AS_ANSWERS[a])
        for a in RsvpAnswer
    ]


def agenda_actions(ctx: Context, session: ExchangeSession) -> list[Action]:
    """The answer buttons of one session in `/agenda`, each naming its day ("7 janv. : Je
    viens"), so that several sessions listed together are never confused."""
    zone = ZoneInfo(session.timezone)
    day = day_text(session.starts_at.astimezone(zone).date(), ctx.t.locale, "d MMM")
    return [
        Action(
            ctx._("{day}: {answer}").format(day=day, answer=ctx._(ANSWER_NAMES[a])),
            f"/agenda {session.id} {ANSWER_KEYWORDS[a]}",
            AS_ANSWERS[a],
        )
        for a in RsvpAnswer
    ]


async def ics(ctx: Context, session: ExchangeSession, *, cancelled: bool = False) -> Attachment:
    """The calendar invitation (same UID for every update, so calendars replace the entry;
    unique to this installation), from the configured organizer."""
    services = ctx.services
    identity = await calendar_identity(services)
    event = CalendarEvent(
        uid=identity.uid(session.id),
        sequence=session.sequence,
        start=session.starts_at.astimezone(ZoneInfo(session.timezone)),
        end=session.ends_at.astimezone(ZoneInfo(session.timezone)),
        summary=ctx._("Samu numérique: exchange session"),
        location=session.place,
        description=session.agenda,
        organizer_email=identity.organizer_email,
    )
    return Attachment(
        f"session-{session.id}.ics", invitation(event, cancelled=cancelled), "text/calendar"
    )
