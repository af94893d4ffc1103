"""An offer Telegram refuses is never reported as made: the author and coordinators learn it."""

from __future__ import annotations

from bot.core.types import Role
from tests.fakes.telegram_api import FakeBotApi
from tests.transports.conftest import Running

AMINA, KARIM, SOPHIE, CLAIRE = 1001, 1002, 1003, 1009


async def test_an_offer_refused_by_telegram_is_told_to_the_author_and_coordinators(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    await running.join(AMINA, "Amina")
    await running.join(KARIM, "Karim", skills="ameli")
    await running.join(SOPHIE, "Sophie", skills="ameli")
    await running.join(CLAIRE, "Claire", Role.COORDINATOR)
    server.blocked_by.add(KARIM)  # Karim blocked the bot: Telegram answers 403 from now on
    karim_before = len(server.sent_messages(KARIM))
    server.user_sends(AMINA, "/demande comment ouvrir un compte ameli ?", first_name="Amina")
    stored = await running.wait_text(AMINA, "#1")
    # Said when the offers are queued, before Telegram answers: what is being done, no more.
    assert "Je l'envoie à 2 personnes" in stored["text"]
    assert "proposée" not in stored["text"]
    await running.wait_text(SOPHIE, "compte ameli")
    told = await running.wait_text(
        AMINA, "Je n'ai pas pu envoyer votre demande #1 à une des personnes choisies."
    )
    assert "Votre demande reste ouverte." in told["text"]
    assert "Karim" not in told["text"]  # the author needs to know, not who blocked the bot
    await running.wait_text(CLAIRE, "Je n'ai pas pu transmettre un message à Karim")
    assert len(server.sent_messages(KARIM)) == karim_before
    notices = [
        m for m in server.sent_messages(AMINA) if "Je n'ai pas pu envoyer" in m.get("text", "")
    ]
    assert len(notices) == 1
