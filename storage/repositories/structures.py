"""Partner structures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import Structure
from storage.models import StructureModel


def _record(row: StructureModel) -> Structure:
    return Structure(id=row.id, name=row.name)


class StructureRepository:
    """Read and add partner structures."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def list_all(self) -> list[Structure]:
        """Every structure, by name."""
        rows = await self._session.scalars(select(StructureModel).order_by(StructureModel.name))
        return [_record(row) for row in rows]

    async def get(self, structure_id: int) -> Structure | None:
        """The structure with this id, if any."""
        row = await self._session.get(StructureModel, structure_id)
        return _record(row) if row else None

    async def by_name(self, name: str) -> Structure | None:
        """The structure with this name, ignoring case."""
        row = await self._session.scalar(
            select(StructureModel).where(func.lower(StructureModel.name) == name.strip().lower())
        )
        return _record(row) if row else None

    async def add(self, name: str, now: datetime) -> Structure:
        """Create a structure (the name must be new)."""
        row = StructureModel(name=name.strip(), created_at=now)
        self._session.add(row)
        await self._session.flush()
        return _record(row)
