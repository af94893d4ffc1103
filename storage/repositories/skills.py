"""Skills (taxonomy-seeded and proposed) and the levels members declare."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import CursorResult, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import (
    MemberSkill,
    MemberStatus,
    NetworkSkill,
    ProposedSkill,
    SkillRow,
    SkillSource,
)
from skills import Skill, SkillLevel
from storage.models import MemberModel, MemberSkillModel, SkillModel
from storage.repositories._upsert import on_conflict, upsert


def _record(row: SkillModel) -> SkillRow:
    return SkillRow(
        id=row.id,
        slug=row.slug,
        label_fr=row.label_fr,
        label_en=row.label_en,
        source=SkillSource(row.source),
    )


def _network(row: SkillModel) -> NetworkSkill:
    return NetworkSkill(
        id=row.id,
        slug=row.slug,
        label_fr=row.label_fr,
        label_en=row.label_en,
        aliases=tuple(line for line in (row.aliases or "").splitlines() if line),
        parent=row.parent_slug,
    )


def _by_id(row: SkillModel) -> int:
    return row.id


# `SkillRepository.network_and`, built once: one shape whether or not there are slugs (an
# empty IN is expanded when run), so a request that names no skill compiles nothing new.
_NETWORK_AND = (
    select(SkillModel)
    .where(
        (SkillModel.source == SkillSource.NETWORK.value)
        | SkillModel.slug.in_(bindparam("slugs", expanding=True))
    )
    .order_by(SkillModel.label_fr)
)


class SkillRepository:
    """Skills and member skills."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def sync_taxonomy(self, skills: Iterable[Skill], now: datetime) -> None:
        """Insert or relabel the taxonomy's skills (slugs are stable; labels may change)."""
        values = [
            {
                "slug": skill.slug,
                "label_fr": skill.label_fr,
                "label_en": skill.label_en,
                "kind": skill.kind.value,
                "area": skill.area,
                "source": SkillSource.TAXONOMY.value,
                "created_at": now,
            }
            for skill in skills
        ]
        if values:
            await self._session.execute(
                on_conflict(
                    self._session,
                    SkillModel.__table__,  # type: ignore[arg-type]
                    conflict=["slug"],
                    update=["label_fr", "label_en", "kind", "area", "source"],
                ),
                values,
            )

    async def by_slug(self, slug: str) -> SkillRow | None:
        """The skill with this slug, if any."""
        row = await self._session.scalar(select(SkillModel).where(SkillModel.slug == slug))
        return _record(row) if row else None

    async def by_id(self, skill_id: int) -> SkillRow | None:
        """The skill with this id, if any."""
        row = await self._session.get(SkillModel, skill_id)
        return _record(row) if row else None

    async def holder_ids(self, skill_id: int) -> list[int]:
        """The members still in the network who declared this skill, by id."""
        rows = await self._session.scalars(
            select(MemberSkillModel.member_id)
            .join(MemberModel, MemberModel.id == MemberSkillModel.member_id)
            .where(
                MemberSkillModel.skill_id == skill_id,
                MemberModel.status != MemberStatus.LEFT.value,
            )
            .order_by(MemberSkillModel.member_id)
        )
        return list(rows)

    async def by_slugs(self, slugs: Iterable[str]) -> dict[str, SkillRow]:
        """The skills with these slugs, by slug (unknown slugs are absent), in the order of
        their French labels (the database's, as a request's skills are read)."""
        wanted = list(slugs)
        if not wanted:
            return {}
        rows = await self._session.scalars(
            select(SkillModel).where(SkillModel.slug.in_(wanted)).order_by(SkillModel.label_fr)
        )
        return {row.slug: _record(row) for row in rows}

    async def add_proposed(
        self, *, slug: str, label: str, proposed_by: int, now: datetime
    ) -> SkillRow:
        """Keep a skill the taxonomy does not know (or return the one already kept)."""
        await self._session.execute(
            upsert(
                self._session,
                SkillModel.__table__,  # type: ignore[arg-type]
                {
                    "slug": slug,
                    "label_fr": label,
                    "label_en": label,
                    "kind": "tool",
                    "area": None,
                    "source": SkillSource.PROPOSED.value,
                    "proposed_by": proposed_by,
                    "created_at": now,
                },
                conflict=["slug"],
                update=[],
            )
        )
        found = await self.by_slug(slug)
        assert found is not None
        return found

    async def of_member(self, member_id: int) -> list[MemberSkill]:
        """The member's skills with their levels, by French label."""
        rows = await self._session.execute(
            select(SkillModel, MemberSkillModel.level)
            .join(MemberSkillModel, MemberSkillModel.skill_id == SkillModel.id)
            .where(MemberSkillModel.member_id == member_id)
            .order_by(func.lower(SkillModel.label_fr))
        )
        return [MemberSkill(skill=_record(skill), level=SkillLevel(level)) for skill, level in rows]

    async def set_level(
        self, *, member_id: int, skill_id: int, level: SkillLevel, now: datetime
    ) -> None:
        """Declare (or change) the member's level on a skill."""
        await self._session.execute(
            upsert(
                self._session,
                MemberSkillModel.__table__,  # type: ignore[arg-type]
                {
                    "member_id": member_id,
                    "skill_id": skill_id,
                    "level": level.value,
                    "created_at": now,
                    "updated_at": now,
                },
                conflict=["member_id", "skill_id"],
                update=["level", "updated_at"],
            )
        )

    async def remove_from_member(self, *, member_id: int, skill_id: int) -> bool:
        """Forget a member's skill; false when they had not declared it."""
        result = await self._session.execute(
            delete(MemberSkillModel).where(
                MemberSkillModel.member_id == member_id,
                MemberSkillModel.skill_id == skill_id,
            )
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def counts_by_member(self) -> dict[int, int]:
        """How many skills each member who declared any has declared."""
        rows = await self._session.execute(
            select(MemberSkillModel.member_id, func.count()).group_by(MemberSkillModel.member_id)
        )
        return {int(member): int(count) for member, count in rows}

    async def proposed(self) -> list[ProposedSkill]:
        """Proposed skills with who proposed them and how many members declared them."""
        holders = (
            select(MemberSkillModel.skill_id, func.count().label("n"))
            .group_by(MemberSkillModel.skill_id)
            .subquery()
        )
        rows = await self._session.execute(
            select(SkillModel, MemberModel.display_name, func.coalesce(holders.c.n, 0))
            .outerjoin(MemberModel, MemberModel.id == SkillModel.proposed_by)
            .outerjoin(holders, holders.c.skill_id == SkillModel.id)
            .where(SkillModel.source == SkillSource.PROPOSED.value)
            .order_by(func.lower(SkillModel.label_fr))
        )
        return [
            ProposedSkill(skill=_record(skill), proposed_by=name, member_count=int(count))
            for skill, name, count in rows
        ]

    async def proposed_labels(self) -> list[tuple[int, str, str]]:
        """Id, slug and label of each proposed skill some member declares (for matching by
        similar text)."""
        rows = await self._session.execute(
            select(SkillModel.id, SkillModel.slug, SkillModel.label_fr)
            .where(
                SkillModel.source == SkillSource.PROPOSED.value,
                select(MemberSkillModel.member_id)
                .where(MemberSkillModel.skill_id == SkillModel.id)
                .exists(),
            )
            .order_by(SkillModel.id)
        )
        return [(int(id_), str(slug), str(label)) for id_, slug, label in rows]

    async def network(self) -> list[NetworkSkill]:
        """The network's own skills (proposals a coordinator validated), oldest first."""
        rows = await self._session.scalars(
            select(SkillModel)
            .where(SkillModel.source == SkillSource.NETWORK.value)
            .order_by(SkillModel.id)
        )
        return [_network(row) for row in rows]

    async def network_and(
        self, slugs: Iterable[str]
    ) -> tuple[list[NetworkSkill], dict[str, SkillRow]]:
        """`network` and `by_slugs` in one statement: the network's own skills (oldest first),
        and the skills with these slugs or of the network, by slug (in the order of their
        French labels, as `by_slugs`)."""
        rows = list(await self._session.scalars(_NETWORK_AND, {"slugs": list(slugs)}))
        network = sorted(
            (row for row in rows if row.source == SkillSource.NETWORK.value), key=_by_id
        )
        return [_network(row) for row in network], {row.slug: _record(row) for row in rows}

    async def matchable(self) -> tuple[list[NetworkSkill], list[tuple[int, str, str]]]:
        """`network` and `proposed_labels` in one statement (matching reads both)."""
        held = (
            select(MemberSkillModel.member_id)
            .where(MemberSkillModel.skill_id == SkillModel.id)
            .exists()
        )
        rows = await self._session.scalars(
            select(SkillModel)
            .where(
                (SkillModel.source == SkillSource.NETWORK.value)
                | ((SkillModel.source == SkillSource.PROPOSED.value) & held)
            )
            .order_by(SkillModel.id)
        )
        network: list[NetworkSkill] = []
        proposed: list[tuple[int, str, str]] = []
        for row in rows:
            if row.source == SkillSource.NETWORK.value:
                network.append(_network(row))
            else:
                proposed.append((row.id, row.slug, row.label_fr))
        return network, proposed

    async def replacement_of(self, slug: str) -> SkillRow | None:
        """The skill that replaced a replaced proposal, if it still exists."""
        target = await self._session.scalar(
            select(SkillModel.replaced_by).where(SkillModel.slug == slug)
        )
        return await self.by_slug(target) if target else None

    async def promote(
        self,
        skill_id: int,
        *,
        label: str,
        aliases: Iterable[str],
        parent: str | None,
        now: datetime,
    ) -> bool:
        """Make a proposed skill a skill of the network's own taxonomy; false when it is no
        longer a proposal (validated or replaced meanwhile). Its holders keep it."""
        result = await self._session.execute(
            update(SkillModel)
            .where(SkillModel.id == skill_id, SkillModel.source == SkillSource.PROPOSED.value)
            .values(
                source=SkillSource.NETWORK.value,
                label_fr=label,
                label_en=label,
                aliases="\n".join(aliases) or None,
                parent_slug=parent,
                reviewed_at=now,
            )
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def replace_everywhere(self, old: SkillRow, new: SkillRow, now: datetime) -> int | None:
        """Give every holder of the proposal `old` the skill `new` instead, at the higher of
        their two levels, and mark `old` replaced; how many members it moved, None when `old`
        is no longer a proposal."""
        result = await self._session.execute(
            update(SkillModel)
            .where(SkillModel.id == old.id, SkillModel.source == SkillSource.PROPOSED.value)
            .values(source=SkillSource.REPLACED.value, replaced_by=new.slug, reviewed_at=now)
        )
        assert isinstance(result, CursorResult)
        if result.rowcount != 1:
            return None
        rows = await self._session.execute(
            select(
                MemberSkillModel.member_id, MemberSkillModel.skill_id, MemberSkillModel.level
            ).where(MemberSkillModel.skill_id.in_([old.id, new.id]))
        )
        held: dict[int, dict[int, SkillLevel]] = {}
        for member, skill, level in rows:
            held.setdefault(int(member), {})[int(skill)] = SkillLevel(level)
        moved = 0
        for member, levels in held.items():
            if old.id not in levels:
                continue
            best = max(levels.values(), key=lambda level: level.weight)
            await self.set_level(member_id=member, skill_id=new.id, level=best, now=now)
            await self.remove_from_member(member_id=member, skill_id=old.id)
            moved += 1
        return moved
