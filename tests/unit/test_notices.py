"""The notices the use-cases queue: one kind each, a typed payload, stored as plain JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.notices import (
    PAYLOADS,
    AboutRequest,
    AboutSession,
    AboutTutorial,
    ChoiceOutcome,
    Closed,
    DeliveryFailed,
    DigestNotice,
    GivenBack,
    JobFailed,
    Notice,
    NoticeError,
    NoticeKind,
    PrivateChatMoved,
    RelayNotice,
    Released,
    SessionReminder,
    SkillReviewed,
    TutorialCredit,
    decode,
    encode,
)

K = NoticeKind
SINCE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UNTIL = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)

# How each kind was stored before it had a type (the rows of a running installation): the
# same strings and keys, so that they keep rendering once this version is deployed.
STORED: dict[NoticeKind, dict[str, Any]] = {
    K.OFFER: {"request_id": 3},
    K.CHOICE_OUTCOME: {"request_id": 3, "choice_id": 7, "outcome": "taken", "actor_id": None},
    K.OFFER_TAKEN: {"request_id": 3},
    K.OFFER_WITHDRAWN: {"request_id": 3},
    K.CLAIMED: {"request_id": 3},
    K.ASSIGNED: {"request_id": 3},
    K.RELEASED: {"request_id": 3, "helper": "Karim"},
    K.RELAY: {"request_id": 3, "relay_id": 12, "sender": "Amina"},
    K.CONFIRM_SOLVED: {"request_id": 3},
    K.CLOSED: {"request_id": 3, "thanked": True},
    K.NOT_SOLVED: {"request_id": 3},
    K.CANCELLED: {"request_id": 3},
    K.SKILL_GAP: {"request_id": 3},
    K.ESCALATED: {"request_id": 3},
    K.ANNOUNCE_REQUEST: {"request_id": 3},
    K.DELIVERY_FAILED: {"member_id": 4, "kind": "offer", "unreadable": True},
    K.OFFER_UNDELIVERED: {"request_id": 3},
    K.PRIVATE_CHAT_MOVED: {"platform": "matrix", "left_chat": "!room:example.org"},
    K.GIVEN_BACK: {"text": "Bonjour, je reviens."},
    K.SESSION_ANNOUNCE: {"session_id": 2},
    K.SESSION_REMINDER: {"session_id": 2, "days": 3},
    K.SESSION_CHANGED: {"session_id": 2},
    K.SESSION_CANCELLED: {"session_id": 2},
    K.SESSION_INCOMPLETE: {"session_id": 2},
    K.SESSION_ATTENDANCE: {"session_id": 2},
    K.SESSION_NOTES: {"session_id": 2},
    K.SESSION_SUGGESTIONS: {"session_id": 2},
    K.DIGEST: {"since": SINCE.isoformat(), "until": UNTIL.isoformat()},
    K.TUTORIAL_REVIEW: {"tutorial_id": 5},
    K.TUTORIAL_FLAGGED: {"tutorial_id": 5},
    K.TUTORIAL_CREDIT: {"tutorial_id": 5, "request_id": 3},
    K.TUTORIAL_CHANGE: {"tutorial_id": 5},
    K.JOB_FAILED: {"job": "purge"},
    K.SKILL_REVIEWED: {"proposal_id": 8, "replacement_id": 2},
}

EXPECTED: dict[NoticeKind, Notice] = {
    K.CHOICE_OUTCOME: ChoiceOutcome(3, 7, "taken", None),
    K.RELEASED: Released(3, "Karim"),
    K.RELAY: RelayNotice(3, 12, "Amina"),
    K.CLOSED: Closed(3, thanked=True),
    K.DELIVERY_FAILED: DeliveryFailed(4, "offer", unreadable=True),
    K.PRIVATE_CHAT_MOVED: PrivateChatMoved("matrix", "!room:example.org"),
    K.GIVEN_BACK: GivenBack("Bonjour, je reviens."),
    K.SESSION_REMINDER: SessionReminder(2, days=3),
    K.DIGEST: DigestNotice(SINCE, UNTIL),
    K.TUTORIAL_CREDIT: TutorialCredit(5, 3),
    K.JOB_FAILED: JobFailed("purge"),
    K.SKILL_REVIEWED: SkillReviewed(8, 2),
}


def _expected(kind: NoticeKind) -> Notice:
    if kind in EXPECTED:
        return EXPECTED[kind]
    family = PAYLOADS[kind]
    if family is AboutRequest:
        return AboutRequest(kind, 3)
    if family is AboutSession:
        return AboutSession(kind, 2)
    assert family is AboutTutorial
    return AboutTutorial(kind, 5)


def test_every_kind_has_a_payload_and_keeps_the_string_it_was_stored_as() -> None:
    assert set(PAYLOADS) == set(NoticeKind) == set(STORED)
    assert len(NoticeKind) == 34
    assert {kind.value for kind in NoticeKind} >= {"offer", "relay", "digest", "job_failed"}


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_a_row_stored_before_the_types_reads_as_its_notice_and_back(kind: NoticeKind) -> None:
    stored = json.loads(json.dumps(STORED[kind]))  # as the database gives it back
    notice = decode(kind.value, stored)
    assert notice == _expected(kind)
    assert notice.kind is kind
    assert encode(notice) == (kind, STORED[kind])
    assert json.loads(json.dumps(encode(notice)[1])) == STORED[kind]  # plain JSON


def test_optional_fields_missing_from_older_rows_take_their_default() -> None:
    assert decode("released", {"request_id": 3}) == Released(3, None)  # after an erasure
    assert decode("closed", {"request_id": 3}) == Closed(3, thanked=False)
    assert decode("session_reminder", {"session_id": 2}) == SessionReminder(2, days=1)
    assert decode("delivery_failed", {"member_id": 4, "kind": "offer"}) == DeliveryFailed(
        4, "offer", unreadable=False
    )
    # Keys it does not know are ignored (a test's marker, a field no longer used).
    assert decode("delivery_failed", {"member_id": 4, "n": 1}) == DeliveryFailed(4, "")


@pytest.mark.parametrize(
    ("kind", "params", "why"),
    [
        ("welcome", {}, "unknown notice kind 'welcome'"),
        ("Offer", {"request_id": 3}, "unknown notice kind 'Offer'"),
        ("offer", {}, "request_id is missing"),
        ("offer", {"request_id": "3"}, "request_id='3'"),
        ("offer", {"request_id": True}, "request_id=True"),
        ("offer", {"request_id": None}, "request_id=None"),
        ("relay", {"request_id": 3, "relay_id": 1.5}, "relay_id=1.5"),
        ("digest", {"since": "last week", "until": UNTIL.isoformat()}, "since='last week'"),
        ("closed", {"request_id": 3, "thanked": "yes"}, "thanked='yes'"),
    ],
)
def test_a_row_that_does_not_parse_says_why(kind: str, params: dict[str, Any], why: str) -> None:
    with pytest.raises(NoticeError, match=why.replace("(", r"\(").replace(".", r"\.")):
        decode(kind, params)


def test_a_payload_cannot_be_queued_under_the_kind_of_another_payload() -> None:
    with pytest.raises(NoticeError):
        encode(AboutRequest(K.RELAY, 3))  # a relay needs its relay id
    with pytest.raises(NoticeError):
        encode(AboutSession(K.OFFER, 3))
