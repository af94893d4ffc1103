"""Every notice kind has a wording, in French and in English; a stored row this version cannot
read is kept pending, loudly, never marked sent."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import App
from bot.chat import notifications
from bot.core import sessions, tutorials
from bot.core.clock import FixedClock
from bot.core.notices import PAYLOADS, NoticeKind
from bot.core.tutorials import Outcome
from bot.core.types import Member, OutboxMessage, Role
from bot.delivery import Dispatcher
from tests.helpers import Conversation, RecordingTransport

K = NoticeKind


def test_every_kind_has_a_wording_for_its_payload() -> None:
    assert set(notifications.RENDERERS) == set(NoticeKind) - {K.ANNOUNCE_REQUEST}
    for kind, wording in notifications.RENDERERS.items():
        assert wording.payload is PAYLOADS[kind], kind
    assert set(NoticeKind) >= notifications.QUIET_KINDS


def _row(kind: str, params: dict[str, Any], recipient: Member | None = None) -> OutboxMessage:
    return OutboxMessage(
        id=1,
        recipient_id=recipient.id if recipient else None,
        kind=kind,
        params=params,
        attempts=0,
        not_before=datetime(2026, 1, 1, tzinfo=UTC),
        dedup_key=None,
        sent_at=None,
        failed_at=None,
        platform=None,
        chat_id=None,
        delivery_ref=None,
        last_error=None,
    )


class _Wordings:
    """Renders stored rows (as older versions stored them) in French and English."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.worded: dict[NoticeKind, list[str]] = {}

    async def word(self, kind: NoticeKind, params: dict[str, Any], recipient: Member) -> None:
        for locale in ("fr", "en"):
            reader = replace(recipient, locale=locale)
            row = _row(kind.value, params, reader)
            shown = await notifications.render(self.app.services, reader, row, "console", "/")
            assert shown is not None, (kind, locale)
            self._check(kind, locale, shown.text)

    async def word_for_chat(self, kind: NoticeKind, params: dict[str, Any]) -> None:
        for locale in ("fr", "en"):
            services = replace(self.app.services, default_locale=locale)
            row = _row(kind.value, params)
            shown = await notifications.render_for_chat(services, row, "console", "/")
            assert shown is not None, (kind, locale)
            self._check(kind, locale, shown.text)

    def _check(self, kind: NoticeKind, locale: str, text: str) -> None:
        assert text.strip(), (kind, locale)
        assert "{" not in text and "}" not in text, (kind, locale, text)  # a missed placeholder
        self.worded.setdefault(kind, []).append(text)


async def test_every_kind_renders_in_french_and_english_from_a_stored_row(
    chat: Conversation, clock: FixedClock
) -> None:
    app = chat.app
    await chat.join("Amina")
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Karim", "ameli (former)")
    amina, karim, claire = [await chat.member(n) for n in ("Amina", "Karim", "Claire")]
    start = clock.now() + timedelta(days=10)
    session = await sessions.create(app.services, start=start, end=start + timedelta(hours=3))
    words = _Wordings(app)
    s = {"session_id": session.id}
    for kind in (
        K.SESSION_ANNOUNCE,
        K.SESSION_CHANGED,
        K.SESSION_INCOMPLETE,
        K.SESSION_ATTENDANCE,
        K.SESSION_NOTES,
        K.SESSION_SUGGESTIONS,
    ):
        await words.word(kind, s, claire)
    await words.word(K.SESSION_REMINDER, {**s, "days": 3}, amina)
    await words.word(
        K.DIGEST,
        {"since": (clock.now() - timedelta(days=7)).isoformat(), "until": clock.now().isoformat()},
        claire,
    )
    await words.word(K.DELIVERY_FAILED, {"member_id": karim.id, "kind": "offer"}, claire)
    await words.word(K.PRIVATE_CHAT_MOVED, {"platform": "console", "left_chat": "old"}, amina)
    await words.word(K.GIVEN_BACK, {"text": "Bonjour, je reviens."}, amina)
    await words.word(K.JOB_FAILED, {"job": "purge"}, claire)

    asked = await chat.say("Amina", "/demande souci ameli pour une attestation")
    number = int(asked.split("#", 1)[1].split()[0])
    r = {"request_id": number}
    await words.word_for_chat(K.ANNOUNCE_REQUEST, r)
    for kind in (K.OFFER, K.OFFER_TAKEN, K.OFFER_WITHDRAWN, K.CANCELLED, K.NOT_SOLVED):
        await words.word(kind, r, karim)
    await words.word(K.CLOSED, {**r, "thanked": True}, karim)
    await words.word(K.RELEASED, {**r, "helper": "Karim"}, amina)
    await words.word(K.RELEASED, r, amina)  # the helper's name erased
    await words.word(K.OFFER_UNDELIVERED, r, amina)
    await words.word(K.SKILL_GAP, r, claire)
    await words.word(K.ESCALATED, r, claire)

    await chat.say("Karim", f"/prendre {number}")
    await words.word(K.CLAIMED, r, amina)
    await words.word(K.ASSIGNED, r, karim)
    await chat.say("Amina", f"/msg {number} Il n'a pas d'adresse mail.")
    async with app.services.uow() as uow:
        [relay] = await uow.outbox.find(recipient_id=karim.id, kind=K.RELAY)
        outcomes = await uow.outbox.find(kind=K.CHOICE_OUTCOME)
    await words.word(K.RELAY, relay.params, karim)
    outcome = outcomes[0]  # the buttons of an earlier message, edited
    recipient = amina if outcome.recipient_id == amina.id else karim
    await words.word(K.CHOICE_OUTCOME, outcome.params, recipient)

    assert "1/3" in await chat.say("Karim", f"/resolu {number} oui")
    await words.word(K.CONFIRM_SOLVED, r, amina)
    assert "2/3" in await chat.say("Karim", "Attestation introuvable.")
    await chat.say("Karim", "Aller sur ameli.fr")
    await chat.say("Karim", "/annuler")
    strict = replace(app.services, tutorials=replace(app.services.tutorials, review_required=True))
    waiting = await tutorials.publish(strict, 1, karim)
    assert waiting.outcome is Outcome.REVIEW
    t = {"tutorial_id": waiting.tutorial.id}
    await words.word(K.TUTORIAL_REVIEW, t, claire)

    await sessions.cancel(app.services, session.id)
    await words.word(K.SESSION_CANCELLED, s, amina)

    # Worded elsewhere in the suite, from states this scenario does not reach: a flagged
    # tutorial (test_tutorial_feedback), a pending change (test_tutorial_revisions), the
    # credit offered to the asker of a published one (test_tutorials), a proposed skill
    # reviewed by coordinators (test_network_skills, in both languages).
    elsewhere = {K.TUTORIAL_FLAGGED, K.TUTORIAL_CHANGE, K.TUTORIAL_CREDIT, K.SKILL_REVIEWED}
    assert set(words.worded) == set(NoticeKind) - elsewhere
    for kind, texts in words.worded.items():
        french, english = texts[0], texts[1]
        assert french != english or kind is K.GIVEN_BACK, kind  # both languages, really


