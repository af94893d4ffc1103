"""Matching quality on the labelled evaluation set (issue 21): a regression floor.

The set (`tests/data/matching_eval.toml`) was written before the matching it measures:
requests as social workers type them, and the helpers a coordinator would pick. The floors
sit a little under what matching reaches (see bench/README.md); they are about quality,
never about speed.
"""

from __future__ import annotations

import pytest

from bench.matching_eval import Scores, evaluate, load_eval

FLOORS = {
    # mode: (hit@1, hit@3, MRR)
    "independent": (0.92, 0.97, 0.94),
    "sequential": (0.92, 0.97, 0.94),
}


def test_the_evaluation_set_is_as_the_issue_asks() -> None:
    evalset = load_eval()
    assert len(evalset.helpers) >= 30
    assert len(evalset.requests) >= 60
    generalists = [skills for skills in evalset.helpers.values() if skills.count(",") >= 7]
    assert len(generalists) >= 3
    assert all(request.acceptable for request in evalset.requests)


@pytest.mark.parametrize("mode", sorted(FLOORS))
async def test_matching_stays_above_its_floor(database_url: str, mode: str) -> None:
    scores = Scores.of(await evaluate(database_url, mode=mode))
    hit1, hit3, mrr = FLOORS[mode]
    assert scores.hit1 >= hit1 and scores.hit3 >= hit3 and scores.mrr >= mrr, scores
