"""Matching from memory: which active members hold which skills, at which level.

The index answers the candidate question of matching (`OfferRepository.candidates_by_fit`)
without asking the database to walk and sum every holder of a skill, and keeps what matching
reads about the skills themselves (the network's own skills, the proposals members declare,
each slug's id, how many members hold each and how many are active). The database stays the
truth: triggers bump a version counter on every change of a member's skills, status or
existence, and of the skills (migrations 0012 and 0014), and a unit of work uses the index
only when the counter it reads equals the index's version; otherwise it asks SQL, and the
index catches up afterwards in its own read-only unit of work (so it never holds what a
transaction wrote and then rolled back). Several workers over one PostgreSQL database each
keep their own index and see each other's changes through the same counter.
"""

from __future__ import annotations

import asyncio
import logging
from bisect import bisect_left, insort
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING

from domain.records import NetworkSkill
from skills import SkillLevel
from storage.fit_walk import best_fits, ranked_vectors, worth_walking

if TYPE_CHECKING:
    from storage.db import UnitOfWork

MemberSkillRow = tuple[int, int, str, bool]
"""(member, skill, level, whether the member is active)."""

# The level weights as the SQL statement sums them (an unknown level weighs 0).
_WEIGHTS: dict[str, int] = {level.value: level.weight for level in SkillLevel}
# The one-skill page walks the known levels, best first (as `_one_skill_page_statement`).
_TIERS: tuple[int, ...] = tuple(sorted({level.weight for level in SkillLevel}, reverse=True))

log = logging.getLogger(__name__)

# Sums closer than this round to the same fit or to neighbouring ones (9 decimals).
_ROUNDING_MARGIN = 1e-6

FULL_RELOAD_ABOVE = 2000
"""More changed members than this since the index's version: reload everything."""


