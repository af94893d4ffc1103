"""Offers and escalations over time, with an injected clock (no sleeping)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import FixedClock
from bot.core.types import RequestStatus, Role
from tests.helpers import Conversation, addressed_to

PARIS = ZoneInfo("Europe/Paris")
HELPERS = ("H1", "H2", "H3", "H4")


def paris(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def set_clock(clock: FixedClock, when: datetime) -> None:
    clock.advance(when - clock.now())


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    await chat.join("Amina")
    await chat.join("Claire", Role.COORDINATOR)
    for name in HELPERS:
        await chat.join(name)
        await chat.declare(name, "ameli")
    return chat


def offered_in(output: str) -> list[str]:
    return [name for name in HELPERS if "ameli" in addressed_to(output, name)]


async def test_unclaimed_request_goes_to_next_helpers_then_to_coordinators(
    network: Conversation, clock: FixedClock
) -> None:
    chat = network
    set_clock(clock, paris(2026, 12, 4, 18, 0))  # Friday 18:00
    first = offered_in(await chat.say("Amina", "/demande souci avec ameli pour un jeune"))
    assert len(first) == 3
    set_clock(clock, paris(2026, 12, 7, 12, 0))  # Monday noon: 14 active hours only
    assert offered_in(await chat.tick()) == []
    # T1 = 24 active hours: Friday 18-20, Monday 8-20, Tuesday 8-18.
    set_clock(clock, paris(2026, 12, 8, 17, 59))
    assert offered_in(await chat.tick()) == []
    set_clock(clock, paris(2026, 12, 8, 18, 0))
    second = offered_in(await chat.tick())
    assert second and not set(second) & set(first)
    assert offered_in(await chat.tick()) == []  # nothing is offered twice
    # T2 = 72 active hours after asking: Monday 14 December, 18:00.
    set_clock(clock, paris(2026, 12, 14, 17, 59))
    assert "/assigner 1" not in addressed_to(await chat.tick(), "Claire")
    set_clock(clock, paris(2026, 12, 14, 18, 0))
    alert = addressed_to(await chat.tick(), "Claire")
    assert "#1" in alert and "/assigner 1" in alert
    assert "/assigner 1" not in addressed_to(await chat.tick(), "Claire")


async def test_quiet_hours_and_weekends_defer_offers_except_for_today(
    network: Conversation, clock: FixedClock
) -> None:
    chat = network
    set_clock(clock, paris(2026, 12, 4, 22, 0))  # Friday night
    deferred = await chat.say("Amina", "/demande souci avec ameli, pas urgent")
    assert offered_in(deferred) == []
    assert "jour ouvré" in deferred
    set_clock(clock, paris(2026, 12, 5, 11, 0))  # Saturday
    assert offered_in(await chat.tick()) == []
    set_clock(clock, paris(2026, 12, 7, 8, 0))  # Monday 08:00
    assert len(offered_in(await chat.tick())) == 3
    set_clock(clock, paris(2026, 12, 5, 23, 0))
    urgent = await chat.say("Amina", "/demande ameli bloqué, le jeune a rendez-vous demain")
    assert offered_in(urgent) == []
    now = await chat.say("Amina", "/demande 2 urgence aujourdhui")
    assert len(offered_in(now)) == 3


async def test_today_urgency_counts_wall_time(network: Conversation, clock: FixedClock) -> None:
    chat = network
    set_clock(clock, paris(2026, 12, 9, 19, 30))  # Wednesday evening
    await chat.say("Amina", "/demande ameli bloqué, rendez-vous ce soir")
    await chat.say("Amina", "/demande 1 urgence aujourdhui")
    set_clock(clock, paris(2026, 12, 9, 20, 31))  # T1 today = 1 h of wall time
    assert len(offered_in(await chat.tick())) == 1
    set_clock(clock, paris(2026, 12, 9, 22, 31))  # T2 today = 3 h
    assert "#1" in addressed_to(await chat.tick(), "Claire")


async def test_solved_request_auto_confirms_after_three_days(
    network: Conversation, clock: FixedClock
) -> None:
    chat = network
    set_clock(clock, paris(2026, 12, 9, 10, 0))
    offered = offered_in(await chat.say("Amina", "/demande souci avec ameli"))
    helper = offered[0]
    await chat.say(helper, "/prendre 1")
    await chat.say(helper, "/resolu 1 oui")
    await chat.say(helper, "/annuler")
    clock.advance(timedelta(days=3) - timedelta(minutes=1))
    assert addressed_to(await chat.tick(), helper) == ""
    clock.advance(timedelta(minutes=2))
    closed = addressed_to(await chat.tick(), helper)
    assert "#1" in closed
    async with chat.app.services.uow() as uow:
        request = await uow.requests.get(1)
    assert request is not None and request.status is RequestStatus.CLOSED
