"""Exchange sessions in the terminal: planning, answers, and notices over time (injected clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import FixedClock
from bot.core.types import Role
from tests.helpers import Conversation, addressed_to

PARIS = ZoneInfo("Europe/Paris")


def set_clock(clock: FixedClock, when: datetime) -> None:
    clock.advance(when - clock.now())


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    await chat.join("Claire", Role.COORDINATOR)
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    return chat


async def test_plan_a_session_and_see_it_in_the_agenda(network: Conversation) -> None:
    chat = network
    planned = await chat.say("Claire", "/session nouvelle 07/01/2027 9:00-12:00 EPN Résoudre")
    assert "#1" in planned and "jeudi 7 janvier 2027, 9 h – 12 h" in planned
    agenda = await chat.say("Amina", "/agenda")
    assert "jeudi 7 janvier 2027, 9 h – 12 h" in agenda and "EPN Résoudre" in agenda
    assert "[1] Je viens" in agenda
    answered = await chat.say("Amina", "1")
    assert "Je viens" in answered and "1 personne" in answered
    changed = await chat.say("Amina", "/rsvp 1 peutetre")
    assert "Peut-être" in changed
    await chat.say("Amina", "/language en")
    assert "Thursday 7 January 2027, 09:00 – 12:00" in await chat.say("Amina", "/sessions")


async def test_bad_session_input(network: Conversation) -> None:
    chat = network
    assert "passée" in await chat.say("Claire", "/session nouvelle 01/01/2020 9:00-12:00")
    assert "après" in await chat.say("Claire", "/session nouvelle 07/01/2027 12:00-9:00")
    unknown = await chat.say("Claire", "/session nouvelle 07/01/2027 9:00-12:00 Nulle Part")
    assert "Mission locale" in unknown
    assert "Utilisation" in await chat.say("Claire", "/session nouvelle jeudi prochain")
    assert "coordination" in await chat.say("Amina", "/session nouvelle 07/01/2027 9:00-12:00")


async def test_notices_over_time_once_each(network: Conversation, clock: FixedClock) -> None:
    chat = network
    await chat.say("Claire", "/session nouvelle 07/01/2027 9:00-12:00")
    start = datetime(2027, 1, 7, 9, 0, tzinfo=PARIS).astimezone(UTC)
    set_clock(clock, start - timedelta(days=30))
    incomplete = addressed_to(await chat.tick(), "Claire")
    assert "ordre du jour" in incomplete.lower() or "lieu" in incomplete.lower()
    set_clock(clock, start - timedelta(days=21))
    announced = await chat.tick()
    for person in ("Amina", "Karim", "Claire"):
        block = addressed_to(announced, person)
        assert "#1" in block and "session-1.ics" in block, person
    assert addressed_to(await chat.tick(), "Amina") == ""  # never twice
    await chat.say("Amina", "/rsvp 1 oui")
    await chat.say("Karim", "/rsvp 1 non")
    # The bot is down on the day of the 7-day reminder; it is sent at the next tick, once.
    set_clock(clock, start - timedelta(days=6))
    reminded = await chat.tick()
    assert "7 jours" in addressed_to(reminded, "Amina")
    assert addressed_to(reminded, "Karim") == ""
    assert addressed_to(await chat.tick(), "Amina") == ""
    set_clock(clock, start - timedelta(hours=20))
    day_before = await chat.tick()
    assert "1 jour" in addressed_to(day_before, "Amina")
    assert "Amina" in addressed_to(day_before, "Claire")


async def test_date_change_and_cancellation_reach_those_who_answered(
    network: Conversation,
) -> None:
    chat = network
    await chat.say("Claire", "/session nouvelle 07/01/2027 9:00-12:00 EPN Résoudre")
    await chat.say("Amina", "/rsvp 1 oui")
    moved = await chat.say("Claire", "/session modifier 1 date 14/01/2027 9:00-12:00")
    assert "jeudi 14 janvier 2027" in moved
    told = addressed_to(moved, "Amina")
    assert "14 janvier" in told and "session-1.ics" in told
    assert addressed_to(moved, "Karim") == ""
    cancelled = await chat.say("Claire", "/session annuler 1")
    assert "session-1.ics" in addressed_to(cancelled, "Amina")
    assert "Aucun temps" in await chat.say("Karim", "/agenda")


async def test_series_rule_plans_sessions_skipping_holidays(network: Conversation) -> None:
    chat = network
    refused = await chat.say("Claire", "/session regle un jour de temps en temps")
    assert "Exemple" in refused
    saved = await chat.say("Claire", "/session regle premier jeudi de chaque trimestre 9h-12h")
    assert "jeudi 7 janvier 2027, 9 h – 12 h" in saved  # the clock is at 30 November 2026
    assert "jeudi 1 avril 2027" in saved
    assert "premier jeudi" in await chat.say("Claire", "/session regle")
    again = await chat.say("Claire", "/session regle premier jeudi de chaque trimestre 9h-12h")
    assert "#1" not in again  # already planned: nothing twice
