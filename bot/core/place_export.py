"""`samu lieux export`: every place as GeoJSON (uMap, QGIS, geojson.io) or as the national
CSV, written batch by batch so that the export of any number of places stays small."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.core.place_fields import SCHEMA_FIELDS, schema_fields
from bot.core.services import Services
from bot.core.types import Place
from skills import ServiceCatalog

Write = Callable[[bytes], Awaitable[None]]
_NUMBER = re.compile(r"\A[+-]?[0-9][0-9.]*\Z")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(StrEnum):
    """The formats of `samu lieux export`."""

    GEOJSON = "geojson"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class ExportCount:
    """How many places were written, and how many were left out of a map (no position)."""

    written: int
    unlocated: int


def _feature(place: Place, catalog: ServiceCatalog) -> dict[str, Any]:
    properties = schema_fields(place, catalog)
    del properties["latitude"], properties["longitude"]
    properties["services"] = [s.label for s in catalog.from_mask(place.services)]
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [place.longitude, place.latitude]},
        "properties": properties,
    }


def spreadsheet_safe(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (numbers and phones stay as they are)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def _csv_rows(places: list[Place], catalog: ServiceCatalog, header: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(SCHEMA_FIELDS)
    for place in places:
        fields = schema_fields(place, catalog)
        writer.writerow([spreadsheet_safe(fields[name]) for name in SCHEMA_FIELDS])
    return out.getvalue().encode("utf-8")


async def export_places(services: Services, fmt: ExportFormat, write: Write) -> ExportCount:
    """Write every place in `fmt` through `write` (GeoJSON: only the located ones), their
    services named with `services.places.catalog`."""
    catalog = services.places.catalog
    written = unlocated = 0
    first = True
    if fmt is ExportFormat.GEOJSON:
        await write(b'{"type": "FeatureCollection", "features": [\n')
    async with services.uow() as uow:
        async for batch in uow.places.stream():
            if fmt is ExportFormat.CSV:
                await write(_csv_rows(batch, catalog, header=first))
                written += len(batch)
                first = False
                continue
            for place in batch:
                if not place.located:
                    unlocated += 1
                    continue
                feature = json.dumps(_feature(place, catalog), ensure_ascii=False)
                await write((("" if first else ",\n") + feature).encode("utf-8"))
                first = False
                written += 1
    if fmt is ExportFormat.GEOJSON:
        await write(b"\n]}\n")
    elif first:
        await write(_csv_rows([], catalog, header=True))
    return ExportCount(written, unlocated)
