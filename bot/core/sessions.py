"""Quarterly exchange sessions: planning, changes, answers, and the notices they trigger.

Notices (announcement, reminders, coordinators' alerts) are derived from the database state
at each tick and queued in the outbox with a dedup key, so a restart never loses or repeats
one, and a change of date re-plans them (the key carries the session's calendar sequence).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.digest import suggest_agenda
from bot.core.errors import CoreError, UnknownStructure
from bot.core.notices import AboutSession, NoticeKind, SessionReminder
from bot.core.outbox import notify
from bot.core.services import Services, SessionSettings
from bot.core.session_rules import occurrences, parse_rule
from bot.core.types import ExchangeSession, Member, MemberStatus, RsvpAnswer, SessionStatus
from storage.db import UnitOfWork

log = logging.getLogger(__name__)

NOTES_WINDOW = timedelta(days=7)


class SessionProblem(CoreError):
    """A session cannot be planned or changed as asked (`reason` says why)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def _check(
    uow: UnitOfWork, now: datetime, start: datetime, end: datetime, place: str | None
) -> str | None:
    if start <= now:
        raise SessionProblem("in_the_past")
    if end <= start:
        raise SessionProblem("ends_before_start")
    if place:
        structure = await uow.structures.by_name(place)
        if structure is None:
            raise UnknownStructure(place, [s.name for s in await uow.structures.list_all()])
        return structure.name
    return None


async def create(
    services: Services,
    *,
    start: datetime,
    end: datetime,
    place: str | None = None,
    agenda: str | None = None,
) -> ExchangeSession:
    """Plan one session (in the future, ending after it starts, at a known structure)."""
    now = services.clock.now()
    async with services.uow() as uow:
        known_place = await _check(uow, now, start, end, place)
        session_id = await uow.sessions.add(
            starts_at=start,
            ends_at=end,
            timezone=services.sessions.timezone,
            place=known_place,
            agenda=agenda,
            now=now,
        )
        await uow.commit()
        created = await uow.sessions.get(session_id)
    assert created is not None
    return created


async def change(
    services: Services,
    session_id: int,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    place: str | None = None,
    agenda: str | None = None,
) -> ExchangeSession:
    """Change a session; a new date or place is told to everyone invited (see `_invited`)."""
    now = services.clock.now()
    async with services.uow() as uow:
        current = await _get(uow, session_id)
        new_start, new_end = start or current.starts_at, end or current.ends_at
        if start is not None and end is None:
            new_end = start + (current.ends_at - current.starts_at)
        known_place = await _check(uow, now, new_start, new_end, place) if place else current.place
        if start is not None:
            await _check(uow, now, new_start, new_end, None)
        changed_now = await uow.sessions.change(
            session_id,
            now,
            starts_at=new_start,
            ends_at=new_end,
            place=known_place,
            agenda=agenda if agenda is not None else current.agenda,
        )
        if not changed_now:  # cancelled (now or meanwhile): nobody is told of a new date
            raise SessionProblem("closed")
        changed = await _get(uow, session_id)
        if start is not None or place is not None:
            for member in await _invited(uow, session_id):
                await notify(
                    uow,
                    now,
                    member.id,
                    AboutSession(NoticeKind.SESSION_CHANGED, session_id),
                    dedup_key=f"session-changed:{session_id}:{changed.sequence}:{member.id}",
                )
        await uow.commit()
    return changed


async def cancel(services: Services, session_id: int) -> ExchangeSession:
    """Cancel a session; everyone invited receives a calendar cancellation."""
    now = services.clock.now()
    async with services.uow() as uow:
        current = await _get(uow, session_id)
        if current.status is SessionStatus.CANCELLED:
            return current
        if not await uow.sessions.change(session_id, now, status=SessionStatus.CANCELLED.value):
            return await _get(uow, session_id)  # cancelled meanwhile by someone else
        for member in await _invited(uow, session_id):
            await notify(
                uow,
                now,
                member.id,
                AboutSession(NoticeKind.SESSION_CANCELLED, session_id),
                dedup_key=f"session-cancelled:{session_id}:{member.id}",
            )
        await uow.commit()
        return await _get(uow, session_id)


def _announced_key(session_id: int) -> str:
    return f"session-announced:{session_id}"


