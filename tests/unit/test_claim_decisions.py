"""The rules of taking and giving requests, on the memory unit of work: no database, a few
milliseconds each. The scenarios are in tests/fakes/claim_scenarios.py; the same ones run on
every database in tests/storage/test_memory_uow_agrees.py, which keeps the fake honest."""

from __future__ import annotations

import pytest

from bot.core.clock import FixedClock
from tests.fakes.claim_scenarios import SCENARIOS, START, Env, Scenario, play
from tests.fakes.memory_uow import MemoryDatabase


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_decision(scenario: Scenario) -> None:
    env = Env(MemoryDatabase().uow, FixedClock(START))
    world, outcome = await play(env, scenario)
    scenario.check(world, outcome)


async def test_a_repository_outside_the_slice_is_missing_not_faked() -> None:
    async with MemoryDatabase().uow() as uow:
        with pytest.raises(AttributeError, match="no 'candidates'"):
            uow.candidates  # noqa: B018


async def test_commit_outside_the_block_is_a_bug() -> None:
    uow = MemoryDatabase().uow()
    with pytest.raises(RuntimeError):
        await uow.commit()
