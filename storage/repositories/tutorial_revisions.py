"""Changes to reviewed tutorials waiting for a coordinator (one pending change per entry)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import TutorialRevision
from storage.models import TutorialRevisionModel
from storage.repositories._upsert import upsert

_REVISIONS: Table = TutorialRevisionModel.__table__  # type: ignore[assignment]


def _record(row: TutorialRevisionModel) -> TutorialRevision:
    return TutorialRevision(
        tutorial_id=row.tutorial_id,
        author_id=row.author_id,
        title=row.title,
        problem=row.problem,
        steps=tuple(line for line in row.solution.split("\n") if line.strip()),
        audience=tuple(tag for tag in row.audience.split(",") if tag),
        themes=tuple(theme for theme in row.themes.split(",") if theme),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class TutorialRevisionRepository:
    """Store, read and drop the pending change of a tutorial (never indexed for search)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, tutorial_id: int) -> TutorialRevision | None:
        """The change waiting for review, if any."""
        row = await self._session.scalar(
            select(TutorialRevisionModel)
            .where(TutorialRevisionModel.tutorial_id == tutorial_id)
            .execution_options(populate_existing=True)  # changed by Core statements
        )
        return _record(row) if row is not None else None

    async def save(
        self,
        *,
        tutorial_id: int,
        author_id: int | None,
        title: str,
        problem: str,
        steps: Sequence[str],
        audience: Sequence[str],
        themes: Sequence[str],
        now: datetime,
    ) -> None:
        """Keep the pending change (one statement: a new one, or the one there changed)."""
        values = {
            "tutorial_id": tutorial_id,
            "author_id": author_id,
            "title": title,
            "problem": problem,
            "solution": "\n".join(steps),
            "audience": ",".join(audience)[:200],
            "themes": ",".join(themes)[:400],
            "created_at": now,
            "updated_at": now,
        }
        changed = [name for name in values if name not in ("tutorial_id", "created_at")]
        await self._session.execute(
            upsert(self._session, _REVISIONS, values, ["tutorial_id"], changed)
        )

    async def drop(self, tutorial_id: int) -> bool:
        """Forget the pending change (approved or refused); false if there was none."""
        result = await self._session.execute(
            delete(TutorialRevisionModel).where(TutorialRevisionModel.tutorial_id == tutorial_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def pending(self, limit: int = 20) -> list[int]:
        """The tutorials with a change waiting for review, oldest change first."""
        rows = await self._session.scalars(
            select(TutorialRevisionModel.tutorial_id)
            .order_by(TutorialRevisionModel.created_at, TutorialRevisionModel.tutorial_id)
            .limit(limit)
        )
        return list(rows)
