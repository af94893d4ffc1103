"""Importing places (idempotent upsert, prune, a crash and its resumption) and the nearest-
places search, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core import places
from bot.core.clock import FixedClock
from bot.core.place_edits import EditField, edit_structure_entry
from bot.core.place_files import FileFormat
from bot.core.place_geo import distance_km
from bot.core.place_import import ImportReport, import_places
from bot.core.places import Origin, OriginKind
from bot.core.services import PlaceSettings, Services
from domain.records import Structure
from skills import default_catalog, default_matcher
from storage.db import Database
from storage.repositories.places import PlaceRepository

DATA = Path(__file__).parent.parent / "data"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CATALOG = default_catalog()


def services_of(db: Database) -> Services:
    """The use-cases' services on this database, at a fixed time."""
    return Services(
        uow=db.uow,
        clock=FixedClock(NOW),
        matcher=default_matcher(),
        places=PlaceSettings(load_catalog=lambda: CATALOG),
    )


async def run_import(db: Database, path: Path, **kwargs: object) -> ImportReport:
    fmt = FileFormat.JSON if path.suffix == ".json" else FileFormat.CSV
    return await import_places(services_of(db), path, fmt, **kwargs)  # type: ignore[arg-type]


def rows(path: Path = DATA / "places_sample.csv") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def write(path: Path, found: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(found[0]))
        writer.writeheader()
        writer.writerows(found)
    return path


async def count(db: Database) -> int:
    async with db.uow() as uow:
        return await uow.places.count()


async def test_csv_and_json_of_the_same_places_import_the_same(db: Database) -> None:
    first = await run_import(db, DATA / "places_sample.csv")
    assert (first.read, first.accepted, first.rejected, first.issues) == (300, 300, 0, [])
    async with db.uow() as uow:
        from_csv = {
            p.source_id: p for batch in [b async for b in uow.places.stream()] for p in batch
        }
    again = await run_import(db, DATA / "places_sample.json")
    assert again.accepted == 300 and await count(db) == 300  # upsert by id: nothing doubled
    async with db.uow() as uow:
        from_json = {
            p.source_id: p for batch in [b async for b in uow.places.stream()] for p in batch
        }
    assert {k: p.values() for k, p in from_csv.items()} == {
        k: p.values() for k, p in from_json.items()
    }
    overseas = from_csv["gen-974-0001"]
    assert overseas.latitude is not None and overseas.latitude < 0  # La Réunion kept


async def test_reimport_updates_and_removes_nothing_unless_pruned(
    db: Database, tmp_path: Path
) -> None:
    await run_import(db, DATA / "places_sample.csv")
    structure = await _structure(db)
    await edit_structure_entry(services_of(db), structure, EditField.SERVICES, "démarches")
    changed = rows()[:100]
    changed[0]["nom"] = "Médiathèque renommée"
    smaller = write(tmp_path / "smaller.csv", changed)
    report = await run_import(db, smaller)
    assert report.accepted == 100 and report.pruned is None
    assert await count(db) == 301  # 300 imported + the structure's entry
    async with db.uow() as uow:
        renamed = await uow.places.by_source_id(changed[0]["id"])
        assert renamed is not None and renamed.name == "Médiathèque renommée"
    pruned = await run_import(db, smaller, prune=True)
    assert pruned.pruned == 200
    assert await count(db) == 101  # the network's own entry is never pruned


async def test_prune_with_nothing_kept_removes_nothing(db: Database, tmp_path: Path) -> None:
    await run_import(db, DATA / "places_sample.csv")
    broken = rows()[:3]
    for row in broken:
        row["code_postal"] = "3700²"
    report = await run_import(db, write(tmp_path / "broken.csv", broken), prune=True)
    assert report.rejected == 3 and report.prune_refused and await count(db) == 300


async def test_a_crash_leaves_whole_batches_and_the_next_run_resumes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = PlaceRepository.upsert_many
    calls = 0

    async def failing(self: PlaceRepository, *args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("power cut")
        await real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PlaceRepository, "upsert_many", failing)
    with pytest.raises(RuntimeError):
        await run_import(db, DATA / "places_sample.csv", batch_size=50)
    assert await count(db) == 100  # two whole batches, nothing of the third
    monkeypatch.setattr(PlaceRepository, "upsert_many", real)
    resumed = await run_import(db, DATA / "places_sample.csv", batch_size=50)
    assert resumed.resumed_after == 100
    assert (resumed.read, resumed.accepted) == (300, 300) and await count(db) == 300
    fresh = await run_import(db, DATA / "places_sample.csv", batch_size=50)
    assert fresh.resumed_after == 0  # the finished run is not resumed again


async def test_nearest_places_are_the_true_nearest(db: Database) -> None:
    await run_import(db, DATA / "places_sample.csv")
    async with db.uow() as uow:
        everything = [p for batch in [b async for b in uow.places.stream()] for p in batch]
    rnd = random.Random(7)
    service = CATALOG.get("demarches")
    assert service is not None
    for _ in range(25):
        center = rnd.choice([(47.39, 0.69), (47.59, 1.34), (-21.1, 55.5), (47.0, 0.9)])
        lat, lon = center[0] + rnd.uniform(-0.3, 0.3), center[1] + rnd.uniform(-0.3, 0.3)
        expected = sorted(
            (distance_km(lat, lon, p.latitude, p.longitude), p.source_id)
            for p in everything
            if p.latitude is not None and p.longitude is not None and p.services & service.bit
        )
        expected = [e for e in expected if e[0] <= 150][:5]
        async with db.uow() as uow:
            found = await places.nearest_places(
                uow, NOW, Origin(lat, lon, OriginKind.LOCATION, ""), service.bit
            )
        assert [p.place.source_id for p in found] == [source for _, source in expected]


async def _structure(db: Database) -> Structure:
    async with db.uow() as uow:
        structure = await uow.structures.add("Mission locale", NOW)
        await uow.commit()
    return structure


def test_sample_json_uses_both_list_and_joined_values() -> None:
    found = json.loads((DATA / "places_sample.json").read_text(encoding="utf-8"))
    kinds = {type(item["services"]) for item in found}
    assert kinds == {list, str}
