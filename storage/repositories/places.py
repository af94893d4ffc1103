"""Places of digital mediation: bulk upsert from imports, the network's entries, and the
nearest-places search (a box on the (latitude, longitude, services) index, never a scan)."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Table,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.places import (
    PLACE_COLUMNS,
    Place,
    PlaceData,
    PlaceImport,
    PlacePoint,
)
from storage.models import PlaceImportModel, PlaceModel
from storage.repositories._core import execute_core
from storage.repositories._upsert import insert_for, upsert

_TABLE: Table = PlaceModel.__table__  # type: ignore[assignment]
_UPDATED = (
    *(c for c in PLACE_COLUMNS if c != "source_id"),
    "commune_key",
    "import_id",
    "changed_at",
)


def _record(row: PlaceModel) -> Place:
    values = {column: getattr(row, column) for column in PLACE_COLUMNS}
    return Place(**values, id=row.id, structure_id=row.structure_id, changed_at=row.changed_at)


_RECORD_COLUMNS = (*PLACE_COLUMNS, "id", "structure_id", "changed_at")


def _near_structure_statement() -> Any:
    """`PlaceRepository.offering_near_structure`'s statement (a request that names a service
    may run it): a place in a box around a structure's entry offering some services."""
    entry = aliased(PlaceModel)
    other = aliased(PlaceModel)
    dlat, dlon = bindparam("dlat", type_=Float), bindparam("dlon", type_=Float)
    return (
        select(func.coalesce(entry.postal_code, entry.commune), other.services)
        .join(
            other,
            and_(
                other.latitude.between(entry.latitude - dlat, entry.latitude + dlat),
                other.longitude.between(entry.longitude - dlon, entry.longitude + dlon),
                other.services.op("&")(bindparam("services", type_=Integer)) != 0,
                other.id != entry.id,
            ),
        )
        .where(entry.structure_id == bindparam("structure_id"))
        .limit(1)
    )


_NEAR_STRUCTURE = _near_structure_statement()  # built once


def _from_row(row: Any) -> Place:
    return Place(**{name: row[name] for name in _RECORD_COLUMNS})


def _import_record(row: PlaceImportModel) -> PlaceImport:
    return PlaceImport(
        id=row.id,
        key=row.key,
        started_at=row.started_at,
        finished_at=row.finished_at,
        rows_done=row.rows_done,
        accepted=row.accepted,
        rejected=row.rejected,
    )


def _row_values(
    place: PlaceData, commune_key: str | None, import_id: int | None, now: datetime
) -> dict[str, Any]:
    return {**place.values(), "commune_key": commune_key, "import_id": import_id, "changed_at": now}


