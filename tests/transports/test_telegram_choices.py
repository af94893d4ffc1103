"""Buttons on Telegram belong to their message, survive a restart and tell the truth."""

from __future__ import annotations

from typing import Any

from bot.core.types import RequestStatus
from tests.fakes.telegram_api import FakeBotApi
from tests.transports.conftest import Running
from tests.transports.test_telegram import AMINA, CLAIRE, KARIM, SOPHIE, buttons


def current(server: FakeBotApi, chat: int, message: dict[str, Any]) -> dict[str, Any]:
    """A message as it reads now (after any edit)."""
    return next(m for m in server.sent_messages(chat) if m["message_id"] == message["message_id"])


async def status(running: Running, request_id: int) -> RequestStatus:
    async with running.app.services.uow() as uow:
        request = await uow.requests.get(request_id)
    assert request is not None
    return request.status


async def test_a_leftover_no_on_the_first_draft_message_cancels_nothing(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(KARIM, "Karim", skills="ameli (former)")
    server.user_sends(AMINA, "je n'arrive pas à créer un compte ameli pour un jeune")
    first = await running.wait_text(AMINA, "J'ai gardé votre message")
    server.user_sends(AMINA, "il a 19 ans et pas de carte vitale")
    second = await running.wait_text(AMINA, "J'ai ajouté ce message")
    assert buttons(first) == buttons(second) == {"Oui, envoyer": "/envoyer 1", "Non": "/annuler 1"}
    server.user_presses(AMINA, second["message_id"], "/envoyer 1")
    await running.wait_text(KARIM, "carte vitale")

    def both_edited() -> bool:
        return all(
            "La demande #1 est envoyée." in current(server, AMINA, shown)["text"]
            and not buttons(current(server, AMINA, shown))
            for shown in (first, second)
        )

    await server.wait_for(both_edited)
    before = len(server.sent_messages(AMINA))
    server.user_presses(AMINA, first["message_id"], "/annuler 1")  # the leftover [Non]
    await running.wait_text(AMINA, "n'est plus valable", after=before)
    assert await status(running, 1) is RequestStatus.OFFERED
    assert not [m for m in server.sent_messages(KARIM) if "annul" in m.get("text", "")]


async def test_buttons_hold_across_a_restart_and_a_double_press_is_answered_kindly(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(CLAIRE, "Claire", skills="ameli (former)")
    await running.join(SOPHIE, "Sophie", skills="ameli")
    server.user_sends(AMINA, "/demande souci ameli pour une attestation", first_name="Amina")
    claire_offer = await running.wait_text(CLAIRE, "souci ameli")
    sophie_offer = await running.wait_text(SOPHIE, "souci ameli")
    await running.stop()

    restarted = Running(running.app, server)
    await restarted.start()
    try:
        server.user_presses(CLAIRE, claire_offer["message_id"], "/prendre 1")
        await restarted.wait_text(CLAIRE, "C'est pour vous : la demande #1")
        edited = await restarted.wait_text(SOPHIE, "prise par Claire")
        assert edited["message_id"] == sophie_offer["message_id"] and not buttons(edited)
        before = len(server.sent_messages(CLAIRE))
        server.user_presses(CLAIRE, claire_offer["message_id"], "/prendre 1")  # again
        again = await restarted.wait_text(CLAIRE, "déjà pris", after=before)
        assert "Vous avez déjà pris la demande #1" in again["text"]
        assert not [m for m in server.sent_messages(CLAIRE) if "Trop tard" in m.get("text", "")]
        stored = await restarted.wait_text(AMINA, "prise par Claire")
        assert not buttons(stored)  # the author's [Annuler la demande]… are gone too
    finally:
        await restarted.stop()


async def test_replying_to_its_offer_taken_writes_to_the_author(
    running: Running, server: FakeBotApi
) -> None:
    """Today's bug: the helper's reply to "C'est pour vous … répondez à mon message" became
    a new draft request, one tap away from posting a private conversation to the network."""
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(KARIM, "Karim", skills="ameli (former)")
    await running.join(SOPHIE, "Sophie", skills="ameli")
    server.user_sends(AMINA, "/demande souci ameli pour une attestation", first_name="Amina")
    offer = await running.wait_text(KARIM, "souci ameli")
    sophie_offer = await running.wait_text(SOPHIE, "souci ameli")
    server.user_presses(KARIM, offer["message_id"], "/prendre 1")
    yours = await running.wait_text(KARIM, "répondez à mon message")
    server.user_sends(
        KARIM,
        "Bonjour, il a quel âge ?",
        first_name="Karim",
        reply_to_message_id=yours["message_id"],
    )
    await running.wait_text(AMINA, "Bonjour, il a quel âge ?")
    await running.wait_text(KARIM, "Message envoyé à Amina")
    assert not [m for m in server.sent_messages(KARIM) if "brouillon" in m.get("text", "")]

    before = len(server.sent_messages(SOPHIE))
    server.user_sends(
        SOPHIE, "2", first_name="Sophie", reply_to_message_id=sophie_offer["message_id"]
    )
    refused = await running.wait_text(SOPHIE, "n'est pas envoyé", after=before)
    assert "Seules la personne qui a posé la demande #1" in refused["text"]
    async with running.app.services.uow() as uow:
        assert [m.text for m in await uow.requests.thread(1)] == ["Bonjour, il a quel âge ?"]
        assert await uow.requests.get(2) is None  # no draft from either reply


LONG_SKILL = "gestion informatique des associations sportives communales"


async def test_a_button_whose_command_is_over_64_bytes_is_shown_and_works(
    running: Running, server: FakeBotApi
) -> None:
    """A proposed skill's name can be 60 characters: `/competences retirer <its name>` is over
    Telegram's 64 bytes of callback data. The button used to be left out (the member could
    not remove that skill by tapping); it now carries its place in the message."""
    await running.start()
    await running.join(AMINA, "Amina", skills=f"ameli (former), {LONG_SKILL} (pratique)")
    before = len(server.sent_messages(AMINA))
    server.user_sends(AMINA, "/competences retirer", first_name="Amina")
    asked = await running.wait_text(AMINA, "Quelle compétence", after=before)
    shown = buttons(asked)
    long_label = next(label for label in shown if label.startswith("gestion informatique"))
    assert len(shown) == 2
    assert shown[long_label] == "/#2"  # its place: the command itself would not fit
    assert all(len(data.encode()) <= 64 for data in shown.values())

    before = len(server.sent_messages(AMINA))
    server.user_presses(AMINA, asked["message_id"], "/#9")  # no such place: forged
    await running.wait_text(AMINA, "n'est plus valable", after=before)

    before = len(server.sent_messages(AMINA))
    server.user_presses(AMINA, asked["message_id"], "/#2")
    done = await running.wait_text(AMINA, "J'ai retiré", after=before)
    assert "gestion informatique" in done["text"]
    async with running.app.services.uow() as uow:
        member = await uow.members.by_identity("telegram", str(AMINA))
        assert member is not None
        kept = await uow.skills.of_member(member.id)
    assert [held.skill.slug for held in kept] == ["ameli"]

    before = len(server.sent_messages(AMINA))
    server.user_sends(AMINA, "/#1", first_name="Amina")  # typed, not pressed: no list's place
    await running.wait_text(AMINA, "/aide", after=before)
    async with running.app.services.uow() as uow:
        assert len(await uow.skills.of_member(member.id)) == 1
