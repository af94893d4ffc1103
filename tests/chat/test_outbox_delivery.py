"""The outbox: restart-proof, retried with backoff, in order per recipient, never twice."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.app import App
from bot.chat.types import Outgoing
from bot.core import claims, matching, outbox, requests
from bot.core.clock import FixedClock
from bot.core.types import Member, Role, Urgency
from bot.delivery import Dispatcher
from bot.transports.base import DeliveryError
from tests.helpers import Conversation, RecordingTransport


@pytest.fixture
async def people(chat: Conversation) -> dict[str, Member]:
    for name in ("Amina", "Karim", "Sophie"):
        await chat.join(name)
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Karim", "ameli (former)")
    await chat.declare("Sophie", "ameli")
    return {name: await chat.member(name) for name in ("Amina", "Karim", "Sophie", "Claire")}


async def _ask(app: App, author: Member, text: str = "souci avec ameli") -> int:
    services = app.services
    submitted = await requests.ask(services, author, text)
    return submitted.request.id


async def _notices(
    app: App,
    recipients: list[Member],
    about: Member,
    count: int,
    *,
    dedup_prefix: str | None = None,
) -> None:
    """Queue `count` "delivery failed" notices about `about`, to `recipients` in turn."""
    async with app.services.uow() as uow:
        for index in range(count):
            await uow.outbox.enqueue(
                recipient_id=recipients[index % len(recipients)].id,
                kind="delivery_failed",
                params={"member_id": about.id, "n": index},
                now=app.services.clock.now(),
                dedup_key=f"{dedup_prefix}:{index}" if dedup_prefix else None,
            )
        await uow.commit()


async def test_offers_queued_before_a_restart_are_delivered_once(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    await _ask(app, people["Amina"])  # stored and queued; nothing delivered yet
    restarted = App.build(app.config, clock=clock)
    try:
        transport = RecordingTransport()
        dispatcher = restarted.use_transports([transport])
        assert await dispatcher.run_once() == 2
        assert sorted(chat for chat, _ in transport.sent) == ["karim", "sophie"]
        assert await dispatcher.run_once() == 0
        again = App.build(app.config, clock=clock)
        try:
            assert await again.use_transports([RecordingTransport()]).run_once() == 0
        finally:
            await again.close()
    finally:
        await restarted.close()


async def test_transient_failures_are_retried_with_backoff_in_order(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    transport = RecordingTransport(failures=[DeliveryError("timeout"), DeliveryError("500")])
    dispatcher = Dispatcher(app.services, {"console": transport})
    karim = people["Karim"]
    async with app.services.uow() as uow:
        for text in ("first", "second", "third"):
            await uow.outbox.enqueue(
                recipient_id=karim.id,
                kind="delivery_failed",
                params={"member_id": people["Sophie"].id, "marker": text},
                now=clock.now(),
            )
        await uow.commit()
    await dispatcher.run_once()  # the first message fails; the others wait behind it
    assert transport.sent == []
    clock.advance(timedelta(seconds=1))
    await dispatcher.run_once()  # backoff not over: nothing
    assert transport.sent == []
    clock.advance(timedelta(seconds=2))
    await dispatcher.run_once()  # second failure
    clock.advance(timedelta(seconds=5))
    await dispatcher.run_once()
    assert len(transport.sent) == 3
    async with app.services.uow() as uow:
        rows = await uow.outbox.find(recipient_id=karim.id)
    assert [row.params.get("marker") for row in rows if row.sent_at] == ["first", "second", "third"]
    assert [row.attempts for row in rows] == [3, 1, 1]


async def test_a_refused_message_is_kept_retried_hourly_and_reported_to_coordinators(
    app: App, people: dict[str, Member], clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    transport = RecordingTransport(failures=[DeliveryError("blocked by user", permanent=True)])
    dispatcher = Dispatcher(app.services, {"console": transport})
    await _ask(app, people["Amina"], "souci avec ameli, un seul message")
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        await dispatcher.run_once()
    async with app.services.uow() as uow:
        refused = [row for row in await uow.outbox.find(kind="offer") if row.sent_at is None]
        alerts = await uow.outbox.find(recipient_id=people["Claire"].id, kind="delivery_failed")
    [row] = refused
    assert row.failed_at is None and row.last_error == "blocked by user"  # kept, with why
    assert row.attempts == outbox.MAX_ATTEMPTS
    assert [r.levelname for r in caplog.records if "cannot be delivered" in r.message] == ["ERROR"]
    assert len(alerts) == 1 and alerts[0].sent_at is not None
    assert any(chat == "claire" for chat, _ in transport.sent)
    clock.advance(outbox.STUCK_RETRY - timedelta(seconds=1))
    assert await dispatcher.run_once() == 0
    clock.advance(timedelta(seconds=1))
    assert await dispatcher.run_once() == 1  # the route works again: delivered
    async with app.services.uow() as uow:
        kept = await uow.outbox.get(row.id)
        alerts = await uow.outbox.find(kind="delivery_failed")
    assert kept is not None and kept.sent_at is not None
    assert len(alerts) == 1  # told once


async def test_after_too_many_failures_a_message_is_kept_not_dropped(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    transport = RecordingTransport(
        failures=[DeliveryError("timeout") for _ in range(outbox.MAX_ATTEMPTS + 3)]
    )
    dispatcher = Dispatcher(app.services, {"console": transport})
    await _notices(app, [people["Karim"]], people["Sophie"], 2)
    for _ in range(outbox.MAX_ATTEMPTS + 3):
        await dispatcher.run_once()
        clock.advance(timedelta(minutes=15))
    clock.advance(outbox.STUCK_RETRY)
    await dispatcher.run_once()
    async with app.services.uow() as uow:
        rows = await uow.outbox.find(recipient_id=people["Karim"].id)
    assert all(row.sent_at is not None and row.failed_at is None for row in rows)
    assert len(transport.texts_to("karim")) == 2


async def test_a_stuck_message_does_not_hold_back_the_next_ones(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    transport = RecordingTransport(failures=[DeliveryError("refused", permanent=True)])
    dispatcher = Dispatcher(app.services, {"console": transport})
    await _notices(app, [people["Karim"]], people["Sophie"], 3)
    await dispatcher.run_once()
    assert len(transport.texts_to("karim")) == 2  # the first is kept for later; not the others
    async with app.services.uow() as uow:
        first = (await uow.outbox.find(recipient_id=people["Karim"].id))[0]
    assert first.sent_at is None and first.failed_at is None and first.last_error == "refused"


async def test_a_coordinator_out_of_reach_is_reported_to_the_other_coordinators_only(
    app: App, chat: Conversation, people: dict[str, Member], clock: FixedClock
) -> None:
    await chat.join("Malik", Role.COORDINATOR)
    transport = RecordingTransport(failures=[DeliveryError("blocked by user", permanent=True)])
    dispatcher = Dispatcher(app.services, {"console": transport})
    await _notices(app, [people["Claire"]], people["Karim"], 1)
    await dispatcher.run_once()
    async with app.services.uow() as uow:
        alerts = [
            row
            for row in await uow.outbox.find(kind="delivery_failed")
            if row.params.get("member_id") == people["Claire"].id
        ]
    malik = await chat.member("Malik")
    assert [row.recipient_id for row in alerts] == [malik.id]
    assert transport.texts_to("malik") and not transport.texts_to("claire")


async def test_member_without_a_running_transport_is_not_lost_silently(
    app: App, people: dict[str, Member]
) -> None:
    dispatcher = Dispatcher(app.services, {"telegram": RecordingTransport("telegram")})
    await _ask(app, people["Amina"])
    await dispatcher.run_once()
    async with app.services.uow() as uow:
        offers = await uow.outbox.find(kind="offer")
    assert offers and all(
        row.sent_at is None and row.failed_at is None and "no reachable" in (row.last_error or "")
        for row in offers
    )


async def test_two_workers_deliver_each_message_exactly_once(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    transport = RecordingTransport()
    first = Dispatcher(app.services, {"console": transport}, worker="w1", batch=3)
    second = Dispatcher(app.services, {"console": transport}, worker="w2", batch=3)
    recipients = [people["Karim"], people["Sophie"], people["Amina"]]
    await _notices(app, recipients, people["Claire"], 30, dedup_prefix="load")
    await asyncio.gather(first.run_once(), second.run_once(), first.run_once())
    assert len(transport.sent) == 30
    async with app.services.uow() as uow:
        rows = await uow.outbox.find(kind="delivery_failed")
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)
    for recipient in ("karim", "sophie", "amina"):
        numbers = [m.text for chat, m in transport.sent if chat == recipient]
        assert len(numbers) == 10


async def test_dedup_key_queues_a_message_once(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    async with app.services.uow() as uow:
        first = await uow.outbox.enqueue(
            recipient_id=people["Karim"].id,
            kind="offer",
            params={"request_id": 1},
            now=clock.now(),
            dedup_key="offer:1:karim",
        )
        second = await uow.outbox.enqueue(
            recipient_id=people["Karim"].id,
            kind="offer",
            params={"request_id": 1},
            now=clock.now(),
            dedup_key="offer:1:karim",
        )
        await uow.commit()
    assert (first, second) == (True, False)


async def test_a_request_stored_just_before_a_crash_is_offered_by_the_next_check(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    services = app.services
    async with services.uow() as uow:  # `ask` committed the request, then the process died
        request_id = await uow.requests.add(
            author_id=people["Amina"].id,
            text="souci avec ameli",
            urgency=Urgency.WEEK,
            now=clock.now(),
        )
        ameli = await uow.skills.by_slug("ameli")
        assert ameli is not None
        await uow.requests.set_skills(request_id, [ameli.id])
        await uow.commit()
    await matching.check_due(services)
    async with services.uow() as uow:
        offers = await uow.outbox.find(kind="offer")
    assert {offer.recipient_id for offer in offers} == {people["Karim"].id, people["Sophie"].id}


class MeetingTransport(RecordingTransport):
    """Each send waits until `together` sends are under way at once (or gives up)."""

    def __init__(self, together: int) -> None:
        super().__init__("console")
        self.parallel_sends = together + 1
        self._meeting = asyncio.Barrier(together)
        self.active = 0
        self.most_active = 0
        self.keys: list[tuple[str, int]] = []  # (chat, outbox id) in the order sent

    async def send(self, chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            await asyncio.wait_for(self._meeting.wait(), timeout=5)
            self.keys.append((chat_id, int((key or "").rsplit("-", 1)[-1])))
            return await super().send(chat_id, message, key=key)
        finally:
            self.active -= 1


async def test_different_people_are_sent_to_at_once_each_in_order(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    recipients = [people["Karim"], people["Sophie"], people["Amina"]]
    await _notices(app, recipients, people["Claire"], 9)
    transport = MeetingTransport(together=3)
    assert await Dispatcher(app.services, {"console": transport}).run_once() == 9
    assert transport.most_active == 3
    async with app.services.uow() as uow:
        rows = await uow.outbox.find(kind="delivery_failed")
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)
    for chat in ("karim", "sophie", "amina"):
        ids = [outbox_id for to, outbox_id in transport.keys if to == chat]
        assert len(ids) == 3 and ids == sorted(ids)


async def test_a_platform_asking_to_slow_down_is_obeyed_without_giving_up(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    refusals = [DeliveryError("429: retry after 3", retry_after=3) for _ in range(12)]
    transport = RecordingTransport(failures=refusals)
    dispatcher = Dispatcher(app.services, {"console": transport})
    await _notices(app, [people["Karim"]], people["Sophie"], 1)
    for _ in range(12):  # more refusals than MAX_ATTEMPTS (8)
        await dispatcher.run_once()
        clock.advance(timedelta(seconds=3))
    await dispatcher.run_once()
    async with app.services.uow() as uow:
        [row] = await uow.outbox.find(recipient_id=people["Karim"].id)
    assert row.sent_at is not None and row.failed_at is None and row.attempts == 1
    assert transport.texts_to("karim")


async def test_rate_limits_count_as_attempts_after_hours_of_refusals(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    transport = RecordingTransport(failures=[DeliveryError("429", retry_after=1)])
    await _notices(app, [people["Karim"]], people["Sophie"], 1)
    clock.advance(timedelta(hours=7))
    await Dispatcher(app.services, {"console": transport}).run_once()
    async with app.services.uow() as uow:
        [row] = await uow.outbox.find(recipient_id=people["Karim"].id)
    assert row.sent_at is None and row.attempts == 1


async def test_an_offer_refused_for_good_is_told_to_its_author_once(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    refusal = DeliveryError("blocked by user", permanent=True)
    transport = RecordingTransport(failures=[refusal])
    dispatcher = Dispatcher(app.services, {"console": transport})
    await _ask(app, people["Amina"], "souci avec ameli, un seul message")
    await dispatcher.run_once()
    author = people["Amina"].id
    async with app.services.uow() as uow:
        told = await uow.outbox.find(recipient_id=author, kind=outbox.OFFER_UNDELIVERED)
    assert len(told) == 1 and told[0].sent_at is not None
    told_texts = transport.texts_to("amina")
    assert any("Je n'ai pas pu envoyer votre demande #1" in text for text in told_texts)
    transport.failures.append(refusal)  # an hour later, still refused: not told again
    clock.advance(outbox.STUCK_RETRY)
    await dispatcher.run_once()
    async with app.services.uow() as uow:
        assert len(await uow.outbox.find(recipient_id=author, kind=outbox.OFFER_UNDELIVERED)) == 1


async def test_no_undelivered_offer_notice_for_a_request_no_longer_waiting(
    app: App, people: dict[str, Member]
) -> None:
    transport = RecordingTransport(failures=[DeliveryError("blocked by user", permanent=True)])
    dispatcher = Dispatcher(app.services, {"console": transport})
    request_id = await _ask(app, people["Amina"], "souci avec ameli, un seul message")
    await claims.cancel(app.services, request_id, people["Amina"])
    await dispatcher.run_once()
    async with app.services.uow() as uow:
        assert not await uow.outbox.find(kind=outbox.OFFER_UNDELIVERED)
