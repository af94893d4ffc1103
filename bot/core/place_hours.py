"""Opening hours in OpenStreetMap's `opening_hours` syntax, behind one small interface.

The parsing and evaluation are those of `opening-hours-py` (a maintained parser of the OSM
specification, with French public holidays); the rest of the bot only sees `valid_hours`
and `hours_status`, so the library can change without touching anything else.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from opening_hours import OpeningHours

MAX_HOURS_LENGTH = 1000
# A next opening further than this is not worth saying ("opens in 5 months").
_HORIZON = timedelta(days=14)


class OpenState(StrEnum):
    """Whether a place is open at a moment."""

    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class HoursStatus:
    """Open now or not, and the next change: closing time if open, opening time if closed
    (local time of the place; None when not within two weeks or unknown)."""

    state: OpenState
    change: datetime | None


def _parse(text: str, zone: ZoneInfo) -> OpeningHours | None:
    if not text.strip() or len(text) > MAX_HOURS_LENGTH:
        return None
    # Loaded by the first place with hours (3.6 MB of compiled code): not by `samu run`'s start.
    from opening_hours import OpeningHours

    try:
        # No coordinates: French holidays, the network's timezone, nothing looked up.
        return OpeningHours(
            text, timezone=zone, country="FR", auto_country=False, auto_timezone=False
        )
    except Exception:  # the library raises its own ParserError (and SyntaxError on some input)
        return None


@functools.lru_cache(maxsize=4096)
def valid_hours(text: str, timezone: str = "Europe/Paris") -> bool:
    """Whether `text` is a readable `opening_hours` expression (the same few hundred
    expressions come back through a national file: each is parsed once)."""
    return _parse(text, ZoneInfo(timezone)) is not None


def hours_status(text: str | None, now: datetime, timezone: str = "Europe/Paris") -> HoursStatus:
    """Whether a place with these hours is open at `now`, and when that changes."""
    zone = ZoneInfo(timezone)
    parsed = _parse(text, zone) if text else None
    if parsed is None:
        return HoursStatus(OpenState.UNKNOWN, None)
    from opening_hours import State  # loaded by `_parse`

    local = now.astimezone(zone)
    try:
        state, _comment = parsed.state(local)
        change = parsed.next_change(local)
    except Exception:  # an expression the parser accepts but cannot evaluate
        return HoursStatus(OpenState.UNKNOWN, None)
    kind = {State.OPEN: OpenState.OPEN, State.CLOSED: OpenState.CLOSED}.get(
        state, OpenState.UNKNOWN
    )
    if change is not None:
        change = change if change.tzinfo else change.replace(tzinfo=zone)
        if change - local > _HORIZON:
            change = None
    return HoursStatus(kind, change)
