"""Several workers on one database: heartbeats, takeover of a dead worker's rows, deferral."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import App
from bot.chat.types import Deferred, Incoming
from bot.core import outbox
from bot.core.clock import FixedClock
from bot.core.types import Member, Role
from bot.delivery import Dispatcher
from bot.transports.base import DeliveryError
from tests.helpers import Conversation, RecordingTransport

TAKEOVER = timedelta(seconds=15)


@pytest.fixture
async def people(chat: Conversation) -> dict[str, Member]:
    for name in ("Amina", "Karim"):
        await chat.join(name)
    await chat.join("Claire", Role.COORDINATOR)
    return {name: await chat.member(name) for name in ("Amina", "Karim", "Claire")}


async def _queue(app: App, recipient: Member, about: Member, count: int) -> None:
    async with app.services.uow() as uow:
        for index in range(count):
            await uow.outbox.enqueue(
                recipient_id=recipient.id,
                kind="delivery_failed",
                params={"member_id": about.id, "n": index},
                now=app.services.clock.now(),
                dedup_key=f"w:{recipient.id}:{index}",
            )
        await uow.commit()


class DiesWhileSending(RecordingTransport):
    """The worker process dies during its first send (after the platform got the message)."""

    async def send(self, chat_id: str, message: object, *, key: str | None = None) -> str:
        self.keys.append(key)
        raise SystemExit("killed")

    keys: list[str | None]


async def test_a_silent_workers_rows_are_taken_over_after_the_takeover_delay(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    await _queue(app, people["Karim"], people["Claire"], 3)
    services = app.services
    await outbox.heartbeat(services, "dead")
    claimed = await outbox.claim_due(services, "dead", takeover_after=TAKEOVER)
    assert len(claimed) == 1  # one at a time per recipient, in order
    await outbox.begin_attempt(services, claimed[0].id)  # then the process dies

    alive = Dispatcher(
        services, {"console": RecordingTransport()}, worker="alive", takeover_after=TAKEOVER
    )
    clock.advance(timedelta(seconds=5))
    await outbox.heartbeat(services, "alive")
    assert await alive.run_once() == 0  # "dead" was seen 5 s ago: its rows stay its own

    clock.advance(timedelta(seconds=11))
    transport = alive.transports["console"]
    assert isinstance(transport, RecordingTransport)
    assert await alive.run_once() == 3
    assert len(transport.sent) == 3
    async with services.uow() as uow:
        rows = await uow.outbox.find(kind="delivery_failed")
    assert all(row.sent_at is not None and row.attempted_at is None for row in rows)
    assert {row.attempts for row in rows} == {1}


async def test_the_attempt_is_recorded_before_the_send_with_a_stable_key(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    await _queue(app, people["Karim"], people["Claire"], 1)
    dying = DiesWhileSending()
    dying.keys = []
    with pytest.raises(SystemExit):
        await Dispatcher(app.services, {"console": dying}, worker="w1").run_once()
    async with app.services.uow() as uow:
        [row] = await uow.outbox.find(kind="delivery_failed")
    assert row.attempted_at == clock.now() and row.sent_at is None
    assert dying.keys == [f"samu-outbox-{row.id}"]


async def test_a_failed_attempt_clears_the_mark_and_keeps_the_key(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    await _queue(app, people["Karim"], people["Claire"], 1)
    transport = RecordingTransport(failures=[DeliveryError("timeout")])
    dispatcher = Dispatcher(app.services, {"console": transport})
    await dispatcher.run_once()
    async with app.services.uow() as uow:
        [row] = await uow.outbox.find(kind="delivery_failed")
    assert row.attempted_at is None and row.attempts == 1 and row.sent_at is None


async def test_a_clean_stop_frees_the_claimed_rows_at_once(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    await _queue(app, people["Karim"], people["Claire"], 2)
    services = app.services
    claimed = await outbox.claim_due(services, "leaving")
    assert len(claimed) == 1
    assert await outbox.claim_due(services, "other") == []
    await Dispatcher(services, {}, worker="leaving").leave()
    assert [m.id for m in await outbox.claim_due(services, "other")] == [claimed[0].id]


async def test_messages_for_a_network_served_by_another_worker_are_left_to_it(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    await _queue(app, people["Karim"], people["Claire"], 2)
    here = RecordingTransport("telegram")
    standby = Dispatcher(app.services, {"telegram": here}, worker="standby")
    standby.leave_to_another_worker("console")  # Karim's identity is on a network the leader serves
    assert await standby.run_once() == 1  # the first one is deferred; the second waits behind
    assert here.sent == []
    leader = Dispatcher(app.services, {"console": RecordingTransport()}, worker="leader")
    assert await leader.run_once() == 0  # deferred for a moment, in order
    clock.advance(timedelta(seconds=3))
    assert await leader.run_once() == 2
    async with app.services.uow() as uow:
        rows = await uow.outbox.find(kind="delivery_failed")
    assert all(row.sent_at is not None and row.attempts == 1 for row in rows)


async def test_a_message_left_half_handled_by_a_dead_worker_is_given_back_not_redone(
    app: App, clock: FixedClock
) -> None:
    services = app.services
    async with services.uow() as uow:  # a worker started "/demande …" then died
        await uow.outbox.heartbeat("dead", clock.now())
        await uow.events.start(
            "telegram", "501", worker="dead", now=clock.now(), dead_before=clock.now()
        )
        await uow.commit()
    clock.advance(timedelta(minutes=1))
    incoming = Incoming(
        platform="telegram", user_id="42", chat_id="42", text="/demande souci ameli", event_id="501"
    )
    [notice] = await app.router.handle(incoming)
    assert "« /demande souci ameli »" in notice.text
    assert "Il n'a peut-être pas été traité." in notice.text
    assert await app.router.handle(incoming) == []  # a later repeat is ignored


async def test_a_message_another_live_worker_handles_is_looked_at_again_later(
    app: App, clock: FixedClock
) -> None:
    services = app.services
    async with services.uow() as uow:  # received twice: the other worker is still at it
        await uow.outbox.heartbeat("other", clock.now())
        await uow.events.start(
            "telegram", "502", worker="other", now=clock.now(), dead_before=clock.now()
        )
        await uow.commit()
    incoming = Incoming(
        platform="telegram", user_id="42", chat_id="42", text="/aide", event_id="502"
    )
    with pytest.raises(Deferred) as deferred:
        await app.router.handle(incoming)
    assert deferred.value.replies == []
    assert deferred.value.wait == services.worker.takeover_after.total_seconds() / 4


async def test_a_members_half_handled_message_comes_back_through_the_outbox(
    app: App, people: dict[str, Member], clock: FixedClock
) -> None:
    services = app.services
    karim = people["Karim"]
    async with services.uow() as uow:
        await uow.members.add_identity(
            member_id=karim.id,
            platform="telegram",
            platform_user_id="4242",
            chat_id="4242",
            now=clock.now(),
        )
        await uow.outbox.heartbeat("dead", clock.now())
        await uow.events.start(
            "telegram", "503", worker="dead", now=clock.now(), dead_before=clock.now()
        )
        await uow.commit()
    clock.advance(timedelta(minutes=1))
    incoming = Incoming(
        platform="telegram",
        user_id="4242",
        chat_id="4242",
        text="/demande souci caf",
        event_id="503",
    )
    assert await app.router.handle(incoming) == []  # queued with the event's end: crash-proof
    telegram = RecordingTransport("telegram")
    await Dispatcher(services, {"telegram": telegram}).run_once()
    [(chat, notice)] = telegram.sent
    assert chat == "4242"
    assert "« /demande souci caf »" in notice.text
    assert [action.payload for action in notice.actions] == ["/mesdemandes"]
    assert await app.router.handle(incoming) == []
