"""Calendar invitations (iCalendar, RFC 5545 / iTIP RFC 5546) for the sessions.

:func:`invitation` builds a one-event ``VCALENDAR`` with the ``icalendar``
library: ``METHOD:REQUEST`` for a new or changed session, ``METHOD:CANCEL`` for a
cancelled one. Calendars recognise an update by its ``UID`` (kept the same for
every version of a session) and its ``SEQUENCE`` (raised by the caller at each
change, a cancellation included).

Times keep the event's own time zone: a start in ``ZoneInfo("Europe/Paris")``
is written ``DTSTART;TZID=Europe/Paris:…`` with a matching ``VTIMEZONE``
(built from the tz database by icalendar, covering the year before the event to
the year after it). A UTC start, or one with an offset but no zone name, is
written in UTC (``…Z``).

The output depends only on the arguments, except ``DTSTAMP`` when no ``stamp``
is given (it is then the current time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

__all__ = ["PRODID", "CalendarEvent", "invitation"]

PRODID = "-//samu-numerique//sessions//FR"
"""The product identifier written in every calendar file."""

# Zone names icalendar writes as UTC ("…Z") rather than with a TZID.
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "Universal"})


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One version of a session as sent to calendars.

    ``uid`` stays the same across versions (e.g. ``"session-12@samu-numerique"``)
    so that calendars replace the entry; ``sequence`` increases with each change.
    ``start`` and ``end`` are aware, ``end`` after ``start``; ``end`` is written in
    ``start``'s time zone.
    """

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    location: str | None
    description: str | None
    organizer_email: str | None = None

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise ValueError("uid must not be empty")
        if self.sequence < 0:
            raise ValueError("sequence must not be negative")
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("start and end must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("end must be after start")


def _zone(moment: datetime) -> tzinfo:
    """The zone to write ``moment`` in: its named IANA zone, else UTC."""
    zone = moment.tzinfo
    if isinstance(zone, ZoneInfo) and zone.key and zone.key not in _UTC_KEYS:
        return zone
    return UTC


def invitation(
    event: CalendarEvent, *, cancelled: bool = False, stamp: datetime | None = None
) -> bytes:
    """The ``.ics`` file inviting to ``event``, or cancelling it if ``cancelled``.

    ``stamp`` is the ``DTSTAMP`` (when this file was made; aware, written in
    UTC); it defaults to now. For a cancellation, pass the event with the same
    ``uid`` and a ``sequence`` higher than the last one sent.
    """
    if stamp is None:
        stamp = datetime.now(UTC)
    elif stamp.utcoffset() is None:
        raise ValueError("stamp must be timezone-aware")
    # icalendar (~3 MiB) is loaded when the first invitation is made, not at every start.
    from icalendar import Calendar, Event, Timezone, vCalAddress

    zone = _zone(event.start)
    start = event.start.astimezone(zone)
    end = event.end.astimezone(zone)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    if isinstance(zone, ZoneInfo):
        calendar.add_component(
            Timezone.from_tzid(
                zone.key,
                first_date=date(start.year - 1, 1, 1),
                last_date=date(end.year + 2, 1, 1),
            )
        )

    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", stamp.astimezone(UTC))
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("summary", event.summary)
    if event.location is not None:
        vevent.add("location", event.location)
    if event.description is not None:
        vevent.add("description", event.description)
    if event.organizer_email is not None:
        vevent.add("organizer", vCalAddress(f"mailto:{event.organizer_email}"))
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(vevent)
    content: bytes = calendar.to_ical()
    return content
