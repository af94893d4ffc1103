"""Members' data rights through the console: notice, export, erasure, coordinators' erasure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.chat.types import ChatType, Incoming, Outgoing
from bot.core.types import RequestStatus, Role
from bot.privacy_cli import forget_by_name_or_id
from storage.models import Base, HelpRequestModel
from tests.helpers import Conversation, addressed_to

ZOE = "Zoé Oubli"
ZOE_REQUEST = "Comment créer un compte ameli quand on n'a pas de carte vitale ? ZOE-REQ-71"
ZOE_OPEN = "Encore une question ameli sur une attestation, ZOE-OPEN-72"
ZOE_TO_KARIM = "Merci, je vous envoie la capture ZOE-MSG-73"
KARIM_TO_ZOE = "Essayez depuis le site ameli.fr KARIM-MSG-74"
AMINA_TO_ZOE = "Le site ne s'affiche plus depuis hier AMINA-MSG-75"
ZOE_TO_AMINA = "Je regarde les extensions ZOE-MSG-76"
AMINA_WORDPRESS = "Notre site wordpress de l'association est cassé AMINA-REQ-77"
AMINA_PRIVATE = "Un jeune n'arrive pas à se connecter à ameli AMINA-REQ-78"
AMINA_TO_KARIM = "Il a changé de numéro AMINA-KARIM-79"
TUTORIAL_TITLE = "Réparer un site WordPress qui ne s'affiche plus"


def number(answer: str) -> str:
    """The request number in the bot's answer to /demande."""
    return answer.split("#", 1)[1].split()[0]


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    """Zoé asks and helps; Karim helps on ameli; Amina asks; Claire coordinates."""
    await chat.join(ZOE)
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.join("Amina")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Karim", "ameli (former)")
    await chat.declare(ZOE, "wordpress (former)")

    # Zoé's request, helped by Karim, with messages both ways, then closed.
    n = number(await chat.say(ZOE, f"/demande {ZOE_REQUEST}"))
    await chat.say("Karim", f"/prendre {n}")
    await chat.say(ZOE, f"/msg {n} {ZOE_TO_KARIM}")
    await chat.say("Karim", f"/msg {n} {KARIM_TO_ZOE}")
    await chat.say("Karim", f"/resolu {n} oui")
    await chat.say("Karim", "/annuler")  # no write-up
    await chat.say(ZOE, f"/confirmer {n}")

    # Amina's WordPress request, helped by Zoé, who writes the tutorial.
    n = number(await chat.say("Amina", f"/demande {AMINA_WORDPRESS}"))
    await chat.say(ZOE, f"/prendre {n}")
    await chat.say("Amina", f"/msg {n} {AMINA_TO_ZOE}")
    await chat.say(ZOE, f"/msg {n} {ZOE_TO_AMINA}")
    assert "1/3" in await chat.say(ZOE, f"/resolu {n} oui")
    await chat.say(ZOE, "Le site WordPress de l'association ne s'affichait plus.")
    await chat.say(ZOE, "Vider le cache\nMettre à jour les extensions")
    assert "publié" in await chat.say(ZOE, TUTORIAL_TITLE)
    await chat.say("Amina", f"/confirmer {n}")

    # Amina's private exchange with Karim, which Zoé never saw.
    n = number(await chat.say("Amina", f"/demande {AMINA_PRIVATE}"))
    await chat.say("Karim", f"/prendre {n}")
    await chat.say("Amina", f"/msg {n} {AMINA_TO_KARIM}")

    # Zoé's request still waiting (offered to Karim).
    await chat.say(ZOE, f"/demande {ZOE_OPEN}")
    return chat


async def ask(app: App, user: str, text: str, chat_type: ChatType = ChatType.PRIVATE) -> Outgoing:
    """What the router answers to one message (attachments and actions included)."""
    [answer] = await app.router.handle(
        Incoming(platform="console", user_id=user, chat_id=user, text=text, chat_type=chat_type)
    )
    return answer


