"""Who is offered a help request first: ranking the peers who could help.

Rules, in order:

1. Only the requested skills count. A candidate's *fit* is the sum, over the
   requested skills they declared, of :attr:`SkillLevel.weight` (discovering 1,
   practising 2, teaching 4) times the skill's weight in the need (1 when no
   weights are given; see :mod:`skills.weighting`: the central, rarer skills
   weigh most). Levels on other skills are ignored; a skill requested twice
   counts once.
2. A candidate with fit 0 (none of the requested skills) is left out.
3. *score* = fit - ``load_penalty`` x open claims - ``recent_penalty`` x recent
   offers, so that busy members and members who were just asked come later
   and the work is spread over the network.
4. Order: score descending, then fit descending, then by fairness: fewer recent
   offers, fewer open claims, then the one offered longest ago (never offered
   first). ``member_id`` only settles candidates equal on all of these. The
   order is total, so the result does not depend on the order of the candidates.

Nothing requested gives an empty ranking. Negative counts, negative or
non-finite weights, and two candidates with the same ``member_id`` are
errors (:class:`ValueError`).

Worked example, a request about ``ameli`` (the need) that mentions ``caf`` in
passing (weight 0.25), with the default penalties (1 per open claim, 0.5 per
recent offer):

* member 1 teaches ameli, holds nothing: fit 4, score 4;
* member 2 practises ameli and caf: fit 2 + 0.5 = 2.5, score 2.5;
* member 3 teaches ameli, was offered 2 requests lately: fit 4, score 3;
* member 4 only knows wordpress: fit 0, left out.

>>> T, P = SkillLevel.TEACHING, SkillLevel.PRACTISING
>>> ranked = rank_helpers(
...     [
...         Candidate(1, {"ameli": T}, open_claims=0, recent_offers=0),
...         Candidate(2, {"ameli": P, "caf": P}, open_claims=0, recent_offers=0),
...         Candidate(3, {"ameli": T}, open_claims=0, recent_offers=2),
...         Candidate(4, {"wordpress": T}, open_claims=0, recent_offers=0),
...     ],
...     {"ameli", "caf"},
...     need={"ameli": 1.0, "caf": 0.25},
... )
>>> [(r.member_id, r.fit, r.score) for r in ranked]
[(1, 4.0, 4.0), (3, 4.0, 3.0), (2, 2.5, 2.5)]
"""

from __future__ import annotations

import math
from collections.abc import Collection, Generator, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

from skills.levels import SkillLevel

__all__ = [
    "Candidate",
    "Loads",
    "RankedHelper",
    "RankingWeights",
    "best_by_fit",
    "best_helpers",
    "fit_of",
    "rank_helpers",
]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member who might be offered a help request, with what they know and their load."""

    member_id: int
    levels: Mapping[str, SkillLevel]
    """The member's declared level on skills, by slug (other skills than the requested ones
    are allowed and ignored)."""
    open_claims: int
    """Requests the member currently holds (claimed, not solved)."""
    recent_offers: int
    """Offers the member received in the recent window (e.g. the last 7 days)."""
    last_offered: float = 0.0
    """When the member was last offered a request, as any number that grows with time (a
    timestamp, the number of the offer); 0: never."""

    def __post_init__(self) -> None:
        if self.open_claims < 0:
            raise ValueError(f"open_claims must be >= 0, got {self.open_claims}")
        if self.recent_offers < 0:
            raise ValueError(f"recent_offers must be >= 0, got {self.recent_offers}")


@dataclass(frozen=True, slots=True)
class RankingWeights:
    """How much load and recent solicitations lower a candidate's score."""

    load_penalty: float = 1.0
    """Subtracted per open claim."""
    recent_penalty: float = 0.5
    """Subtracted per recent offer."""

    def __post_init__(self) -> None:
        for name, value in (
            ("load_penalty", self.load_penalty),
            ("recent_penalty", self.recent_penalty),
        ):
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be finite and >= 0, got {value}")


@dataclass(frozen=True, slots=True)
class RankedHelper:
    """A candidate kept in the ranking, with the numbers that placed them."""

    member_id: int
    fit: float
    """Sum of the level weights over the requested skills the member has."""
    score: float
    """``fit - load_penalty * open_claims - recent_penalty * recent_offers``."""


Key = tuple[float, float, int, int, float, int]
"""The sort key of a ranked candidate (see rule 4)."""


def _key(score: float, fit: float, claims: int, recent: int, last: float, member: int) -> Key:
    return (-score, -fit, recent, claims, last, member)


