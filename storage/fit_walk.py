"""The best fits of a request of several skills without summing every holder's levels.

A member's fit depends only on their level vector over the request's skills: for each skill,
the weight of their level or nothing. `CandidateIndex.fits` sums, for every holder of every
skill, the level weight times the skill's scale, then keeps the best; at 10,000 members, with
common skills, that touches thousands of holders in Python for 201 candidates.

The walk here computes each vector's fit once, with the same float operations in the same
order as the sum (so the same float, rounded the same way), orders the vectors by their
rounded fit, and collects the members of the best vectors first, with set operations run in C:
the members at these levels of the vector's skills (intersections of the per-level sets),
less the holders of its other skills and the excluded. Vectors whose rounded fits are equal
form one group, whose members are ordered by id together; the walk stops once it holds
`limit` members. The answer is exactly the sum's: same members, same fits, same order.

The index sums instead when that is cheaper (`worth_walking`: few holders, or many skills), when
a holder's level is unknown (it weighs 0 and is in no level's set), and when a skill's scale is
not positive (matching's scales always are; the walk relies on positive terms).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby
from math import prod

Vector = tuple[int | None, ...]
"""A level weight for each of the request's skills (None: the member does not hold it)."""

MAX_VECTORS = 512
"""More level vectors than this (five skills held at every level): the sum is cheaper."""

# The walk pays for itself only beyond this many holders per level vector (measured): its
# cost is mostly a few set operations per vector, the sum's a few steps per holder.
HOLDERS_PER_VECTOR = 12


def worth_walking(levels: Sequence[Sequence[int]], holders: int) -> bool:
    """Whether walking the level vectors of skills held at these levels is cheaper than
    summing their `holders` holders."""
    vectors = prod(len(held) + 1 for held in levels) - 1
    return vectors <= MAX_VECTORS and holders > HOLDERS_PER_VECTOR * vectors


def ranked_vectors(
    levels: Sequence[Sequence[int]], scales: Sequence[float]
) -> list[tuple[float, Vector]]:
    """Every level vector over skills of these (positive) scales, each at one of its `levels`
    or absent (not all absent), with its rounded fit, best first (equal fits in no particular
    order)."""
    states: list[tuple[float | None, Vector]] = [(None, ())]
    for held, scale in zip(levels, scales, strict=True):
        terms = [(weight, weight * scale) for weight in held]
        # As `CandidateIndex._summed`: terms added in skill order (its start at 0.0 for a
        # member without the first skill changes no sum of positive terms).
        states = [
            *((fit, (*vector, None)) for fit, vector in states),
            *(
                (term if fit is None else fit + term, (*vector, weight))
                for fit, vector in states
                for weight, term in terms
            ),
        ]
    ranked = [(round(fit, 9), vector) for fit, vector in states if fit is not None]
    ranked.sort(key=_best_first)
    return ranked


def _best_first(ranked: tuple[float, Vector]) -> float:
    return -ranked[0]


def best_fits(
    ranked: list[tuple[float, Vector]],
    tiers: Sequence[Mapping[int, set[int]]],
    holders: Sequence[Mapping[int, int]],
    excluded: set[int],
    limit: int,
) -> list[tuple[int, float]]:
    """(member, fit) of the best `limit` members walking these ranked vectors, best fit first,
    then lowest id: `tiers` gives the members of each skill (by position) at each level,
    `holders` every holder of each skill, and the excluded are left out."""
    found: list[tuple[int, float]] = []
    for fit, group in groupby(ranked, key=_fit_of):
        vectors = list(group)
        members = _members(vectors[0][1], tiers, holders)
        if len(vectors) > 1:
            members = members.union(*(_members(v, tiers, holders) for _, v in vectors[1:]))
        if members and excluded:
            members = members.difference(excluded)
        found.extend((member, fit) for member in sorted(members)[: limit - len(found)])
        if len(found) == limit:
            break
    return found


def _fit_of(ranked: tuple[float, Vector]) -> float:
    return ranked[0]


def _members(
    vector: Vector, tiers: Sequence[Mapping[int, set[int]]], holders: Sequence[Mapping[int, int]]
) -> set[int]:
    """The members whose level vector this is (the set returned may be one of `tiers`)."""
    held = [tiers[position][weight] for position, weight in enumerate(vector) if weight is not None]
    held.sort(key=len)
    members = held[0]
    for other in held[1:]:
        members = members & other
        if not members:
            return members
    for position, weight in enumerate(vector):
        if weight is None and members:
            # `set.difference` with a dict looks each member up in it (C, no copy of the dict).
            members = members.difference(holders[position])
    return members
