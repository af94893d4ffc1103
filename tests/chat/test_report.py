"""`/rapport` in chat and `samu report` (write_report), on a real database."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.chat.commands import report
from bot.chat.commands.requests import ask_from_text
from bot.chat.commands.solving import relay_reply
from bot.chat.i18n import translator
from bot.chat.router import Router
from bot.chat.types import Incoming, Outgoing
from bot.core.clock import FixedClock
from bot.core.types import Role
from bot.report_cli import write_report
from tests.helpers import Conversation

JANUARY = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


def _with_report(app: App) -> Router:
    """The app's router, with `/rapport` even before it is registered with the others."""
    commands = app.router.commands
    if app.router.lookup("rapport") is None:
        commands = (*commands, *report.COMMANDS)
    return Router(commands, app.services, free_text=ask_from_text, reply=relay_reply)


@pytest.fixture
async def quarter(chat: Conversation, clock: FixedClock) -> Conversation:
    """A network where, in Q4 2026, one request was solved and one is still waiting."""
    await chat.join("Claire", Role.COORDINATOR)
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.declare("Karim", "ameli (former)")
    await chat.say("Amina", "/demande souci ameli pour un jeune")
    await chat.say("Amina", "/demande comment utiliser Blender pour un atelier ?")
    await chat.say("Karim", "/prendre 1")
    await chat.say("Karim", "/resolu 1 oui")
    await chat.say("Amina", "/confirmer 1")
    clock.advance(JANUARY - clock.now())
    return chat


async def _say(router: Router, chat: Conversation, persona: str, text: str) -> list[Outgoing]:
    key = chat.key(persona)
    return await router.handle(Incoming("console", key, key, text, display_name=persona))


async def test_coordinators_get_the_last_quarter_as_a_zip(quarter: Conversation) -> None:
    router = _with_report(quarter.app)
    [answer] = await _say(router, quarter, "Claire", "/rapport")
    t = translator("fr")
    slug = "2026-" + t._("Q{quarter}").format(quarter=4)
    [attachment] = answer.attachments
    assert attachment.filename == t._("report-{period}.zip").format(period=slug)
    assert attachment.media_type == "application/zip"
    assert "2026" in answer.text
    with zipfile.ZipFile(io.BytesIO(attachment.content)) as archive:
        names = archive.namelist()
        assert "rapport.html" in names and "per_month.png" in names
        figures = {
            row["key"]: row
            for row in csv.DictReader(
                io.StringIO(archive.read("indicators.csv").decode("utf-8-sig")), delimiter=";"
            )
        }
    assert figures["asked"]["current"] == "2"
    assert figures["claimed"]["current"] == "1"
    [again] = await _say(router, quarter, "Claire", "/rapport trimestre")
    assert again.attachments[0].content == attachment.content


async def test_members_cannot_ask_for_the_report(quarter: Conversation) -> None:
    router = _with_report(quarter.app)
    [answer] = await _say(router, quarter, "Amina", "/rapport")
    assert not answer.attachments


async def test_monthly_report_and_bad_words(quarter: Conversation) -> None:
    router = _with_report(quarter.app)
    [answer] = await _say(router, quarter, "Claire", "/rapport mois")
    assert answer.attachments[0].filename.endswith("2026-12.zip")
    [answer] = await _say(router, quarter, "Claire", "/rapport semaine")
    assert not answer.attachments


async def test_write_report_writes_the_files(quarter: Conversation, tmp_path: Path) -> None:
    written = await write_report(quarter.app, tmp_path / "out", None, None)
    assert sorted(path.name for path in written) == sorted(
        path.name for path in (tmp_path / "out").iterdir()
    )
    page = (tmp_path / "out" / "rapport.html").read_text(encoding="utf-8")
    assert 'lang="fr"' in page
    rows = list(
        csv.DictReader(
            io.StringIO((tmp_path / "out" / "skills.csv").read_text("utf-8-sig")), delimiter=";"
        )
    )
    assert any(row["slug"] for row in rows)
