"""Recurring "temps d'échange": a rule such as "first Thursday of each quarter, 09:00–12:00".

A :class:`SeriesRule` names one weekday per period (every month or every
quarter), with local wall-clock hours in an IANA time zone. :func:`parse_rule`
reads it from a short French or English phrase, :func:`occurrences` lists the
next sessions, moving any that falls on a French public holiday or a weekend to
the next working day, and :func:`rotate_places` picks the host structure when
partner structures take turns.

Periods and ordinals:

* ``period="month"``: the ``ordinal``-th ``weekday`` of every month;
* ``period="quarter"``: quarters start in January, April, July and October. A
  positive ordinal counts from the start of the quarter, so it always falls in
  its first month (the 4th Thursday of a quarter is at the latest on the 28th of
  January, April…); ``ordinal=-1`` ("last") counts from the end of the quarter,
  so it falls in its last month (March, June, September, December).

Sessions are built from local wall times with :mod:`zoneinfo`, so a 09:00
session is at 09:00 local time in winter and in summer alike (UTC+01:00 then
UTC+02:00 for Europe/Paris). A wall time that does not exist (inside a
spring-forward gap) is moved forward by the length of the gap, and an ambiguous
one (fall back) is taken at its first occurrence.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    import holidays

__all__ = [
    "RuleError",
    "RuleProblem",
    "SeriesRule",
    "next_working_day",
    "occurrences",
    "parse_rule",
    "rotate_places",
]

Period = Literal["month", "quarter"]
_T = TypeVar("_T")

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5
_LAST = -1


class RuleProblem(StrEnum):
    """What could not be understood in a rule (the chat layer words it for people)."""

    EMPTY = "empty"
    UNEXPECTED_CHARACTER = "unexpected_character"
    UNKNOWN_WORD = "unknown_word"
    BAD_ORDINAL = "bad_ordinal"
    REPEATED = "repeated"
    MISSING_ORDINAL = "missing_ordinal"
    MISSING_WEEKDAY = "missing_weekday"
    MISSING_PERIOD = "missing_period"
    MISSING_TIMES = "missing_times"
    BAD_TIME = "bad_time"
    BAD_TIME_RANGE = "bad_time_range"
    END_NOT_AFTER_START = "end_not_after_start"
    INVALID = "invalid"


class RuleError(ValueError):
    """A rule that cannot be read or does not make sense.

    ``problem`` says what went wrong and ``fragment`` is the piece of text (or
    field) concerned, when there is one; the message combines both.
    """

    def __init__(self, problem: RuleProblem, fragment: str | None = None) -> None:
        super().__init__(problem.value if fragment is None else f"{problem.value}: {fragment!r}")
        self.problem = problem
        self.fragment = fragment


@dataclass(frozen=True, slots=True)
class SeriesRule:
    """E.g. first Thursday of each quarter, 09:00–12:00, Europe/Paris.

    ``ordinal`` is 1 to 4, or -1 for the last one; ``weekday`` is 0 (Monday) to
    6 (Sunday); ``start`` and ``end`` are naive local wall times, ``end`` after
    ``start`` on the same day; ``timezone`` is an IANA name.
    """

    ordinal: int
    weekday: int
    period: Period
    start: time
    end: time
    timezone: str = "Europe/Paris"

    def __post_init__(self) -> None:
        if self.ordinal not in (1, 2, 3, 4, _LAST):
            raise RuleError(RuleProblem.BAD_ORDINAL, str(self.ordinal))
        if not 0 <= self.weekday <= 6:
            raise RuleError(RuleProblem.INVALID, f"weekday={self.weekday}")
        if self.period not in ("month", "quarter"):
            raise RuleError(RuleProblem.INVALID, f"period={self.period}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise RuleError(RuleProblem.INVALID, "start and end must be naive wall times")
        if self.end <= self.start:
            raise RuleError(RuleProblem.END_NOT_AFTER_START, f"{self.start}-{self.end}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise RuleError(RuleProblem.INVALID, f"timezone={self.timezone}") from error


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

# Vocabulary, after lower-casing and removing accents ("première" → "premiere").
_ORDINAL_WORDS = MappingProxyType(
    {
        **dict.fromkeys(("premier", "premiere", "premiers", "premieres", "first"), 1),
        **dict.fromkeys(("deuxieme", "deuxiemes", "second", "seconde", "seconds"), 2),
        **dict.fromkeys(("troisieme", "troisiemes", "third"), 3),
        **dict.fromkeys(("quatrieme", "quatriemes", "fourth"), 4),
        **dict.fromkeys(("dernier", "derniere", "derniers", "dernieres", "last"), _LAST),
    }
)
# Suffixes allowed after a digit: 1er, 1re, 1ère, 1st, 2e, 2ème, 2ièmes, 2nd, 3rd, 4th…
_ORDINAL_SUFFIXES = MappingProxyType(
    {
        1: frozenset({"er", "re", "ere", "ers", "res", "eres", "st"}),
        2: frozenset({"e", "eme", "ieme", "es", "emes", "iemes", "nd", "d"}),
        3: frozenset({"e", "eme", "ieme", "es", "emes", "iemes", "rd"}),
        4: frozenset({"e", "eme", "ieme", "es", "emes", "iemes", "th"}),
    }
)
_WEEKDAY_NAMES = (
    ("lundi", "monday", "mon"),
    ("mardi", "tuesday", "tue", "tues"),
    ("mercredi", "wednesday", "wed"),
    ("jeudi", "thursday", "thu", "thur", "thurs"),
    ("vendredi", "friday", "fri"),
    ("samedi", "saturday", "sat"),
    ("dimanche", "sunday", "sun"),
)
_WEEKDAYS = MappingProxyType(
    {
        spelling: number
        for number, names in enumerate(_WEEKDAY_NAMES)
        for name in names
        for spelling in (name, f"{name}s")
    }
)
_PERIODS: MappingProxyType[str, Period] = MappingProxyType(
    {
        **dict.fromkeys(
            ("mois", "mensuel", "mensuelle", "month", "months", "monthly"),
            "month",
        ),
        **dict.fromkeys(
            (
                "trimestre",
                "trimestres",
                "trimestriel",
                "trimestrielle",
                "quarter",
                "quarters",
                "quarterly",
            ),
            "quarter",
        ),
    }
)
_NOON_WORDS = frozenset({"midi", "noon", "midday"})
# Words that may stand between the two times of a range ("9h à 12h", "9am to noon").
_RANGE_WORDS = frozenset({"a", "jusqu", "et", "to", "until", "till", "and"})
# Words carrying no information of their own.
_FILLER_WORDS = frozenset(
    {
        *("le", "la", "les", "l", "de", "du", "des", "d", "chaque", "tous", "toutes", "tout"),
        *("par", "au", "aux", "en", "entre", "of", "each", "every", "the", "on", "in", "per"),
        *("from", "at", "between"),
    }
)

_MERIDIEM = r"(?P<meridiem>[ap])\.?\s?m\b\.?"
_TOKEN = re.compile(
    rf"""
    (?P<clock>                                      # 9h, 9 h 30, 9heures, 09:00, 2pm, 2:30 p.m., 9
        (?P<hour>\d{{1,2}})
        (?:\s*(?P<mark>h(?:eures?)?|:)\s*(?P<minute>\d{{2}})?)?
        (?:\s*{_MERIDIEM})?
        (?![a-z0-9])
    )
    | (?P<ordinal>(?P<number>\d{{1,2}})(?P<suffix>[a-z]+))   # 1er, 2e, 3rd
    | (?P<word>[a-z]+)
    | (?P<dash>-+)
    | (?P<space>[\s,.;:!?'"()]+)
    """,
    re.VERBOSE,
)
_DASHES = MappingProxyType(
    str.maketrans(dict.fromkeys("‐‑‒–—―−", "-") | dict.fromkeys("’‘`´", "'"))
)


@dataclass(frozen=True, slots=True)
class _Clock:
    """A time as written: hour, minutes, optional am/pm; ``marked`` if 'h', ':' or am/pm."""

    text: str
    hour: int
    minute: int
    meridiem: str | None
    marked: bool

    def resolve(self, meridiem: str | None) -> time:
        """The wall time, reading the hour on a 12-hour clock when ``meridiem`` is given."""
        hour = self.hour
        if meridiem is not None:
            if not 1 <= hour <= 12:
                raise RuleError(RuleProblem.BAD_TIME, self.text)
            hour = hour % 12 + (12 if meridiem == "p" else 0)
        if hour > 23 or self.minute > 59:
            raise RuleError(RuleProblem.BAD_TIME, self.text)
        return time(hour, self.minute)


_NOON = _Clock("12:00", 12, 0, None, marked=True)


@dataclass(frozen=True, slots=True)
class _Ordinal:
    value: int


@dataclass(frozen=True, slots=True)
class _Weekday:
    value: int


@dataclass(frozen=True, slots=True)
class _PeriodWord:
    value: Period


@dataclass(frozen=True, slots=True)
class _RangeWord:
    """A dash or a word between the two times of a range."""


@dataclass(frozen=True, slots=True)
class _Filler:
    """A word carrying no information ("de", "chaque", "of"…)."""


_Token = _Clock | _Ordinal | _Weekday | _PeriodWord | _RangeWord | _Filler


def _normalise(text: str) -> str:
    """Lower case, no accents, plain dashes and apostrophes; superscripts flattened (1ᵉʳ)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.translate(_DASHES)


def _ordinal_from_digits(number: str, suffix: str, fragment: str) -> _Ordinal:
    value = int(number)
    if value not in _ORDINAL_SUFFIXES:
        raise RuleError(RuleProblem.BAD_ORDINAL, fragment)
    if suffix not in _ORDINAL_SUFFIXES[value]:
        raise RuleError(RuleProblem.UNKNOWN_WORD, fragment)
    return _Ordinal(value)


def _classify_word(word: str) -> _Token:
    if word in _ORDINAL_WORDS:
        return _Ordinal(_ORDINAL_WORDS[word])
    if word in _WEEKDAYS:
        return _Weekday(_WEEKDAYS[word])
    if word in _PERIODS:
        return _PeriodWord(_PERIODS[word])
    if word in _NOON_WORDS:
        return _NOON
    if word in _RANGE_WORDS:
        return _RangeWord()
    if word in _FILLER_WORDS:
        return _Filler()
    raise RuleError(RuleProblem.UNKNOWN_WORD, word)


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise RuleError(RuleProblem.UNEXPECTED_CHARACTER, text[position])
        position = match.end()
        fragment = match.group().strip()
        if match["clock"] is not None:
            minute = match["minute"]
            tokens.append(
                _Clock(
                    text=fragment,
                    hour=int(match["hour"]),
                    minute=int(minute) if minute is not None else 0,
                    meridiem=match["meridiem"],
                    marked=match["mark"] is not None or match["meridiem"] is not None,
                )
            )
        elif match["ordinal"] is not None:
            tokens.append(_ordinal_from_digits(match["number"], match["suffix"], fragment))
        elif match["word"] is not None:
            tokens.append(_classify_word(match["word"]))
        elif match["dash"] is not None:
            tokens.append(_RangeWord())
    return tokens


def _bare_numbers_as_ordinals(tokens: list[_Token]) -> list[_Token]:
    """A bare number right before a weekday ("1 jeudi") is an ordinal, not an hour."""
    result = list(tokens)
    for index, (token, following) in enumerate(pairwise(tokens)):
        if isinstance(token, _Clock) and not token.marked and isinstance(following, _Weekday):
            if token.hour not in _ORDINAL_SUFFIXES:
                raise RuleError(RuleProblem.BAD_ORDINAL, token.text)
            result[index] = _Ordinal(token.hour)
    return result


def _time_range(tokens: list[_Token]) -> tuple[time, time]:
    positions = [index for index, token in enumerate(tokens) if isinstance(token, _Clock)]
    clocks = [token for token in tokens if isinstance(token, _Clock)]
    if not clocks:
        raise RuleError(RuleProblem.MISSING_TIMES)
    if len(clocks) != 2:
        raise RuleError(RuleProblem.BAD_TIME_RANGE, " ".join(clock.text for clock in clocks))
    first, second = clocks
    between = tokens[positions[0] + 1 : positions[1]]
    if not between or not all(isinstance(token, _RangeWord) for token in between):
        raise RuleError(RuleProblem.BAD_TIME_RANGE, f"{first.text} {second.text}")
    if not (first.marked or second.marked):
        raise RuleError(RuleProblem.BAD_TIME_RANGE, f"{first.text} {second.text}")
    return _resolve_range(first, second)


def _resolve_range(first: _Clock, second: _Clock) -> tuple[time, time]:
    """Both ends, one side's am/pm applying to the other ("2-5pm", "2pm-5") when sensible."""
    end = second.resolve(second.meridiem)
    if first.meridiem is None and second.meridiem is not None and first.hour <= 12:
        shared = first.resolve(second.meridiem)
        start = shared if shared < end else first.resolve(None)
    else:
        start = first.resolve(first.meridiem)
    if second.meridiem is None and first.meridiem is not None and second.hour <= 12:
        shared = second.resolve(first.meridiem)
        end = shared if shared > start else end
    if end <= start:
        raise RuleError(RuleProblem.END_NOT_AFTER_START, f"{first.text} {second.text}")
    return start, end


def _single(values: list[_T], name: str, missing: RuleProblem) -> _T:
    if not values:
        raise RuleError(missing)
    if len(values) > 1:
        raise RuleError(RuleProblem.REPEATED, name)
    return values[0]


def parse_rule(text: str, *, timezone: str = "Europe/Paris") -> SeriesRule:
    """Read a rule such as "premier jeudi de chaque trimestre 9h-12h".

    French or English, case and accents optional: "1er jeudi du trimestre de 9h
    à 12h", "dernier mardi de chaque mois 14h-17h", "deuxième lundi de chaque mois
    9h30-12h30", "first Thursday of each quarter 09:00-12:00", "last Tuesday of
    every month 2pm-5pm". The ordinal, the weekday, the period (month or quarter)
    and the two times are all required; ``timezone`` is the rule's time zone.
    Raises :class:`RuleError` naming what was not understood.
    """
    normalised = _normalise(text)
    if not normalised.strip():
        raise RuleError(RuleProblem.EMPTY)
    tokens = _bare_numbers_as_ordinals(_tokenise(normalised))
    start, end = _time_range(tokens)
    ordinal = _single(
        [token.value for token in tokens if isinstance(token, _Ordinal)],
        "ordinal",
        RuleProblem.MISSING_ORDINAL,
    )
    weekday = _single(
        [token.value for token in tokens if isinstance(token, _Weekday)],
        "weekday",
        RuleProblem.MISSING_WEEKDAY,
    )
    period = _single(
        [token.value for token in tokens if isinstance(token, _PeriodWord)],
        "period",
        RuleProblem.MISSING_PERIOD,
    )
    return SeriesRule(ordinal, weekday, period, start, end, timezone)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def _months_per_period(period: Period) -> int:
    return 1 if period == "month" else 3


def _period_of(day: date, period: Period) -> tuple[int, int]:
    """Year and first month of the period containing ``day``."""
    step = _months_per_period(period)
    return day.year, (day.month - 1) // step * step + 1


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _nominal_date(rule: SeriesRule, year: int, month: int) -> date:
    """The rule's date in the period starting at ``year``-``month``, before any move."""
    if rule.ordinal == _LAST:
        year, month = _add_months(year, month, _months_per_period(rule.period) - 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - rule.weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(rule.weekday - first.weekday()) % 7 + 7 * (rule.ordinal - 1))


def _french_holidays() -> holidays.HolidayBase:
    """Public holidays of metropolitan France (no Alsace-Moselle or overseas extras)."""
    import holidays  # ~3.5 MiB, loaded when a date is first checked rather than at every start

    return holidays.country_holidays("FR")


def _next_working_day(day: date, public_holidays: holidays.HolidayBase) -> date:
    while day.weekday() >= _SATURDAY or day in public_holidays:
        day += _ONE_DAY
    return day


def next_working_day(day: date) -> date:
    """``day`` itself if it is a working day in France, else the next one.

    Working days are Monday to Friday except metropolitan French public holidays
    (1 January, Easter Monday, 1 and 8 May, Ascension, Whit Monday, 14 July,
    15 August, 1 and 11 November, 25 December).
    """
    return _next_working_day(day, _french_holidays())


def _wall_time(day: date, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at local wall time ``at``; a time inside a DST gap moves forward by the gap."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC).astimezone(zone)


def occurrences(
    rule: SeriesRule, after: date, count: int, *, skip_holidays: bool = True
) -> list[tuple[datetime, datetime]]:
    """The next ``count`` sessions held strictly after the day ``after``.

    Each is an aware ``(start, end)`` pair in the rule's time zone, in
    chronological order. With ``skip_holidays`` (the default), a session falling
    on a weekend or a French public holiday moves to the next working day, same
    hours; without it, dates are kept as the rule gives them. ``after`` is
    compared with the day actually held, after any move.
    """
    if isinstance(after, datetime):
        raise TypeError("after must be a date, not a datetime")
    if count < 0:
        raise ValueError("count must not be negative")
    zone = ZoneInfo(rule.timezone)
    public_holidays = _french_holidays() if skip_holidays else None
    step = _months_per_period(rule.period)
    # Start one period early: a session moved forward may land after `after`.
    year, month = _add_months(*_period_of(after, rule.period), -step)
    sessions: list[tuple[datetime, datetime]] = []
    while len(sessions) < count:
        day = _nominal_date(rule, year, month)
        if public_holidays is not None:
            day = _next_working_day(day, public_holidays)
        if day > after:
            sessions.append((_wall_time(day, rule.start, zone), _wall_time(day, rule.end, zone)))
        year, month = _add_months(year, month, step)
    return sessions


def rotate_places(places: Sequence[str], index: int) -> str | None:
    """The host of the ``index``-th session (counted from 0) when ``places`` take turns.

    Wraps around the list; ``None`` when there is no place.
    """
    if isinstance(places, str):
        raise TypeError("places must be a sequence of names, not a single string")
    if index < 0:
        raise ValueError("index must not be negative")
    if not places:
        return None
    return places[index % len(places)]
