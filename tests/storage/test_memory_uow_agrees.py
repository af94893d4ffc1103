"""The memory unit of work (tests/fakes/memory_uow.py) answers as SQL does: every scenario
of tests/fakes/claim_scenarios.py played on the database (SQLite, and PostgreSQL when
SAMU_TEST_POSTGRES_URL is set) and on the fake gives the same outcome, field for field, and
the fake's repository methods have the signatures of the real ones."""

from __future__ import annotations

import inspect

import pytest

from bot.core.clock import FixedClock
from storage.db import Database
from storage.repositories.choices import ChoiceRepository
from storage.repositories.members import MemberRepository
from storage.repositories.offers import OfferRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.requests import RequestRepository
from tests.fakes.claim_scenarios import SCENARIOS, START, Env, Scenario, play
from tests.fakes.memory_uow import (
    MemoryChoices,
    MemoryDatabase,
    MemoryMembers,
    MemoryOffers,
    MemoryOutbox,
    MemoryRequests,
)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_same_outcome_as_sql(db: Database, scenario: Scenario) -> None:
    world, in_sql = await play(Env(db.uow, FixedClock(START)), scenario)
    _, in_memory = await play(Env(MemoryDatabase().uow, FixedClock(START)), scenario)
    scenario.check(world, in_sql)
    if scenario.same_state:
        assert in_sql == in_memory
    else:
        assert in_sql.returned == in_memory.returned


PAIRS = [
    (MemoryMembers, MemberRepository),
    (MemoryRequests, RequestRepository),
    (MemoryOffers, OfferRepository),
    (MemoryChoices, ChoiceRepository),
    (MemoryOutbox, OutboxRepository),
]


@pytest.mark.parametrize(("fake", "real"), PAIRS, ids=[real.__name__ for _, real in PAIRS])
def test_same_signatures(fake: type, real: type) -> None:
    methods = [n for n, v in vars(fake).items() if callable(v) and not n.startswith("_")]
    assert methods
    for name in methods:
        assert inspect.signature(getattr(fake, name)) == inspect.signature(getattr(real, name)), (
            f"{fake.__name__}.{name}"
        )
