"""Orienting people: the places near them that offer what they need.

`orient` reads `/orienter BESOIN [code postal | commune]`: the need through the skills'
taxonomy mapped to the schema's services, the place as a postal code, a commune the data
knows, a shared location, or else the member's structure. The search walks boxes of growing
size on the (latitude, longitude, services) index and ranks by true distance: a result counts only
once it is nearer than the box's half-side, so the nearest are never missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.place_fields import commune_key
from bot.core.place_geo import box_around, distance_km, in_france, is_postal_code
from bot.core.place_hours import HoursStatus, hours_status
from bot.core.services import Services
from bot.core.types import Member, Place
from skills import PlaceService, ServiceCatalog
from storage.db import UnitOfWork

MAX_RESULTS = 5
RADII_KM = (10.0, 40.0, 150.0)
HINT_RADIUS_KM = 15.0
OUTDATED_AFTER = timedelta(days=365)
_COMMUNE_WORDS = 4
_POSTAL_LIKE_DIGITS = 4
_PREPOSITIONS = frozenset({"a", "à", "au", "pres", "près", "de", "vers", "sur", "dans", "en"})


class OriginKind(StrEnum):
    """Where a search starts from."""

    POSTAL_CODE = "postal_code"
    COMMUNE = "commune"
    STRUCTURE = "structure"
    LOCATION = "location"


@dataclass(frozen=True, slots=True)
class Origin:
    """The point a search starts from, and what it was given as (for the answer)."""

    latitude: float
    longitude: float
    kind: OriginKind
    label: str


@dataclass(frozen=True, slots=True)
class NearbyPlace:
    """A place found, how far, whether open, and whether its data may be out of date."""

    place: Place
    distance_km: float
    hours: HoursStatus
    outdated: bool


@dataclass(frozen=True, slots=True)
class Orientation:
    """The answer to `/orienter`: what was understood and what was found.

    `unknown_place` is a postal code or place name that could not be located; `no_origin`
    means no place was given and the member's structure has no known position.
    """

    services: list[PlaceService] = field(default_factory=list)
    origin: Origin | None = None
    places: list[NearbyPlace] = field(default_factory=list)
    unknown_place: str | None = None
    no_origin: bool = False
    suggestions: list[PlaceService] = field(default_factory=list)
    need_unknown: bool = False
    location_outside: bool = False
    need: str = ""
    where: str = ""


@dataclass(frozen=True, slots=True)
class PlaceHint:
    """A nearby place offers what a request is about: `/orienter WORD WHERE` shows it."""

    service: PlaceService
    where: str

    @property
    def need_word(self) -> str:
        """The short name of the service that `/orienter` reads back as that service."""
        return self.service.aliases[0] if self.service.aliases else self.service.label


def is_outdated(updated_on: date | None, today: date) -> bool:
    """A place not updated for more than twelve months (or never dated) may be out of date."""
    return updated_on is None or today - updated_on > OUTDATED_AFTER


async def _nearest(
    uow: UnitOfWork, latitude: float, longitude: float, services: int, limit: int
) -> list[tuple[float, Place]]:
    """(distance, place) of the nearest places offering any of `services`, nearest first.

    A box of growing size: its places come ranked by the database, a few more than needed,
    ranked again by true distance; once `limit` of them lie within the box's inscribed
    circle, nothing outside the box can be nearer.
    """
    ranked: list[tuple[float, Place]] = []
    for radius in RADII_KM:
        box = box_around(latitude, longitude, radius)
        found = await uow.places.nearest_in_box(
            latitude, longitude, (box.south, box.north, box.west, box.east), services, limit + 4
        )
        ranked = sorted(
            (
                (distance_km(latitude, longitude, p.latitude or 0.0, p.longitude or 0.0), p)
                for p in found
            ),
            key=lambda entry: (entry[0], entry[1].id),
        )
        if sum(1 for distance, _ in ranked if distance <= radius) >= limit:
            break
    return [entry for entry in ranked if entry[0] <= RADII_KM[-1]][:limit]


async def nearest_places(
    uow: UnitOfWork,
    now: datetime,
    origin: Origin,
    services: int,
    *,
    timezone: str = "Europe/Paris",
    limit: int = MAX_RESULTS,
    exclude: int | None = None,
) -> list[NearbyPlace]:
    """The nearest places to `origin` offering any of `services` (0: any), nearest first."""
    ranked = await _nearest(uow, origin.latitude, origin.longitude, services, limit + 1)
    ranked = [entry for entry in ranked if entry[1].id != exclude][:limit]
    today = now.astimezone(ZoneInfo(timezone)).date()
    return [
        NearbyPlace(
            place,
            distance,
            hours_status(place.hours, now, timezone),
            is_outdated(place.updated_on, today),
        )
        for distance, place in ranked
    ]


async def _structure_origin(uow: UnitOfWork, member: Member) -> Origin | None:
    if member.structure_id is None:
        return None
    entry = await uow.places.for_structure(member.structure_id)
    if entry is None:
        return None
    label = member.structure_name or entry.name
    if entry.latitude is not None and entry.longitude is not None:
        return Origin(entry.latitude, entry.longitude, OriginKind.STRUCTURE, label)
    center = await uow.places.center(postal_code=entry.postal_code) or await uow.places.center(
        commune_key=commune_key(entry.commune)
    )
    return Origin(*center, OriginKind.STRUCTURE, label) if center else None


async def _split_place(uow: UnitOfWork, words: list[str]) -> tuple[list[str], Origin | None, str]:
    """Split `need… place` into the need's words, the origin found, and the place text that
    could not be located ("" when no place was given)."""
    last = words[-1] if words else ""
    if is_postal_code(last):
        center = await uow.places.center(postal_code=last)
        origin = Origin(*center, OriginKind.POSTAL_CODE, last) if center else None
        return words[:-1], origin, "" if origin else last
    if sum(ch.isdigit() for ch in last) >= _POSTAL_LIKE_DIGITS:
        return words[:-1], None, last  # "3700²", "37 000": looks like a postal code, is not
    for size in range(min(_COMMUNE_WORDS, len(words)), 0, -1):
        name = " ".join(words[-size:])
        key = commune_key(name)
        if key:
            center = await uow.places.center(commune_key=key)
            if center is not None:
                need = words[:-size]
                while need and need[-1].lower() in _PREPOSITIONS:
                    need = need[:-1]
                return need, Origin(*center, OriginKind.COMMUNE, name), ""
    return words, None, ""


async def orient(
    services: Services,
    member: Member,
    text: str,
    *,
    location: tuple[float, float] | None = None,
) -> Orientation:
    """`/orienter BESOIN [code postal | commune]`, or a shared location: up to five places
    offering the matching service, nearest first (the catalog and the zone of the hours:
    `services.places`)."""
    if location is not None and not in_france(*location):
        return Orientation(location_outside=True)
    now, catalog = services.clock.now(), services.places.catalog
    async with services.uow() as uow:
        need_words, origin, unknown = await _split_place(uow, text.split())
        if unknown:
            return Orientation(unknown_place=unknown)
        need = " ".join(need_words)
        wanted = catalog.read_need(need) if need else []
        if need and not wanted:
            return Orientation(
                need_unknown=True,
                suggestions=catalog.suggest_need(need),
                need=need,
                where=origin.label if origin is not None else "",
            )
        if origin is None and location is not None:
            origin = Origin(*location, OriginKind.LOCATION, "")
        if origin is None:
            origin = await _structure_origin(uow, member)
        if origin is None:
            return Orientation(services=wanted, no_origin=True)
        found = await nearest_places(
            uow, now, origin, ServiceCatalog.mask(wanted[:1]), timezone=services.places.timezone
        )
    return Orientation(services=wanted[:1], origin=origin, places=found)


async def hint_in(
    uow: UnitOfWork, catalog: ServiceCatalog, member: Member, skill_slugs: list[str]
) -> PlaceHint | None:
    """A place near the member's structure offering a service the request's skills need
    (the structure's own entry does not count), in the caller's transaction: one statement,
    none when the skills need no service; None if there is none."""
    services = catalog.for_skills(skill_slugs)
    if not services or member.structure_id is None:
        return None
    found = await uow.places.offering_near_structure(
        member.structure_id, ServiceCatalog.mask(services), HINT_RADIUS_KM
    )
    if found is None:
        return None
    where, offered = found
    service = next(service for service in services if service.bit & offered)
    return PlaceHint(service, where)


async def everything(services: Services) -> list[Place]:
    """Every place (for the exports' "Lieux" page)."""
    async with services.uow() as uow:
        return [place async for batch in uow.places.stream() for place in batch]
