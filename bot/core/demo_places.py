"""The places of the demo network: forty generated places around Tours (`data/demo_places.csv`,
written by `tests/data/make_places.py`, fictional) and the entries of the demo structures."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from importlib import resources

from bot.core.place_edits import structure_source_id
from bot.core.place_fields import check_row, commune_key
from bot.core.place_files import FileFormat, read_rows
from bot.core.types import PlaceData
from skills import ServiceCatalog
from storage.db import UnitOfWork

# The demo structures' entries (fictional addresses in Tours), completed as a coordinator would.
DEMO_ENTRIES = {
    "Mission locale": PlaceData(
        source_id="",
        name="Mission locale",
        address="12 place Jean Jaurès",
        postal_code="37000",
        commune="Tours",
        latitude=47.3903,
        longitude=0.6889,
        hours="Mo-Fr 09:00-12:30,13:30-17:30",
        phone="+33247000001",
    ),
    "EPN Résoudre": PlaceData(
        source_id="",
        name="EPN Résoudre",
        address="5 rue Lobin",
        postal_code="37000",
        commune="Tours",
        latitude=47.3826,
        longitude=0.6871,
        hours="Tu-Sa 10:00-12:30,14:00-18:00",
    ),
}
_ENTRY_SERVICES = {
    "Mission locale": ("insertion-pro", "demarches"),
    "EPN Résoudre": ("acces-materiel", "outils-quotidien", "demarches"),
}


async def seed_places(
    uow: UnitOfWork, catalog: ServiceCatalog, structure_ids: dict[str, int], now: datetime
) -> None:
    """Add the demo places and the demo structures' entries (in the caller's transaction)."""
    data = resources.files("bot.core").joinpath("data", "demo_places.csv")
    found: list[tuple[PlaceData, str | None]] = []
    with data.open("rb") as stream:
        for raw in read_rows(stream, FileFormat.CSV):
            checked = check_row(raw.fields or {}, catalog)
            if checked.place is not None:
                found.append((checked.place, commune_key(checked.place.commune)))
    await uow.places.upsert_many(found, None, now)
    for name, entry in DEMO_ENTRIES.items():
        structure_id = structure_ids.get(name)
        if structure_id is None:
            continue
        services = [s for slug in _ENTRY_SERVICES[name] if (s := catalog.get(slug)) is not None]
        place = replace(
            entry,
            source_id=structure_source_id(structure_id),
            services=ServiceCatalog.mask(services),
            updated_on=now.date(),
        )
        await uow.places.save(place, commune_key(place.commune), now, structure_id)
