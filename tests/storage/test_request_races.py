"""Two people act on one request at the same instant: the author cancels while a helper takes
it (launched in both orders, 50 times each, on every backend). Exactly one outcome holds:
either the claim lost (the helper's offer is withdrawn, the author is not told it
was taken), or the claim came first and the cancel after it (the helper is then told it was
cancelled). Never "cancelled, yet taken" with the helper left believing it is theirs."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from bot.app import App
from bot.core import claims, requests
from bot.core.request_states import IllegalTransition
from bot.core.types import HelpRequest, Member, OfferState, RequestStatus, Role
from tests.helpers import stored_member

ROUNDS = 50


async def _offered(app: App, author: Member, helpers: list[Member]) -> int:
    services = app.services
    submitted = await requests.ask(services, author, "souci ameli")
    request_id = submitted.request.id
    async with services.uow() as uow:
        await uow.offers.add_many(
            request_id=request_id,
            helper_ids=[helper.id for helper in helpers],
            round_number=1,
            now=services.clock.now(),
        )
        await uow.commit()
    return request_id


async def _kinds(app: App, member: Member, request_id: int) -> list[str]:
    async with app.services.uow() as uow:
        queued = await uow.outbox.find(recipient_id=member.id)
    return [m.kind for m in queued if m.params.get("request_id") == request_id]


@pytest.mark.parametrize("cancel_first", [True, False], ids=["cancel-first", "claim-first"])
async def test_cancel_and_claim_at_the_same_moment(app: App, cancel_first: bool) -> None:
    services = app.services
    author = await stored_member(app, "Amina")
    helper = await stored_member(app, "Karim")
    outcomes: Counter[str] = Counter()
    for _ in range(ROUNDS):
        request_id = await _offered(app, author, [helper])

        async def claim(request_id: int) -> HelpRequest | IllegalTransition:
            try:
                return await claims.claim(services, request_id, helper)
            except IllegalTransition as refused:
                return refused

        async def cancel(request_id: int) -> HelpRequest:
            return await claims.cancel(services, request_id, author)

        if cancel_first:
            cancelled, claimed = await asyncio.gather(cancel(request_id), claim(request_id))
        else:
            claimed, cancelled = await asyncio.gather(claim(request_id), cancel(request_id))
        assert cancelled.status is RequestStatus.CANCELLED
        async with services.uow() as uow:
            final = await uow.requests.get(request_id)
        assert final is not None and final.status is RequestStatus.CANCELLED
        to_helper = await _kinds(app, helper, request_id)
        to_author = await _kinds(app, author, request_id)
        if isinstance(claimed, IllegalTransition):
            outcomes["claim lost"] += 1
            assert claimed.status is RequestStatus.CANCELLED  # answered "it is cancelled"
            assert final.helper_id is None
            assert "claimed" not in to_author
            async with services.uow() as uow:
                offer = await uow.offers.get(request_id, helper.id)
            # withdrawn: the offer's message, where it was shown, is edited to say so
            assert offer is not None and offer.state is OfferState.WITHDRAWN
            assert to_helper == []
        else:
            outcomes["claim then cancel"] += 1
            assert claimed.helper_id == helper.id
            assert final.helper_id == helper.id
            assert "cancelled" in to_helper, to_helper  # the helper learns it is over
    assert sum(outcomes.values()) == ROUNDS


# The same races made certain: the first person's reading is followed by the other person's
# whole action before the first one writes. PostgreSQL only: SQLite runs one unit of work at a
# time (the first one holds the write lock from its start), so this cannot happen there.


def _after(monkeypatch: pytest.MonkeyPatch, target: object, name: str, meanwhile: object) -> None:
    """Run `meanwhile()` once, right after the next call of `target.name` returns."""
    original = getattr(target, name)
    pending = [meanwhile]

    async def wrapped(*args: object, **kwargs: object) -> object:
        result = await original(*args, **kwargs)
        if pending:
            await pending.pop()()  # type: ignore[operator]
        return result

    monkeypatch.setattr(target, name, wrapped)


def _postgresql_only(app: App) -> None:
    if app.db.dialect != "postgresql":
        pytest.skip("SQLite runs one unit of work at a time")


async def test_a_cancel_that_read_before_a_claim_tells_the_helper(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgresql_only(app)
    services = app.services
    author, helper = await stored_member(app, "Amina"), await stored_member(app, "Karim")
    request_id = await _offered(app, author, [helper])

    async def helper_claims() -> None:
        await claims.claim(services, request_id, helper)

    _after(monkeypatch, claims, "get_own", helper_claims)
    await claims.cancel(services, request_id, author)
    assert "cancelled" in await _kinds(app, helper, request_id)


async def test_a_helper_who_gave_a_request_back_cannot_mark_it_solved(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Karim presses "solved" on an old message while he gives the request back and Sophie
    takes it: the request stays Sophie's, not solved."""
    _postgresql_only(app)
    from bot.core import conversation

    services = app.services
    author = await stored_member(app, "Amina")
    karim, sophie = await stored_member(app, "Karim"), await stored_member(app, "Sophie")
    request_id = await _offered(app, author, [karim, sophie])
    await claims.claim(services, request_id, karim)

    async def given_back_and_taken() -> None:
        await claims.release(services, request_id, karim)
        await claims.claim(services, request_id, sophie)

    _after(monkeypatch, conversation, "_participant", given_back_and_taken)
    with pytest.raises(IllegalTransition):
        await conversation.mark_solved(services, request_id, karim)
    async with services.uow() as uow:
        request = await uow.requests.get(request_id)
    assert request is not None
    assert (request.status, request.helper_id) == (RequestStatus.CLAIMED, sophie.id)


async def test_assigning_a_request_cancelled_meanwhile_says_it_is_cancelled(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgresql_only(app)
    services = app.services
    author, helper = await stored_member(app, "Amina"), await stored_member(app, "Karim")
    coordinator = await stored_member(app, "Claire", Role.COORDINATOR)
    request_id = await _offered(app, author, [helper])

    async def author_cancels() -> None:
        await claims.cancel(services, request_id, author)

    _after(monkeypatch, claims, "get_or_fail", author_cancels)
    with pytest.raises(IllegalTransition) as refused:
        await claims.assign(services, request_id, coordinator, "Karim")
    assert refused.value.status is RequestStatus.CANCELLED
