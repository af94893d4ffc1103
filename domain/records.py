"""The core's records and enums: plain, immutable data that storage hands out.

Repositories never leak ORM objects: a record is safe to keep after its session is closed and
carries no database behaviour, so the layers above can pass it around freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from skills import SkillLevel


class Role(StrEnum):
    """What a member may do in the network."""

    MEMBER = "member"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Order of privilege: a higher rank may do everything a lower one may."""
        return {"member": 1, "coordinator": 2, "admin": 3}[self.value]

    def allows(self, required: Role) -> bool:
        """Whether a member of this role may use something that requires `required`."""
        return self.rank >= required.rank


class MemberStatus(StrEnum):
    """Whether a member currently takes part."""

    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class SkillSource(StrEnum):
    """Where a skill comes from: the shipped taxonomy, a member's proposal, or the network's
    own taxonomy (a proposal a coordinator validated); a proposal a coordinator replaced by
    another skill is kept, empty, to answer old buttons truthfully."""

    TAXONOMY = "taxonomy"
    PROPOSED = "proposed"
    NETWORK = "network"
    REPLACED = "replaced"


@dataclass(frozen=True, slots=True)
class Structure:
    """A partner organisation of the network."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Member:
    """A person of the network, whatever chat networks they use."""

    id: int
    display_name: str
    role: Role
    locale: str
    status: MemberStatus
    structure_id: int | None
    structure_name: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Identity:
    """One account of a member on one chat network."""

    id: int
    member_id: int
    platform: str
    platform_user_id: str
    chat_id: str
    preferred: bool


@dataclass(frozen=True, slots=True)
class Invite:
    """An invitation code that turns a stranger into a member."""

    id: int
    code: str
    role: Role
    structure_id: int | None
    max_uses: int
    uses: int
    expires_at: datetime | None
    revoked: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class JoinTries:
    """How many invitation codes one account tried since the start of its current window."""

    tries: int
    window_started_at: datetime


@dataclass(frozen=True, slots=True)
class SkillRow:
    """A skill as stored: taxonomy-seeded or proposed by a member."""

    id: int
    slug: str
    label_fr: str
    label_en: str
    source: SkillSource

    def label(self, locale: str) -> str:
        """The label in the given language (English for `en*`, French otherwise)."""
        return self.label_en if locale.startswith("en") else self.label_fr


@dataclass(frozen=True, slots=True)
class MemberSkill:
    """A skill a member declared, with their level."""

    skill: SkillRow
    level: SkillLevel


@dataclass(frozen=True, slots=True)
class NetworkSkill:
    """A skill of the network's own taxonomy: a proposal a coordinator validated."""

    id: int
    slug: str
    label_fr: str
    label_en: str
    aliases: tuple[str, ...]
    parent: str | None
    """The slug of the taxonomy skill it is a case of, if any."""


@dataclass(frozen=True, slots=True)
class ProposedSkill:
    """A skill no taxonomy entry matched, kept for coordinators to review."""

    skill: SkillRow
    proposed_by: str | None
    member_count: int


@dataclass(frozen=True, slots=True)
class DialogState:
    """Where a member is in a multi-step conversation."""

    member_id: int
    kind: str
    step: str
    data: dict[str, Any]
    updated_at: datetime


class RequestStatus(StrEnum):
    """Where a help request stands (the transitions live in `bot/core/request_states.py`)."""

    DRAFT = "draft"
    OPEN = "open"
    OFFERED = "offered"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Urgency(StrEnum):
    """How soon the author needs help."""

    TODAY = "today"
    WEEK = "week"
    NO_RUSH = "no_rush"


