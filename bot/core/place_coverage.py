"""For the coordinators' report: the period's requests by service of the places schema,
next to how many places offer that service near the network's structures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from bot.core.place_geo import box_around, distance_km
from skills import ServiceCatalog
from storage.db import UnitOfWork

NEARBY_KM = 15.0


@dataclass(frozen=True, slots=True)
class ServiceCoverage:
    """One service: requests of the period that needed it, and places offering it nearby
    (`places` is None when no structure of the network has a position yet)."""

    slug: str
    label_fr: str
    label_en: str
    requests: int
    places: int | None

    def label(self, locale: str) -> str:
        """The service's label in a language (the schema's French unless `en`)."""
        return self.label_en if locale == "en" else self.label_fr


async def _places_near_structures(
    uow: UnitOfWork, catalog: ServiceCatalog
) -> dict[str, int] | None:
    structures = await uow.places.located_structures()
    if not structures:
        return None
    near: dict[int, int] = {}  # place id → services
    for entry in structures:
        assert entry.latitude is not None and entry.longitude is not None
        box = box_around(entry.latitude, entry.longitude, NEARBY_KM)
        for point in await uow.places.in_box(box.south, box.north, box.west, box.east, 0):
            if distance_km(entry.latitude, entry.longitude, point.latitude, point.longitude) <= (
                NEARBY_KM
            ):
                near[point.id] = point.services
    return {s.slug: sum(1 for mask in near.values() if mask & s.bit) for s in catalog}


async def coverage(
    uow: UnitOfWork, catalog: ServiceCatalog, since: datetime, until: datetime
) -> list[ServiceCoverage]:
    """Each service asked in the period (most asked first), or offered near the network."""
    skills_of: dict[int, list[str]] = defaultdict(list)
    for request_id, slug in await uow.indicators.request_skills(since, until):
        skills_of[request_id].append(slug)
    asked: dict[str, int] = defaultdict(int)
    for slugs in skills_of.values():
        for service in catalog.for_skills(slugs):
            asked[service.slug] += 1  # a request counts once per service
    offered = await _places_near_structures(uow, catalog)
    rows = [
        ServiceCoverage(
            s.slug,
            s.label,
            s.label_en,
            asked.get(s.slug, 0),
            None if offered is None else offered[s.slug],
        )
        for s in catalog
    ]
    kept = [row for row in rows if row.requests or row.places]
    return sorted(kept, key=lambda row: (-row.requests, row.slug))
