"""Numbers and replies on Matrix (issue 16): a number replying to a message is text for its
thread, numbered lists survive a restart, what gives a request back asks first."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("nio", reason="matrix-nio is not installed")

from bot.core.types import RequestStatus
from tests.fakes.synapse import synapse_fixture  # noqa: F401
from tests.transports.test_matrix import Network, network_fixture  # noqa: F401 (the fixture)


def reply_to(event_id: str) -> dict[str, Any]:
    return {"m.relates_to": {"m.in_reply_to": {"event_id": event_id}}}


async def status(running: Network, request_id: int) -> RequestStatus:
    async with running.app.services.uow() as uow:
        request = await uow.requests.get(request_id)
    assert request is not None
    return request.status


async def test_numbers_replies_and_a_restart(network: Network) -> None:
    bot = network.bot
    amina = await network.join("Amina")
    karim = await network.join("Karim", skills="ameli (former)")
    await amina.say("!demande souci ameli pour une attestation")
    offer = await karim.sync_until(lambda: karim.bot_says("souci ameli", bot))
    await karim.react(offer.event_id, "✅")
    taken = await karim.sync_until(lambda: karim.bot_says("C'est pour vous", bot))
    assert "2. Je la rends" in taken.body
    await karim.say("Bonjour, il a quel âge ?", **reply_to(taken.event_id))
    await amina.sync_until(lambda: amina.bot_says("Bonjour, il a quel âge ?", bot))
    await amina.say("!msg 1 Combien de personnes faut-il inscrire ?")
    question = await karim.sync_until(lambda: karim.bot_says("Combien de personnes", bot))

    await karim.say("2", **reply_to(question.event_id))  # an answer, not [Je la rends]
    await amina.sync_until(lambda: amina.bot_says("« 2 »", bot))
    assert await status(network, 1) is RequestStatus.CLAIMED

    await network.stop()
    await network.start()
    # (A notice to a member quiet since the restart is issue 16's other part: Amina writes.)
    await amina.say("!mesdemandes")
    await amina.sync_until(lambda: amina.bot_says("Vos demandes", bot))
    await karim.say("2")  # [Je la rends] of "C'est pour vous", shown before the restart
    asked = await karim.sync_until(lambda: karim.bot_says("Rendre la demande #1", bot))
    assert "« souci ameli pour une attestation »" in asked.body
    assert await status(network, 1) is RequestStatus.CLAIMED
    await karim.react(asked.event_id, "✅")  # yes
    await amina.sync_until(lambda: amina.bot_says("a rendu votre demande #1", bot))
    assert await status(network, 1) in (RequestStatus.OPEN, RequestStatus.OFFERED)

    def edited(event_id: str) -> Any:
        return next(
            (
                e
                for e in karim.seen
                if e.source.get("content", {}).get("m.relates_to", {}).get("event_id") == event_id
                and e.source["content"]["m.relates_to"].get("rel_type") == "m.replace"
            ),
            None,
        )

    replaced = await karim.sync_until(lambda: edited(taken.event_id))
    assert "Vous avez rendu la demande #1." in replaced.source["content"]["m.new_content"]["body"]
    await karim.react(taken.event_id, "2️⃣")  # its reactions are no longer honoured
    await karim.sync_until(lambda: karim.bot_says("n'est plus valable", bot))
