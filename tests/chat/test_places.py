"""Places of digital mediation in chat: /orienter, a shared location, /lieu, the hint on a
request's confirmation, and what strangers and members may do."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from bot.chat.types import ChatType, Incoming, Location
from bot.core.place_files import FileFormat
from bot.core.place_import import import_places
from bot.core.types import Role
from tests.helpers import Conversation

SAMPLE = Path(__file__).parent.parent / "data" / "places_sample.csv"


async def load_sample(app: App) -> None:
    services = app.services
    report = await import_places(
        services.uow, services.clock, services.places.catalog, SAMPLE, FileFormat.CSV
    )
    assert report.accepted == 300


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    await load_sample(chat.app)
    await chat.join("Amina")
    await chat.join("Claire", Role.COORDINATOR)
    return chat


async def test_orienter_with_postal_code_lists_five_nearest_offering_the_service(
    network: Conversation,
) -> None:
    answer = await network.say("Amina", "/orienter scanner 37000")
    print(answer)
    assert "Accès internet et matériel informatique" in answer
    assert "37000" in answer
    numbers = [line for line in answer.splitlines() if line[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert len(numbers) == 5
    kms = [float(line.rsplit("—", 1)[1].split()[0].replace(",", ".")) for line in numbers]
    assert kms == sorted(kms)
