"""Series rules: parsing French/English phrases, dates with holidays and DST, rotation.

Calendar facts used below (checked with Python's `calendar` module and holidays.France()):
2026: Thu 1 Jan (New Year), Mon 6 Apr (Easter Monday), Fri 1 May, Fri 8 May, Thu 14 May
(Ascension), Mon 25 May (Whit Monday), Tue 14 Jul, Wed 11 Nov are holidays; DST starts Sun
29 Mar and ends Sun 25 Oct. 2027: Thu 6 May is Ascension, Mon 17 May Whit Monday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.core.session_rules import (
    RuleError,
    RuleProblem,
    SeriesRule,
    next_working_day,
    occurrences,
    parse_rule,
    rotate_places,
)

PARIS = ZoneInfo("Europe/Paris")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def rule(
    ordinal: int,
    weekday: int,
    period: Literal["month", "quarter"] = "month",
    start: int = 9,
    end: int = 12,
) -> SeriesRule:
    return SeriesRule(ordinal, weekday, period, time(start), time(end))


def days(sessions: list[tuple[datetime, datetime]]) -> list[date]:
    return [start.date() for start, _ in sessions]


# --- parsing -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("premier jeudi de chaque trimestre 9h-12h", (1, THU, "quarter", time(9), time(12))),
        ("1er jeudi du trimestre de 9h à 12h", (1, THU, "quarter", time(9), time(12))),
        ("dernier mardi de chaque mois 14h-17h", (-1, TUE, "month", time(14), time(17))),
        ("deuxième lundi de chaque mois 9h30-12h30", (2, MON, "month", time(9, 30), time(12, 30))),
        ("first Thursday of each quarter 09:00-12:00", (1, THU, "quarter", time(9), time(12))),
        ("last Tuesday of every month 2pm-5pm", (-1, TUE, "month", time(14), time(17))),
        # accents and case optional, other natural spellings
        ("DEUXIEME LUNDI DE CHAQUE MOIS 9H30-12H30", (2, MON, "month", time(9, 30), time(12, 30))),
        ("Premier Jeudi du Trimestre 9h–12h", (1, THU, "quarter", time(9), time(12))),
        ("le 1ᵉʳ jeudi du trimestre, de 9 h à midi", (1, THU, "quarter", time(9), time(12))),
        ("1ère jeudi de chaque trimestre 9h00-12h00", (1, THU, "quarter", time(9), time(12))),
        ("tous les 2èmes mercredis du mois 14h à 17h", (2, WED, "month", time(14), time(17))),
        ("troisième vendredi du mois de 9h jusqu'à 12h", (3, FRI, "month", time(9), time(12))),
        ("4e lundi de chaque mois 9h-12h", (4, MON, "month", time(9), time(12))),
        ("3rd Wednesday of the month 10am-noon", (3, WED, "month", time(10), time(12))),
        ("second friday of every quarter 2-5pm", (2, FRI, "quarter", time(14), time(17))),
        (
            "last Monday of the quarter from 9:30 am to 12:30 p.m.",
            (-1, MON, "quarter", time(9, 30), time(12, 30)),
        ),
        ("fourth tue monthly 10-12pm", (4, TUE, "month", time(10), time(12))),
    ],
)
def test_parse_rule(text: str, expected: tuple[int, int, str, time, time]) -> None:
    parsed = parse_rule(text)
    assert (parsed.ordinal, parsed.weekday, parsed.period, parsed.start, parsed.end) == expected
    assert parsed.timezone == "Europe/Paris"


def test_parse_rule_takes_a_timezone() -> None:
    assert parse_rule(
        "first Monday of each month 9am-12pm", timezone="America/Montreal"
    ).timezone == ("America/Montreal")


@pytest.mark.parametrize(
    ("text", "problem", "fragment"),
    [
        ("un jour de temps en temps", RuleProblem.UNKNOWN_WORD, "un"),
        ("premier jeudi 12h-9h", RuleProblem.END_NOT_AFTER_START, "12h 9h"),
        ("premier jeudi du mois 9h-9h", RuleProblem.END_NOT_AFTER_START, "9h 9h"),
        ("premier jeudi du mois 9h-12h s'il fait beau", RuleProblem.UNKNOWN_WORD, "s"),
        ("premier jeudi 9h-12h", RuleProblem.MISSING_PERIOD, None),
        ("jeudi de chaque mois 9h-12h", RuleProblem.MISSING_ORDINAL, None),
        ("premier de chaque mois 9h-12h", RuleProblem.MISSING_WEEKDAY, None),
        ("premier jeudi du mois", RuleProblem.MISSING_TIMES, None),
        ("premier jeudi du mois 9-12", RuleProblem.BAD_TIME_RANGE, "9 12"),
        ("premier jeudi du mois 9h 12h", RuleProblem.BAD_TIME_RANGE, "9h 12h"),
        ("premier jeudi du mois 9h-12h-14h", RuleProblem.BAD_TIME_RANGE, "9h 12h 14h"),
        ("premier jeudi du mois 9h-25h", RuleProblem.BAD_TIME, "25h"),
        ("premier jeudi du mois 9h-12h75", RuleProblem.BAD_TIME, "12h75"),
        ("first Monday of each month 9am-13pm", RuleProblem.BAD_TIME, "13pm"),
        ("cinquième jeudi du mois 9h-12h", RuleProblem.UNKNOWN_WORD, "cinquieme"),
        ("5e jeudi du mois 9h-12h", RuleProblem.BAD_ORDINAL, "5e"),
        ("premier dernier jeudi du mois 9h-12h", RuleProblem.REPEATED, "ordinal"),
        ("premier jeudi du mois 9h-12h @ EPN", RuleProblem.UNEXPECTED_CHARACTER, "@"),
        ("   ", RuleProblem.EMPTY, None),
    ],
)
def test_parse_rule_rejects(text: str, problem: RuleProblem, fragment: str | None) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(text)
    assert caught.value.problem is problem
    assert caught.value.fragment == fragment
    assert isinstance(caught.value, ValueError)
    assert problem.value in str(caught.value)


def test_series_rule_validates_its_fields() -> None:
    with pytest.raises(RuleError, match="end_not_after_start"):
        rule(1, THU, start=12, end=9)
    with pytest.raises(RuleError, match="bad_ordinal"):
        rule(5, THU)
    with pytest.raises(RuleError, match="invalid"):
        rule(1, 7)
    with pytest.raises(RuleError, match="invalid"):
        SeriesRule(1, THU, "month", time(9), time(12), timezone="Europe/Nowhere")
    with pytest.raises(RuleError, match="invalid"):
        SeriesRule(1, THU, "month", time(9, tzinfo=UTC), time(12))


# --- dates -------------------------------------------------------------------


def test_first_thursday_of_each_quarter_over_a_year() -> None:
    sessions = occurrences(
        parse_rule("premier jeudi de chaque trimestre 9h-12h"), date(2026, 1, 1), 5
    )
    # 1 Jan 2026 is a Thursday and New Year's Day: moved to Friday 2 Jan.
    assert days(sessions) == [
        date(2026, 1, 2),
        date(2026, 4, 2),
        date(2026, 7, 2),
        date(2026, 10, 1),
        date(2027, 1, 7),
    ]
    for start, end in sessions:
        assert start.tzinfo == PARIS and end.tzinfo == PARIS
        assert (start.time(), end.time()) == (time(9), time(12))
        assert end - start == timedelta(hours=3)


def test_strictly_after() -> None:
    quarterly = parse_rule("premier jeudi de chaque trimestre 9h-12h")
    assert days(occurrences(quarterly, date(2026, 1, 2), 2)) == [date(2026, 4, 2), date(2026, 7, 2)]
    assert days(occurrences(quarterly, date(2025, 12, 31), 1)) == [date(2026, 1, 2)]
    assert days(occurrences(quarterly, date(2026, 2, 15), 1)) == [date(2026, 4, 2)]
    assert occurrences(quarterly, date(2026, 1, 1), 0) == []


def test_a_session_moved_into_the_next_period_is_not_lost() -> None:
    # Last Saturday of April 2022: Sat 30 April → Sun 1 May (holiday) → Mon 2 May, in May's period.
    saturday = rule(-1, SAT)
    assert days(occurrences(saturday, date(2022, 5, 1), 2)) == [date(2022, 5, 2), date(2022, 5, 30)]


def test_labour_day_moves_to_monday() -> None:
    first_friday = parse_rule("premier vendredi de chaque mois 9h-12h")
    assert days(occurrences(first_friday, date(2026, 4, 30), 2)) == [
        date(2026, 5, 4),  # Fri 1 May (holiday) → Mon 4 May
        date(2026, 6, 5),
    ]


def test_armistice_day_moves_to_thursday() -> None:
    second_wednesday = parse_rule("deuxième mercredi de chaque mois 14h-17h")
    assert days(occurrences(second_wednesday, date(2026, 10, 31), 2)) == [
        date(2026, 11, 12),  # Wed 11 Nov (holiday) → Thu 12 Nov
        date(2026, 12, 9),
    ]


@pytest.mark.parametrize(
    ("the_rule", "after", "expected"),
    [
        (rule(2, THU), date(2026, 5, 1), date(2026, 5, 15)),  # Ascension Thu 14 May 2026
        (rule(-1, MON), date(2026, 5, 1), date(2026, 5, 26)),  # Whit Monday 25 May 2026
        (rule(1, THU), date(2027, 5, 1), date(2027, 5, 7)),  # Ascension Thu 6 May 2027
        (rule(3, MON), date(2027, 5, 1), date(2027, 5, 18)),  # Whit Monday 17 May 2027
        (rule(2, FRI), date(2026, 5, 1), date(2026, 5, 11)),  # Fri 8 May → (weekend) → Mon 11
        (rule(2, TUE), date(2026, 7, 1), date(2026, 7, 15)),  # Tue 14 July
        (rule(1, SAT), date(2026, 4, 1), date(2026, 4, 7)),  # Sat 4 → Sun → Easter Mon 6 → Tue 7
        (rule(2, FRI), date(2026, 1, 1), date(2026, 1, 9)),  # an ordinary Friday stays
    ],
)
def test_holidays_move_to_next_working_day(
    the_rule: SeriesRule, after: date, expected: date
) -> None:
    (start, end), *_ = occurrences(the_rule, after, 1)
    assert start.date() == expected
    assert (start.time(), end.time()) == (the_rule.start, the_rule.end)


def test_without_skipping_holidays_dates_stay() -> None:
    assert days(occurrences(rule(1, FRI), date(2026, 4, 30), 1, skip_holidays=False)) == [
        date(2026, 5, 1)
    ]
    assert days(occurrences(rule(1, SAT), date(2026, 4, 1), 1, skip_holidays=False)) == [
        date(2026, 4, 4)
    ]


@pytest.mark.parametrize("weekday", range(7))
@pytest.mark.parametrize("ordinal", [1, 2, 3, 4, -1])
def test_never_a_weekend_nor_a_holiday(ordinal: int, weekday: int) -> None:
    france = holidays.country_holidays("FR")
    periods: tuple[Literal["month", "quarter"], ...] = ("month", "quarter")
    for period in periods:
        for start, _ in occurrences(rule(ordinal, weekday, period), date(2025, 12, 31), 24):
            assert start.weekday() < SAT
            assert start.date() not in france


def test_sessions_are_in_order_one_per_period() -> None:
    sessions = occurrences(rule(-1, FRI), date(2025, 12, 31), 24)
    starts = [start for start, _ in sessions]
    assert starts == sorted(starts)
    assert [(s.year, s.month) for s in starts] == [(2026 + m // 12, m % 12 + 1) for m in range(24)]


def test_last_ordinal() -> None:
    monthly = parse_rule("dernier mardi de chaque mois 14h-17h")
    assert days(occurrences(monthly, date(2026, 1, 1), 4)) == [
        date(2026, 1, 27),
        date(2026, 2, 24),
        date(2026, 3, 31),
        date(2026, 4, 28),
    ]
    # "last … of the quarter" is in the last month of the quarter.
    quarterly = parse_rule("last Thursday of each quarter 09:00-12:00")
    assert days(occurrences(quarterly, date(2026, 1, 1), 4)) == [
        date(2026, 3, 26),
        date(2026, 6, 25),
        date(2026, 9, 24),
        date(2026, 12, 31),
    ]


def test_fourth_ordinal() -> None:
    assert days(occurrences(rule(4, MON, "quarter"), date(2026, 1, 1), 2)) == [
        date(2026, 1, 26),
        date(2026, 4, 27),
    ]


def test_daylight_saving_keeps_local_hours() -> None:
    # Last Thursdays: 26 Mar 2026 (before the spring change of Sun 29 Mar), 30 Apr (after);
    # 24 Sep and 29 Oct 2026 on either side of the autumn change of Sun 25 Oct.
    last_thursday = parse_rule("dernier jeudi de chaque mois 9h-12h")
    sessions = dict(
        (start.date(), (start, end))
        for start, end in occurrences(last_thursday, date(2026, 3, 1), 8)
    )
    for day, offset in [
        (date(2026, 3, 26), 1),
        (date(2026, 4, 30), 2),
        (date(2026, 9, 24), 2),
        (date(2026, 10, 29), 1),
    ]:
        start, end = sessions[day]
        assert start.hour == 9 and end.hour == 12
        assert start.utcoffset() == end.utcoffset() == timedelta(hours=offset)
        assert start.astimezone(UTC).hour == 9 - offset
        assert start.isoformat() == f"{day.isoformat()}T09:00:00+0{offset}:00"


def test_a_wall_time_in_the_spring_gap_moves_forward() -> None:
    # A Sunday rule without moving, in a zone whose DST change is at 02:00 local.
    night = SeriesRule(-1, SUN, "month", time(2, 30), time(4), timezone="Europe/Paris")
    (start, end), *_ = occurrences(night, date(2026, 3, 1), 1, skip_holidays=False)
    assert start == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert start.isoformat() == "2026-03-29T03:30:00+02:00"
    assert end.isoformat() == "2026-03-29T04:00:00+02:00"


def test_other_timezone() -> None:
    montreal = SeriesRule(1, WED, "month", time(9), time(12), timezone="America/Montreal")
    (start, _), *_ = occurrences(montreal, date(2026, 6, 30), 1)
    assert start.isoformat() == "2026-07-01T09:00:00-04:00"  # French holidays still apply


def test_occurrences_argument_checks() -> None:
    with pytest.raises(ValueError, match="count"):
        occurrences(rule(1, THU), date(2026, 1, 1), -1)
    with pytest.raises(TypeError):
        occurrences(rule(1, THU), datetime(2026, 1, 1, tzinfo=UTC), 1)


def test_next_working_day() -> None:
    assert next_working_day(date(2026, 5, 7)) == date(2026, 5, 7)
    assert next_working_day(date(2026, 5, 8)) == date(2026, 5, 11)
    assert next_working_day(date(2026, 12, 25)) == date(2026, 12, 28)


# --- rotation ----------------------------------------------------------------


def test_rotate_places() -> None:
    places = ["EPN Résoudre", "Médiathèque", "Centre social"]
    assert [rotate_places(places, i) for i in range(7)] == [
        "EPN Résoudre",
        "Médiathèque",
        "Centre social",
        "EPN Résoudre",
        "Médiathèque",
        "Centre social",
        "EPN Résoudre",
    ]
    assert rotate_places(("Seul lieu",), 41) == "Seul lieu"
    assert rotate_places([], 0) is None


def test_rotate_places_rejects_misuse() -> None:
    with pytest.raises(ValueError):
        rotate_places(["A"], -1)
    with pytest.raises(TypeError):
        rotate_places("EPN", 0)