def rank_helpers(
    candidates: Iterable[Candidate],
    requested: Collection[str],
    weights: RankingWeights = RankingWeights(),
    need: Mapping[str, float] | None = None,
) -> list[RankedHelper]:
    """Rank the candidates who know at least one requested skill, best first.

    See the module documentation for the rules and a worked example. ``requested``
    is a collection of skill slugs (duplicates count once); passing a single
    ``str`` is rejected with :class:`TypeError` since it would be read letter by
    letter. ``need`` weighs each requested skill (a skill missing from it weighs 1).
    """
    if isinstance(requested, str):
        raise TypeError("requested must be a collection of skill slugs, not a single str")
    wanted = frozenset(requested)
    if not wanted:
        return []
    keyed: list[tuple[Key, RankedHelper]] = []
    seen: set[int] = set()
    for candidate in candidates:
        if candidate.member_id in seen:
            raise ValueError(f"member {candidate.member_id} is a candidate twice")
        seen.add(candidate.member_id)
        fit = fit_of(candidate.levels, wanted, need)
        if fit <= 0:
            continue
        score = (
            fit
            - weights.load_penalty * candidate.open_claims
            - weights.recent_penalty * candidate.recent_offers
        )
        key = _key(
            score,
            fit,
            candidate.open_claims,
            candidate.recent_offers,
            candidate.last_offered,
            candidate.member_id,
        )
        keyed.append((key, RankedHelper(candidate.member_id, fit, score)))
    keyed.sort(key=lambda pair: pair[0])
    return [helper for _, helper in keyed]


def fit_of(
    levels: Mapping[str, SkillLevel],
    wanted: Collection[str],
    need: Mapping[str, float] | None = None,
) -> float:
    """The sum of the level weights over the requested skills a member declared, each times
    the skill's weight in the need (1 when `need` does not name it)."""
    weigh = need or {}
    return float(
        sum(level.weight * weigh.get(slug, 1.0) for slug, level in levels.items() if slug in wanted)
    )


Loads = Mapping[int, tuple[int, int] | tuple[int, int, float] | None]
"""Open claims, recent offers and optionally when last offered (a number that grows with
time, 0: never), by member id (None: the member is left out)."""


def best_helpers(
    levels: Mapping[int, Mapping[str, SkillLevel]],
    requested: Collection[str],
    count: int,
    weights: RankingWeights = RankingWeights(),
    batch: int = 50,
) -> Generator[list[int], Loads, list[RankedHelper]]:
    """The first `count` of :func:`rank_helpers`, asking for the load of as few members as
    possible: exactly the same result, without counting everyone's claims and offers.

    A generator: it yields the member ids whose load it needs next (best fit first) and is
    sent back their :data:`Loads` (a load of None leaves that member out); it returns the
    ranking. A load only lowers a score, so a
    member whose fit is below the current last place — or equal to it, when that last place
    carries no load — can never enter, nor can anyone after: when each was last offered
    settles ties among the members read (the best `batch` fits and on), not the network.
    """
    wanted = frozenset(requested)
    fits = [
        (member_id, fit)
        for member_id, member_levels in levels.items()
        if (fit := fit_of(member_levels, wanted)) > 0
    ]
    return (yield from best_by_fit(fits, count, weights, batch))


def best_by_fit(
    fits: Iterable[tuple[int, float]],
    count: int,
    weights: RankingWeights = RankingWeights(),
    batch: int = 50,
) -> Generator[list[int], Loads, list[RankedHelper]]:
    """:func:`best_helpers` from each candidate's fit (member id, fit), e.g. summed by the
    database; candidates with fit 0 are left out, the order of `fits` does not matter."""
    # Best fit first, then lowest id: two stable sorts in C (by id, then by fit descending;
    # `reverse` keeps equal fits in id order), no Python key per candidate.
    order = [(fit, member_id) for member_id, fit in fits if fit > 0]
    order.sort(key=itemgetter(1))
    order.sort(key=itemgetter(0), reverse=True)
    ranked: list[Key] = []  # the best `count` read so far, best first
    position = 0
    while position < len(order):
        if len(ranked) >= count > 0 and not _could_enter(order[position], ranked[count - 1]):
            break
        ids = [member_id for _, member_id in order[position : position + batch]]
        fits_by_id = dict((member_id, fit) for fit, member_id in order[position : position + batch])
        position += len(ids)
        loads = yield ids
        for member_id in ids:
            load = loads.get(member_id, (0, 0))
            if load is None:  # not to be offered anything now (e.g. offered enough today)
                continue
            claims, recent, last = (*load, 0.0) if len(load) == 2 else load
            if claims < 0 or recent < 0:
                raise ValueError(f"negative load for member {member_id}")
            fit = fits_by_id[member_id]
            score = fit - weights.load_penalty * claims - weights.recent_penalty * recent
            ranked.append(_key(score, fit, claims, recent, last, member_id))
        ranked.sort()
        # Past the first `count`, a member read can only stay behind: loads lower no one
        # else's score, and the members read next join the sort.
        del ranked[max(count, 0) :]
    return [RankedHelper(key[5], -key[1], -key[0]) for key in ranked]


def _could_enter(next_up: tuple[float, int], last_key: Key) -> bool:
    """Whether a candidate not read yet could beat the last place. When each was last
    offered settles ties among the candidates read only (reading every member of an equal
    fit to find who waited longest would read most of a large network): an unread one is
    taken to lose that comparison."""
    fit, member_id = next_up
    return _key(fit, fit, 0, 0, math.inf, member_id) < last_key
