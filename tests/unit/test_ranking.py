"""Ranking the peers a help request is offered to."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skills.levels import SkillLevel
from skills.ranking import (
    Candidate,
    RankedHelper,
    RankingWeights,
    best_by_fit,
    best_helpers,
    rank_helpers,
)

D, P, T = SkillLevel.DISCOVERING, SkillLevel.PRACTISING, SkillLevel.TEACHING


def cand(
    member_id: int,
    levels: dict[str, SkillLevel],
    claims: int = 0,
    recent: int = 0,
    last: float = 0.0,
) -> Candidate:
    return Candidate(member_id, levels, open_claims=claims, recent_offers=recent, last_offered=last)


def order(candidates: list[Candidate], requested: set[str] | list[str], **kw: float) -> list[int]:
    return [r.member_id for r in rank_helpers(candidates, requested, RankingWeights(**kw))]


def test_teacher_beats_practitioner_beats_discoverer_at_equal_load() -> None:
    candidates = [cand(1, {"ameli": D}), cand(2, {"ameli": T}), cand(3, {"ameli": P})]
    assert order(candidates, {"ameli"}) == [2, 3, 1]


def test_two_skills_practised_equal_one_taught_when_both_are_the_need() -> None:
    candidates = [cand(1, {"ameli": T}), cand(2, {"ameli": P, "caf": P})]
    assert rank_helpers(candidates, {"ameli", "caf"}) == [
        RankedHelper(1, 4.0, 4.0),
        RankedHelper(2, 4.0, 4.0),
    ]


def test_teaching_the_central_need_beats_breadth() -> None:
    # "n'arrive pas à se connecter à ameli, elle a une adresse mail, en pdf": ameli is the
    # need, the others are mentioned in passing.
    need = {"ameli": 1.0, "email": 0.3, "pdf": 0.3}
    generalist = cand(1, {"ameli": P, "email": P, "pdf": P})
    teacher = cand(2, {"ameli": T})
    two_taught = cand(3, {"ameli": T, "email": T})
    ranked = rank_helpers([generalist, teacher, two_taught], need, need=need)
    assert [r.member_id for r in ranked] == [3, 2, 1]
    assert [r.fit for r in ranked] == pytest.approx([5.2, 4.0, 3.2])


def test_a_skill_missing_from_the_need_weighs_one() -> None:
    ranked = rank_helpers([cand(1, {"ameli": T, "caf": P})], ["ameli", "caf"], need={"caf": 0.5})
    assert ranked == [RankedHelper(1, 5.0, 5.0)]


def test_busy_teacher_ranks_after_idle_practitioner() -> None:
    candidates = [cand(1, {"ameli": T}, claims=3), cand(2, {"ameli": P})]
    assert rank_helpers(candidates, {"ameli"}) == [
        RankedHelper(2, 2.0, 2.0),
        RankedHelper(1, 4.0, 1.0),
    ]


def test_recent_offers_spread_the_work() -> None:
    candidates = [cand(1, {"ameli": T}, recent=3), cand(2, {"ameli": T}, recent=1)]
    assert order(candidates, {"ameli"}) == [2, 1]


def test_ties_go_to_whoever_was_offered_longest_ago_not_to_the_first_member() -> None:
    candidates = [
        cand(4, {"caf": P}, last=3_000.0),
        cand(9, {"caf": P}),  # never offered anything
        cand(7, {"caf": P}, last=1_000.0),
    ]
    assert order(candidates, {"caf"}) == [9, 7, 4]


def test_member_id_settles_only_candidates_equal_in_everything() -> None:
    candidates = [cand(9, {"caf": P}), cand(4, {"caf": P}), cand(7, {"caf": P})]
    assert order(candidates, {"caf"}) == [4, 7, 9]


def test_equal_score_prefers_fit_then_fewer_offers_then_fewer_claims_then_longest_ago() -> None:
    # All score 2 with the default weights.
    candidates = [
        cand(1, {"caf": P}),  # fit 2
        cand(2, {"caf": T, "ameli": D}, claims=2, recent=2),  # fit 5: 5 - 2 - 1
        cand(3, {"caf": T, "ameli": D}, claims=3),  # fit 5: 5 - 3
        cand(4, {"caf": T}, recent=4, last=10.0),  # fit 4: 4 - 2
        cand(5, {"caf": T}, claims=2, last=20.0),  # fit 4: 4 - 2
        cand(6, {"caf": T}, claims=2, last=10.0),  # fit 4: 4 - 2
    ]
    assert order(candidates, {"caf", "ameli"}) == [3, 2, 6, 5, 4, 1]


def test_equal_score_fit_and_claims_prefers_fewer_recent_offers() -> None:
    # Only possible when recent offers weigh nothing in the score.
    candidates = [cand(1, {"caf": T}, claims=1, recent=5), cand(2, {"caf": T}, claims=1, recent=2)]
    assert order(candidates, {"caf"}, recent_penalty=0.0) == [2, 1]


def test_custom_weights_change_the_order() -> None:
    busy_teacher = cand(1, {"ameli": T}, claims=2)
    idle_practitioner = cand(2, {"ameli": P})
    often_asked_teacher = cand(3, {"ameli": T}, recent=4)
    candidates = [busy_teacher, idle_practitioner, often_asked_teacher]
    # Defaults: 1 → 4 - 2 = 2, 2 → 2, 3 → 4 - 2 = 2 (the teachers have the better fit; of
    # them, fewer recent offers first).
    assert order(candidates, {"ameli"}) == [1, 3, 2]
    # Load ignored: 1 → 4, 2 → 2, 3 → 2 (fit first).
    assert order(candidates, {"ameli"}, load_penalty=0.0) == [1, 3, 2]
    # Nothing but skill: the teachers tie on score and fit, fewer recent offers first.
    assert order(candidates, {"ameli"}, load_penalty=0, recent_penalty=0) == [1, 3, 2]
    # Load counts a lot: 3 → 4 - 0.4, 2 → 2, 1 → 4 - 10 = -6 last (but still listed).
    assert order(candidates, {"ameli"}, load_penalty=5.0, recent_penalty=0.1) == [3, 2, 1]


def test_only_requested_skills_count() -> None:
    candidates = [
        cand(1, {"ameli": P, "wordpress": T, "scribus": T}),
        cand(2, {"ameli": T}),
        cand(3, {"wordpress": T}),
    ]
    ranked = rank_helpers(candidates, ["ameli"])
    assert ranked == [RankedHelper(2, 4.0, 4.0), RankedHelper(1, 2.0, 2.0)]


def test_duplicates_in_request_count_once() -> None:
    candidates = [cand(1, {"ameli": T}), cand(2, {"ameli": P, "caf": D})]
    assert rank_helpers(candidates, ["ameli", "ameli", "ameli"]) == [
        RankedHelper(1, 4.0, 4.0),
        RankedHelper(2, 2.0, 2.0),
    ]


def test_empty_request_or_no_candidates_give_nothing() -> None:
    assert rank_helpers([cand(1, {"ameli": T})], []) == []
    assert rank_helpers([cand(1, {"ameli": T})], set()) == []
    assert rank_helpers([], {"ameli"}) == []
    assert rank_helpers([cand(1, {})], {"ameli"}) == []


def test_accepts_any_iterable_once() -> None:
    generator = (cand(i, {"caf": D}) for i in (3, 1, 2))
    assert order(list(generator), {"caf"}) == [1, 2, 3]
    assert [r.member_id for r in rank_helpers(iter([cand(5, {"caf": T})]), {"caf"})] == [5]


def test_negative_score_is_kept() -> None:
    ranked = rank_helpers([cand(1, {"caf": D}, claims=3, recent=2)], {"caf"})
    assert ranked == [RankedHelper(1, 1.0, -3.0)]


@pytest.mark.parametrize(("claims", "recent"), [(-1, 0), (0, -1)])
def test_negative_counts_are_rejected(claims: int, recent: int) -> None:
    with pytest.raises(ValueError):
        cand(1, {"caf": T}, claims=claims, recent=recent)


@pytest.mark.parametrize(
    "weights",
    [{"load_penalty": -1.0}, {"recent_penalty": -0.5}, {"load_penalty": float("nan")}],
)
def test_bad_weights_are_rejected(weights: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RankingWeights(**weights)


def test_duplicate_member_is_rejected() -> None:
    with pytest.raises(ValueError):
        rank_helpers([cand(1, {"caf": T}), cand(1, {"caf": D})], {"caf"})


def test_single_string_request_is_rejected() -> None:
    with pytest.raises(TypeError):
        rank_helpers([cand(1, {"a": T})], "ameli")


# --- properties -------------------------------------------------------------------------------

SLUGS = ["ameli", "caf", "impots-gouv", "wordpress", "scribus"]

candidate_lists = st.lists(
    st.builds(
        Candidate,
        member_id=st.integers(0, 10_000),
        levels=st.dictionaries(st.sampled_from(SLUGS), st.sampled_from(list(SkillLevel))),
        open_claims=st.integers(0, 6),
        recent_offers=st.integers(0, 6),
    ),
    max_size=12,
    unique_by=lambda c: c.member_id,
)
requests = st.lists(st.sampled_from(SLUGS), max_size=4)
weight_sets = st.builds(
    RankingWeights,
    load_penalty=st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5, 3.0]),
    recent_penalty=st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0]),
)


@given(candidate_lists, requests, weight_sets)
def test_ranking_is_the_sorted_fitting_candidates(
    candidates: list[Candidate], requested: list[str], weights: RankingWeights
) -> None:
    ranked = rank_helpers(candidates, requested, weights)
    wanted = set(requested)
    by_id = {c.member_id: c for c in candidates}

    def fit(c: Candidate) -> int:
        return sum(level.weight for slug, level in c.levels.items() if slug in wanted)

    fitting = {c.member_id for c in candidates if fit(c) > 0}
    assert sorted(r.member_id for r in ranked) == sorted(fitting)
    for r in ranked:
        c = by_id[r.member_id]
        assert r.fit == fit(c)
        expected = fit(c) - weights.load_penalty * c.open_claims
        expected -= weights.recent_penalty * c.recent_offers
        assert r.score == pytest.approx(expected)

    def key(r: RankedHelper) -> tuple[float, float, int, int, float, int]:
        c = by_id[r.member_id]
        return (-r.score, -r.fit, c.recent_offers, c.open_claims, c.last_offered, c.member_id)

    assert ranked == sorted(ranked, key=key)
    keys = [key(r) for r in ranked]
    assert all(a < b for a, b in itertools.pairwise(keys))


@given(candidate_lists, requests, weight_sets, st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_input_order(
    candidates: list[Candidate],
    requested: list[str],
    weights: RankingWeights,
    rng: random.Random,
) -> None:
    shuffled = candidates[:]
    rng.shuffle(shuffled)
    reordered_request = requested[::-1] + requested
    assert rank_helpers(shuffled, reordered_request, weights) == rank_helpers(
        candidates, requested, weights
    )


def drive(
    levels: dict[int, dict[str, SkillLevel]],
    requested: set[str],
    count: int,
    loads: dict[int, tuple[int, int]],
    weights: RankingWeights,
    batch: int,
) -> tuple[list[RankedHelper], int]:
    """Run `best_helpers` as matching does; returns its ranking and how many loads it asked."""
    search = best_helpers(levels, requested, count, weights, batch)
    asked = 0
    try:
        ids = next(search)
        while True:
            asked += len(ids)
            ids = search.send({i: loads[i] for i in ids if i in loads})
    except StopIteration as done:
        return done.value, asked


FEW_SLUGS = ("ameli", "caf", "pix")


@given(
    members=st.dictionaries(
        st.integers(1, 400),
        st.tuples(
            st.dictionaries(
                st.sampled_from(FEW_SLUGS), st.sampled_from(list(SkillLevel)), max_size=3
            ),
            st.integers(0, 3),
            st.integers(0, 4),
        ),
        max_size=120,
    ),
    requested=st.sets(st.sampled_from(FEW_SLUGS), min_size=1),
    count=st.integers(0, 6),
    load_penalty=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
    recent_penalty=st.sampled_from([0.0, 0.5, 1.0]),
    batch=st.integers(1, 20),
)
def test_best_helpers_is_the_head_of_the_full_ranking(
    members: dict[int, tuple[dict[str, SkillLevel], int, int]],
    requested: set[str],
    count: int,
    load_penalty: float,
    recent_penalty: float,
    batch: int,
) -> None:
    weights = RankingWeights(load_penalty, recent_penalty)
    levels = {member: known for member, (known, _, _) in members.items()}
    loads = {member: (claims, recent) for member, (_, claims, recent) in members.items()}
    everyone = [Candidate(m, levels[m], *loads[m]) for m in members]
    bounded, _ = drive(levels, requested, count, loads, weights, batch)
    assert bounded == rank_helpers(everyone, requested, weights)[:count]


def test_best_helpers_asks_few_loads_when_the_best_are_free() -> None:
    levels = {member: {"ameli": SkillLevel.TEACHING} for member in range(1, 5001)}
    loads = {member: (0, 0) for member in levels}
    ranked, asked = drive(levels, {"ameli"}, 3, loads, RankingWeights(), 50)
    assert [helper.member_id for helper in ranked] == [1, 2, 3]
    assert asked == 50  # one batch, not 5,000 members


def test_best_by_fit_takes_fits_in_any_order_and_skips_zero() -> None:
    fits = [(7, 2.0), (3, 0.0), (5, 3.0), (9, 2.0)]
    search = best_by_fit(fits, 2)
    assert next(search) == [5, 7, 9]
    try:
        search.send({5: (2, 0), 7: (0, 0), 9: (0, 0)})
    except StopIteration as done:
        assert [(h.member_id, h.score) for h in done.value] == [(7, 2.0), (9, 2.0)]
    else:
        raise AssertionError("expected the ranking")


def test_best_by_fit_breaks_ties_by_when_last_offered() -> None:
    search = best_by_fit([(3, 4.0), (5, 4.0), (8, 4.0)], 2)
    assert next(search) == [3, 5, 8]
    with pytest.raises(StopIteration) as done:
        search.send({3: (0, 0, 500.0), 5: (0, 0, 100.0), 8: (0, 0)})
    assert [h.member_id for h in done.value.value] == [8, 5]


def test_best_by_fit_does_not_read_on_only_to_find_who_waited_longer() -> None:
    # The first batch fills the places without load; equal fits further on could only have
    # been offered longer ago, which is not worth reading a large network for.
    search = best_by_fit([(1, 4.0), (2, 4.0), (3, 4.0)], 1, batch=1)
    assert next(search) == [1]
    with pytest.raises(StopIteration) as done:
        search.send({1: (0, 0, 100.0)})
    assert [h.member_id for h in done.value.value] == [1]
    # A recent offer is a load: the next equal fit is read, and wins.
    search = best_by_fit([(1, 4.0), (2, 4.0), (3, 4.0)], 1, batch=1)
    next(search)
    assert search.send({1: (0, 1, 100.0)}) == [2]
    with pytest.raises(StopIteration) as done:
        search.send({2: (0, 0, 900.0)})
    assert [h.member_id for h in done.value.value] == [2]