class OfferState(StrEnum):
    """What became of an offer made to a helper."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    TAKEN = "taken"
    RELEASED = "released"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class HelpRequest:
    """A help request with the names of the people involved and its skills."""

    id: int
    author_id: int | None
    author_name: str | None
    author_structure: str | None
    text: str | None
    urgency: Urgency
    status: RequestStatus
    helper_id: int | None
    helper_name: str | None
    round: int
    created_at: datetime
    claimed_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    alerted_at: datetime | None
    next_check_at: datetime | None
    skills: tuple[SkillRow, ...]


@dataclass(frozen=True, slots=True)
class Moved:
    """A request as the conditional UPDATE that moved it left it (read in that statement, so
    it is what was really changed, not an earlier reading another person may have outdated)."""

    status: RequestStatus
    author_id: int | None
    helper_id: int | None


@dataclass(frozen=True, slots=True)
class Offer:
    """A request offered to one helper."""

    request_id: int
    helper_id: int
    state: OfferState
    round: int
    offered_at: datetime


@dataclass(frozen=True, slots=True)
class RelayMessage:
    """One message of the conversation between author and helper."""

    id: int
    request_id: int
    sender_id: int | None
    text: str | None
    created_at: datetime
    held: bool = False
    """Stored, not passed on yet (personal data found, its author has not chosen)."""


@dataclass(frozen=True, slots=True)
class StoredAttachment:
    """A file a member sent, as kept (its content is read separately, only to send it).

    With a request (`relay_id` None) or a message of its thread; with neither while its
    sender has not said where it goes.
    """

    id: int
    sender_id: int | None
    request_id: int | None
    relay_id: int | None
    filename: str
    media_type: str
    size: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to queue with the outbox: for a member, or for a chat `target`."""

    recipient_id: int | None
    kind: str
    params: dict[str, Any]
    dedup_key: str | None = None
    not_before: datetime | None = None
    target: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message waiting to be (or already) delivered to a member."""

    id: int
    recipient_id: int | None
    kind: str
    params: dict[str, Any]
    attempts: int
    not_before: datetime
    dedup_key: str | None
    sent_at: datetime | None
    failed_at: datetime | None
    platform: str | None
    chat_id: str | None
    delivery_ref: str | None
    last_error: str | None
    target_platform: str | None = None
    target_chat: str | None = None
    # A send began and its outcome was never recorded (the worker died): maybe delivered.
    attempted_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    """What the outbox still holds, for the operators' monitoring.

    `due`: messages whose time has come, not yet delivered (and not given up on); `scheduled`:
    those kept for later (quiet hours, a session reminder); `undeliverable`: those tried too
    often, now retried hourly. `oldest_due`: when the longest-waiting due message was due.
    """

    due: int
    scheduled: int
    undeliverable: int
    oldest_due: datetime | None


@dataclass(frozen=True, slots=True)
class ShownAction:
    """One action of a list the bot showed: its label and the command it stands for."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Choice:
    """A message the bot showed in a chat: the request it is about and the list it offered.

    `answer` names the group of messages shown together (one answer to a person, or one
    notice); in a chat, the newest group with a list supersedes the older ones.
    """

    id: int
    platform: str
    chat_id: str
    message_ref: str
    member_id: int
    request_id: int | None
    origin: str
    answer: str
    actions: tuple[ShownAction, ...]
    first_number: int
    shown_at: datetime
    closed_at: datetime | None

    def numbered(self, number: int) -> ShownAction | None:
        """The action shown with this number, if this message showed it."""
        index = number - self.first_number
        return self.actions[index] if 0 <= index < len(self.actions) else None

    def at(self, position: int) -> ShownAction | None:
        """The action shown at this place of the message (1 = first), if there is one."""
        return self.actions[position - 1] if 1 <= position <= len(self.actions) else None

    def offers(self, payload: str) -> bool:
        """Whether this message showed an action standing for `payload`."""
        return any(action.payload == payload for action in self.actions)


@dataclass(frozen=True, slots=True)
class NewChoice:
    """A message just shown, to remember (see `Choice`)."""

    platform: str
    chat_id: str
    message_ref: str
    member_id: int
    request_id: int | None
    origin: str
    answer: str
    actions: tuple[ShownAction, ...]
    first_number: int = 1


class TutorialStatus(StrEnum):
    """Where a tutorial stands: written, waiting for a coordinator, public, or out of date."""

    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"
    OUTDATED = "outdated"


@dataclass(frozen=True, slots=True)
class TutorialSkill:
    """A skill a tutorial is about, with its labels."""

    slug: str
    label_fr: str
    label_en: str


@dataclass(frozen=True, slots=True)
class Tutorial:
    """An entry of the shared tutorial base, complete (for reading and exporting)."""

    id: int
    title: str
    problem: str
    steps: tuple[str, ...]
    skills: tuple[TutorialSkill, ...]
    themes: tuple[str, ...]
    audience: tuple[str, ...]
    status: TutorialStatus
    language: str
    licence: str
    request_id: int | None
    authors: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    checked_at: datetime
    published_at: datetime | None
    helped_count: int
    flag_count: int
    author_id: int | None = None
    asker_id: int | None = None

    @property
    def published(self) -> bool:
        """Whether members can find it (published, possibly out of date)."""
        return self.status in (TutorialStatus.PUBLISHED, TutorialStatus.OUTDATED)


@dataclass(frozen=True, slots=True)
class TutorialRevision:
    """A change to a reviewed tutorial, waiting for a coordinator (the texts as changed)."""

    tutorial_id: int
    author_id: int | None
    title: str
    problem: str
    steps: tuple[str, ...]
    audience: tuple[str, ...]
    themes: tuple[str, ...]
    created_at: datetime
    updated_at: datetime


class SessionStatus(StrEnum):
    """Where an exchange session stands."""

    PLANNED = "planned"
    CANCELLED = "cancelled"


class RsvpAnswer(StrEnum):
    """A member's answer to a session invitation."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


@dataclass(frozen=True, slots=True)
class ExchangeSession:
    """A session, with the answers counted."""

    id: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    place: str | None
    agenda: str | None
    notes: str | None
    status: SessionStatus
    sequence: int
    coming: int
    maybe: int


class EventStart(StrEnum):
    """What receiving an event means for the worker that received it."""

    NEW = "new"  # first time: handle it
    DONE = "done"  # handled already: a repeat, ignore it
    BUSY = "busy"  # a live worker is handling it: ignore it
    MINE = "mine"  # this worker started it (e.g. before a database outage): go on
    ORPHANED = "orphaned"  # its worker died before finishing: now this worker's
