"""Calendar invitations: built with icalendar, read back with icalendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event, Timezone

from bot.core.calendar_ics import PRODID, CalendarEvent, invitation

PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)

SESSION = CalendarEvent(
    uid="session-12@samu-numerique",
    sequence=0,
    start=datetime(2026, 4, 2, 9, 0, tzinfo=PARIS),
    end=datetime(2026, 4, 2, 12, 0, tzinfo=PARIS),
    summary="Temps d'échange, 2e trimestre",
    location="EPN Résoudre, salle 2",
    description="Accueil café; ordre du jour\nà compléter",
    organizer_email="animation@example.org",
)


def parse(content: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(content)
    assert isinstance(calendar, Calendar)
    events = [c for c in calendar.walk("VEVENT") if isinstance(c, Event)]
    assert len(events) == 1
    return calendar, events[0]


def test_request() -> None:
    content = invitation(SESSION, stamp=STAMP)
    calendar, event = parse(content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "session-12@samu-numerique"
    assert event.decoded("SEQUENCE") == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["ORGANIZER"]) == "mailto:animation@example.org"


def test_times_keep_the_paris_zone() -> None:
    content = invitation(SESSION, stamp=STAMP)
    _, event = parse(content)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTEND"].params["TZID"] == "Europe/Paris"
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND")
    assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (
        datetime(2026, 4, 2, 9, 0),
        datetime(2026, 4, 2, 12, 0),
    )
    assert start.utcoffset() == timedelta(hours=2)  # summer time
    assert start == SESSION.start and end == SESSION.end
    assert b"DTSTART;TZID=Europe/Paris:20260402T090000\r\n" in content
    assert b"DTEND;TZID=Europe/Paris:20260402T120000\r\n" in content
    assert b"DTSTAMP:20260301T100000Z\r\n" in content


def test_winter_time() -> None:
    winter = replace(
        SESSION,
        start=datetime(2026, 1, 8, 9, tzinfo=PARIS),
        end=datetime(2026, 1, 8, 12, tzinfo=PARIS),
    )
    _, event = parse(invitation(winter, stamp=STAMP))
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2026, 1, 8, 8, tzinfo=UTC)


def test_vtimezone_is_included_before_the_event() -> None:
    content = invitation(SESSION, stamp=STAMP)
    calendar, _ = parse(content)
    timezones = [c for c in calendar.walk("VTIMEZONE") if isinstance(c, Timezone)]
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Paris"]
    assert content.index(b"BEGIN:VTIMEZONE") < content.index(b"BEGIN:VEVENT")
    # both kinds of offsets of the event's year are described
    assert b"TZOFFSETTO:+0200" in content and b"TZOFFSETTO:+0100" in content
    assert b"RDATE:20260329T" in content or b"DTSTART:20260329T" in content


def test_text_with_accents_and_commas_is_escaped() -> None:
    content = invitation(SESSION, stamp=STAMP)
    assert "LOCATION:EPN Résoudre\\, salle 2\r\n".encode() in content
    assert "SUMMARY:Temps d'échange\\, 2e trimestre\r\n".encode() in content
    assert b"Accueil caf\xc3\xa9\\; ordre du jour\\n" in content  # UTF-8, ';' and newline escaped
    _, event = parse(content)
    assert str(event["LOCATION"]) == "EPN Résoudre, salle 2"
    assert str(event["SUMMARY"]) == "Temps d'échange, 2e trimestre"
    assert str(event["DESCRIPTION"]) == "Accueil café; ordre du jour\nà compléter"


def test_lines_are_crlf_and_folded() -> None:
    long_text = replace(SESSION, description="é" * 200)
    content = invitation(long_text, stamp=STAMP)
    lines = content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert b"\n" not in content.replace(b"\r\n", b"")
    _, event = parse(content)
    assert str(event["DESCRIPTION"]) == "é" * 200


def test_optional_fields_are_left_out() -> None:
    bare = replace(SESSION, location=None, description=None, organizer_email=None)
    content = invitation(bare, stamp=STAMP)
    _, event = parse(content)
    for name in ("LOCATION", "DESCRIPTION", "ORGANIZER"):
        assert name not in event


def test_cancellation_replaces_the_same_entry() -> None:
    request = invitation(SESSION, stamp=STAMP)
    cancel = invitation(
        replace(SESSION, sequence=SESSION.sequence + 1), cancelled=True, stamp=STAMP
    )
    request_calendar, requested = parse(request)
    cancel_calendar, cancelled = parse(cancel)
    assert str(request_calendar["METHOD"]) == "REQUEST"
    assert str(cancel_calendar["METHOD"]) == "CANCEL"
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == str(requested["UID"])
    assert cancelled.decoded("SEQUENCE") > requested.decoded("SEQUENCE")
    assert cancelled.decoded("DTSTART") == requested.decoded("DTSTART")


def test_update_keeps_uid_with_higher_sequence() -> None:
    moved = replace(
        SESSION,
        sequence=3,
        start=SESSION.start + timedelta(days=1),
        end=SESSION.end + timedelta(days=1),
        location="Médiathèque, salle du conseil",
    )
    _, event = parse(invitation(moved, stamp=STAMP))
    assert str(event["UID"]) == SESSION.uid
    assert event.decoded("SEQUENCE") == 3
    assert event.decoded("DTSTART") == datetime(2026, 4, 3, 9, tzinfo=PARIS)


def test_identical_input_gives_identical_bytes() -> None:
    first = invitation(SESSION, stamp=STAMP)
    second = invitation(replace(SESSION), stamp=STAMP)
    assert first == second
    assert invitation(SESSION, stamp=STAMP + timedelta(seconds=1)) != first


def test_stamp_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    _, event = parse(invitation(SESSION))
    stamp = event.decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= datetime.now(UTC)


def test_stamp_in_another_zone_is_written_in_utc() -> None:
    content = invitation(SESSION, stamp=datetime(2026, 3, 1, 11, 0, tzinfo=PARIS))
    assert b"DTSTAMP:20260301T100000Z\r\n" in content


def test_utc_and_fixed_offsets_are_written_in_utc() -> None:
    utc_event = replace(
        SESSION,
        start=datetime(2026, 4, 2, 7, tzinfo=UTC),
        end=datetime(2026, 4, 2, 10, tzinfo=timezone(timedelta(hours=2))),
    )
    content = invitation(utc_event, stamp=STAMP)
    assert b"DTSTART:20260402T070000Z\r\n" in content
    assert b"DTEND:20260402T080000Z\r\n" in content
    assert b"VTIMEZONE" not in content


def test_end_is_written_in_the_start_zone() -> None:
    mixed = replace(SESSION, end=datetime(2026, 4, 2, 10, tzinfo=UTC))
    content = invitation(mixed, stamp=STAMP)
    assert b"DTEND;TZID=Europe/Paris:20260402T120000\r\n" in content


@pytest.mark.parametrize(
    "changes",
    [
        {"uid": " "},
        {"sequence": -1},
        {"start": datetime(2026, 4, 2, 9)},
        {"end": datetime(2026, 4, 2, 8, tzinfo=PARIS)},
        {"end": datetime(2026, 4, 2, 9, tzinfo=PARIS)},
    ],
)
def test_event_validation(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        replace(SESSION, **changes)


def test_naive_stamp_is_rejected() -> None:
    with pytest.raises(ValueError):
        invitation(SESSION, stamp=datetime(2026, 3, 1))
