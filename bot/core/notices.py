"""The notices the use-cases queue for the outbox: a kind and a typed payload each.

A notice is stored as its kind (the `NoticeKind` value, a stable string: rows already queued
by an older version keep rendering) and its payload's fields as JSON; it is worded in
`bot.chat.notifications` at delivery time. `encode` and `decode` are the only way between the
two; a stored row whose kind is unknown, or whose payload does not parse, raises
`NoticeError` (the dispatcher keeps it pending with that reason and logs an error).
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, TypeAlias, Union, get_args, get_origin, get_type_hints


class NoticeKind(StrEnum):
    """What a queued message is about (values: the strings stored in the outbox)."""

    OFFER = "offer"
    CHOICE_OUTCOME = "choice_outcome"
    # Queued before choices were remembered: edits of the offers' messages.
    OFFER_TAKEN = "offer_taken"
    OFFER_WITHDRAWN = "offer_withdrawn"
    CLAIMED = "claimed"
    ASSIGNED = "assigned"
    RELEASED = "released"
    RELAY = "relay"
    CONFIRM_SOLVED = "confirm_solved"
    CLOSED = "closed"
    NOT_SOLVED = "not_solved"
    CANCELLED = "cancelled"
    SKILL_GAP = "skill_gap"
    ESCALATED = "escalated"
    ANNOUNCE_REQUEST = "announce_request"  # to a group chat, not to a member
    DELIVERY_FAILED = "delivery_failed"
    OFFER_UNDELIVERED = "offer_undelivered"
    PRIVATE_CHAT_MOVED = "private_chat_moved"
    GIVEN_BACK = "given_back"
    SESSION_ANNOUNCE = "session_announce"
    SESSION_REMINDER = "session_reminder"
    SESSION_CHANGED = "session_changed"
    SESSION_CANCELLED = "session_cancelled"
    SESSION_INCOMPLETE = "session_incomplete"
    SESSION_ATTENDANCE = "session_attendance"
    SESSION_NOTES = "session_notes"
    SESSION_SUGGESTIONS = "session_suggestions"
    DIGEST = "digest"
    TUTORIAL_REVIEW = "tutorial_review"
    TUTORIAL_FLAGGED = "tutorial_flagged"
    TUTORIAL_CREDIT = "tutorial_credit"
    TUTORIAL_CHANGE = "tutorial_change"
    JOB_FAILED = "job_failed"
    SKILL_REVIEWED = "skill_reviewed"


class NoticeError(ValueError):
    """A stored notice that cannot be read: unknown kind, or a payload that does not parse."""


# Payloads shared by a family of kinds carry their kind as a field; the others as a constant.


@dataclass(frozen=True, slots=True)
class AboutRequest:
    """A notice whose wording needs only its request (offers, claims, alerts…)."""

    kind: NoticeKind
    request_id: int


@dataclass(frozen=True, slots=True)
class ChoiceOutcome:
    """The edit of a message that showed a request's buttons: what became of the request."""

    kind: ClassVar[NoticeKind] = NoticeKind.CHOICE_OUTCOME
    request_id: int
    choice_id: int
    outcome: str  # a `bot.core.choices.Outcome` value (an unknown one renders to nothing)
    actor_id: int | None = None


@dataclass(frozen=True, slots=True)
class Released:
    """Told to a request's author: its helper gave it back."""

    kind: ClassVar[NoticeKind] = NoticeKind.RELEASED
    request_id: int
    helper: str | None = None  # the name of who gave it back (none when erased)


@dataclass(frozen=True, slots=True)
class RelayNotice:
    """A message passed on to the other side of a request."""

    kind: ClassVar[NoticeKind] = NoticeKind.RELAY
    request_id: int
    relay_id: int
    sender: str | None = None


@dataclass(frozen=True, slots=True)
class Closed:
    """Told to a request's helper: its author confirmed it is solved."""

    kind: ClassVar[NoticeKind] = NoticeKind.CLOSED
    request_id: int
    thanked: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryFailed:
    """Told to coordinators: a message to `member_id` cannot be delivered."""

    kind: ClassVar[NoticeKind] = NoticeKind.DELIVERY_FAILED
    member_id: int
    failed_kind: str = dataclasses.field(default="", metadata={"stored_as": "kind"})
    # The message itself cannot be worded by this version (damaged, or from another one):
    # the member may well be reachable.
    unreadable: bool = False


@dataclass(frozen=True, slots=True)
class PrivateChatMoved:
    """Told to a member: their private chat with the bot moved (someone came in)."""

    kind: ClassVar[NoticeKind] = NoticeKind.PRIVATE_CHAT_MOVED
    platform: str
    left_chat: str


@dataclass(frozen=True, slots=True)
class GivenBack:
    """The text of a member's message that the bot kept and gives back."""

    kind: ClassVar[NoticeKind] = NoticeKind.GIVEN_BACK
    text: str = ""


@dataclass(frozen=True, slots=True)
class AboutSession:
    """A notice about an exchange session (announce, change, cancellation…)."""

    kind: NoticeKind
    session_id: int


@dataclass(frozen=True, slots=True)
class SessionReminder:
    """A reminder, `days` before an exchange session."""

    kind: ClassVar[NoticeKind] = NoticeKind.SESSION_REMINDER
    session_id: int
    days: int = 1


@dataclass(frozen=True, slots=True)
class DigestNotice:
    """The coordinators' weekly digest, for a period."""

    kind: ClassVar[NoticeKind] = NoticeKind.DIGEST
    since: datetime
    until: datetime


