"""Coordinators' weekly digest, /suivi, and agenda suggestions when a session is announced."""

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
    await chat.join("Karim")
    await chat.declare("Karim", "ameli (former)")
    return chat


async def test_weekly_digest_once_a_week_with_its_figures(
    network: Conversation, clock: FixedClock
) -> None:
    chat = network
    set_clock(clock, datetime(2026, 12, 1, 10, 0, tzinfo=PARIS).astimezone(UTC))  # Tuesday
    await chat.say("Amina", "/demande souci ameli pour un jeune")
    await chat.say("Amina", "/demande comment utiliser Blender pour un atelier ?")
    await chat.say("Karim", "/prendre 1")
    await chat.say("Karim", "/resolu 1 oui")
    await chat.say("Amina", "/confirmer 1")
    set_clock(clock, datetime(2026, 12, 7, 8, 59, tzinfo=PARIS).astimezone(UTC))
    assert addressed_to(await chat.tick(), "Claire") == ""
    set_clock(clock, datetime(2026, 12, 7, 9, 0, tzinfo=PARIS).astimezone(UTC))  # Monday 9:00
    digest = addressed_to(await chat.tick(), "Claire")
    assert "Nouvelles demandes : 2." in digest
    assert "Résolues : 1." in digest
    assert "Blender" in digest
    assert "ameli pour un jeune" not in digest  # no request text in a digest
    assert addressed_to(await chat.tick(), "Claire") == ""
    assert addressed_to(await chat.tick(), "Amina") == ""


async def test_followup_lists_for_coordinators_only(network: Conversation) -> None:
    chat = network
    await chat.say("Amina", "/demande comment utiliser Blender pour un atelier ?")
    waiting = await chat.say("Claire", "/suivi attente")
    assert "#1" in waiting and "Blender" not in waiting
    assert "depuis le 30 novembre 2026" in waiting and "2026-11-30" not in waiting
    gaps = await chat.say("Claire", "/suivi lacunes")
    assert "Blender" in gaps
    assert "coordination" in await chat.say("Amina", "/suivi")


async def test_announcement_comes_with_agenda_suggestions(
    network: Conversation, clock: FixedClock
) -> None:
    chat = network
    await chat.say("Amina", "/demande comment utiliser Blender pour un atelier ?")
    await chat.say("Claire", "/session nouvelle 07/01/2027 9:00-12:00")
    set_clock(clock, datetime(2027, 1, 7, 9, 0, tzinfo=PARIS).astimezone(UTC) - timedelta(days=21))
    told = addressed_to(await chat.tick(), "Claire")
    assert "ordre du jour" in told.lower() and "Blender" in told
