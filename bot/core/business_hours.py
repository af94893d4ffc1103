"""Quiet hours, and delays counted in active (non-quiet) time.

Members are not disturbed every night from ``start`` to ``end`` (local wall
time) nor, if ``weekends``, on Saturdays and Sundays. Escalation delays only
count the time in between: one active hour asked on Friday at 19:30 ends on
Monday at 08:30 with the defaults.

Whether an instant is quiet depends only on its local wall time in
``timezone`` (date, weekday and time of day), with half-open windows: 20:00
is quiet, 08:00 is not. Around daylight-saving changes this is exactly what
the clock on the wall says:

* spring forward (Europe/Paris, last Sunday of March, 02:00 → 03:00): a
  window boundary inside the missing hour takes effect at the jump;
* fall back (last Sunday of October, 03:00 → 02:00): the repeated hour is
  judged twice, each time by its wall time;
* active durations are real elapsed time (UTC arithmetic), so 3 active hours
  from 01:00 local on the spring-forward night end at 05:00 local.

The computations walk over segments of constant quiet/active state and
constant UTC offset (at most one day long each), so their cost is
proportional to the number of days spanned. Offset changes are found by
bisection; two changes cancelling out within one day are not detected (no
real time zone does that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["QuietHours"]

_ONE_DAY = timedelta(days=1)
_RESOLUTION = timedelta(microseconds=1)
_SATURDAY = 5


@dataclass(frozen=True, slots=True)
class QuietHours:
    """When members are not disturbed: nights and, optionally, weekends.

    Every night from ``start`` to ``end`` (local time) and, if ``weekends``, all
    Saturday and Sunday. ``start == end`` means no nightly quiet hours (only weekends, if set); a
    window with ``start < end`` (e.g. 12:00 to 14:00) lies within each day.
    ``start`` and ``end`` are naive wall times; ``timezone`` is an IANA name.
    """

    start: time = time(20, 0)
    end: time = time(8, 0)
    weekends: bool = True
    timezone: str = "Europe/Paris"

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("start and end are local wall times and must be naive")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {self.timezone!r}") from error

    def is_quiet(self, instant: datetime) -> bool:
        """Whether ``instant`` (aware) falls in quiet hours."""
        _require_aware(instant, "instant")
        return self._wall_state(_wall(instant.astimezone(self._zone())))[0]

    def next_active(self, instant: datetime) -> datetime:
        """``instant`` itself if not quiet, else the first later instant that is not; in UTC."""
        _require_aware(instant, "instant")
        zone = self._zone()
        now = instant.astimezone(UTC)
        while True:
            quiet, until = self._segment(zone, now)
            if not quiet:
                return now
            now = until

    def add_active_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when ``duration`` of non-quiet time has elapsed after ``start``; in UTC.

        Quiet periods do not count. A zero duration gives ``start`` itself (even in
        quiet hours); otherwise the result is the end of the last active moment
        counted, which may be exactly the instant quiet hours begin (with the
        defaults, Tuesday 19:00 plus one hour is Tuesday 20:00). Use
        :meth:`next_active` on the result to know when the member may be disturbed.
        Negative durations raise :class:`ValueError`.
        """
        _require_aware(start, "start")
        if duration < timedelta(0):
            raise ValueError(f"duration must be >= 0, got {duration}")
        now = start.astimezone(UTC)
        if not self.weekends and self.start == self.end:
            return now + duration
        zone = self._zone()
        remaining = duration
        while remaining > timedelta(0):
            quiet, until = self._segment(zone, now)
            if not quiet:
                if remaining <= until - now:
                    return now + remaining
                remaining -= until - now
            now = until
        return now

    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances by key

    def _segment(self, zone: ZoneInfo, now: datetime) -> tuple[bool, datetime]:
        """The state at UTC instant ``now`` and the UTC instant it may change."""
        wall = _wall(now.astimezone(zone))
        quiet, wall_until = self._wall_state(wall)
        until = now + (wall_until - wall)  # valid while the UTC offset stays the same
        change = _next_offset_change(zone, now, until)
        return quiet, until if change is None else change

    def _wall_state(self, wall: datetime) -> tuple[bool, datetime]:
        """Whether naive local ``wall`` time is quiet, and the wall time that may change it.

        The returned wall time is after ``wall`` and at most the next midnight.
        """
        day: date = wall.date()
        midnight = datetime.combine(day + _ONE_DAY, time())
        if self.weekends and day.weekday() >= _SATURDAY:
            return True, midnight
        if self.start == self.end:
            return False, midnight
        boundaries = (datetime.combine(day, self.start), datetime.combine(day, self.end))
        until = min((b for b in boundaries if b > wall), default=midnight)
        return self._in_nightly_window(wall.time()), until

    def _in_nightly_window(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _wall(local: datetime) -> datetime:
    """The naive wall time of an aware local datetime (``fold`` dropped)."""
    return local.replace(tzinfo=None, fold=0)


def _next_offset_change(zone: ZoneInfo, after: datetime, limit: datetime) -> datetime | None:
    """The first UTC instant in (``after``, ``limit``] whose offset in ``zone`` differs."""
    offset = after.astimezone(zone).utcoffset()
    if limit.astimezone(zone).utcoffset() == offset:
        return None
    low, high = after, limit  # offset(low) == offset < offset(high)
    while high - low > _RESOLUTION:
        middle = low + (high - low) // 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high
