"""`/stats`: the evaluation indicators of a period against the previous one, for coordinators.

French wording is checked through the French catalog (the lines are whatever it says, with
the figures and arrows filled in); durations, dates and percentages come from Babel.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.chat.i18n import translator
from bot.chat.wording import bullet
from bot.core.clock import FixedClock
from bot.core.types import Role
from tests.helpers import Conversation

PARIS = ZoneInfo("Europe/Paris")
FR = translator("fr")
NNBSP, NBSP = "\u202f", "\xa0"  # Babel's spaces in "3 h" and "0 %"
BLENDER, AMELI = "Blender (modélisation 3D)", "ameli (Assurance Maladie)"


def set_clock(clock: FixedClock, when: datetime) -> None:
    clock.advance(when - clock.now())


def fr_line(message: str, **values: str) -> str:
    """A bullet line as the French catalog words it."""
    return bullet(FR._(message).format(**values))


@pytest.fixture
async def history(chat: Conversation, clock: FixedClock) -> Conversation:
    """Two requests in Q4 2026, three in Q1 2027 and a session in February 2027.

    Q4 2026 (the clock starts on Monday 30 November 2026): #1 ameli, taken by Karim after
    3 h, solved a day later (27 h after it was asked), confirmed; #2 Blender, nobody to help.
    Q1 2027, from Monday 11 January: #3 ameli, taken after 1 h, solved 1 h later; #4 and #5
    Blender; the session of 4 February, where Amina and Karim come and Claire maybe.
    """
    await chat.join("Claire", Role.COORDINATOR)
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.declare("Karim", "ameli (former)")
    await chat.say("Amina", "/demande souci ameli pour un jeune")
    clock.advance(timedelta(hours=3))
    await chat.say("Karim", "/prendre 1")
    clock.advance(timedelta(days=1))
    await chat.say("Karim", "/resolu 1 oui")
    await chat.say("Amina", "/confirmer 1")
    await chat.say("Amina", "/demande comment utiliser Blender pour un atelier ?")

    set_clock(clock, datetime(2027, 1, 11, 9, 0, tzinfo=PARIS).astimezone(UTC))
    await chat.say("Amina", "/demande souci ameli avec un compte bloqué")
    clock.advance(timedelta(hours=1))
    await chat.say("Karim", "/prendre 3")
    clock.advance(timedelta(hours=1))
    await chat.say("Karim", "/resolu 3 oui")
    await chat.say("Amina", "/confirmer 3")
    await chat.say("Amina", "/demande Blender pour une affiche")
    await chat.say("Amina", "/demande Blender pour un atelier vidéo")
    await chat.say("Claire", "/session nouvelle 04/02/2027 9:00-12:00")
    await chat.say("Amina", "/rsvp 1 oui")
    await chat.say("Karim", "/rsvp 1 oui")
    await chat.say("Claire", "/rsvp 1 peutetre")
    clock.advance(timedelta(days=2))
    return chat


async def test_quarter_by_default_in_french(history: Conversation) -> None:
    shown = await history.say("Claire", "/stats")
    heading = FR._("This quarter since {date} (in brackets: last quarter):")
    assert heading.format(date="1er janvier 2027") in shown
    # Asked: #3, #4, #5 against #1, #2. Taken and solved: #3 against #1.
    assert fr_line("Requests asked: {trend}.", trend="3 ↑ (2)") in shown
    assert fr_line("Taken by a helper: {trend}.", trend="1 (1)") in shown
    assert fr_line("Solved: {trend}.", trend="1 (1)") in shown
    # #3 waited 1 h for Karim and 2 h for its solution; #1 3 h and 27 h ("1 j").
    assert (
        fr_line(
            "Median time: {claim} to get a helper, {solution} to a solution.",
            claim=f"1{NNBSP}h ↓ (3{NNBSP}h)",
            solution=f"2{NNBSP}h ↓ (1{NNBSP}j)",
        )
        in shown
    )
    assert fr_line("Solved by a tutorial: {trend}.", trend=f"0{NBSP}% (0{NBSP}%)") in shown
    # Blender (#4, #5) has no helper, ameli (#3) only Karim: fewer than 2 each.
    skills = f"{BLENDER}, {AMELI}"
    assert fr_line("Skills with fewer than 2 helpers: {skills}.", skills=skills) in shown
    structures = "EPN Résoudre (1)"  # Karim helped with #3; Mission locale helped nobody
    assert fr_line("Structures that help the most: {structures}.", structures=structures) in shown
    assert fr_line("People coming to exchange sessions: {trend}.", trend="2 ↑ (0)") in shown
    assert shown.count("• ") == 8
    assert "souci ameli" not in shown  # figures only, never a request's text


async def test_other_periods_and_buttons(history: Conversation) -> None:
    chat = history
    year = await chat.say("Claire", "/stats annee")
    assert (
        FR._("This year since {date} (in brackets: last year):").format(date="1er janvier 2027")
        in year
    )
    assert fr_line("Requests asked: {trend}.", trend="3 ↑ (2)") in year
    # The buttons offer the two other periods; the first one is the month.
    month = await chat.say("Claire", "1")
    assert (
        FR._("This month since {date} (in brackets: last month):").format(date="1er janvier 2027")
        in month
    )
    # December 2026 holds #2 only (#1 was asked on 30 November).
    assert fr_line("Requests asked: {trend}.", trend="3 ↑ (1)") in month
    assert fr_line("Solved: {trend}.", trend="1 ↑ (0)") in month


async def test_in_english(history: Conversation) -> None:
    chat = history
    await chat.say("Claire", "/language en")
    shown = await chat.say("Claire", "/stats month")
    assert shown.splitlines()[:9] == [
        "This month since January 1, 2027 (in brackets: last month):",
        "• Requests asked: 3 ↑ (1).",
        "• Taken by a helper: 1 ↑ (0).",
        "• Solved: 1 ↑ (0).",
        "• Median time: 1 hr (—) to get a helper, 2 hr (—) to a solution.",
        "• Solved by a tutorial: 0% (—).",
        "• Skills with fewer than 2 helpers: Blender (3D modelling), "
        "ameli (French health insurance).",
        "• Structures that help the most: EPN Résoudre (1).",
        "• People coming to exchange sessions: 0 (0).",  # the session is in February
    ]


async def test_for_coordinators_only_and_bad_period(history: Conversation) -> None:
    chat = history
    assert "coordination" in await chat.say("Amina", "/stats")
    assert "Utilisation" in await chat.say("Claire", "/stats semaine")
