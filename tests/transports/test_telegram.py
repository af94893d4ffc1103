"""The whole product on Telegram: real PTB stack, real app wiring, loopback Bot API server."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.core.types import RequestStatus, Role
from bot.transports.telegram import TelegramConflict
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import wait_until
from tests.transports.conftest import Running

AMINA, KARIM, SOPHIE, CLAIRE = 1001, 1002, 1003, 1009


def buttons(message: dict[str, Any]) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


async def test_deep_link_onboarding_and_menus_per_language(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    code = await running.invite()
    assert await running.app.invite_link(code) == f"https://t.me/samu_test_bot?start={code}"
    server.user_sends(AMINA, f"/start {code}", first_name="Amina", language_code="fr")
    welcome = await running.wait_text(AMINA, "Bienvenue dans le réseau, Amina")
    assert "Mission locale" in welcome["text"]
    french = [c["command"] for c in server.commands[("default", "fr")]]
    english = [c["command"] for c in server.commands[("default", "en")]]
    assert "competences" in french and "demande" in french and "invitation" not in french
    assert "skills" in english and "request" in english
    # Any other language (or none): the menu of the network's default language, French.
    assert server.commands[("default", "")] == server.commands[("default", "fr")]
    server.user_sends(1111, "/start", first_name="Bob", language_code="en")
    assert "invitation code" in (await running.wait_text(1111, "invitation"))["text"]


async def test_coordinators_get_their_own_menu(running: Running, server: FakeBotApi) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(CLAIRE, "Claire", Role.COORDINATOR)
    # Set as she joins, not at the next restart.
    menu = [c["command"] for c in server.commands[(f"chat:{CLAIRE}", "")]]
    assert "invitation" in menu and "membres" in menu
    assert (f"chat:{AMINA}", "") not in server.commands  # members have the default menus
    server.user_sends(CLAIRE, "/langue en", first_name="Claire")
    await running.wait_text(CLAIRE, "English")
    menu = [c["command"] for c in server.commands[(f"chat:{CLAIRE}", "")]]
    assert "skills" in menu and "invite" in menu  # her menu follows her language
    await running.stop()
    restarted = Running(running.app, server)
    await restarted.start()  # and a restart sets it again, as it is
    try:
        assert [c["command"] for c in server.commands[(f"chat:{CLAIRE}", "")]] == menu
    finally:
        await restarted.stop()


async def test_request_flow_with_buttons_and_reply_relay(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(KARIM, "Karim", skills="ameli (former)")
    await running.join(SOPHIE, "Sophie", skills="ameli")
    server.user_sends(
        AMINA, "/demande comment créer un compte ameli pour un jeune ?", first_name="Amina"
    )
    await running.wait_text(AMINA, "#1")
    karim_offer = await running.wait_text(KARIM, "compte ameli")
    sophie_offer = await running.wait_text(SOPHIE, "compte ameli")
    assert buttons(karim_offer) == {"Je prends": "/prendre 1", "Pas disponible": "/decliner 1"}

    query = server.user_presses(KARIM, karim_offer["message_id"], "/prendre 1")
    await running.wait_text(KARIM, "C'est pour vous")
    assert query in server.answered_callbacks
    pressed = await running.wait_text(KARIM, "✔ Vous avez pris la demande #1.")
    assert pressed["message_id"] == karim_offer["message_id"] and not buttons(pressed)
    assert "compte ameli" in pressed["text"]  # the offer keeps the request it showed
    claimed = await running.wait_text(AMINA, "a pris votre demande")
    edited = await running.wait_text(SOPHIE, "prise par Karim")
    assert edited["message_id"] == sophie_offer["message_id"] and not buttons(edited)
    assert "✔" not in edited["text"]

    server.user_presses(SOPHIE, sophie_offer["message_id"], "/prendre 1")  # a stale button
    stale = await running.wait_text(SOPHIE, "n'est plus valable")
    assert "déjà prise par Karim" in stale["text"]

    server.user_sends(
        AMINA,
        "Il n'a pas d'adresse mail.",
        first_name="Amina",
        reply_to_message_id=claimed["message_id"],
    )
    relayed = await running.wait_text(KARIM, "Il n'a pas d'adresse mail.")
    server.user_sends(
        KARIM,
        "D'accord, créons-en une.",
        first_name="Karim",
        reply_to_message_id=relayed["message_id"],
    )
    await running.wait_text(AMINA, "D'accord, créons-en une.")

    server.user_sends(KARIM, "/resolu 1", first_name="Karim")
    question = await running.wait_text(KARIM, "La demande #1 est-elle résolue ?")
    server.user_presses(KARIM, question["message_id"], buttons(question)["Oui, la #1 est résolue"])
    await running.wait_text(KARIM, "1/3")
    server.user_sends(KARIM, "Le jeune n'avait pas d'adresse mail.", first_name="Karim")
    await running.wait_text(KARIM, "2/3")
    server.user_sends(KARIM, "Créer l'adresse, puis le compte ameli.", first_name="Karim")
    title = await running.wait_text(KARIM, "3/3")
    server.user_presses(KARIM, title["message_id"], buttons(title)["Garder ce titre"])
    await running.wait_text(KARIM, "tutoriel #1 est publié")
    confirm = await running.wait_text(AMINA, "Est-ce bien le cas")
    server.user_presses(AMINA, confirm["message_id"], buttons(confirm)["Oui, merci !"])
    await running.wait_text(KARIM, "vous dit merci")
    async with running.app.services.uow() as uow:
        request = await uow.requests.get(1)
    assert request is not None and request.status is RequestStatus.CLOSED


async def test_relay_between_telegram_and_the_terminal(
    running: Running, server: FakeBotApi
) -> None:
    await running.start(with_console=True)
    await running.join(AMINA, "Amina")
    console_code = await running.invite()
    out = running.console_out
    running.console_in.feed_data(
        f"/start {console_code}\n/annuler\n/competences ajouter ameli (former)\n".encode()
    )
    await wait_until(lambda: "je peux former" in out.getvalue())
    server.user_sends(AMINA, "/demande souci ameli pour un jeune", first_name="Amina")
    await wait_until(lambda: "souci ameli pour un jeune" in out.getvalue())
    running.console_in.feed_data(b"/prendre 1\n/msg 1 Bonjour depuis le terminal\n")
    await running.wait_text(AMINA, "Bonjour depuis le terminal")
    server.user_sends(AMINA, "/msg 1 Merci, depuis Telegram", first_name="Amina")
    await wait_until(lambda: "Merci, depuis Telegram" in out.getvalue())


async def test_429_and_500_are_retried_without_loss_or_duplicate(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(KARIM, "Karim", skills="ameli")
    server.fail_next("sendMessage", status=429, retry_after=1)
    server.fail_next("sendMessage", status=500)
    server.fail_next("sendMessage", status=429, retry_after=1)
    server.user_sends(AMINA, "/demande souci ameli urgent", first_name="Amina")
    await running.wait_text(AMINA, "#1", timeout=10)
    await running.wait_text(KARIM, "souci ameli", timeout=10)
    replies = [m for m in server.sent_messages(AMINA) if "#1" in m.get("text", "")]
    offers = [m for m in server.sent_messages(KARIM) if "souci ameli" in m.get("text", "")]
    assert len(replies) == 1 and len(offers) == 1
    sends = server.calls_to("sendMessage")
    refused = [c for c in sends if c.response_status == 429]
    accepted_after = [c.at for c in sends if c.response_status == 200 and c.at > refused[0].at]
    assert len(refused) == 2
    assert min(accepted_after) - refused[0].at >= 0.9  # Telegram's retry_after was honoured


async def test_replayed_update_is_not_handled_twice(running: Running, server: FakeBotApi) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(KARIM, "Karim", skills="ameli")
    server.user_sends(AMINA, "/demande souci ameli pour un jeune", first_name="Amina")
    await running.wait_text(AMINA, "#1")
    await running.wait_text(KARIM, "souci ameli")
    [update] = [u for u in server.history if "souci ameli" in str(u)]
    await running.stop()
    # The bot died before confirming: Telegram sends the same update again after a restart.
    server.redeliver(update["update_id"])
    restarted = Running(running.app, server)
    await restarted.start()
    try:
        await server.wait_for(lambda: not server.pending_updates)
        server.user_sends(AMINA, "/mesdemandes", first_name="Amina")
        listing = await restarted.wait_text(AMINA, "Vos demandes")
        assert "#1" in listing["text"] and "#2" not in listing["text"]
        assert len([m for m in server.sent_messages(KARIM) if "souci ameli" in m["text"]]) == 1
    finally:
        await restarted.stop()


async def test_bad_input(running: Running, server: FakeBotApi) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    welcome = server.sent_messages(AMINA)[0]
    server.user_presses(AMINA, welcome["message_id"], "not-a-command")
    await running.wait_text(AMINA, "Ce bouton n'est plus valable")
    server.user_sends(AMINA, "x" * 5000, first_name="Amina")
    await running.wait_text(AMINA, "trop long")
    server.user_sends(4242, "/competences", first_name="Mallory")
    assert "code d'invitation" in (await running.wait_text(4242, "invitation"))["text"]
    server.user_sends(4242, "/demande 1", first_name="Mallory", chat_id=-500, chat_type="group")
    server.user_sends(AMINA, "/competences <b>x</b>", first_name="Amina")
    answer = await running.wait_text(AMINA, "<b>x</b>")
    assert "<b>x</b>" in answer["text"]  # shown as typed, never interpreted
    assert server.sent_messages(-500) == []


async def test_a_second_poller_stops_the_run_with_a_clear_error(
    running: Running, server: FakeBotApi
) -> None:
    server.fail_next("getUpdates", status=409)
    await running.start()
    assert running.task is not None
    with pytest.raises(TelegramConflict, match="409"):
        await asyncio.wait_for(running.task, timeout=10)


async def test_long_texts_are_split_and_files_attached(
    running: Running, server: FakeBotApi
) -> None:
    from bot.chat.types import Action, Attachment, Outgoing

    await running.start()
    await running.join(AMINA, "Amina")
    assert running.app.dispatcher is not None
    telegram = running.app.dispatcher.transports["telegram"]
    sentence = "Une phrase de test qui se termine ici. "
    message = Outgoing(
        text=sentence * 200,
        actions=(Action("Aide", "/aide"),),
        attachments=(
            Attachment("session.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),
        ),
    )
    before = len(server.sent_messages(AMINA))
    await telegram.send(str(AMINA), message)
    sent = server.sent_messages(AMINA)[before:]
    parts = [m for m in sent if "phrase de test" in m.get("text", "")]
    assert len(parts) == 2 and all(len(m["text"]) <= 4096 for m in parts)
    assert all(m["text"].rstrip().endswith("ici.") for m in parts)
    assert buttons(parts[1]) == {"Aide": "/aide"} and not buttons(parts[0])
    [document] = [m for m in sent if "document" in m]
    assert document["document"]["file_name"] == "session.ics"
