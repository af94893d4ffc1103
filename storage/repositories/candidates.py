"""Candidate helpers of a request: from the in-memory index when it is current, else SQL."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CompoundSelect,
    Integer,
    String,
    bindparam,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import MemberStatus
from storage.candidate_index import CandidateIndex
from storage.models import (
    MatchingChangeModel,
    MatchingVersionModel,
    MemberModel,
    MemberSkillModel,
    OfferModel,
    SkillModel,
)
from storage.repositories._core import execute_core
from storage.repositories.offers import (
    LOADS_LAST,
    CandidateFits,
    OfferRepository,
    loads_by_member,
)

_VERSION = select(MatchingVersionModel.version).where(MatchingVersionModel.id == 1)
# One round trip for a choice made from memory: the counter (kind -2), each helper the request
# was offered to (kind -1), and the loads of the members the ranking asks about first (kinds
# 0-3 of `LOADS_LAST`).
_CONFIRM: CompoundSelect[Any] = union_all(
    select(
        literal(-2, type_=Integer).label("kind"),
        MatchingVersionModel.version,
        literal(0, type_=BigInteger),
    ).where(MatchingVersionModel.id == 1),
    select(
        literal(-1, type_=Integer),
        OfferModel.helper_id.cast(BigInteger),
        literal(0, type_=BigInteger),
    ).where(OfferModel.request_id == bindparam("request_id", type_=Integer)),
    *LOADS_LAST.selects,
)
# Each skill's id by slug (kind 0), then how many members are active (kind 1).
_SKILL_IDS_AND_ACTIVE: CompoundSelect[Any] = union_all(
    select(literal(0, type_=Integer).label("kind"), SkillModel.slug, SkillModel.id),
    select(literal(1, type_=Integer), literal(None, type_=String), func.count()).where(
        MemberModel.status == MemberStatus.ACTIVE.value
    ),
)
_CHANGES = select(MatchingChangeModel.member_id, MatchingChangeModel.version).where(
    MatchingChangeModel.version > bindparam("since", type_=BigInteger)
)
# Every member's skills, with whether the member is active (only they are candidates; every
# declaration counts in how common a skill is).
_MEMBER_SKILLS = select(
    MemberSkillModel.member_id,
    MemberSkillModel.skill_id,
    MemberSkillModel.level,
    MemberModel.status == MemberStatus.ACTIVE.value,
).join(MemberModel, MemberModel.id == MemberSkillModel.member_id)
_MEMBER_SKILLS_OF = _MEMBER_SKILLS.where(
    MemberSkillModel.member_id.in_(bindparam("members", expanding=True))
)


@dataclass(frozen=True, slots=True)
class Confirmed:
    """The index's version holds in this unit of work: the request's offered helpers, and
    the loads read (open claims, recent offers, offers today, latest offer id) by member."""

    offered: frozenset[int]
    loads: dict[int, tuple[int, int, int, int]]


class CandidateRepository:
    """The candidate step of matching, and what the candidate index reads to keep up."""

    def __init__(
        self, session: AsyncSession, offers: OfferRepository, index: CandidateIndex | None
    ) -> None:
        self._session = session
        self._offers = offers
        self._index = index

    @property
    def behind(self) -> bool:
        """Whether this unit of work found the index behind the database."""
        return self._index is not None and self._index.behind

    async def catch_up(self) -> None:
        """Bring the index up to date if a unit of work found it behind (its own unit of
        work: call it once this one is closed)."""
        if self._index is not None and self._index.behind:
            await self._index.catch_up()

    async def keep_up(self) -> None:
        """Bring the index to the database's version now, in a unit of work of its own (call
        it once this one is committed): after a change of members' skills or status, so that
        the next match does not pay for it (it would be answered by SQL, correctly)."""
        if self._index is not None and self._index.ready:
            await self._index.catch_up()

    async def by_fit(
        self,
        *,
        request_id: int,
        skill_ids: Collection[int],
        exclude: Collection[int],
        limit: int | None = None,
        weights: Mapping[int, float] | None = None,
    ) -> CandidateFits:
        """`OfferRepository.candidates_by_fit`, answered from the index when `confirm` finds
        the database at its version; otherwise by the SQL statement (and the index is marked
        behind). The candidate step alone: matching itself calls `memory` and `confirm`, with
        the loads; the bench and the tests compare this with SQL."""
        index = self.memory()
        confirmed = (
            await self.confirm(index, request_id=request_id, members=())
            if index is not None
            else None
        )
        if index is None or confirmed is None:
            return await self._sql(request_id, skill_ids, exclude, limit, weights)
        excluded = confirmed.offered.union(exclude)
        fits = index.fits(skill_ids, excluded=excluded, limit=limit, weights=weights)
        return CandidateFits(fits=fits, offered_before=bool(confirmed.offered))

    def memory(self) -> CandidateIndex | None:
        """The candidate index, when it may answer: its answers hold at its version, which
        `confirm` compares with the database's in this unit of work before they are used."""
        index = self._index
        return index if index is not None and index.ready else None

    async def confirm(
        self,
        index: CandidateIndex,
        *,
        request_id: int,
        members: Collection[int],
        recent_since: datetime | None = None,
        day_since: datetime | None = None,
    ) -> Confirmed | None:
        """One statement: whether the database is at the index's version (None, and the
        index marked behind, when it is not), the request's offered helpers, and these
        members' loads (`OfferRepository.loads_and_last`; the times may be left out when no
        member is asked about)."""
        wanted = list(members)
        if wanted and (recent_since is None or day_since is None):
            raise ValueError("the loads of members are counted since given times")
        rows: list[Any] = list(
            (
                await execute_core(
                    self._session,
                    _CONFIRM,
                    {
                        "request_id": request_id,
                        "members": wanted,
                        "since": recent_since,
                        "day_since": day_since,
                    },
                )
            ).all()
        )
        version = next((int(value) for kind, value, _ in rows if kind == -2), 0)
        if version != index.version:
            index.behind = True
            return None
        offered = frozenset(int(value) for kind, value, _ in rows if kind == -1)
        loads = loads_by_member((row for row in rows if row[0] >= 0), wanted)
        return Confirmed(offered, loads)

    async def skill_ids_and_active(self) -> tuple[dict[str, int], int]:
        """Each skill's id by slug, and how many members are active (one statement)."""
        rows: list[Any] = list((await execute_core(self._session, _SKILL_IDS_AND_ACTIVE)).all())
        ids = {str(slug): int(value) for kind, slug, value in rows if kind == 0}
        active = next((int(value) for kind, _, value in rows if kind == 1), 0)
        return ids, active

    async def _sql(
        self,
        request_id: int,
        skill_ids: Collection[int],
        exclude: Collection[int],
        limit: int | None,
        weights: Mapping[int, float] | None,
    ) -> CandidateFits:
        return await self._offers.candidates_by_fit(
            request_id=request_id,
            skill_ids=skill_ids,
            exclude=exclude,
            limit=limit,
            weights=weights,
        )

    async def version(self) -> int:
        """The database's matching version (0 when the counter row is missing)."""
        found: Any = (await execute_core(self._session, _VERSION)).scalar()
        return int(found) if found is not None else 0

    async def changes_since(self, version: int) -> list[tuple[int, int]]:
        """(member, version) of each member changed after `version`."""
        rows: list[Any] = list(
            (await execute_core(self._session, _CHANGES, {"since": version})).all()
        )
        return [(int(member), int(changed)) for member, changed in rows]

    async def member_skills(
        self, members: Collection[int] | None = None
    ) -> list[tuple[int, int, str, bool]]:
        """(member, skill, level, active) of every member's skills, or of these members'."""
        if members is None:
            result = await execute_core(self._session, _MEMBER_SKILLS)
        else:
            result = await execute_core(
                self._session, _MEMBER_SKILLS_OF, {"members": list(members)}
            )
        rows: list[Any] = list(result.all())
        return [
            (int(member), int(skill), str(level), bool(active))
            for member, skill, level, active in rows
        ]