async def _invited(uow: UnitOfWork, session_id: int) -> list[Member]:
    """Who has the session in their calendar: once it was announced, every active member
    (whether they answered or not), plus anyone who answered; before that, only those who
    answered (from `/agenda`). The others will get the announcement with the new date."""
    invited = {member.id: member for member in await uow.sessions.answered(session_id)}
    if await uow.events.get_state(_announced_key(session_id)) is not None:
        for member in await uow.members.list_all():
            if member.status is MemberStatus.ACTIVE:
                invited.setdefault(member.id, member)
    return sorted(invited.values(), key=lambda member: member.id)


async def _get(uow: UnitOfWork, session_id: int) -> ExchangeSession:
    found = await uow.sessions.get(session_id)
    if found is None:
        raise SessionProblem("unknown_session")
    return found


async def get(services: Services, session_id: int) -> ExchangeSession:
    """One session; SessionProblem("unknown_session") if there is none."""
    async with services.uow() as uow:
        return await _get(uow, session_id)


async def upcoming(
    services: Services, member: Member, limit: int = 3
) -> list[tuple[ExchangeSession, RsvpAnswer | None]]:
    """The next planned sessions, each with the member's answer (read only)."""
    now = services.clock.now()
    async with services.reader()() as uow:
        sessions = (await uow.sessions.between(now, now + timedelta(days=400)))[:limit]
        return [(s, await uow.sessions.answer_of(s.id, member.id)) for s in sessions]


async def past(services: Services, limit: int = 3) -> list[ExchangeSession]:
    """The last sessions held, most recent first (read only)."""
    async with services.reader()() as uow:
        return await uow.sessions.before(services.clock.now(), limit)


async def answer(
    services: Services, session_id: int, member: Member, reply: RsvpAnswer
) -> ExchangeSession:
    """Record a member's answer (it can be changed at any time before the session)."""
    now = services.clock.now()
    async with services.uow() as uow:
        current = await _get(uow, session_id)
        if current.status is not SessionStatus.PLANNED or current.starts_at <= now:
            raise SessionProblem("closed")
        await uow.sessions.answer(session_id=session_id, member_id=member.id, answer=reply, now=now)
        await uow.commit()
        return await _get(uow, session_id)


async def plan_series(
    services: Services, dates: list[tuple[datetime, datetime]]
) -> list[ExchangeSession]:
    """Create the sessions of a series that do not exist yet (same start), places in turn."""
    clock, settings = services.clock, services.sessions
    created = []
    async with services.uow() as uow:
        existing = (
            {
                s.starts_at
                for s in await uow.sessions.between(
                    clock.now(), max(d[0] for d in dates) + timedelta(days=1), planned_only=False
                )
            }
            if dates
            else set()
        )
        for index, (start, end) in enumerate(dates):
            if start in existing or start <= clock.now():
                continue
            place = settings.places[index % len(settings.places)] if settings.places else None
            session_id = await uow.sessions.add(
                starts_at=start,
                ends_at=end,
                timezone=settings.timezone,
                place=place,
                agenda=None,
                now=clock.now(),
            )
            found = await uow.sessions.get(session_id)
            assert found is not None
            created.append(found)
        await uow.commit()
    return created


async def due_notices(services: Services) -> int:
    """Queue the notices whose time has come (once each, whatever the number of workers)."""
    now, settings = services.clock.now(), services.sessions
    horizon = max(settings.announce_days, settings.coordinator_days, *settings.reminder_days)
    queued = 0
    async with services.uow() as uow:
        for session in await uow.sessions.between(now, now + timedelta(days=horizon + 1)):
            queued += await _session_notices(uow, now, settings, session)
        for held in await uow.sessions.before(now):
            recent = now - held.ends_at <= NOTES_WINDOW
            if held.status is SessionStatus.PLANNED and held.notes is None and recent:
                for coordinator in await uow.members.coordinators():
                    queued += await notify(
                        uow,
                        now,
                        coordinator.id,
                        AboutSession(NoticeKind.SESSION_NOTES, held.id),
                        dedup_key=f"session-notes:{held.id}:{coordinator.id}",
                    )
        await uow.commit()
    return queued


