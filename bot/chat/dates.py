"""Days written out for people, in their language: "jeudi 1er octobre 2026", "7 janv.".

Babel writes "1 octobre"; French writes the first day of a month as an ordinal, "1er
octobre" (and only the first). Every day shown in chat, in the report and in the exports goes
through :func:`day_text`, so the rule lives in one place.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from babel.dates import format_date, get_date_format

LONG: Final = "long"
"""The language's own long form: "1er octobre 2026", "1 October 2026"."""

_DAY_FIELD = re.compile(r"(?<![d'])d(?![d'])")


def _pattern(pattern: str, locale: str) -> str:
    return str(get_date_format(LONG, locale=locale).pattern) if pattern == LONG else pattern


def day_text(day: date, locale: str, pattern: str = LONG) -> str:
    """`day` in a Babel (CLDR) pattern, "1er" for the first of the month in French."""
    written = _pattern(pattern, locale)
    if locale.split("_")[0].split("-")[0] == "fr" and day.day == 1:
        written = _DAY_FIELD.sub("d'er'", written, count=1)
    return str(format_date(day, written, locale=locale))
