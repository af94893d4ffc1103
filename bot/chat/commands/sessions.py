"""`/agenda` for everyone, `/rsvp` for answers, `/session` for coordinators."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.chat.context import Command, Context, Reply, UsageError
from bot.chat.i18n import N_
from bot.chat.request_replies import request_number
from bot.chat.session_views import (
    ANSWER_NAMES,
    ANSWER_WORDS,
    agenda_actions,
    session_lines,
    when,
)
from bot.chat.subcommands import Sub, Subcommands
from bot.chat.types import Outgoing
from bot.core import sessions
from bot.core.errors import UnknownStructure
from bot.core.session_rules import RuleError
from bot.core.sessions import SessionProblem
from bot.core.types import ExchangeSession
from skills import fold

_WHEN = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2})[:h](\d{2})?\s*-\s*(\d{1,2})[:h](\d{2})?\s*(.*)$",
    re.ASCII,  # digits 0-9 only, as everywhere a number is typed
)

_PROBLEMS = {
    "in_the_past": N_("This date is already past."),
    "ends_before_start": N_("The end must come after the start."),
    "unknown_session": N_("There is no such session."),
    "closed": N_("This session is over or cancelled."),
    "not_held_yet": N_("This session has not taken place yet."),
}


def _problem(ctx: Context, problem: SessionProblem) -> Reply:
    return [ctx.reply(ctx._(_PROBLEMS.get(problem.reason, "There is no such session.")))]


async def agenda(ctx: Context, args: str) -> Reply:
    """`/agenda [passees]`: the next sessions with one's answer, each with its own answer
    buttons; or the last ones, with notes. `/agenda N oui|non|peutetre` answers for session N
    (what the buttons send) and edits the listing whose button was pressed."""
    services = ctx.services
    if args.strip().removeprefix("#")[:1].isdigit():
        number, rest = request_number(args)
        return await _answer_from_agenda(ctx, number, rest)
    if fold(args) in ("passees", "past", "passe"):
        held = await sessions.past(services)
        if not held:
            return [ctx.reply(ctx._("No session has taken place yet."))]
        lines = []
        for session in held:
            lines += session_lines(ctx, session)
            lines.append(ctx._("Notes: {notes}").format(notes=session.notes or "—"))
        return [ctx.reply(*lines)]
    return [await _listing(ctx)]


async def _listing(ctx: Context) -> Outgoing:
    """The next sessions, each with one's answer, the count, and its own answer buttons."""
    services = ctx.services
    upcoming = await sessions.upcoming(services, ctx.me)
    if not upcoming:
        return ctx.reply(ctx._("No session is planned yet."))
    lines = []
    actions = []
    for session, answer in upcoming:
        lines += session_lines(ctx, session)
        lines.append(
            ctx._("Your answer: {answer}.").format(
                answer=ctx._(ANSWER_NAMES[answer]) if answer else ctx._("not given yet")
            )
        )
        lines.append(_coming(ctx, session))
        actions += agenda_actions(ctx, session)
    return ctx.reply(*lines, actions=actions)


def _coming(ctx: Context, session: ExchangeSession) -> str:
    return ctx.ngettext(
        "{n} person is coming.",
        "{n} people are coming.",
        session.coming,
        zero=N_("Nobody is coming yet."),
    ).format(n=session.coming)


async def _answer_from_agenda(ctx: Context, session_id: int, word: str) -> Reply:
    answered = await _answer(ctx, session_id, word)
    if isinstance(answered, SessionProblem):
        return _problem(ctx, answered)
    if ctx.choice is None:
        return [answered]
    listing = await _listing(ctx)  # the listing pressed now shows the new count
    return [answered, replace(listing, edit_of=ctx.choice.message_ref)]


async def _answer(ctx: Context, session_id: int, word: str) -> Outgoing | SessionProblem:
    """Record an answer: the confirmation naming the session, or what prevents it."""
    reply = ANSWER_WORDS.get(fold(word).replace(" ", ""))
    if reply is None:
        raise UsageError
    try:
        session = await sessions.answer(ctx.services, session_id, ctx.me, reply)
    except SessionProblem as problem:
        return problem
    return ctx.reply(
        ctx._("Noted for the session of {when}: {answer}.").format(
            when=when(ctx, session), answer=ctx._(ANSWER_NAMES[reply])
        ),
        _coming(ctx, session),
    )


async def rsvp(ctx: Context, args: str) -> Reply:
    """`/rsvp N oui|non|peutetre`: answer an invitation (and change one's mind later)."""
    number, word = request_number(args)
    answered = await _answer(ctx, number, word)
    if isinstance(answered, SessionProblem):
        return _problem(ctx, answered)
    return [answered]


