"""Exposure (issue 15): nobody reads every request of the network.

A member declaring 112 skills "je peux former" was offered every request. Declared skills
are bounded per level, offers per helper per day are capped, coordinators see who declared
unusually many skills, and an author sees to whom their request was shown.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.app import App
from bot.chat.types import Incoming
from bot.config import parse_config
from bot.core.clock import FixedClock
from bot.core.types import Role
from bot.transports.telegram.formatting import split_text
from tests.helpers import Conversation, addressed_to


@pytest.fixture
async def capped(database_url: str, clock: FixedClock) -> AsyncIterator[Conversation]:
    """One offer per round, at most 2 offers per helper per day, 3 skills per level."""
    config = parse_config(
        {
            "database": {"url": database_url},
            "network": {"structures": ["Mission locale"]},
            "requests": {"offers_per_round": 1, "max_offers_per_day": 2},
            "skills": {"max_teaching": 3, "max_practising": 3, "max_discovering": 3},
        },
        "tests",
        {},
    )
    application = App.build(config, clock=clock)
    await application.prepare()
    chat = Conversation(application)
    try:
        yield chat
    finally:
        await chat.console.close()
        await application.close()


async def test_a_helper_offered_enough_today_is_skipped_for_the_next(
    capped: Conversation, clock: FixedClock
) -> None:
    chat = capped
    for name in ("Amina", "Karim", "Sophie"):
        await chat.join(name)
    await chat.declare("Karim", "ameli (former)")  # the best fit: always first
    await chat.declare("Sophie", "ameli")
    offered = []
    for n in range(1, 4):
        asked = await chat.say("Amina", f"/demande souci ameli numéro {n}")
        offered.append([name for name in ("Karim", "Sophie") if addressed_to(asked, name)])
    assert offered == [["Karim"], ["Karim"], ["Sophie"]]  # Karim reached his 2 for the day
    clock.advance(timedelta(days=1, minutes=1))
    asked = await chat.say("Amina", "/demande souci ameli numéro 4")
    assert addressed_to(asked, "Karim") != ""


async def test_declared_skills_are_bounded_per_level(capped: Conversation) -> None:
    chat = capped
    await chat.join("Eve")
    many = ", ".join(
        f"{skill} (former)" for skill in ("ameli", "caf", "wordpress", "scribus", "canva")
    )
    answer = await chat.say("Eve", f"/competences ajouter {many}")
    assert "3 compétences au plus" in answer and "je peux former" in answer
    assert "/competences retirer" in answer
    async with chat.app.services.uow() as uow:
        eve = await chat.member("Eve")
        declared = await uow.skills.of_member(eve.id)
    assert len(declared) == 3
    # A lower level still has room.
    assert "Canva" in await chat.say("Eve", "/competences ajouter canva (pratique)")


async def test_coordinators_see_members_with_unusually_many_skills(
    capped: Conversation,
) -> None:
    chat = capped
    await chat.join("Claire", Role.COORDINATOR)
    for name in ("Amina", "Karim", "Eve"):
        await chat.join(name)
    await chat.declare("Amina", "ameli")
    await chat.declare("Karim", "caf (former)")
    await chat.declare(
        "Eve",
        "ameli (former), caf (former), wordpress (former), scribus, canva, gimp, "
        "excel (debutant), word (debutant), zoom (debutant)",
    )
    listing = await chat.say("Claire", "/membres")
    assert "Beaucoup de compétences" in listing and "Eve (9)" in listing
    assert "Karim (" not in listing


async def test_the_author_sees_to_whom_the_request_was_shown(chat: Conversation) -> None:
    for name in ("Amina", "Karim", "Sophie", "Bruno"):
        await chat.join(name)
    await chat.declare("Karim", "ameli (former)")
    await chat.declare("Sophie", "ameli")
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    await chat.say("Sophie", "/decliner 1")
    shown = await chat.say("Amina", "/mesdemandes 1")
    assert "Montrée à : Karim, Sophie (a décliné)" in shown
    assert "Montrée à" not in await chat.say("Karim", "/demande 1")  # the author only
    assert "je ne trouve" in (await chat.say("Bruno", "/mesdemandes 1")).lower()
    [exported] = await chat.app.router.handle(
        Incoming(platform="console", user_id="amina", chat_id="amina", text="/mesdonnees")
    )
    data: dict[str, Any] = json.loads(exported.attachments[0].content)
    [asked] = data["requests_asked"]
    assert [(s["name"], s["state"]) for s in asked["shown_to"]] == [
        ("Karim", "pending"),
        ("Sophie", "declined"),
    ]


def test_a_long_text_never_becomes_more_than_a_few_telegram_messages() -> None:
    parts = split_text("Un mot. " * 30_000)  # 240,000 characters
    assert len(parts) == 4  # MAX_PARTS
    assert parts[-1].endswith("…")
    assert all(len(part) <= 4096 for part in parts)
