"""The records of places of digital mediation and of their import runs."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

STRUCTURE_SOURCE_PREFIX = "samu:"
"""Source ids of the network's own entries start with this; no imported file may use it."""


@dataclass(frozen=True, slots=True)
class PlaceData:
    """What is known of a place: the schema's fields, checked and in our names.

    Multi-valued fields (typologies, e-mails, publics, fees, access and support modes) are
    kept as the schema writes them, values joined by ";". `services` is the bit mask of the
    schema's services.
    """

    source_id: str
    name: str
    services: int = 0
    pivot: str | None = None
    commune: str | None = None
    postal_code: str | None = None
    insee_code: str | None = None
    address: str | None = None
    address_extra: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    typologies: str | None = None
    phone: str | None = None
    emails: str | None = None
    website: str | None = None
    hours: str | None = None
    summary: str | None = None
    publics: str | None = None
    fees: str | None = None
    access_modes: str | None = None
    support_modes: str | None = None
    booking_url: str | None = None
    accessibility_url: str | None = None
    updated_on: date | None = None

    def values(self) -> dict[str, Any]:
        """The fields as a column mapping."""
        return {field.name: getattr(self, field.name) for field in fields(PlaceData)}

    @property
    def located(self) -> bool:
        """Whether the place has coordinates."""
        return self.latitude is not None and self.longitude is not None


PLACE_COLUMNS = tuple(field.name for field in fields(PlaceData))


@dataclass(frozen=True, slots=True)
class Place(PlaceData):
    """A stored place; `structure_id` is set for the entry of one of the network's structures."""

    id: int = 0
    structure_id: int | None = None
    changed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PlaceImport:
    """A run of the importer over one file, and how far it got."""

    id: int
    key: str
    started_at: datetime
    finished_at: datetime | None
    rows_done: int
    accepted: int
    rejected: int


@dataclass(frozen=True, slots=True)
class PlacePoint:
    """Where a place is and what it offers: what the nearest-places search ranks."""

    id: int
    latitude: float
    longitude: float
    services: int
