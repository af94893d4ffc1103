"""Candidate helpers of a request: from the in-memory index when it is current, else SQL."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import BigInteger, Integer, bindparam, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import MemberStatus
from storage.candidate_index import CandidateIndex
from storage.models import (
    MatchingChangeModel,
    MatchingVersionModel,
    MemberModel,
    MemberSkillModel,
    OfferModel,
)
from storage.repositories._core import execute_core
from storage.repositories.offers import CandidateFits, OfferRepository

_VERSION = select(MatchingVersionModel.version).where(MatchingVersionModel.id == 1)
# One round trip: the counter (kind 0), then each helper the request was offered to (kind 1).
_STATE = union_all(
    select(literal(0, type_=Integer).label("kind"), MatchingVersionModel.version).where(
        MatchingVersionModel.id == 1
    ),
    select(literal(1, type_=Integer), OfferModel.helper_id.cast(BigInteger)).where(
        OfferModel.request_id == bindparam("request_id", type_=Integer)
    ),
)
_CHANGES = select(MatchingChangeModel.member_id, MatchingChangeModel.version).where(
    MatchingChangeModel.version > bindparam("since", type_=BigInteger)
)
_ACTIVE_SKILLS = (
    select(MemberSkillModel.member_id, MemberSkillModel.skill_id, MemberSkillModel.level)
    .join(MemberModel, MemberModel.id == MemberSkillModel.member_id)
    .where(MemberModel.status == MemberStatus.ACTIVE.value)
)
_ACTIVE_SKILLS_OF = _ACTIVE_SKILLS.where(
    MemberSkillModel.member_id.in_(bindparam("members", expanding=True))
)


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
        """`OfferRepository.candidates_by_fit`, answered from the index when its version is
        the one this unit of work reads (the offered helpers and the counter in one
        statement); otherwise by the SQL statement, and the index is marked behind."""
        index = self._index
        if index is None or not index.ready:
            return await self._sql(request_id, skill_ids, exclude, limit, weights)
        rows: list[Any] = list(
            (await execute_core(self._session, _STATE, {"request_id": request_id})).all()
        )
        version = next((int(value) for kind, value in rows if kind == 0), 0)
        if version != index.version:
            index.behind = True
            return await self._sql(request_id, skill_ids, exclude, limit, weights)
        offered = {int(value) for kind, value in rows if kind == 1}
        fits = index.fits(skill_ids, excluded=offered.union(exclude), limit=limit, weights=weights)
        return CandidateFits(fits=fits, offered_before=bool(offered))

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

    async def active_skills(
        self, members: Collection[int] | None = None
    ) -> list[tuple[int, int, str]]:
        """(member, skill, level) of every active member's skills, or of these members'."""
        if members is None:
            result = await execute_core(self._session, _ACTIVE_SKILLS)
        else:
            result = await execute_core(
                self._session, _ACTIVE_SKILLS_OF, {"members": list(members)}
            )
        rows: list[Any] = list(result.all())
        return [(int(member), int(skill), str(level)) for member, skill, level in rows]
