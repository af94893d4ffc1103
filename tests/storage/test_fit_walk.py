"""The best fits of several skills walked level vector by level vector (`storage.fit_walk`)
are exactly those of summing every holder: same members, same rounded fits, same order."""

from __future__ import annotations

import random

from hypothesis import example, given, settings
from hypothesis import strategies as st

from storage.candidate_index import CandidateIndex, MemberSkillRow
from storage.fit_walk import worth_walking

SKILLS = [10, 11, 12, 13, 14, 15]
# "expert" is no level: it weighs 0 and is in no tier (the walk must not be used).
LEVELS = ["teaching", "practising", "discovering", "expert"]
# Scales as `weights_of` gives them (the heaviest 1, relatives at half, proposals at 0.4,
# sums that round to the same fit: 0.1 + 0.2 against 0.3), and others no request gives.
SCALES = [1.0, 0.5, 0.4, 0.3, 0.25, 0.2, 0.1, 1 / 3, 0.07123456789, 2.0, 0.0, -0.0, -0.5]

rows_of_a_member = st.dictionaries(
    st.sampled_from(SKILLS),
    st.sampled_from(LEVELS[:3]) | st.sampled_from(LEVELS),
    max_size=len(SKILLS),
)


@st.composite
def networks(draw: st.DrawFn) -> list[MemberSkillRow]:
    """Members (ids close together: many ties by fit) with random skills and levels, some of
    them not active."""
    members = draw(st.lists(st.integers(1, 120), unique=True, max_size=80))
    return [
        (member, skill, level, active)
        for member in members
        for active in [draw(st.booleans()) or draw(st.booleans())]
        for skill, level in draw(rows_of_a_member).items()
    ]


weightings = st.none() | st.dictionaries(
    st.sampled_from([*SKILLS, 99]),
    st.sampled_from(SCALES) | st.sampled_from(SCALES[-3:]) | st.floats(0.01, 1.0),
)


def _exactly(fits: list[tuple[int, float]] | None) -> list[tuple[int, str]] | None:
    """The fits as their repr: 0.0 and -0.0 told apart (the sum gives either)."""
    return None if fits is None else [(member, repr(fit)) for member, fit in fits]


def _index(rows: list[MemberSkillRow], replaced: list[MemberSkillRow]) -> CandidateIndex:
    index = CandidateIndex()
    index.load(1, rows)
    index.replace(2, sorted({member for member, *_ in replaced}), replaced)
    return index


# Fits of 0.0 and -0.0 (a scale of -0.0, which no request gives): the index sums (0.0 + -0.0 is
# 0.0, and members of both are ordered by id together), and `fits` is still the sum's.
@example(
    rows=[(1, 11, "teaching", True), (2, 10, "teaching", True)],
    replaced=[],
    skills=[10, 11],
    excluded=[],
    limit=5,
    weights={10: 1.0, 11: -0.0},
)
@example(
    rows=[(1, 11, "teaching", True), (2, 10, "practising", True), (3, 10, "teaching", True)],
    replaced=[],
    skills=[10, 11],
    excluded=[],
    limit=5,
    weights={10: -0.0, 11: 0.0},
)
@settings(max_examples=400, deadline=None)
@given(
    rows=networks(),
    replaced=networks(),
    skills=st.lists(st.sampled_from([*SKILLS, 99]), min_size=2, max_size=5, unique=True),
    excluded=st.lists(st.integers(1, 120), max_size=30),
    limit=st.integers(1, 300),
    weights=weightings,
)
def test_walking_the_level_vectors_gives_exactly_the_summed_fits(
    rows: list[MemberSkillRow],
    replaced: list[MemberSkillRow],
    skills: list[int],
    excluded: list[int],
    limit: int,
    weights: dict[int, float] | None,
) -> None:
    index = _index(rows, replaced)
    held = [(index._holders[s], s) for s in sorted(skills) if index._holders.get(s)]
    summed = _exactly(index.fits(skills, excluded=excluded, weights=weights)[:limit])
    found = _exactly(index.fits(skills, excluded=excluded, limit=limit, weights=weights))
    assert found == summed
    if not held:
        assert found == []
        return
    assert _exactly(index._by_sum(held, excluded, limit, weights)) == summed
    walked = index._walked(held, excluded, limit, weights, always=True)
    unknown_level = any(0 in holders.values() for holders, _ in held)
    scales = [1.0 if weights is None else weights.get(skill, 1.0) for _, skill in held]
    if unknown_level or not all(scale > 0 for scale in scales):  # no walk: the index sums
        assert walked is None
    else:
        assert _exactly(walked) == summed


def test_fits_walk_many_holders_of_common_skills() -> None:
    """At the size where `fits` walks (hundreds of holders), its answer is the sum's."""
    rng = random.Random(5)
    rows = [
        (member, skill, rng.choice(LEVELS[:3]), rng.random() < 0.95)
        for member in range(1, 3001)
        for skill in rng.sample(SKILLS, rng.randint(1, 4))
    ]
    index = CandidateIndex()
    index.load(1, rows)
    for _ in range(40):
        skills = rng.sample(SKILLS, rng.randint(2, 3))
        weights = {skill: rng.choice(SCALES[:8]) for skill in skills}
        excluded = set(rng.sample(range(1, 3001), 50))
        levels = [[4, 2, 1]] * len(skills)
        assert worth_walking(levels, sum(len(index._holders[s]) for s in skills))
        for limit in (1, 201, 2500):
            expected = index.fits(skills, excluded=excluded, weights=weights)[:limit]
            assert index.fits(skills, excluded=excluded, limit=limit, weights=weights) == expected
