"""Quiet hours and delays counted in active time (Europe/Paris by default)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.business_hours import QuietHours

PARIS = ZoneInfo("Europe/Paris")
DEFAULT = QuietHours()
H = timedelta(hours=1)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# 2026-06-09 is a Tuesday (summer time, UTC+2); 2026-06-12 a Friday, 2026-06-13 a Saturday.


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (paris(2026, 6, 9, 10), H, paris(2026, 6, 9, 11)),  # Tuesday 10:00 + 1 h
        (paris(2026, 6, 9, 19, 30), H, paris(2026, 6, 10, 8, 30)),  # Tuesday evening
        (paris(2026, 6, 12, 19, 30), H, paris(2026, 6, 15, 8, 30)),  # Friday → Monday
        (paris(2026, 6, 13, 11), 24 * H, paris(2026, 6, 16, 20)),  # Saturday: Mon + Tue
        (paris(2026, 6, 9, 19), H, paris(2026, 6, 9, 20)),  # ends right as quiet hours begin
        (paris(2026, 6, 9, 3), H, paris(2026, 6, 9, 9)),  # starts in the night
        (paris(2026, 6, 14, 23, 59), timedelta(minutes=1), paris(2026, 6, 15, 8, 1)),
        (paris(2026, 6, 9, 8), 12 * H, paris(2026, 6, 9, 20)),  # exactly one active day
        (
            paris(2026, 6, 9, 8),
            12 * H + timedelta(microseconds=1),
            paris(2026, 6, 10, 8) + timedelta(microseconds=1),
        ),
    ],
)
def test_add_active_time_default_hours(
    start: datetime, duration: timedelta, expected: datetime
) -> None:
    result = DEFAULT.add_active_time(start, duration)
    assert result == expected
    assert result.tzinfo is UTC


def test_add_active_time_expected_utc_values() -> None:
    assert DEFAULT.add_active_time(paris(2026, 6, 12, 19, 30), H) == utc(2026, 6, 15, 6, 30)
    assert DEFAULT.add_active_time(paris(2026, 1, 9, 19, 30), H) == utc(2026, 1, 12, 7, 30)


def test_add_active_time_accepts_any_aware_zone() -> None:
    new_york = ZoneInfo("America/New_York")
    start = datetime(2026, 6, 9, 13, 30, tzinfo=new_york)  # Tuesday 19:30 in Paris
    assert DEFAULT.add_active_time(start, H) == utc(2026, 6, 10, 6, 30)
    assert DEFAULT.add_active_time(start.astimezone(UTC), H) == utc(2026, 6, 10, 6, 30)


def test_zero_duration_is_start_even_when_quiet() -> None:
    saturday = paris(2026, 6, 13, 11)
    assert DEFAULT.is_quiet(saturday)
    result = DEFAULT.add_active_time(saturday, timedelta(0))
    assert result == saturday
    assert result.tzinfo is UTC


def test_ten_weeks_and_a_year_of_active_time() -> None:
    # 5 days x 12 h = 60 active hours a week.
    assert DEFAULT.add_active_time(paris(2026, 6, 8, 8), 600 * H) == paris(2026, 8, 14, 20)
    # 52 weeks from Monday 5 January 2026, across both DST changes (both on Sundays).
    year = DEFAULT.add_active_time(paris(2026, 1, 5, 8), 52 * 60 * H)
    assert year == paris(2027, 1, 1, 20)
    assert year == utc(2027, 1, 1, 19)


@pytest.mark.parametrize(
    ("instant", "quiet"),
    [
        (paris(2026, 6, 9, 10), False),
        (paris(2026, 6, 9, 20), True),  # start included
        (paris(2026, 6, 9, 19, 59) + timedelta(seconds=59, microseconds=999_999), False),
        (paris(2026, 6, 9, 23, 30), True),
        (paris(2026, 6, 10, 0), True),
        (paris(2026, 6, 10, 7, 59), True),
        (paris(2026, 6, 10, 8), False),  # end excluded
        (paris(2026, 6, 12, 19, 59), False),  # Friday evening
        (paris(2026, 6, 13, 12), True),  # Saturday noon
        (paris(2026, 6, 14, 15), True),  # Sunday afternoon
        (paris(2026, 6, 15, 7), True),  # Monday early morning
        (paris(2026, 6, 15, 8), False),
        (utc(2026, 6, 9, 17, 59), False),  # 19:59 Paris
        (utc(2026, 6, 9, 18), True),  # 20:00 Paris
        (utc(2026, 6, 12, 22, 30), True),  # Saturday 00:30 Paris, still Friday in UTC
    ],
)
def test_is_quiet_default(instant: datetime, quiet: bool) -> None:
    assert DEFAULT.is_quiet(instant) is quiet


def test_next_active_on_saturday_is_monday_eight_paris() -> None:
    summer = DEFAULT.next_active(paris(2026, 6, 13, 11))
    assert summer == utc(2026, 6, 15, 6)
    assert summer.tzinfo is UTC
    assert summer.astimezone(PARIS).utcoffset() == 2 * H
    assert summer.astimezone(PARIS).replace(tzinfo=None) == datetime(2026, 6, 15, 8)
    winter = DEFAULT.next_active(paris(2026, 1, 10, 11))
    assert winter == utc(2026, 1, 12, 7)
    assert winter.astimezone(PARIS).utcoffset() == H


def test_next_active_when_active_is_the_instant_itself() -> None:
    tuesday = paris(2026, 6, 9, 10, 17)
    result = DEFAULT.next_active(tuesday)
    assert result == tuesday
    assert result.tzinfo is UTC
    assert DEFAULT.next_active(paris(2026, 6, 10, 8)) == paris(2026, 6, 10, 8)


def test_next_active_at_night_and_on_friday_evening() -> None:
    assert DEFAULT.next_active(paris(2026, 6, 9, 20)) == paris(2026, 6, 10, 8)
    assert DEFAULT.next_active(paris(2026, 6, 10, 3)) == paris(2026, 6, 10, 8)
    assert DEFAULT.next_active(paris(2026, 6, 12, 21)) == paris(2026, 6, 15, 8)


# --- daylight-saving changes in Paris -----------------------------------------------------------
# 2026-03-29 (Sunday): 02:00 CET → 03:00 CEST, i.e. at 01:00 UTC.
# 2026-10-25 (Sunday): 03:00 CEST → 02:00 CET, i.e. at 01:00 UTC.


def test_across_march_change() -> None:
    result = DEFAULT.add_active_time(paris(2026, 3, 27, 19), 2 * H)  # Friday, UTC+1
    assert result == paris(2026, 3, 30, 9)  # Monday, UTC+2
    assert result == utc(2026, 3, 30, 7)
    assert DEFAULT.next_active(utc(2026, 3, 28, 12)) == utc(2026, 3, 30, 6)


def test_across_october_change() -> None:
    result = DEFAULT.add_active_time(paris(2026, 10, 23, 19), 2 * H)  # Friday, UTC+2
    assert result == paris(2026, 10, 26, 9)  # Monday, UTC+1
    assert result == utc(2026, 10, 26, 8)
    assert DEFAULT.next_active(utc(2026, 10, 24, 12)) == utc(2026, 10, 26, 7)


LUNCH_EVERY_DAY = QuietHours(start=time(12), end=time(13), weekends=False)


def test_active_time_is_real_time_during_spring_forward() -> None:
    # 01:00 CET (00:00 UTC) + 3 real hours = 03:00 UTC = 05:00 CEST on the wall.
    result = LUNCH_EVERY_DAY.add_active_time(paris(2026, 3, 29, 1), 3 * H)
    assert result == utc(2026, 3, 29, 3)
    assert result.astimezone(PARIS).hour == 5


def test_active_time_is_real_time_during_fall_back() -> None:
    # 01:00 CEST (23:00 UTC the day before) + 3 real hours = 02:00 UTC = 03:00 CET.
    result = LUNCH_EVERY_DAY.add_active_time(paris(2026, 10, 25, 1), 3 * H)
    assert result == utc(2026, 10, 25, 2)
    assert result.astimezone(PARIS).hour == 3


def test_quiet_hours_ending_in_the_missing_hour_end_at_the_jump() -> None:
    # Quiet until 02:30, which does not exist on 29 March: the clock jumps from 02:00 CET
    # to 03:00 CEST at 01:00 UTC, and that is when quiet hours end.
    early = QuietHours(start=time(0), end=time(2, 30), weekends=False)
    assert early.is_quiet(utc(2026, 3, 29, 0, 59))
    assert not early.is_quiet(utc(2026, 3, 29, 1))
    assert early.next_active(utc(2026, 3, 29, 0, 30)) == utc(2026, 3, 29, 1)
    assert early.add_active_time(utc(2026, 3, 28, 23), H) == utc(2026, 3, 29, 2)


def test_repeated_hour_is_judged_by_the_wall_clock_each_time() -> None:
    # On 25 October 02:00-03:00 happens twice; quiet until 02:30 means quiet twice.
    early = QuietHours(start=time(0), end=time(2, 30), weekends=False)
    assert early.is_quiet(utc(2026, 10, 25, 0, 15))  # 02:15 CEST
    assert not early.is_quiet(utc(2026, 10, 25, 0, 45))  # 02:45 CEST
    assert early.is_quiet(utc(2026, 10, 25, 1, 15))  # 02:15 CET
    assert not early.is_quiet(utc(2026, 10, 25, 1, 45))  # 02:45 CET
    assert early.next_active(utc(2026, 10, 25, 1)) == utc(2026, 10, 25, 1, 30)
    # 30 min active (00:30-01:00 UTC), 30 min quiet, then 30 min more.
    assert early.add_active_time(utc(2026, 10, 25, 0, 30), H) == utc(2026, 10, 25, 2)
    assert early.add_active_time(paris(2026, 10, 25, 2, 30), H) == utc(2026, 10, 25, 2)


def test_window_starting_in_the_missing_hour_starts_at_the_jump() -> None:
    late = QuietHours(start=time(2, 30), end=time(6), weekends=False)
    assert not late.is_quiet(utc(2026, 3, 29, 0, 59))  # 01:59 CET
    assert late.is_quiet(utc(2026, 3, 29, 1))  # 03:00 CEST
    assert late.add_active_time(utc(2026, 3, 29, 0, 30), H) == utc(2026, 3, 29, 4, 30)


# --- other configurations -------------------------------------------------------------------------


def test_weekends_not_quiet() -> None:
    weekdays_too = QuietHours(weekends=False)
    assert not weekdays_too.is_quiet(paris(2026, 6, 13, 11))
    assert weekdays_too.is_quiet(paris(2026, 6, 13, 21))
    assert weekdays_too.add_active_time(paris(2026, 6, 12, 19, 30), H) == paris(2026, 6, 13, 8, 30)
    # Saturday 11:00-20:00 (9 h) + Sunday 08:00-20:00 (12 h) + Monday 08:00-11:00 (3 h).
    assert weekdays_too.add_active_time(paris(2026, 6, 13, 11), 24 * H) == paris(2026, 6, 15, 11)
    assert weekdays_too.next_active(paris(2026, 6, 13, 11)) == paris(2026, 6, 13, 11)
    assert weekdays_too.next_active(paris(2026, 6, 13, 22)) == paris(2026, 6, 14, 8)


def test_start_equal_end_means_weekends_only() -> None:
    weekends_only = QuietHours(start=time(9), end=time(9))
    assert not weekends_only.is_quiet(paris(2026, 6, 9, 3))
    assert not weekends_only.is_quiet(paris(2026, 6, 9, 9))
    assert weekends_only.is_quiet(paris(2026, 6, 13, 9))
    assert weekends_only.add_active_time(paris(2026, 6, 9, 23), H) == paris(2026, 6, 10, 0)
    assert weekends_only.add_active_time(paris(2026, 6, 12, 23, 30), H) == paris(2026, 6, 15, 0, 30)
    assert weekends_only.next_active(paris(2026, 6, 14, 23)) == paris(2026, 6, 15, 0)


def test_start_equal_end_without_weekends_is_never_quiet() -> None:
    always = QuietHours(start=time(0), end=time(0), weekends=False)
    saturday_night = paris(2026, 6, 13, 23)
    assert not always.is_quiet(saturday_night)
    assert always.next_active(saturday_night) == saturday_night
    assert always.add_active_time(saturday_night, 100 * H) == saturday_night + 100 * H
    # Real time across the March change: 01:00 CET + 3 h = 05:00 CEST.
    assert always.add_active_time(paris(2026, 3, 29, 1), 3 * H) == utc(2026, 3, 29, 3)


def test_window_within_the_day() -> None:
    lunch = QuietHours(start=time(12), end=time(14))
    assert not lunch.is_quiet(paris(2026, 6, 9, 11, 59))
    assert lunch.is_quiet(paris(2026, 6, 9, 12))
    assert lunch.is_quiet(paris(2026, 6, 9, 13, 59))
    assert not lunch.is_quiet(paris(2026, 6, 9, 14))
    assert not lunch.is_quiet(paris(2026, 6, 9, 23))
    assert lunch.is_quiet(paris(2026, 6, 13, 10))  # weekend
    assert lunch.add_active_time(paris(2026, 6, 9, 11, 30), H) == paris(2026, 6, 9, 14, 30)
    assert lunch.add_active_time(paris(2026, 6, 12, 23), 2 * H) == paris(2026, 6, 15, 1)
    assert lunch.next_active(paris(2026, 6, 9, 12, 30)) == paris(2026, 6, 9, 14)


def test_other_time_zone() -> None:
    new_york = QuietHours(timezone="America/New_York")
    friday_evening = datetime(2026, 6, 12, 19, 30, tzinfo=ZoneInfo("America/New_York"))
    assert new_york.add_active_time(friday_evening, H) == utc(2026, 6, 15, 12, 30)
    # 23:30 UTC on Friday is Saturday in Paris but still Friday 19:30 in New York.
    assert not new_york.is_quiet(utc(2026, 6, 12, 23, 30))
    assert DEFAULT.is_quiet(utc(2026, 6, 12, 23, 30))


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2026, 6, 9, 10)
    with pytest.raises(ValueError):
        DEFAULT.is_quiet(naive)
    with pytest.raises(ValueError):
        DEFAULT.next_active(naive)
    with pytest.raises(ValueError):
        DEFAULT.add_active_time(naive, H)


def test_negative_duration_is_rejected() -> None:
    with pytest.raises(ValueError):
        DEFAULT.add_active_time(paris(2026, 6, 9, 10), -timedelta(minutes=1))


def test_bad_configuration_is_rejected() -> None:
    with pytest.raises(ValueError):
        QuietHours(timezone="Europe/Nowhere")
    with pytest.raises(ValueError):
        QuietHours(timezone="../etc/passwd")
    with pytest.raises(ValueError):
        QuietHours(start=time(20, tzinfo=UTC))


# --- properties -----------------------------------------------------------------------------------

ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "UTC"]
half_hours = st.builds(time, st.integers(0, 23), st.sampled_from([0, 30]))
configurations = st.one_of(
    st.just(DEFAULT),
    st.builds(
        QuietHours,
        start=half_hours,
        end=half_hours,
        weekends=st.booleans(),
        timezone=st.sampled_from(ZONES),
    ),
)
# Instants near the 2026 offset changes of the zones above, or anywhere in 2025-2028.
CHANGES = [
    utc(2026, 3, 29, 1),  # Paris
    utc(2026, 10, 25, 1),
    utc(2026, 3, 8, 7),  # New York
    utc(2026, 11, 1, 6),
    utc(2026, 4, 4, 15),  # Lord Howe (30-minute change)
    utc(2026, 10, 3, 15, 30),
]
near_changes = st.builds(
    lambda base, minutes: base + timedelta(minutes=minutes),
    st.sampled_from(CHANGES),
    st.integers(-4 * 24 * 60, 4 * 24 * 60),
)
anywhen = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
on_the_minute = st.one_of(near_changes, anywhen.map(lambda d: d.replace(second=0, microsecond=0)))
instants = st.one_of(near_changes, anywhen)
minutes = st.integers(0, 14 * 24 * 60).map(lambda m: timedelta(minutes=m))


@given(configurations, instants, minutes, minutes)
def test_add_active_time_is_additive(
    quiet_hours: QuietHours, start: datetime, a: timedelta, b: timedelta
) -> None:
    once = quiet_hours.add_active_time(start, a + b)
    assert once == quiet_hours.add_active_time(quiet_hours.add_active_time(start, a), b)


@given(configurations, instants, minutes)
def test_add_active_time_ends_at_an_active_moment(
    quiet_hours: QuietHours, start: datetime, duration: timedelta
) -> None:
    result = quiet_hours.add_active_time(start, duration)
    assert result.tzinfo is UTC
    assert result >= start
    if not duration:
        assert result == start
    else:
        assert result >= start + duration
        # The last instant counted was active; the result itself is either active or the
        # very instant quiet hours begin.
        assert not quiet_hours.is_quiet(result - timedelta(microseconds=1))


@given(configurations, instants)
def test_next_active_is_the_first_active_instant(
    quiet_hours: QuietHours, instant: datetime
) -> None:
    result = quiet_hours.next_active(instant)
    assert result.tzinfo is UTC
    assert result >= instant
    assert not quiet_hours.is_quiet(result)
    if result == instant:
        assert not quiet_hours.is_quiet(instant)
    else:
        assert quiet_hours.is_quiet(instant)
        assert quiet_hours.is_quiet(result - timedelta(microseconds=1))
        assert result - instant < timedelta(days=4)


def count_minute_by_minute(quiet_hours: QuietHours, start: datetime, duration: int) -> datetime:
    """Reference: count active minutes one by one (exact when every boundary is on a minute)."""
    now, counted = start, 0
    while counted < duration:
        if not quiet_hours.is_quiet(now):
            counted += 1
        now += timedelta(minutes=1)
    return now


@settings(max_examples=60, deadline=None)
@given(configurations, on_the_minute, st.integers(0, 36 * 60))
def test_add_active_time_matches_counting_minutes(
    quiet_hours: QuietHours, start: datetime, duration: int
) -> None:
    expected = count_minute_by_minute(quiet_hours, start, duration)
    assert quiet_hours.add_active_time(start, timedelta(minutes=duration)) == expected
