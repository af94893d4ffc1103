"""The tutorial base: entries, their skills and themes, members' feedback."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CompoundSelect, CursorResult, delete, null, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import Tutorial, TutorialSkill, TutorialStatus
from storage.models import (
    MemberModel,
    SkillModel,
    TutorialFeedbackModel,
    TutorialModel,
    TutorialSkillModel,
    TutorialThemeModel,
)
from storage.repositories._upsert import insert_for
from storage.search import search_for


class TutorialRepository:
    """Store, read and count feedback on tutorials; every write keeps the search index current."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self.search = search_for(session)

    async def add(
        self,
        *,
        request_id: int | None,
        author_id: int | None,
        title: str,
        problem: str,
        steps: Sequence[str],
        skill_ids: Iterable[int],
        themes: Iterable[str] = (),
        skills_text: str = "",
        language: str = "fr",
        licence: str = "Etalab-2.0",
        now: datetime,
        status: TutorialStatus = TutorialStatus.DRAFT,
    ) -> int:
        """Store a tutorial with its skills and themes; returns its number."""
        row = TutorialModel(
            request_id=request_id,
            author_id=author_id,
            title=title,
            problem=problem,
            solution="\n".join(steps),
            status=status.value,
            language=language,
            licence=licence,
            audience="",
            skills_text=skills_text,
            helped_count=0,
            flag_count=0,
            created_at=now,
            updated_at=now,
            checked_at=now,
            published_at=now if status is TutorialStatus.PUBLISHED else None,
        )
        self._session.add(row)
        await self._session.flush()
        await self._set_links(row.id, skill_ids, themes)
        await self.search.index(row.id)
        return row.id

    async def _set_links(
        self, tutorial_id: int, skill_ids: Iterable[int], themes: Iterable[str]
    ) -> None:
        skills = sorted(set(skill_ids))
        if skills:
            await self._session.execute(
                insert_for(self._session, TutorialSkillModel.__table__),  # type: ignore[arg-type]
                [{"tutorial_id": tutorial_id, "skill_id": skill_id} for skill_id in skills],
            )
        await self._insert_themes(tutorial_id, themes)

    async def set_themes(self, tutorial_id: int, themes: Iterable[str]) -> None:
        """Replace a tutorial's themes (the index knows them: it is updated too)."""
        await self._insert_themes(tutorial_id, themes)
        await self.search.index(tutorial_id)

    async def _insert_themes(self, tutorial_id: int, themes: Iterable[str]) -> None:
        await self._session.execute(
            delete(TutorialThemeModel).where(TutorialThemeModel.tutorial_id == tutorial_id)
        )
        chosen = sorted(set(themes))
        if chosen:
            await self._session.execute(
                insert_for(self._session, TutorialThemeModel.__table__),  # type: ignore[arg-type]
                [{"tutorial_id": tutorial_id, "theme": theme} for theme in chosen],
            )

    async def update(
        self,
        tutorial_id: int,
        now: datetime,
        *,
        expected_status: TutorialStatus | None = None,
        **values: Any,
    ) -> bool:
        """Change fields of a tutorial (`steps` is a list of lines) and reindex it. With
        `expected_status`, only if the tutorial is still in it (one conditional update: of two
        changes racing from the same state, one wins). Returns whether it changed."""
        if "steps" in values:
            values["solution"] = "\n".join(values.pop("steps"))
        if "status" in values and isinstance(values["status"], TutorialStatus):
            values["status"] = values["status"].value
        statement = update(TutorialModel).where(TutorialModel.id == tutorial_id)
        if expected_status is not None:
            statement = statement.where(TutorialModel.status == expected_status.value)
        result = cast(
            "CursorResult[Any]",
            await self._session.execute(statement.values(updated_at=now, **values)),
        )
        if not result.rowcount:
            return False
        await self.search.index(tutorial_id)
        return True

    async def get(self, tutorial_id: int) -> Tutorial | None:
        """One tutorial, complete."""
        found = await self.get_many([tutorial_id])
        return found[0] if found else None

    async def get_many(self, ids: Sequence[int]) -> list[Tutorial]:
        """Tutorials by number, in the order given (missing ones are left out)."""
        if not ids:
            return []
        rows = (
            await self._session.scalars(select(TutorialModel).where(TutorialModel.id.in_(ids)))
        ).all()
        return await self._records(rows, order=ids)

    async def for_request(self, request_id: int, author_id: int) -> Tutorial | None:
        """The tutorial an author wrote about a request, if any."""
        row = await self._session.scalar(
            select(TutorialModel).where(
                TutorialModel.request_id == request_id, TutorialModel.author_id == author_id
            )
        )
        return (await self._records([row]))[0] if row else None

    async def listing(
        self,
        *,
        statuses: Collection[TutorialStatus] | None = None,
        author_id: int | None = None,
        checked_before: datetime | None = None,
        flagged: bool = False,
        limit: int | None = None,
    ) -> list[Tutorial]:
        """Tutorials by number, filtered by status, author, last check or reported staleness."""
        query = select(TutorialModel).order_by(TutorialModel.id)
        if statuses is not None:
            query = query.where(TutorialModel.status.in_([s.value for s in statuses]))
        if author_id is not None:
            query = query.where(TutorialModel.author_id == author_id)
        if checked_before is not None:
            query = query.where(TutorialModel.checked_at < checked_before)
        if flagged:
            query = query.where(TutorialModel.flag_count > 0)
        if limit is not None:
            query = query.limit(limit)
        return await self._records((await self._session.scalars(query)).all())

    async def add_feedback(
        self, tutorial_id: int, member_id: int, kind: str, now: datetime
    ) -> bool:
        """Record that a member found it helpful (`helped`) or outdated (`outdated`), once.

        Returns False when that member had already said so.
        """
        inserted = await self._session.execute(
            insert_for(self._session, TutorialFeedbackModel.__table__)  # type: ignore[arg-type]
            .values(tutorial_id=tutorial_id, member_id=member_id, kind=kind, created_at=now)
            .on_conflict_do_nothing()
        )
        if not inserted.rowcount:  # type: ignore[attr-defined]
            return False
        counter = TutorialModel.helped_count if kind == "helped" else TutorialModel.flag_count
        await self._session.execute(
            update(TutorialModel)
            .where(TutorialModel.id == tutorial_id)
            .values({counter: counter + 1})
        )
        return True

    async def clear_flags(self, tutorial_id: int, now: datetime) -> None:
        """A coordinator or the author checked the entry: reports are cleared."""
        await self._session.execute(
            delete(TutorialFeedbackModel).where(
                TutorialFeedbackModel.tutorial_id == tutorial_id,
                TutorialFeedbackModel.kind == "outdated",
            )
        )
        await self._session.execute(
            update(TutorialModel)
            .where(TutorialModel.id == tutorial_id)
            .values(flag_count=0, checked_at=now, updated_at=now)
        )

    async def _records(
        self, rows: Sequence[TutorialModel], order: Sequence[int] | None = None
    ) -> list[Tutorial]:
        if not rows:
            return []
        ids = [row.id for row in rows]
        skills, themes = await self._skills_and_themes(ids)
        names = await self._names({row.author_id for row in rows} | {row.asker_id for row in rows})
        by_id = {row.id: row for row in rows}
        wanted = order if order is not None else ids
        return [self._record(by_id[i], skills[i], themes[i], names) for i in wanted if i in by_id]

    async def _skills_and_themes(
        self, ids: Sequence[int]
    ) -> tuple[dict[int, list[TutorialSkill]], dict[int, list[str]]]:
        """The skills and the themes of these tutorials, by slug, in one round trip."""
        skills: dict[int, list[TutorialSkill]] = {i: [] for i in ids}
        themes: dict[int, list[str]] = {i: [] for i in ids}
        # A theme row has no labels.
        linked: CompoundSelect[tuple[int, str, str | None, str | None]] = union_all(
            select(
                TutorialSkillModel.tutorial_id,
                SkillModel.slug,
                SkillModel.label_fr,
                SkillModel.label_en,
            )
            .join(SkillModel, SkillModel.id == TutorialSkillModel.skill_id)
            .where(TutorialSkillModel.tutorial_id.in_(ids)),
            select(
                TutorialThemeModel.tutorial_id,
                TutorialThemeModel.theme,
                null().label("label_fr"),
                null().label("label_en"),
            ).where(TutorialThemeModel.tutorial_id.in_(ids)),
        )
        found: list[tuple[int, str, str | None, str | None]] = [
            tuple(row)  # type: ignore[misc]
            for row in await self._session.execute(linked)
        ]
        for tutorial_id, slug, label_fr, label_en in sorted(found, key=lambda row: row[1]):
            if label_fr is None or label_en is None:
                themes[tutorial_id].append(slug)
            else:
                skills[tutorial_id].append(TutorialSkill(slug, label_fr, label_en))
        return skills, themes

    async def _names(self, people: set[int | None]) -> dict[int, str]:
        """The display names of these members (the missing ones left out)."""
        known = [person for person in people if person is not None]
        if not known:
            return {}
        rows = await self._session.execute(
            select(MemberModel.id, MemberModel.display_name).where(MemberModel.id.in_(known))
        )
        return {member_id: name for member_id, name in rows}

    @staticmethod
    def _record(
        row: TutorialModel,
        skills: list[TutorialSkill],
        themes: list[str],
        names: dict[int, str],
    ) -> Tutorial:
        authors = tuple(
            names[person]
            for person in (row.author_id, row.asker_id)
            if person is not None and person in names
        )
        return Tutorial(
            id=row.id,
            title=row.title,
            problem=row.problem,
            steps=tuple(line for line in row.solution.split("\n") if line.strip()),
            skills=tuple(skills),
            themes=tuple(themes),
            audience=tuple(tag for tag in row.audience.split(",") if tag),
            status=TutorialStatus(row.status),
            language=row.language,
            licence=row.licence,
            request_id=row.request_id,
            authors=authors,
            created_at=row.created_at,
            updated_at=row.updated_at,
            checked_at=row.checked_at,
            published_at=row.published_at,
            helped_count=row.helped_count,
            flag_count=row.flag_count,
            author_id=row.author_id,
            asker_id=row.asker_id,
        )
