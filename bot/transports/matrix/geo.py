"""Matrix `m.location` messages: the position in their `geo_uri` (RFC 5870)."""

from __future__ import annotations

import math
import re
from typing import Any

from bot.chat.types import Location

# geo:LAT,LON[,ALT][;u=…] — degrees in WGS84.
_GEO_URI = re.compile(r"\Ageo:(-?[0-9]{1,3}(?:\.[0-9]+)?),(-?[0-9]{1,3}(?:\.[0-9]+)?)(?:[,;]|\Z)")
_EXTENSIBLE = "org.matrix.msc3488.location"


def location_of(content: dict[str, Any]) -> Location | None:
    """The position an `m.location` message's content holds, or None if it has none we can
    read (a forged or partial event is not a position)."""
    uri = content.get("geo_uri")
    extensible = content.get(_EXTENSIBLE)
    if not isinstance(uri, str) and isinstance(extensible, dict):
        uri = extensible.get("uri")
    if not isinstance(uri, str):
        return None
    match = _GEO_URI.match(uri.strip()[:200])
    if match is None:
        return None
    latitude, longitude = float(match[1]), float(match[2])
    if not (math.isfinite(latitude) and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return Location(latitude, longitude)
