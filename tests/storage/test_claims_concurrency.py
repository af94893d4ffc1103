"""Fifty helpers press "I'll take it" at once: exactly one wins, on every backend."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.core import claims, requests
from bot.core.errors import AlreadyTaken
from bot.core.types import Member, RequestStatus
from tests.helpers import stored_member


async def test_fifty_concurrent_claims_have_exactly_one_winner(app: App) -> None:
    author = await stored_member(app, "Amina")
    helpers = [await stored_member(app, f"Helper {i}") for i in range(50)]
    services = app.services
    submitted = await requests.ask(
        services,
        author,
        "souci avec ameli",
    )
    request_id = submitted.request.id
    async with services.uow() as uow:
        await uow.offers.add_many(
            request_id=request_id,
            helper_ids=[h.id for h in helpers],
            round_number=1,
            now=services.clock.now(),
        )
        await uow.commit()

    async def claim(helper: Member) -> str:
        try:
            await claims.claim(services, request_id, helper)
        except AlreadyTaken:
            return "refused"
        return "won"

    results = await asyncio.gather(*(claim(h) for h in helpers))
    assert results.count("won") == 1
    assert results.count("refused") == 49
    async with services.uow() as uow:
        request = await uow.requests.get(request_id)
        claimed = await uow.outbox.find(recipient_id=author.id, kind="claimed")
    assert request is not None and request.status is RequestStatus.CLAIMED
    winner = helpers[results.index("won")]
    assert request.helper_id == winner.id
    assert len(claimed) == 1
