"""The coordinators' report shows the period's requests by service of the places schema,
next to the places offering it near the network's structures."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.types import Role
from bot.report_cli import write_report
from tests.chat.test_places import load_sample
from tests.helpers import Conversation

JANUARY = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


async def test_report_counts_requests_by_service_against_places_nearby(
    chat: Conversation, clock: FixedClock, tmp_path: Path
) -> None:
    await load_sample(chat.app)
    await chat.join("Claire", Role.COORDINATOR)
    await chat.join("Amina")
    await chat.say("Amina", "/demande souci ameli pour un jeune")
    await chat.say("Amina", "/demande comment scanner une attestation CAF ?")
    await chat.say("Amina", "/demande comment utiliser Blender pour un atelier ?")
    out = tmp_path / "before"
    clock.advance(JANUARY - clock.now())
    await write_report(chat.app, out, None, None)
    unknown = list(
        csv.DictReader(io.StringIO((out / "services.csv").read_text("utf-8-sig")), delimiter=";")
    )
    assert {row["service"]: row["places_nearby"] for row in unknown}["demarches"] == ""
    page = (out / "rapport.html").read_text(encoding="utf-8")
    assert "Besoins et lieux proches" in page and "/lieu" in page

    await chat.say("Claire", "/lieu gps 47.3941, 0.6848")
    await write_report(chat.app, tmp_path / "after", None, None)
    rows = {
        row["service"]: row
        for row in csv.DictReader(
            io.StringIO((tmp_path / "after" / "services.csv").read_text("utf-8-sig")), delimiter=";"
        )
    }
    assert rows["demarches"]["requests"] == "2"  # ameli, and CAF with the scanner: once each
    assert rows["acces-materiel"]["requests"] == "1"
    assert rows["loisirs-creation"]["requests"] == "1"  # Blender
    assert int(rows["demarches"]["places_nearby"]) > 5
    assert next(iter(rows)) == "demarches"  # most asked first
