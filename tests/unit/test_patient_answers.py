"""What a transport does with the conversation's answers: kept while the database is away,
handed over again in order, answers that keep failing sent later — never lost, never twice."""

from __future__ import annotations

import asyncio

from bot.app import App
from bot.chat.types import Deferred, Incoming, Outgoing
from bot.config import parse_config
from bot.transports.base import REPLY_ATTEMPTS, DeliveryError, PatientAnswers
from tests.helpers import wait_until


def incoming(text: str, chat: str = "c1", event: str | None = None) -> Incoming:
    return Incoming(platform="test", user_id=chat, chat_id=chat, text=text, event_id=event)


class Outage:
    """A conversation whose database is away for the first `calls` calls."""

    def __init__(self, calls: int) -> None:
        self.calls = calls
        self.handled: list[str] = []

    async def __call__(self, message: Incoming) -> list[Outgoing]:
        if self.calls > 0:
            self.calls -= 1
            raise Deferred(message, [Outgoing("gardé")])
        self.handled.append(message.text)
        return [Outgoing(f"ok {message.text}")]


class Chats:
    """The platform: records what it received; refuses the first `failures` sends."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[str, str, str | None]] = []

    async def __call__(self, chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        await asyncio.sleep(0)
        if self.failures > 0:
            self.failures -= 1
            raise DeliveryError("503", retry_after=0.001)
        self.received.append((chat_id, message.text, key))
        return str(len(self.received))


async def settled(answers: PatientAnswers) -> None:
    await wait_until(lambda: answers.kept == 0 and not answers._unsent, 5, every=0.001)


async def test_messages_kept_during_an_outage_are_handled_later_in_order_per_chat() -> None:
    conversation, chats = Outage(calls=2), Chats()
    answers = PatientAnswers(conversation, chats, retry_first=0)
    await answers.answer(incoming("1"))
    await answers.answer(incoming("2"))  # waits behind 1 without asking the database
    await answers.answer(incoming("x", chat="c2"))
    await settled(answers)
    assert conversation.handled[:2] == ["1", "2"] and "x" in conversation.handled
    c1 = [text for chat, text, _ in chats.received if chat == "c1"]
    assert c1 == ["gardé", "ok 1", "ok 2"]
    await answers.close()


async def test_an_answer_failing_every_try_is_sent_later_before_the_next_ones() -> None:
    conversation, chats = Outage(calls=0), Chats(failures=REPLY_ATTEMPTS + 1)
    answers = PatientAnswers(conversation, chats, retry_first=0)
    await answers.answer(incoming("1", event="e1"))
    await answers.answer(incoming("2", event="e2"))
    await settled(answers)
    assert [text for _, text, _ in chats.received] == ["ok 1", "ok 2"]
    keys = [key for _, _, key in chats.received]
    assert all(keys) and len(set(keys)) == 2  # one stable key per answer
    await answers.close()


async def test_the_conversation_defers_when_the_database_cannot_be_reached() -> None:
    unreachable = "postgresql://samu@127.0.0.1:1/samu"  # nothing listens on port 1
    app = App.build(parse_config({"database": {"url": unreachable}}, "test", {}))
    try:
        message = incoming("/aide", event="e1")
        try:
            await app.router.handle(message)
        except Deferred as deferred:
            assert deferred.incoming == message and deferred.wait is None
            [kept] = deferred.replies
            assert kept.text == (
                "Le service est momentanément indisponible.\n"
                "Votre message est gardé : je vous réponds dès que possible."
            )
        else:
            raise AssertionError("expected Deferred")
    finally:
        await app.close()
