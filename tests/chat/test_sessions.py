"""Exchange sessions in the terminal: planning, answers, and notices over time (injected clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
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
    assert "Personne ne vient pour l'instant." in agenda and "0 personne" not in agenda
    assert "[1] 7 janv. : Je viens" in agenda
    answered = await chat.say("Amina", "1")
    assert "Je viens" in answered and "1 personne" in answered
    assert "#1 : jeudi 7 janvier 2027" in answered  # which session the answer is for
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
    assert "jeudi 1er avril 2027" in saved
    assert "premier jeudi" in await chat.say("Claire", "/session regle")
    again = await chat.say("Claire", "/session regle premier jeudi de chaque trimestre 9h-12h")
    assert "#1" not in again  # already planned: nothing twice


async def test_after_the_session_coordinators_are_asked_for_notes(
    network: Conversation, clock: FixedClock
) -> None:
    chat = network
    await chat.say("Claire", "/session nouvelle 07/01/2027 9:00-12:00 EPN Résoudre")
    assert "pas encore eu lieu" in await chat.say("Claire", "/session notes 1 trop tôt")
    set_clock(clock, datetime(2027, 1, 7, 13, 0, tzinfo=PARIS).astimezone(UTC))
    asked = addressed_to(await chat.tick(), "Claire")
    assert "/session notes 1" in asked
    kept = await chat.say(
        "Claire", "/session notes 1 Atelier WordPress, prochain chez la Mission locale"
    )
    assert "#1" in kept
    assert addressed_to(await chat.tick(), "Claire") == ""
    past = await chat.say("Amina", "/agenda passees")
    assert "Atelier WordPress" in past


async def test_times_stay_local_across_daylight_saving_changes(
    network: Conversation, clock: FixedClock
) -> None:
    chat = network
    saved = await chat.say("Claire", "/session regle dernier jeudi de chaque mois 9h-12h")
    assert "#1" in saved
    async with chat.app.services.uow() as uow:
        planned = await uow.sessions.between(clock.now(), clock.now() + timedelta(days=800))
    hours = {s.starts_at.astimezone(PARIS).strftime("%H:%M") for s in planned}
    assert hours == {"09:00"}
    # 25 March 2027 (winter time) and 29 April 2027 (summer time) are both planned at 9:00.
    set_clock(clock, datetime(2027, 3, 20, 12, 0, tzinfo=PARIS).astimezone(UTC))
    await chat.say("Claire", "/session regle dernier jeudi de chaque mois 9h-12h")
    agenda = await chat.say("Amina", "/agenda")
    assert "jeudi 25 mars 2027, 9 h – 12 h" in agenda
    assert "jeudi 29 avril 2027, 9 h – 12 h" in agenda


async def test_two_workers_queue_each_notice_once(app: App, clock: FixedClock) -> None:
    import asyncio

    from bot.core import sessions

    chat = Conversation(app)
    await chat.join("Claire", Role.COORDINATOR)
    await chat.join("Amina")
    await chat.say("Claire", "/session nouvelle 07/01/2027 9:00-12:00")
    other = App.build(app.config, clock=clock)
    try:
        set_clock(
            clock, datetime(2027, 1, 7, 9, 0, tzinfo=PARIS).astimezone(UTC) - timedelta(days=21)
        )
        await asyncio.gather(
            sessions.due_notices(app.services),
            sessions.due_notices(other.services),
            sessions.due_notices(app.services),
        )
        async with app.services.uow() as uow:
            announces = await uow.outbox.find(kind="session_announce")
        assert len(announces) == 2  # Claire and Amina, once each
    finally:
        await other.close()


async def test_after_the_announcement_changes_reach_everyone_invited(
    network: Conversation, clock: FixedClock
) -> None:
    """Karim never answered the invitation, but it is in his calendar: he must learn the new
    date and the cancellation, with the calendar file that moves or removes the entry."""
    chat = network
    await chat.say("Claire", "/session nouvelle 07/01/2027 9:00-12:00 EPN Résoudre")
    start = datetime(2027, 1, 7, 9, 0, tzinfo=PARIS).astimezone(UTC)
    set_clock(clock, start - timedelta(days=21))
    await chat.tick()
    await chat.say("Amina", "/rsvp 1 oui")
    moved = await chat.say("Claire", "/session modifier 1 date 14/01/2027 9:00-12:00")
    for person in ("Amina", "Karim"):
        told = addressed_to(moved, person)
        assert "14 janvier" in told and "session-1.ics" in told, person
    cancelled = await chat.say("Claire", "/session annuler 1")
    for person in ("Amina", "Karim"):
        assert "session-1.ics" in addressed_to(cancelled, person), person
    assert cancelled.count("session-1.ics") == 3  # Claire, in her own chat, too
    assert addressed_to(await chat.tick(), "Karim") == ""  # once each


async def _announced_ics(app: App, clock: FixedClock) -> bytes:
    from bot.delivery import Dispatcher
    from tests.helpers import RecordingTransport

    chat = Conversation(app)
    await chat.join("Amina")
    await chat.say("Amina", "/rsvp 1 oui")  # no session yet: refused, harmless
    from bot.core import sessions

    start = datetime(2027, 1, 7, 9, 0, tzinfo=PARIS)
    await sessions.create(app.services, start=start, end=start + timedelta(hours=3))
    set_clock(clock, start.astimezone(UTC) - timedelta(days=21))
    await sessions.due_notices(app.services)
    transport = RecordingTransport()
    await Dispatcher(app.services, {"console": transport}).run_once()
    [attachment] = [a for _, message in transport.sent for a in message.attachments]
    return attachment.content


async def test_calendar_file_has_an_organizer_and_an_installation_uid(
    app: App, clock: FixedClock
) -> None:
    from icalendar import Calendar

    from bot.core.installation import installation_id

    content = await _announced_ics(app, clock)
    [event] = Calendar.from_ical(content).walk("VEVENT")
    installation = await installation_id(app.services)
    assert len(installation) == 32
    assert await installation_id(app.services) == installation  # stored once
    assert str(event["UID"]) == f"session-1@{installation}.samu-numerique"
    assert str(event["ORGANIZER"]) == f"mailto:no-reply@{installation[:12]}.samu-numerique.invalid"


async def test_two_installations_never_share_a_calendar_uid(
    database_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    """Two networks (two databases) each have their own session #1: calendars that receive
    both must keep both. The configured organizer is used when set."""
    from icalendar import Calendar

    from bot.config import parse_config
    from storage.db import create_engine
    from storage.migrate import upgrade

    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    engine = create_engine(other_url)
    await upgrade(engine)
    await engine.dispose()
    uids = []
    for index, url in enumerate((database_url, other_url)):
        config = parse_config(
            {
                "database": {"url": url},
                "network": {"structures": ["Mission locale"]},
                "sessions": {"organizer_email": "agenda@reseau.example" if index else ""},
            },
            "tests",
            {},
        )
        other = App.build(config, clock=FixedClock(clock.now()))
        await other.prepare()
        try:
            content = await _announced_ics(other, other.services.clock)  # type: ignore[arg-type]
            [event] = Calendar.from_ical(content).walk("VEVENT")
            uids.append(str(event["UID"]))
            if index:
                assert str(event["ORGANIZER"]) == "mailto:agenda@reseau.example"
        finally:
            await other.close()
    assert uids[0] != uids[1] and all(uid.startswith("session-1@") for uid in uids)
