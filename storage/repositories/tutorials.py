"""Tutorial drafts written when a request is solved (the full base comes later)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import MemberModel, SkillModel, TutorialModel, TutorialSkillModel
from storage.records import TutorialSummary
from storage.repositories._upsert import insert_for


class TutorialRepository:
    """Store and find tutorial drafts."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        request_id: int | None,
        author_id: int,
        title: str,
        problem: str,
        solution: str,
        skill_ids: Iterable[int],
        now: datetime,
        status: str = "draft",
    ) -> int:
        """Store a tutorial and its skills; returns its number."""
        row = TutorialModel(
            request_id=request_id,
            author_id=author_id,
            title=title,
            problem=problem,
            solution=solution,
            status=status,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        skills = sorted(set(skill_ids))
        if skills:
            await self._session.execute(
                insert_for(self._session, TutorialSkillModel.__table__),  # type: ignore[arg-type]
                [{"tutorial_id": row.id, "skill_id": skill_id} for skill_id in skills],
            )
        return row.id

    async def for_request(self, request_id: int, author_id: int) -> TutorialSummary | None:
        """The tutorial an author wrote about a request, if any."""
        found = (
            await self._session.execute(
                self._query().where(
                    TutorialModel.request_id == request_id, TutorialModel.author_id == author_id
                )
            )
        ).first()
        return self._record(found[0], found[1]) if found else None

    async def update(self, tutorial_id: int, now: datetime, **values: str) -> None:
        """Change text fields of a tutorial."""
        await self._session.execute(
            update(TutorialModel)
            .where(TutorialModel.id == tutorial_id)
            .values(updated_at=now, **values)
        )

    @staticmethod
    def _query() -> Select[TutorialModel, str]:
        return select(TutorialModel, MemberModel.display_name).outerjoin(
            MemberModel, MemberModel.id == TutorialModel.author_id
        )

    @staticmethod
    def _record(row: TutorialModel, author_name: str | None) -> TutorialSummary:
        return TutorialSummary(
            id=row.id,
            title=row.title,
            problem=row.problem,
            solution=row.solution,
            status=row.status,
            request_id=row.request_id,
            author_name=author_name,
            created_at=row.created_at,
        )

    async def search(
        self, *, words: Collection[str], skill_slugs: Collection[str], limit: int = 10
    ) -> list[TutorialSummary]:
        """Tutorials about one of the skills or containing one of the words, newest first."""
        conditions: list[ColumnElement[bool]] = []
        if skill_slugs:
            conditions.append(
                TutorialModel.id.in_(
                    select(TutorialSkillModel.tutorial_id)
                    .join(SkillModel, SkillModel.id == TutorialSkillModel.skill_id)
                    .where(SkillModel.slug.in_(list(skill_slugs)))
                )
            )
        for word in words:
            pattern = f"%{word}%"
            conditions.append(
                or_(
                    TutorialModel.title.ilike(pattern),
                    TutorialModel.problem.ilike(pattern),
                    TutorialModel.solution.ilike(pattern),
                )
            )
        query = self._query().order_by(TutorialModel.id.desc()).limit(limit)
        if conditions:
            query = query.where(or_(*conditions))
        rows = (await self._session.execute(query)).all()
        return [self._record(row, name) for row, name in rows]
