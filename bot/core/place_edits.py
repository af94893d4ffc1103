"""Completing a place by hand: a coordinator's structure in chat, any place with `samu lieux
edit`. One field at a time, checked like an imported row; a wrong value is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.place_fields import Issue, IssueKind, check_row, commune_key, schema_fields
from bot.core.services import Services
from bot.core.types import Place, PlaceData, Structure
from domain.places import STRUCTURE_SOURCE_PREFIX
from skills import ServiceCatalog

_ITEMS = re.compile(r"[,;|]")
_CLEAR = ("", "-")


class EditField(StrEnum):
    """A field a person may change; the value is the schema's field name."""

    NAME = "nom"
    ADDRESS = "adresse"
    ADDRESS_EXTRA = "complement_adresse"
    POSTAL_CODE = "code_postal"
    COMMUNE = "commune"
    COORDINATES = "latitude/longitude"
    HOURS = "horaires"
    SERVICES = "services"
    PHONE = "telephone"
    EMAILS = "courriels"
    WEBSITE = "site_web"
    BOOKING = "prise_rdv"
    SUMMARY = "presentation_resume"
    FEES = "frais_a_charge"


@dataclass(frozen=True, slots=True)
class EditResult:
    """The place as saved, or None with the issues that made the value be refused."""

    place: Place | None
    issues: tuple[Issue, ...] = ()


class PlaceNotFound(Exception):
    """No place has this id."""


def structure_source_id(structure_id: int) -> str:
    """The source id of the entry of one of the network's structures."""
    return f"{STRUCTURE_SOURCE_PREFIX}structure:{structure_id}"


def _services(value: str, catalog: ServiceCatalog) -> tuple[list[str], list[str]]:
    """The schema's labels for the services listed (names or needs), and the unknown items."""
    labels: list[str] = []
    unknown: list[str] = []
    for item in (part.strip() for part in _ITEMS.split(value)):
        if not item:
            continue
        service = catalog.named(item) or next(iter(catalog.read_need(item)), None)
        if service is None:
            unknown.append(item)
        elif service.label not in labels:
            labels.append(service.label)
    return labels, unknown


def _apply(
    raw: dict[str, Any], edit: EditField, value: str, catalog: ServiceCatalog
) -> Issue | None:
    text = value.strip()
    cleared = text in _CLEAR
    if edit is EditField.COORDINATES:
        parts = [p for p in re.split(r"[\s,;]+", text.replace(", ", " ")) if p]
        if cleared:
            raw["latitude"] = raw["longitude"] = None
        elif len(parts) != 2:
            return Issue(IssueKind.BAD_COORDINATES, edit.value, text, True)
        else:
            raw["latitude"], raw["longitude"] = parts
    elif edit is EditField.SERVICES:
        labels, unknown = _services(text, catalog)
        if unknown:
            return Issue(IssueKind.UNKNOWN_SERVICE, edit.value, "; ".join(unknown), True)
        raw["services"] = labels
    elif edit is EditField.NAME and cleared:
        return Issue(IssueKind.MISSING, edit.value, "", True)
    else:
        raw[edit.value] = None if cleared else text
    return None


def _edited(edit: EditField, issue: Issue) -> bool:
    return issue.field == edit.value or (
        edit is EditField.COORDINATES and issue.field in ("latitude", "longitude")
    )


async def _edit(
    services: Services,
    current: PlaceData,
    structure_id: int | None,
    edit: EditField,
    value: str,
) -> EditResult:
    catalog, timezone = services.places.catalog, services.places.timezone
    raw = schema_fields(current, catalog)
    raw["services"] = [s.label for s in catalog.from_mask(current.services)]
    refused = _apply(raw, edit, value, catalog)
    if refused is not None:
        return EditResult(None, (refused,))
    checked = check_row(raw, catalog, timezone, partial=True)
    issues = tuple(issue for issue in checked.issues if _edited(edit, issue))
    if issues or checked.place is None:
        return EditResult(None, issues)
    now = services.clock.now()
    place = replace(checked.place, updated_on=now.astimezone(ZoneInfo(timezone)).date())
    async with services.uow() as uow:
        saved = await uow.places.save(place, commune_key(place.commune), now, structure_id)
        await uow.commit()
    return EditResult(saved)


async def structure_entry(services: Services, structure_id: int) -> Place | None:
    """The entry of one of the network's structures, if it has one."""
    async with services.uow() as uow:
        return await uow.places.for_structure(structure_id)


async def edit_structure_entry(
    services: Services, structure: Structure, edit: EditField, value: str
) -> EditResult:
    """Change one field of a structure's entry (created with its name the first time),
    checked with `services.places` (the catalog, the zone of the hours)."""
    current: PlaceData | None = await structure_entry(services, structure.id)
    if current is None:
        current = PlaceData(source_id=structure_source_id(structure.id), name=structure.name)
    return await _edit(services, current, structure.id, edit, value)


async def edit_place(services: Services, source_id: str, edit: EditField, value: str) -> EditResult:
    """Change one field of any stored place, by its id (an import may change it again),
    checked with `services.places` (the catalog, the zone of the hours)."""
    async with services.uow() as uow:
        current = await uow.places.by_source_id(source_id)
    if current is None:
        raise PlaceNotFound(source_id)
    return await _edit(services, current, current.structure_id, edit, value)