async def write_notes(services: Services, session_id: int, notes: str) -> ExchangeSession:
    """Keep coordinators' short notes of a session that took place."""
    async with services.uow() as uow:
        current = await _get(uow, session_id)
        if current.starts_at > services.clock.now():
            raise SessionProblem("not_held_yet")
        await uow.sessions.set_notes(session_id, notes.strip(), services.clock.now())
        await uow.commit()
        return await _get(uow, session_id)


async def _session_notices(
    uow: UnitOfWork, now: datetime, settings: SessionSettings, session: ExchangeSession
) -> int:
    queued = 0
    before = session.starts_at - now
    coordinators = await uow.members.coordinators()
    if before <= timedelta(days=settings.coordinator_days) and not (
        session.place and session.agenda
    ):
        for coordinator in coordinators:
            queued += await notify(
                uow,
                now,
                coordinator.id,
                AboutSession(NoticeKind.SESSION_INCOMPLETE, session.id),
                dedup_key=f"session-incomplete:{session.id}:{coordinator.id}",
            )
    if before <= timedelta(days=settings.announce_days):
        key = _announced_key(session.id)
        if await uow.events.get_state(key) is None:
            for member in await uow.members.list_all():
                if member.status is MemberStatus.ACTIVE:
                    queued += await notify(
                        uow,
                        now,
                        member.id,
                        AboutSession(NoticeKind.SESSION_ANNOUNCE, session.id),
                        dedup_key=f"session-announce:{session.id}:{member.id}",
                    )
            await uow.events.set_state(key, now.isoformat(), now)
            queued += await suggest_agenda(uow, now, session.id)
    days_sorted = sorted(settings.reminder_days)
    for position, days in enumerate(days_sorted):
        window_end = timedelta(days=days_sorted[position - 1]) if position else timedelta(0)
        if window_end < before <= timedelta(days=days):
            for member in await uow.sessions.answered(
                session.id, (RsvpAnswer.YES, RsvpAnswer.MAYBE)
            ):
                queued += await notify(
                    uow,
                    now,
                    member.id,
                    SessionReminder(session.id, days),
                    dedup_key=f"session-remind:{days}:{session.id}:{session.sequence}:{member.id}",
                )
    if before <= timedelta(days=1):
        for coordinator in coordinators:
            queued += await notify(
                uow,
                now,
                coordinator.id,
                AboutSession(NoticeKind.SESSION_ATTENDANCE, session.id),
                dedup_key=f"session-attendance:{session.id}:{session.sequence}:{coordinator.id}",
            )
    return queued


@dataclass(frozen=True, slots=True)
class Attendees:
    """Who said yes, and who said maybe."""

    coming: list[str]
    maybe: list[str]


async def attendees(services: Services, session_id: int) -> Attendees:
    """The names of those coming and those who might, for coordinators."""
    async with services.uow() as uow:
        coming = await uow.sessions.answered(session_id, (RsvpAnswer.YES,))
        maybe = await uow.sessions.answered(session_id, (RsvpAnswer.MAYBE,))
    return Attendees([m.display_name for m in coming], [m.display_name for m in maybe])


RULE_KEY = "sessions.rule"


async def current_rule(services: Services) -> str | None:
    """The series rule a coordinator set in chat, else the configured one."""
    async with services.uow() as uow:
        stored = await uow.events.get_state(RULE_KEY)
    return stored or services.sessions.rule or None


async def set_rule(services: Services, text: str) -> None:
    """Keep a series rule (raises RuleError when it cannot be read)."""
    parse_rule(text, timezone=services.sessions.timezone)
    async with services.uow() as uow:
        await uow.events.set_state(RULE_KEY, text.strip(), services.clock.now())
        await uow.commit()


async def plan_ahead(services: Services, count: int = 2) -> list[ExchangeSession]:
    """Make sure the next `count` sessions of the series exist (nothing without a rule)."""
    text = await current_rule(services)
    if not text:
        return []
    timezone = services.sessions.timezone
    rule = parse_rule(text, timezone=timezone)
    today = services.clock.now().astimezone(ZoneInfo(timezone)).date()
    return await plan_series(services, occurrences(rule, today, count))


async def upcoming_all(services: Services, limit: int = 20) -> list[ExchangeSession]:
    """The next planned sessions (for the command line)."""
    now = services.clock.now()
    async with services.uow() as uow:
        return (await uow.sessions.between(now, now + timedelta(days=800)))[:limit]
