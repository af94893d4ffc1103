"""Places of digital mediation in chat: /orienter, a shared location, /lieu, the hint on a
request's confirmation, and what strangers and members may do."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.chat.types import ChatType, Incoming, Location
from bot.core.clock import FixedClock
from bot.core.place_files import FileFormat
from bot.core.place_import import import_places
from bot.core.types import Role
from tests.helpers import Conversation

SAMPLE = Path(__file__).parent.parent / "data" / "places_sample.csv"
TOURS = Location(47.3941, 0.6848)


async def load_sample(app: App) -> None:
    services = app.services
    report = await import_places(services, SAMPLE, FileFormat.CSV)
    assert report.accepted == 300


def numbered(answer: str) -> list[str]:
    return [line for line in answer.splitlines() if line[:2] in ("1.", "2.", "3.", "4.", "5.")]


def distances(answer: str) -> list[float]:
    return [float(line.rsplit("—", 1)[1].split()[0].replace(",", ".")) for line in numbered(answer)]


async def share(app: App, persona: str, where: Location, chat: ChatType = ChatType.PRIVATE) -> str:
    key = persona.lower()
    replies = await app.router.handle(
        Incoming(
            platform="console",
            user_id=key,
            chat_id=key if chat is ChatType.PRIVATE else "group",
            text="",
            chat_type=chat,
            location=where,
        )
    )
    return "\n".join(reply.text for reply in replies)


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    await load_sample(chat.app)
    await chat.join("Amina")
    await chat.join("Claire", Role.COORDINATOR)
    return chat


async def test_postal_code_gives_the_five_nearest_places_offering_the_service(
    network: Conversation,
) -> None:
    answer = await network.say("Amina", "/orienter scanner 37000")
    assert "Lieux pour « Accès internet et matériel informatique » près de 37000" in answer
    assert len(numbered(answer)) == 5
    assert distances(answer) == sorted(distances(answer))
    assert "37000 Tours" in answer and "Téléphone : 02 47" in answer
    assert "Ouvert jusqu'à" in answer or "Ouvre" in answer or "Fermé" in answer


@pytest.mark.parametrize(
    ("need", "service"),
    [
        ("ameli", "Aide aux démarches administratives"),
        ("CAF", "Aide aux démarches administratives"),
        ("impôts", "Aide aux démarches administratives"),
        ("demarhces", "Aide aux démarches administratives"),  # a typo
        ("ordinateur", "Accès internet et matériel informatique"),
        ("pole emploi", "Insertion professionnelle via le numérique"),  # an old name
    ],
)
async def test_needs_are_read_through_the_skills(
    network: Conversation, need: str, service: str
) -> None:
    answer = await network.say("Amina", f"/orienter {need} 37000")
    assert f"« {service} »" in answer
    assert numbered(answer)


async def test_a_commune_name_works_with_or_without_a_preposition(network: Conversation) -> None:
    answer = await network.say("Amina", "/orienter démarches à Amboise")
    assert "près d'Amboise" in answer
    assert "Amboise" in numbered(answer)[0] or "37400 Amboise" in answer
    overseas = await network.say("Amina", "/orienter démarches Saint-Denis")
    assert "97400 Saint-Denis" in overseas  # La Réunion is France too


async def test_a_postal_code_that_is_not_one_is_said_so(network: Conversation) -> None:
    for typed in ("3700²", "370000", "96000"):
        answer = await network.say("Amina", f"/orienter scanner {typed}")
        assert f"Je ne connais pas le lieu « {typed} »" in answer, typed
        assert not numbered(answer)


async def test_an_unknown_need_offers_services_as_buttons(network: Conversation) -> None:
    answer = await network.say("Amina", "/orienter tricot 37000")
    assert "Je n'ai pas reconnu ce besoin : « tricot »" in answer
    assert "Aide aux démarches administratives" in answer and not numbered(answer)
    replies = await network.app.router.handle(
        Incoming(
            platform="console", user_id="amina", chat_id="amina", text="/orienter tricot 37000"
        )
    )
    payloads = [action.payload for action in replies[0].actions]
    assert "/orienter démarches 37000" in payloads
    pressed = await network.say("Amina", payloads[0])
    assert len(numbered(pressed)) == 5


async def test_without_a_place_the_members_structure_is_the_origin(network: Conversation) -> None:
    chat = network
    where = await chat.say("Amina", "/orienter scanner")
    assert "Où ?" in where and "/lieu" in where
    assert "Enregistré" in await chat.say("Claire", "/lieu gps 47.3941, 0.6848")
    await chat.say("Claire", "/lieu cp 37000")
    answer = await chat.say("Amina", "/orienter scanner")
    assert "près de Mission locale" in answer
    assert len(numbered(answer)) == 5


async def test_a_shared_location_gives_the_nearest_places(network: Conversation) -> None:
    answer = await share(network.app, "Amina", TOURS)
    assert "près de votre position" in answer
    assert len(numbered(answer)) == 5 and distances(answer) == sorted(distances(answer))
    reunion = await share(network.app, "Amina", Location(-20.8820, 55.4500))
    assert "97400 Saint-Denis" in reunion


async def test_a_location_outside_france_or_forged_is_refused(network: Conversation) -> None:
    for where in (Location(0.0, 0.0), Location(float("nan"), 2.0), Location(51.5, -0.12)):
        answer = await share(network.app, "Amina", where)
        assert "Cette position n'est pas en France" in answer
        assert not numbered(answer)


async def test_strangers_get_nothing_and_groups_stay_quiet(network: Conversation) -> None:
    stranger = await network.say("Zoe", "/orienter scanner 37000")
    assert "code d'invitation" in stranger and not numbered(stranger)
    assert "code d'invitation" in await share(network.app, "Zoe", TOURS)
    assert await share(network.app, "Zoe", TOURS, ChatType.GROUP) == ""
    in_group = await share(network.app, "Amina", TOURS, ChatType.GROUP)
    assert "privé" in in_group and not numbered(in_group)


async def test_lieu_is_for_coordinators_and_refuses_bad_values(network: Conversation) -> None:
    chat = network
    assert "coordin" in await chat.say("Amina", "/lieu horaires Mo-Fr 09:00-12:00")
    refused = await chat.say("Claire", "/lieu horaires tous les jours sauf lundi")
    assert "illisibles (format OpenStreetMap)" in refused and "Rien n'a été changé" in refused
    outside = await chat.say("Claire", "/lieu gps 0.6848, 47.3941")  # swapped
    assert "hors de France" in outside
    assert "n'est pas un code postal" in await chat.say("Claire", "/lieu cp 3700²")
    assert "inconnus" in await chat.say("Claire", "/lieu services tricot")
    saved = await chat.say("Claire", "/lieu services démarches, accès internet")
    assert "Aide aux démarches administratives, Accès internet et matériel informatique" in saved
    link = await chat.say("Claire", "/lieu rdv javascript:alert(1)")
    assert "n'est pas une adresse web" in link
    shown = await chat.say("Claire", "/lieu")
    assert "Mission locale" in shown and "javascript" not in shown


async def test_open_now_and_next_opening_follow_the_clock(network: Conversation) -> None:
    chat = network
    await chat.say("Claire", "/lieu gps 47.3941, 0.6848")
    await chat.say("Claire", "/lieu horaires Mo-Fr 09:00-12:00,14:00-17:30; PH off")
    await chat.say("Claire", "/lieu services scanner")
    first = numbered(await chat.say("Amina", "/orienter scanner"))[0]
    assert "Mission locale" in first  # 0 km from itself
    monday = await chat.say("Amina", "/orienter scanner")  # Monday 10:00 in Paris
    assert "Ouvert jusqu'à 12 h." in monday.split("2.")[0]
    clock = chat.app.services.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(days=4, hours=9))  # Friday 19:00
    friday = await chat.say("Amina", "/orienter scanner")
    assert "Fermé. Ouvre lundi à 9 h." in friday.split("2.")[0]
    assert "peut-être anciennes" not in friday.split("2.")[0]  # updated today


async def test_a_place_not_updated_for_a_year_is_marked(network: Conversation) -> None:
    answer = await network.say("Amina", "/orienter démarches 37000")
    assert "peut-être anciennes" in answer  # the sample has old entries near Tours


async def test_confirmation_names_a_nearby_place_for_the_request(network: Conversation) -> None:
    chat = network
    plain = await chat.say("Amina", "/demande comment scanner un document pour un jeune ?")
    assert "Un lieu proche" not in plain  # the structure has no position yet
    await chat.say("Claire", "/lieu gps 47.3941, 0.6848")
    await chat.say("Claire", "/lieu cp 37000")
    asked = await chat.say("Amina", "/demande comment scanner un document pour un jeune ?")
    assert (
        "Un lieu proche peut aussi accueillir la personne : /orienter accès internet 37000" in asked
    )
    followed = await chat.say("Amina", "/orienter accès internet 37000")
    assert len(numbered(followed)) == 5
    unrelated = await chat.say("Amina", "/demande besoin d'aide avec Scribus pour une affiche")
    assert "Un lieu proche" not in unrelated or "/orienter loisirs" in unrelated


async def test_long_or_odd_text_is_answered_plainly(network: Conversation) -> None:
    emoji = await network.say("Amina", "/orienter " + "🙂" * 3000)
    assert "Je n'ai pas reconnu ce besoin" in emoji and len(emoji) < 1500
    empty = await network.say("Amina", "/orienter")
    assert "Quel besoin ?" in empty and "Aide aux démarches administratives" in empty