class PlaceRepository:
    """Read and write places and import runs."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # -- imports ---------------------------------------------------------------------------

    async def upsert_many(
        self,
        places: Sequence[tuple[PlaceData, str | None]],
        import_id: int | None,
        now: datetime,
    ) -> None:
        """Insert the places (with their folded commune), or update those whose source id is
        already stored; the network's own entries are never touched (their ids differ)."""
        if not places:
            return
        rows = [_row_values(place, key, import_id, now) for place, key in places]
        # One statement run over the rows (executemany): compiled once, not once per value.
        statement = insert_for(self._session, _TABLE)
        statement = statement.on_conflict_do_update(
            index_elements=["source_id"],
            set_={name: getattr(statement.excluded, name) for name in _UPDATED},
        )
        await execute_core(self._session, statement, rows)

    async def prune(self, import_id: int) -> int:
        """Delete the imported places this run did not see (never the network's entries)."""
        result = await execute_core(
            self._session,
            delete(PlaceModel).where(
                PlaceModel.structure_id.is_(None),
                or_(PlaceModel.import_id.is_(None), PlaceModel.import_id != import_id),
            ),
        )
        return int(result.rowcount or 0)

    async def unfinished_import(self, key: str) -> PlaceImport | None:
        """The latest run over the same file that did not finish, if any."""
        row = await self._session.scalar(
            select(PlaceImportModel)
            .where(PlaceImportModel.key == key, PlaceImportModel.finished_at.is_(None))
            .order_by(PlaceImportModel.id.desc())
            .limit(1)
        )
        return _import_record(row) if row else None

    async def start_import(self, key: str, now: datetime) -> PlaceImport:
        """Record a new run over a file."""
        row = PlaceImportModel(key=key[:200], started_at=now, rows_done=0, accepted=0, rejected=0)
        self._session.add(row)
        await self._session.flush()
        return _import_record(row)

    async def checkpoint(
        self, import_id: int, rows_done: int, accepted: int, rejected: int
    ) -> None:
        """Record how far a run got (in the transaction of the batch it just wrote)."""
        await execute_core(
            self._session,
            update(PlaceImportModel)
            .where(PlaceImportModel.id == import_id)
            .values(rows_done=rows_done, accepted=accepted, rejected=rejected),
        )

    async def finish_import(self, import_id: int, now: datetime) -> None:
        """Mark a run complete: it will not be resumed."""
        await execute_core(
            self._session,
            update(PlaceImportModel)
            .where(PlaceImportModel.id == import_id)
            .values(finished_at=now),
        )

    # -- reading ---------------------------------------------------------------------------

    async def count(self) -> int:
        """How many places are stored."""
        return int(await self._session.scalar(select(func.count()).select_from(PlaceModel)) or 0)

    async def by_ids(self, ids: Sequence[int]) -> list[Place]:
        """The places with these ids, in the order given."""
        if not ids:
            return []
        rows = await self._session.scalars(select(PlaceModel).where(PlaceModel.id.in_(ids)))
        found = {row.id: _record(row) for row in rows}
        return [found[i] for i in ids if i in found]

    async def by_source_id(self, source_id: str) -> Place | None:
        """The place with this source id (the file's `id`)."""
        row = await self._session.scalar(
            select(PlaceModel)
            .where(PlaceModel.source_id == source_id)
            .execution_options(populate_existing=True)
        )
        return _record(row) if row else None

    async def for_structure(self, structure_id: int) -> Place | None:
        """The entry of one of the network's structures, if it has one."""
        row = await self._session.scalar(
            select(PlaceModel).where(PlaceModel.structure_id == structure_id)
        )
        return _record(row) if row else None

    async def located_structures(self) -> list[Place]:
        """The network's entries that have coordinates."""
        rows = await self._session.scalars(
            select(PlaceModel).where(
                PlaceModel.structure_id.is_not(None), PlaceModel.latitude.is_not(None)
            )
        )
        return [_record(row) for row in rows]

    async def in_box(
        self, south: float, north: float, west: float, east: float, services: int
    ) -> list[PlacePoint]:
        """The located places inside a box offering any of `services` (0: any place)."""
        conditions: list[ColumnElement[bool]] = [
            PlaceModel.latitude.between(south, north),
            PlaceModel.longitude.between(west, east),
        ]
        if services:
            conditions.append(PlaceModel.services.op("&")(services) != 0)
        result = await execute_core(
            self._session,
            select(
                PlaceModel.id, PlaceModel.latitude, PlaceModel.longitude, PlaceModel.services
            ).where(and_(*conditions)),
        )
        return [PlacePoint(row.id, row.latitude, row.longitude, row.services) for row in result]

    async def nearest_in_box(
        self,
        latitude: float,
        longitude: float,
        box: tuple[float, float, float, float],
        services: int,
        limit: int,
    ) -> list[Place]:
        """The `limit` places of a box (south, north, west, east) offering any of `services`
        (0: any) nearest to the point, by a flat-earth distance that ranks like the true one
        at these scales (the caller computes the true distance of the few returned)."""
        south, north, west, east = box
        scale = math.cos(math.radians(latitude)) ** 2
        flat = (PlaceModel.latitude - latitude) * (PlaceModel.latitude - latitude) + (
            PlaceModel.longitude - longitude
        ) * (PlaceModel.longitude - longitude) * scale
        conditions: list[ColumnElement[bool]] = [
            PlaceModel.latitude.between(south, north),
            PlaceModel.longitude.between(west, east),
        ]
        if services:
            conditions.append(PlaceModel.services.op("&")(services) != 0)
        columns = [getattr(PlaceModel, name) for name in _RECORD_COLUMNS]
        result = await execute_core(
            self._session, select(*columns).where(*conditions).order_by(flat).limit(limit)
        )
        return [_from_row(row._mapping) for row in result]

    async def offering_near_structure(
        self, structure_id: int, services: int, km: float
    ) -> tuple[str, int] | None:
        """A place within about `km` of a structure's entry (a box, in one statement) that
        offers any of `services`: the entry's postal code (or commune) and the place's
        services; None if the entry has no position or no such place is near."""
        result = await execute_core(
            self._session,
            _NEAR_STRUCTURE,
            {
                "structure_id": structure_id,
                "services": services,
                "dlat": km / 111.2,
                # wide enough for any of France
                "dlon": km / (111.2 * math.cos(math.radians(52.0))),
            },
        )
        row: Any = result.first()
        return None if row is None or row[0] is None else (str(row[0]), int(row[1]))

    async def center(
        self, *, postal_code: str | None = None, commune_key: str | None = None
    ) -> tuple[float, float] | None:
        """The mean position of the located places of a postal code or a commune."""
        column, value = (
            (PlaceModel.postal_code, postal_code)
            if postal_code
            else (PlaceModel.commune_key, commune_key)
        )
        if not value:
            return None
        result = await execute_core(
            self._session,
            select(func.avg(PlaceModel.latitude), func.avg(PlaceModel.longitude)).where(
                column == value, PlaceModel.latitude.is_not(None)
            ),
        )
        row: Any = result.one()
        latitude, longitude = row[0], row[1]
        return None if latitude is None else (float(latitude), float(longitude))

    async def stream(self, batch: int = 1000) -> AsyncIterator[list[Place]]:
        """Every place, in batches by id (an export of any size in bounded memory)."""
        last = 0
        while True:
            rows = list(
                await self._session.scalars(
                    select(PlaceModel)
                    .where(PlaceModel.id > last)
                    .order_by(PlaceModel.id)
                    .limit(batch)
                )
            )
            if not rows:
                return
            last = rows[-1].id
            yield [_record(row) for row in rows]
            self._session.expunge_all()

    # -- the network's entries ---------------------------------------------------------------

    async def save(
        self, place: PlaceData, commune_key: str | None, now: datetime, structure_id: int | None
    ) -> Place:
        """Insert or update a place by source id (an edit), linked to a structure or not."""
        values = _row_values(place, commune_key, None, now)
        values["structure_id"] = structure_id
        columns = [c for c in values if c not in ("source_id", "import_id")]
        await execute_core(
            self._session, upsert(self._session, _TABLE, values, ["source_id"], columns)
        )
        saved = await self.by_source_id(place.source_id)
        assert saved is not None
        return saved