async def everything_stored(app: App) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-null value of every table."""
    found: list[tuple[str, str, str]] = []
    async with app.services.uow() as uow:
        for table in Base.metadata.sorted_tables:
            for row in (await uow.session.execute(select(table))).mappings():
                found.extend(
                    (table.name, column, str(value))
                    for column, value in row.items()
                    if value is not None
                )
    return found


async def test_privacy_notice_for_strangers_and_members(chat: Conversation) -> None:
    await chat.join("Amina")
    stranger = await ask(chat.app, "mallory", "/confidentialite")
    assert "24" in stranger.text and "/mesdonnees" in stranger.text and "/oublier" in stranger.text
    assert stranger.actions == ()
    member = await ask(chat.app, "amina", "/privacy")
    assert [action.payload for action in member.actions] == ["/mesdonnees", "/oublier"]


async def test_export_has_the_members_data_and_nobody_elses(network: Conversation) -> None:
    chat = network
    zoe = chat.key(ZOE)
    answer = await ask(chat.app, zoe, "/mesdonnees")
    [attachment] = answer.attachments
    assert attachment.filename == "mes-donnees-samu.json"
    assert attachment.media_type == "application/json"
    raw = attachment.content.decode("utf-8")
    assert "Zoé" in raw  # UTF-8, not \u escapes
    data: dict[str, Any] = json.loads(raw)
    assert list(data) == sorted(data)
    assert data["profile"]["display_name"] == ZOE
    assert data["profile"]["structure"] == "Mission locale"
    assert data["identities"] == [
        {
            "platform": "console",
            "platform_user_id": zoe,
            "chat_id": zoe,
            "preferred": True,
            "created_at": data["identities"][0]["created_at"],
        }
    ]
    assert [skill["slug"] for skill in data["skills"]] == ["wordpress"]
    asked = {request["text"]: request for request in data["requests_asked"]}
    assert set(asked) == {ZOE_REQUEST, ZOE_OPEN}
    assert asked[ZOE_REQUEST]["status"] == "closed" and "ameli" in asked[ZOE_REQUEST]["skills"]
    assert asked[ZOE_REQUEST]["created_at"].startswith("2026-11-30T")
    [helped] = data["requests_helped"]
    assert helped["skills"] == ["wordpress"] and "text" not in helped
    messages = {(m["direction"], m["text"]) for m in data["messages"]}
    assert messages == {
        ("sent", ZOE_TO_KARIM),
        ("received", KARIM_TO_ZOE),
        ("received", AMINA_TO_ZOE),
        ("sent", ZOE_TO_AMINA),
    }
    assert [(t["title"], t["credited_as"]) for t in data["tutorials"]] == [
        (TUTORIAL_TITLE, "author")
    ]
    assert [offer["state"] for offer in data["offers"]] == ["accepted"]
    for other in (AMINA_PRIVATE, AMINA_TO_KARIM, AMINA_WORDPRESS):
        assert other not in raw
    again = await ask(chat.app, zoe, "/mesdonnees")
    assert again.attachments[0].content == attachment.content  # deterministic
    assert "📎 [file: mes-donnees-samu.json," in await chat.say(ZOE, "/mydata")
    in_group = await ask(chat.app, zoe, "/mesdonnees", ChatType.GROUP)
    assert in_group.attachments == ()


async def test_forget_asks_first_then_erases_everything_personal(network: Conversation) -> None:
    chat = network
    zoe = chat.key(ZOE)
    zoe_id = (await chat.member(ZOE)).id
    async with chat.app.services.uow() as uow:
        requests_before = await uow.session.scalar(select(func.count(HelpRequestModel.id)))

    personal = [ZOE, zoe, ZOE_REQUEST, ZOE_OPEN, ZOE_TO_KARIM, KARIM_TO_ZOE]
    personal += [AMINA_TO_ZOE, ZOE_TO_AMINA]
    before = " ".join(value for _, _, value in await everything_stored(chat.app))
    assert all(secret in before for secret in personal)  # the scan does see them

    question = await ask(chat.app, zoe, "/oublier")
    assert len(question.text.splitlines()) == 3
    assert [a.payload for a in question.actions] == ["/oublier confirmer", "/annuler"]
    await chat.say(ZOE, "/annuler")
    assert (await chat.member(ZOE)).id == zoe_id  # cancelled: nothing changed
    assert "Utilisation" in await chat.say(ZOE, "/oublier n'importe quoi")

    await chat.say(ZOE, "/oublier")
    erased = await chat.say(ZOE, "1")  # the "Yes, erase everything" button
    assert erased.strip()

    stored = await everything_stored(chat.app)
    leaks = [(t, c, v) for t, c, v in stored for secret in personal if secret in v]
    assert leaks == []
    values = {value for _, _, value in stored}
    assert {AMINA_WORDPRESS, AMINA_PRIVATE, AMINA_TO_KARIM} <= values  # the others' data stays
    assert {"karim", "amina", "Karim", "Amina"} <= values

    async with chat.app.services.uow() as uow:
        assert await uow.session.scalar(select(func.count(HelpRequestModel.id))) == requests_before
        rows = (await uow.session.execute(select(HelpRequestModel))).scalars().all()
        statuses = {row.id: row.status for row in rows}
        assert zoe_id not in {row.author_id for row in rows} | {row.helper_id for row in rows}
    assert statuses[4] == RequestStatus.CANCELLED.value  # her waiting request was withdrawn

    shown = await chat.say("Amina", "/tuto 1")
    assert TUTORIAL_TITLE in shown and "un membre du réseau" in shown
    assert "Karim" in await chat.say("Karim", "/profil")

    stranger = await chat.say("Someone New", "/demande x")
    assert await chat.say(ZOE, "/demande x") == stranger
    assert await chat.say(ZOE, "/mesdonnees") == stranger


async def test_coordinators_forget_a_member_by_name_or_number(chat: Conversation) -> None:
    await chat.join("Sam", settle=True)
    await chat.join("Sam Bis", settle=True)
    await chat.say("Sam Bis", "/nom Sam")  # two members now called Sam
    await chat.join("Léa")
    app = chat.app

    refused, ambiguous = await forget_by_name_or_id(app, "sam")
    assert not refused
    first, second = (await chat.member("Sam")).id, (await chat.member("Sam Bis")).id
    assert f"#{first}" in ambiguous and f"#{second}" in ambiguous
    assert "Sam" in await chat.say("Sam Bis", "/profil")  # nobody was erased

    found, unknown = await forget_by_name_or_id(app, "Personne")
    assert not found and "Personne" in unknown

    done, answer = await forget_by_name_or_id(app, f"#{second}")
    assert done and f"#{second}" in answer
    assert (await forget_by_name_or_id(app, "Léa"))[0]
    async with app.services.uow() as uow:
        assert await uow.members.get(second) is None
        assert await uow.members.by_identity("console", chat.key("Léa")) is None
        assert await uow.members.get(first) is not None


async def test_a_forgotten_helper_gives_back_the_request_they_held(chat: Conversation) -> None:
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.join("Sophie")
    await chat.declare("Karim", "ameli (former)")
    await chat.declare("Sophie", "ameli")
    n = number(await chat.say("Amina", "/demande Attestation ameli introuvable pour un jeune"))
    await chat.say("Karim", f"/prendre {n}")
    await chat.say("Karim", f"/msg {n} Je regarde KARIM-HELD-80")

    done, answer = await forget_by_name_or_id(chat.app, "karim")
    assert done and "Karim" in answer
    told = await chat.tick()
    assert f"#{n}" in addressed_to(told, "Amina")
    async with chat.app.services.uow() as uow:
        request = await uow.requests.get(int(n))
        thread = await uow.requests.thread(int(n))
    assert request is not None and request.status is RequestStatus.OPEN
    assert request.helper_id is None and request.text is not None  # Amina's text stays
    assert [message.text for message in thread] == [None]
    await chat.say("Sophie", f"/prendre {n}")  # offered to her before: she can take it now
    async with chat.app.services.uow() as uow:
        taken = await uow.requests.get(int(n))
    assert taken is not None and taken.helper_name == "Sophie"
