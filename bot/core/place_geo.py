"""Where France is, how far two points are, and the box around a point.

France is metropolitan France with Corsica, the five overseas departments (Guadeloupe,
Martinique, Guyane, La Réunion, Mayotte) and the overseas collectivities that the national
schema's phone prefixes name (Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin,
Wallis-et-Futuna, French Polynesia, New Caledonia). The boxes are generous by a few
kilometres: they catch swapped or mistyped coordinates, not a place near a border.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0
_KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


@dataclass(frozen=True, slots=True)
class Box:
    """A latitude/longitude rectangle (degrees, WGS84)."""

    south: float
    north: float
    west: float
    east: float

    def contains(self, latitude: float, longitude: float) -> bool:
        """Whether the point is inside (edges included)."""
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east


FRANCE: dict[str, Box] = {
    "metropole": Box(41.2, 51.2, -5.3, 9.7),
    "guadeloupe": Box(15.8, 16.6, -61.9, -60.9),
    "martinique": Box(14.3, 14.95, -61.3, -60.7),
    "guyane": Box(2.0, 5.9, -54.7, -51.5),
    "reunion": Box(-21.5, -20.8, 55.1, 55.9),
    "mayotte": Box(-13.1, -12.5, 44.9, 45.4),
    "saint-pierre-et-miquelon": Box(46.7, 47.2, -56.5, -56.0),
    "saint-barthelemy-saint-martin": Box(17.8, 18.2, -63.2, -62.7),
    "wallis-et-futuna": Box(-14.5, -13.1, -178.3, -176.0),
    "polynesie": Box(-28.0, -7.8, -155.0, -134.0),
    "nouvelle-caledonie": Box(-23.0, -19.5, 163.5, 168.5),
}

_POSTAL_CODE = re.compile(r"\A[0-9]{5}\Z")
# 01-95 (Corsica's postal codes start with 20), 97 overseas departments, 98 collectivities.
_POSTAL_DEPARTMENTS = {f"{n:02d}" for n in range(1, 96)} | {"97", "98"}


def in_france(latitude: float, longitude: float) -> bool:
    """Whether a point is in France (metropolitan or overseas)."""
    return any(box.contains(latitude, longitude) for box in FRANCE.values())


def is_postal_code(text: str) -> bool:
    """Whether `text` is a French postal code: five ASCII digits, of a real department
    ("²" or Arabic-Indic digits are not digits here)."""
    return bool(_POSTAL_CODE.match(text)) and text[:2] in _POSTAL_DEPARTMENTS


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points (haversine), in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def box_around(latitude: float, longitude: float, km: float) -> Box:
    """The box whose inscribed circle has radius `km` around the point."""
    dlat = km / _KM_PER_DEGREE
    dlon = km / (_KM_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    return Box(latitude - dlat, latitude + dlat, longitude - dlon, longitude + dlon)
