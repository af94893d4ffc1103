"""A coordinator moves a session while another cancels it, at the same moment (issue 15),
launched in both orders, 50 times each, on every backend. Exactly one story holds: the move
came first (its notice, then the cancellation), or the cancellation did and the move is
refused ("over or cancelled") — never a cancelled session whose invited people are told of a
new date."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app import App
from bot.core import sessions
from bot.core.sessions import SessionProblem
from bot.core.types import ExchangeSession, Member, RsvpAnswer, SessionStatus
from tests.helpers import stored_member

ROUNDS = 50


async def _move(app: App, session_id: int) -> ExchangeSession | SessionProblem:
    services = app.services
    new_start = services.clock.now() + timedelta(days=20)
    try:
        return await sessions.change(services, session_id, start=new_start)
    except SessionProblem as refused:
        return refused


async def _told(app: App, member: Member, kind: str, session_id: int) -> int:
    async with app.services.uow() as uow:
        queued = await uow.outbox.find(recipient_id=member.id, kind=kind)
    return sum(1 for m in queued if m.params.get("session_id") == session_id)


@pytest.mark.parametrize("cancel_first", [True, False], ids=["cancel-first", "move-first"])
async def test_moving_and_cancelling_at_the_same_moment(app: App, cancel_first: bool) -> None:
    services = app.services
    amina = await stored_member(app, "Amina")
    for n in range(ROUNDS):
        start = services.clock.now() + timedelta(days=10, hours=n)
        planned = await sessions.create(
            services,
            start=start,
            end=start + timedelta(hours=2),
        )
        await sessions.answer(services, planned.id, amina, RsvpAnswer.YES)
        cancel = sessions.cancel(services, planned.id)
        move = _move(app, planned.id)
        if cancel_first:
            cancelled, moved = await asyncio.gather(cancel, move)
        else:
            moved, cancelled = await asyncio.gather(move, cancel)
        assert cancelled.status is SessionStatus.CANCELLED, n
        changed_notices = await _told(app, amina, "session_changed", planned.id)
        assert await _told(app, amina, "session_cancelled", planned.id) == 1, n
        if isinstance(moved, SessionProblem):
            assert moved.reason == "closed" and changed_notices == 0, n
        else:
            assert moved.status is SessionStatus.PLANNED and changed_notices == 1, n


async def test_a_cancelled_session_cannot_be_moved(app: App) -> None:
    services = app.services
    start = services.clock.now() + timedelta(days=10)
    planned = await sessions.create(services, start=start, end=start + timedelta(hours=2))
    await sessions.cancel(services, planned.id)
    refused = await _move(app, planned.id)
    assert isinstance(refused, SessionProblem) and refused.reason == "closed"
