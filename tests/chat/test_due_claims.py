"""The periodic check claims each due request, so two workers never match one at once."""

from __future__ import annotations

import pytest

from bot.core import matching
from bot.core.clock import FixedClock
from bot.core.types import HelpRequest
from tests.helpers import Conversation


@pytest.fixture
async def due(chat: Conversation, clock: FixedClock) -> HelpRequest:
    """Amina's request, offered to Karim, at the moment its next step falls due."""
    await chat.join("Amina")
    await chat.join("Karim")
    await chat.declare("Karim", "ameli (former)")
    await chat.say("Amina", "/demande souci ameli pour un jeune")
    amina = await chat.member("Amina")
    async with chat.app.services.uow() as uow:
        [request] = await uow.requests.list_involving(amina.id)
    assert request.next_check_at is not None
    clock.advance(request.next_check_at - clock.now())
    return request


async def test_a_step_another_worker_is_running_is_skipped(
    chat: Conversation, due: HelpRequest
) -> None:
    if chat.app.db.dialect != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite lets one writer in at a time)")
    services = chat.app.services
    other_worker = services.uow()
    async with other_worker:
        assert await other_worker.requests.claim_due(due.id, services.clock.now())
        # While the other worker holds the request, this one reads it as due but skips it.
        assert await matching.check_due(services) == 0
    # The other worker stopped without running the step (rolled back): it is due again.
    assert await matching.check_due(services) == 1
    assert await matching.check_due(services) == 0


async def test_a_step_already_run_elsewhere_is_not_run_again(
    chat: Conversation, due: HelpRequest
) -> None:
    services = chat.app.services

    async def step() -> matching.Step:
        progress = await matching.advance(services, due.id, when_due=True)
        return progress.step

    assert await step() is not matching.Step.NOTHING
    assert await step() is matching.Step.NOTHING  # its next step is not due any more
    async with services.uow() as uow:
        after = await uow.requests.get(due.id)
    assert after is not None and after.round == due.round + 1