def _parse_when(text: str, timezone: str) -> tuple[datetime, datetime, str]:
    match = _WHEN.match(text.strip())
    if match is None:
        raise UsageError
    day, month, year, h1, m1, h2, m2, rest = match.groups()
    zone = ZoneInfo(timezone)
    try:
        start = datetime(int(year), int(month), int(day), int(h1), int(m1 or 0), tzinfo=zone)
        end = datetime(int(year), int(month), int(day), int(h2), int(m2 or 0), tzinfo=zone)
    except ValueError as exc:
        raise UsageError from exc
    return start, end, rest.strip()


async def session_command(ctx: Context, args: str) -> Reply:
    """`/session nouvelle|modifier|annuler …` (coordinators)."""
    try:
        return await _SESSION.run(ctx, args)
    except SessionProblem as problem:
        return _problem(ctx, problem)
    except UnknownStructure as unknown:
        return [
            ctx.reply(
                ctx._("I don't know this structure."),
                ctx._("Known structures: {names}.").format(names=", ".join(unknown.known) or "—"),
            )
        ]


async def _new(ctx: Context, text: str) -> Reply:
    services = ctx.services
    settings = services.sessions
    start, end, place = _parse_when(text, settings.timezone)
    created = await sessions.create(services, start=start, end=end, place=place or None)
    return [ctx.reply(ctx._("Session planned."), *session_lines(ctx, created))]


async def _notes(ctx: Context, text: str) -> Reply:
    number, notes = request_number(text)
    if not notes.strip():
        raise UsageError
    noted = await sessions.write_notes(ctx.services, number, notes)
    return [ctx.reply(ctx._("Notes kept for session #{n}.").format(n=noted.id))]


async def _cancel(ctx: Context, text: str) -> Reply:
    number, _ = request_number(text)
    cancelled = await sessions.cancel(ctx.services, number)
    return [ctx.reply(ctx._("Session #{n} is cancelled.").format(n=cancelled.id))]


async def _edit(ctx: Context, text: str) -> Reply:
    services = ctx.services
    number, change = request_number(text)
    field_name, _, value = change.partition(" ")
    field_name = fold(field_name)
    if not value.strip():
        raise UsageError
    if field_name in ("lieu", "place"):
        changed = await sessions.change(services, number, place=value)
    elif field_name in ("ordre", "agenda"):
        changed = await sessions.change(services, number, agenda=value)
    elif field_name == "date":
        start, end, _rest = _parse_when(value, services.sessions.timezone)
        changed = await sessions.change(services, number, start=start, end=end)
    else:
        raise UsageError
    return [ctx.reply(ctx._("Session updated."), *session_lines(ctx, changed))]


async def _no_action(ctx: Context, text: str) -> Reply:
    raise UsageError


async def _rule(ctx: Context, text: str) -> Reply:
    services = ctx.services
    if not text.strip():
        rule = await sessions.current_rule(services)
        return [ctx.reply(ctx._("Current rule: {rule}").format(rule=rule or "—"))]
    try:
        await sessions.set_rule(services, text)
    except RuleError:
        return [
            ctx.reply(
                ctx._("I did not understand this rule."),
                ctx._("Example: {command}").format(
                    command=ctx.cmd("session", ctx._("rule first Thursday of each quarter 9h-12h"))
                ),
            )
        ]
    planned = await sessions.plan_ahead(services, count=4)
    lines = [ctx._("Rule saved.")]
    for session in planned:
        lines += session_lines(ctx, session)[:2]
    return [ctx.reply(*lines)]


_SESSION = Subcommands(
    Sub(("regle", "rule"), _rule),
    Sub(("nouvelle", "new"), _new),
    Sub(("notes",), _notes),
    Sub(("annuler", "cancel"), _cancel),
    Sub(("modifier", "edit"), _edit),
    otherwise=_no_action,
)

COMMANDS = (
    Command(
        "agenda",
        "sessions",
        agenda,
        summary=N_("the next exchange sessions"),
        usage=N_("[past | N yes|no|maybe]"),
        example=N_("past"),
    ),
    Command(
        "rsvp",
        "reply",
        rsvp,
        summary=N_("answer a session invitation"),
        usage=N_("N yes|no|maybe"),
        in_help=False,
    ),
    Command(
        "session",
        "meeting",
        session_command,
        summary=N_("plan, change or cancel a session"),
        usage=N_(
            "new 01/10/2026 9:00-12:00 [place] | edit N place|agenda|date … | cancel N | "
            "notes N … | rule …"
        ),
        example=N_("new 07/01/2027 9:00-12:00"),
    ),
)