class CandidateIndex:
    """Active members' skills and levels, by skill, at one version of the database."""

    def __init__(self, uows: Callable[[], UnitOfWork] | None = None, *, enabled: bool = True):
        self._uows = uows
        self.enabled = enabled
        self.built = False
        self.version = -1
        self.behind = False
        """A unit of work found the database ahead of the index (see `catch_up`)."""
        # skill -> {member: level weight}; member -> their skills (active members only).
        self._holders: dict[int, dict[int, int]] = {}
        self._skills: dict[int, tuple[int, ...]] = {}
        # (skill, level weight) -> member ids, ascending: the one-skill page.
        self._tiers: dict[tuple[int, int], list[int]] = {}
        # skill -> how many members declare it, whatever their status (the holders' count
        # matching weighs skills by); member -> their skills, for members not active.
        self._declaring: dict[int, int] = {}
        self._inactive: dict[int, tuple[int, ...]] = {}
        self._skill_data = SkillData()
        self._lock = asyncio.Lock()

    @property
    def ready(self) -> bool:
        """Whether candidates may be read from the index (at a version still to compare)."""
        return self.enabled and self.built

    # -- keeping it -------------------------------------------------------------------

    def load(
        self, version: int, rows: Iterable[MemberSkillRow], skills: SkillData | None = None
    ) -> None:
        """Replace everything by these (member, skill, level, active) rows, every member's,
        and (when given) what matching reads about the skills, at this version."""
        if skills is not None:
            self._skill_data = skills
        self._holders, self._skills, self._tiers = {}, {}, {}
        self._declaring, self._inactive = {}, {}
        same: dict[int, int] = {}  # one int object per id, however many rows name it
        for member, skill, level, active in rows:
            member, skill = same.setdefault(member, member), same.setdefault(skill, skill)
            self._add(member, skill, level, active, sort=False)
        for members in self._tiers.values():
            members.sort()
        self.version, self.built, self.behind = version, True, False

    def replace(
        self,
        version: int,
        members: Collection[int],
        rows: Iterable[MemberSkillRow],
        skills: SkillData | None = None,
    ) -> None:
        """The skills of these members are now these rows (none: gone), and (when given)
        what matching reads about the skills."""
        if skills is not None:
            self._skill_data = skills
        for member in members:
            for skill in self._inactive.pop(member, ()):
                self._undeclare(skill)
            for skill in self._skills.pop(member, ()):
                self._undeclare(skill)
                holders = self._holders[skill]
                weight = holders.pop(member)
                if not holders:
                    del self._holders[skill]
                tier = self._tiers.get((skill, weight))
                if tier is not None:
                    del tier[bisect_left(tier, member)]
                    if not tier:
                        del self._tiers[(skill, weight)]
        for member, skill, level, active in rows:
            self._add(member, skill, level, active, sort=True)
        self.version, self.behind = version, False

    def _undeclare(self, skill: int) -> None:
        left = self._declaring[skill] - 1
        if left:
            self._declaring[skill] = left
        else:
            del self._declaring[skill]

    def _add(self, member: int, skill: int, level: str, active: bool, *, sort: bool) -> None:
        self._declaring[skill] = self._declaring.get(skill, 0) + 1
        if not active:
            self._inactive[member] = (*self._inactive.get(member, ()), skill)
            return
        weight = _WEIGHTS.get(level, 0)
        holders = self._holders.setdefault(skill, {})
        if member not in holders:
            self._skills[member] = (*self._skills.get(member, ()), skill)
        holders[member] = weight
        if weight in _TIERS:
            tier = self._tiers.setdefault((skill, weight), [])
            if sort:
                insort(tier, member)
            else:
                tier.append(member)

    async def catch_up(self) -> None:
        """Bring the index to the database's version, in its own read-only unit of work:
        only the members changed since its version are read again (everything when it was
        never built, the counter went back, or too many changed)."""
        if not self.enabled or self._uows is None:
            return
        try:
            await self._catch_up(self._uows)
        except Exception as error:
            from storage.db import is_unavailable  # storage.db builds this index

            if not is_unavailable(error):
                raise
            # The database went away after the step that asked: the index stays behind and
            # SQL answers until a later catch-up succeeds.
            log.warning("the candidate index could not catch up: %s", error)

    async def _catch_up(self, uows: Callable[[], UnitOfWork]) -> None:
        async with self._lock, uows() as uow:
            version = await uow.candidates.version()
            if self.built and version == self.version:
                self.behind = False
                return
            changes = (
                await uow.candidates.changes_since(self.version)
                if self.built and version > self.version
                else None
            )
            network, proposals = await uow.skills.matchable()
            slugs, active = await uow.candidates.skill_ids_and_active()
            skills = SkillData(tuple(network), tuple(proposals), slugs, active)
            if changes is None or len(changes) > FULL_RELOAD_ABOVE:
                self.load(version, await uow.candidates.member_skills(), skills)
                return
            members = [member for member, _ in changes]
            latest = max([version, *(changed for _, changed in changes)])
            rows = await uow.candidates.member_skills(members) if members else []
            self.replace(latest, members, rows, skills)

    # -- reading it -------------------------------------------------------------------

    def fits(
        self,
        skill_ids: Collection[int],
        *,
        excluded: Collection[int],
        limit: int | None = None,
        weights: Mapping[int, float] | None = None,
    ) -> list[tuple[int, float]]:
        """(member id, fit) of the active holders of these skills not in `excluded`, best
        fit first, then lowest id: what `OfferRepository.candidates_by_fit` returns."""
        skills = sorted(set(skill_ids))
        if not skills or limit == 0:
            return []
        if limit is not None and len(skills) == 1:
            return self._one_skill(skills[0], excluded, limit, weights)
        held = [(self._holders[skill], skill) for skill in skills if self._holders.get(skill)]
        if not held:
            return []
        if limit is not None and limit > 0:
            walked = self._walked(held, excluded, limit, weights)
            if walked is not None:
                return walked
        return self._by_sum(held, excluded, limit, weights)

    def _by_sum(
        self,
        held: list[tuple[dict[int, int], int]],
        excluded: Collection[int],
        limit: int | None,
        weights: Mapping[int, float] | None,
    ) -> list[tuple[int, float]]:
        """`fits` of these skills' holders by summing every holder's levels."""
        summed = self._summed(held, weights)
        for member in excluded:
            summed.pop(member, None)
        if limit is not None and len(summed) > limit:
            # Only the sums that may be among the best `limit` once rounded are rounded and
            # sorted: those at most a rounding step below the limit-th best.
            floor = sorted(summed.values(), reverse=True)[limit - 1] - _ROUNDING_MARGIN
            summed = {member: fit for member, fit in summed.items() if fit >= floor}
        found = [(member, round(float(fit), 9)) for member, fit in summed.items()]
        # Best fit first, then lowest id: two stable sorts in C, no Python key per holder.
        found.sort(key=itemgetter(0))
        found.sort(key=itemgetter(1), reverse=True)
        return found if limit is None else found[:limit]

    def _walked(
        self,
        held: list[tuple[dict[int, int], int]],
        excluded: Collection[int],
        limit: int,
        weights: Mapping[int, float] | None,
        *,
        always: bool = False,
    ) -> list[tuple[int, float]] | None:
        """`fits` of these skills' holders walking their level vectors (`storage.fit_walk`);
        None when summing is cheaper (unless `always`), when some holder's level is unknown
        (in no tier), or when a scale is not positive."""
        tiers = self._tiers
        levels = [[w for w in _TIERS if (skill, w) in tiers] for _, skill in held]
        if not (always or worth_walking(levels, sum(len(holders) for holders, _ in held))):
            return None
        for (holders, skill), known in zip(held, levels, strict=True):
            if len(holders) != sum(len(tiers[(skill, weight)]) for weight in known):
                return None
        scales = [1.0 if weights is None else float(weights.get(s, 1.0)) for _, s in held]
        if not all(scale > 0 for scale in scales):
            return None
        ranked = ranked_vectors(levels, scales)
        sets = [_TierSets(tiers, skill) for _, skill in held]
        return best_fits(ranked, sets, [holders for holders, _ in held], set(excluded), limit)

    @staticmethod
    def _summed(
        held: list[tuple[dict[int, int], int]], weights: Mapping[int, float] | None
    ) -> dict[int, float]:
        """Each holder's level weights summed over these skills (scaled by `weights`)."""
        (first, skill), *rest = held
        scale = 1.0 if weights is None else float(weights.get(skill, 1.0))
        summed = {member: weight * scale for member, weight in first.items()}
        get = summed.get
        for holders, skill in rest:
            scale = 1.0 if weights is None else float(weights.get(skill, 1.0))
            for member, weight in holders.items():
                summed[member] = get(member, 0.0) + weight * scale
        return summed

    def _one_skill(
        self,
        skill: int,
        excluded: Collection[int],
        limit: int,
        weights: Mapping[int, float] | None,
    ) -> list[tuple[int, float]]:
        scale = weights.get(skill, 1.0) if weights is not None else 1.0
        found: list[tuple[int, float]] = []
        for weight in _TIERS:
            fit = round(float(weight) * scale, 9)
            for member in self._tiers.get((skill, weight), ()):
                if member in excluded:
                    continue
                found.append((member, fit))
                if len(found) == limit:
                    return found
        return found

    def members(self) -> int:
        """How many active members hold at least one skill in the index."""
        return len(self._skills)

    def matchable(self) -> tuple[list[NetworkSkill], list[tuple[int, str, str]]]:
        """What `SkillRepository.matchable` reads: the network's own skills, and the
        proposals (id, slug, label) some member declares, by id."""
        return list(self._skill_data.network), list(self._skill_data.proposals)

    def holders(self, slugs: Collection[str]) -> tuple[dict[str, tuple[int, int]], int]:
        """What `OfferRepository.holders` reads: the id of each of these skills and how many
        members declare it, whatever their status (unknown slugs absent), and how many
        members are active."""
        ids = self._skill_data.ids
        found = {
            slug: (ids[slug], self._declaring.get(ids[slug], 0)) for slug in slugs if slug in ids
        }
        return found, self._skill_data.active


class _TierSets(dict[int, set[int]]):
    """One skill's members at each level weight, as sets, built when first asked for."""

    def __init__(self, tiers: Mapping[tuple[int, int], list[int]], skill: int):
        super().__init__()
        self._tiers, self._skill = tiers, skill

    def __missing__(self, weight: int) -> set[int]:
        members = self[weight] = set(self._tiers.get((self._skill, weight), ()))
        return members


@dataclass(frozen=True, slots=True)
class SkillData:
    """What matching reads about the skills at one version: the network's own skills, the
    proposals some member declares (id, slug, label), each slug's id, how many members are
    active."""

    network: tuple[NetworkSkill, ...] = ()
    proposals: tuple[tuple[int, str, str], ...] = ()
    ids: Mapping[str, int] = field(default_factory=dict)
    active: int = 0