@dataclass(frozen=True, slots=True)
class AboutTutorial:
    """A notice to coordinators about a tutorial (review, flag, change)."""

    kind: NoticeKind
    tutorial_id: int


@dataclass(frozen=True, slots=True)
class TutorialCredit:
    """Told to a request's author: their case became a tutorial."""

    kind: ClassVar[NoticeKind] = NoticeKind.TUTORIAL_CREDIT
    tutorial_id: int
    request_id: int


@dataclass(frozen=True, slots=True)
class JobFailed:
    """Told to coordinators: a periodic job failed."""

    kind: ClassVar[NoticeKind] = NoticeKind.JOB_FAILED
    job: str  # a `bot.core.periodic.JobName` value


@dataclass(frozen=True, slots=True)
class SkillReviewed:
    """Told to the members who declared a proposed skill: coordinators made it a skill of the
    network, or replaced it (`replacement_id`) by a known one in their profile."""

    kind: ClassVar[NoticeKind] = NoticeKind.SKILL_REVIEWED
    proposal_id: int
    replacement_id: int | None = None


Notice: TypeAlias = (
    AboutRequest
    | ChoiceOutcome
    | Released
    | RelayNotice
    | Closed
    | DeliveryFailed
    | PrivateChatMoved
    | GivenBack
    | AboutSession
    | SessionReminder
    | DigestNotice
    | AboutTutorial
    | TutorialCredit
    | JobFailed
    | SkillReviewed
)

_K = NoticeKind
# The payload of each kind.
PAYLOADS: Mapping[NoticeKind, type[Notice]] = types.MappingProxyType(
    {
        **dict.fromkeys(
            (
                _K.OFFER,
                _K.OFFER_TAKEN,
                _K.OFFER_WITHDRAWN,
                _K.CLAIMED,
                _K.ASSIGNED,
                _K.CONFIRM_SOLVED,
                _K.NOT_SOLVED,
                _K.CANCELLED,
                _K.SKILL_GAP,
                _K.ESCALATED,
                _K.ANNOUNCE_REQUEST,
                _K.OFFER_UNDELIVERED,
            ),
            AboutRequest,
        ),
        **dict.fromkeys(
            (
                _K.SESSION_ANNOUNCE,
                _K.SESSION_CHANGED,
                _K.SESSION_CANCELLED,
                _K.SESSION_INCOMPLETE,
                _K.SESSION_ATTENDANCE,
                _K.SESSION_NOTES,
                _K.SESSION_SUGGESTIONS,
            ),
            AboutSession,
        ),
        **dict.fromkeys(
            (_K.TUTORIAL_REVIEW, _K.TUTORIAL_FLAGGED, _K.TUTORIAL_CHANGE), AboutTutorial
        ),
        _K.CHOICE_OUTCOME: ChoiceOutcome,
        _K.RELEASED: Released,
        _K.RELAY: RelayNotice,
        _K.CLOSED: Closed,
        _K.DELIVERY_FAILED: DeliveryFailed,
        _K.PRIVATE_CHAT_MOVED: PrivateChatMoved,
        _K.GIVEN_BACK: GivenBack,
        _K.SESSION_REMINDER: SessionReminder,
        _K.DIGEST: DigestNotice,
        _K.TUTORIAL_CREDIT: TutorialCredit,
        _K.JOB_FAILED: JobFailed,
        _K.SKILL_REVIEWED: SkillReviewed,
    }
)


def _stored_name(field: dataclasses.Field[Any]) -> str:
    return str(field.metadata.get("stored_as", field.name))


def _payload_fields(cls: type[Notice]) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(cls) if f.name != "kind"]


def encode(notice: Notice) -> tuple[NoticeKind, dict[str, Any]]:
    """The kind and the JSON parameters a notice is stored as."""
    if PAYLOADS.get(notice.kind) is not type(notice):
        raise NoticeError(f"a {type(notice).__name__} cannot be a {notice.kind!r} notice")
    params: dict[str, Any] = {}
    for field in _payload_fields(type(notice)):
        value = getattr(notice, field.name)
        params[_stored_name(field)] = value.isoformat() if isinstance(value, datetime) else value
    return notice.kind, params


def _parse(kind: str, name: str, hint: Any, value: object) -> object:
    """A stored value checked against its field's type (datetimes are stored as ISO text)."""
    allowed = get_args(hint) if get_origin(hint) in (Union, types.UnionType) else (hint,)
    if value is None and type(None) in allowed:
        return None
    for expected in allowed:
        if expected is datetime and isinstance(value, str):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                continue
        if expected is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if expected in (str, bool) and isinstance(value, expected):
            return value
    raise NoticeError(f"{kind} notice: {name}={value!r} is not a {hint}")


def decode(kind: str, params: Mapping[str, Any]) -> Notice:
    """The notice a stored row holds (keys it does not know are ignored: older rows)."""
    try:
        known = NoticeKind(kind)
    except ValueError:
        raise NoticeError(f"unknown notice kind {kind!r}") from None
    cls = PAYLOADS[known]
    hints = get_type_hints(cls)
    values: dict[str, object] = {}
    for field in _payload_fields(cls):
        stored = _stored_name(field)
        if stored not in params:
            if field.default is dataclasses.MISSING:
                raise NoticeError(f"{kind} notice: {stored} is missing")
            continue
        values[field.name] = _parse(kind, stored, hints[field.name], params[stored])
    if "kind" in {f.name for f in dataclasses.fields(cls)}:
        values["kind"] = known
    return cls(**values)  # type: ignore[arg-type]
