"""What transports and the conversation layer exchange: plain dataclasses, nothing else.

Text is always plain: transports escape it for their markup (HTML on Telegram and Matrix).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ChatType(StrEnum):
    """Where a message was written."""

    PRIVATE = "private"
    GROUP = "group"


class Attention(StrEnum):
    """Whether a message should make the person's phone ring (the platform's notification).

    The conversation layer decides it for each message; transports render it (Matrix: `m.text`
    for NOTIFY, `m.notice`, which default push rules keep silent, for QUIET).
    """

    NOTIFY = "notify"  # someone should act or read it now: offers, relays, reminders, answers
    QUIET = "quiet"  # information no one needs to be woken by: digests, edits, group notices


class Answer(StrEnum):
    """What an action means as a plain answer, so a platform can offer it as a reaction
    (Matrix: ✅ for yes, ❌ for no, 🤔 for maybe)."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class RoomEvent(StrEnum):
    """Something that happened to a chat rather than a message written in it."""

    JOINED = "joined"  # the bot joined a person's direct chat: greet them
    SHARED = "shared"  # someone else came into a person's private chat with the bot


@dataclass(frozen=True, slots=True)
class Action:
    """A next step offered to the person: a button, a reaction or a numbered choice.

    `payload` is a command line (e.g. `/competences niveau ameli former`), so every action
    also exists as a command a person can type.
    """

    label: str
    payload: str
    answer: Answer | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message (an .ics invitation, a JSON export…)."""

    filename: str
    content: bytes
    media_type: str


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message a person sent to the bot, as a transport saw it.

    `event_id` is the platform's stable id of the event (a Telegram update id, a Matrix event
    id): an event seen before is ignored. `is_button` marks text that came from an action the
    bot offered (its payload), which must then be a known command.
    """

    platform: str
    user_id: str
    chat_id: str
    text: str
    chat_type: ChatType = ChatType.PRIVATE
    display_name: str | None = None
    language: str | None = None
    event_id: str | None = None
    reply_to: str | None = None
    command_prefix: str = "/"
    is_button: bool = False
    undecryptable: bool = False
    room_event: RoomEvent | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message the bot sends.

    `chat_id` None means: the chat the incoming message came from. `edit_of` is the platform
    reference of an earlier message this one replaces (where the platform can edit).
    `attention`: whether the person's device should notify them.
    """

    text: str
    actions: tuple[Action, ...] = ()
    attachments: tuple[Attachment, ...] = field(default=())
    chat_id: str | None = None
    edit_of: str | None = None
    attention: Attention = Attention.NOTIFY


class Deferred(Exception):
    """The message cannot be handled now (the database is unavailable, or another worker
    may be handling it); keep it and hand it over again later.

    `replies` tell the person so (if anything); `incoming` is what to hand over again;
    `wait`: try again in place after this many seconds (the situation clears soon).
    """

    def __init__(
        self, incoming: Incoming, replies: list[Outgoing], *, wait: float | None = None
    ) -> None:
        super().__init__("handled later")
        self.incoming = incoming
        self.replies = replies
        self.wait = wait