@pytest.mark.parametrize(
    ("kind", "params", "why"),
    [
        ("welcom", {}, "unknown notice kind 'welcom'"),  # a misspelt kind
        ("claimed", {"request_id": "1"}, "request_id='1'"),  # a payload that does not parse
    ],
)
async def test_a_row_that_cannot_be_read_is_kept_pending_loudly_not_marked_sent(
    chat: Conversation,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    params: dict[str, Any],
    why: str,
) -> None:
    app = chat.app
    await chat.join("Amina")
    await chat.join("Claire", Role.COORDINATOR)
    amina = await chat.member("Amina")
    async with app.services.uow() as uow:
        await uow.outbox.enqueue(recipient_id=amina.id, kind=kind, params=params, now=clock.now())
        await uow.outbox.enqueue(
            recipient_id=amina.id, kind="given_back", params={"text": "Après"}, now=clock.now()
        )
        await uow.commit()
    transport = RecordingTransport()
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        await Dispatcher(app.services, {"console": transport}).run_once()
    async with app.services.uow() as uow:
        [row, after] = await uow.outbox.find(recipient_id=amina.id)
        told = await uow.outbox.find(kind=K.DELIVERY_FAILED)
    assert row.sent_at is None and row.failed_at is None  # kept, never "skipped: stale"
    assert row.last_error is not None and why in row.last_error
    assert after.sent_at is not None  # it does not hold back the next message
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any("cannot be worded" in r.getMessage() and why in r.getMessage() for r in errors)
    # The coordinators are told that the message, not the member, is the problem.
    assert [(t.params["member_id"], t.params["kind"]) for t in told] == [(amina.id, kind)]
    [alert] = [text for text in transport.texts_to("claire") if "Amina" in text]
    assert "Je ne peux pas rédiger un message destiné à Amina." in alert
    assert "joindre" not in alert  # not "check they can still be reached"


async def test_a_group_chat_row_that_cannot_be_read_is_kept_pending(
    chat: Conversation, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    app = chat.app
    async with app.services.uow() as uow:
        await uow.outbox.enqueue(
            recipient_id=None,
            kind="request_announce",  # misspelt
            params={"request_id": 1},
            now=clock.now(),
            target=("console", "group"),
        )
        await uow.commit()
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        await Dispatcher(app.services, {"console": RecordingTransport()}).run_once()
    async with app.services.uow() as uow:
        [row] = await uow.outbox.find(kind="request_announce")
    assert row.sent_at is None and row.last_error is not None
    assert "unknown notice kind" in row.last_error
    assert any("cannot be worded" in r.getMessage() for r in caplog.records)
