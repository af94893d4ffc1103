"""What transports and the conversation layer exchange: plain dataclasses, nothing else.

Text is always plain: transports escape it for their markup (HTML on Telegram and Matrix).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

# A button whose command a platform cannot carry (Telegram: 64 bytes of callback data) carries
# its place among its message's actions instead; the conversation finds the action again in
# the message it remembers showing.
_BUTTON_POSITION = re.compile(r"/#([1-9][0-9]?)")


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


def position_payload(position: int) -> str:
    """What a button carries instead of its command: its place in its message (1 = first)."""
    return f"/#{position}"


def payload_position(payload: str) -> int | None:
    """The place a button's payload names, when it carries one instead of a command."""
    found = _BUTTON_POSITION.fullmatch(payload)
    return int(found.group(1)) if found is not None else None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message (an .ics invitation, a JSON export, a member's screenshot…).

    `media_type` is trusted (the bot's own files, or a member's file whose content was
    checked: `image/*` only for a real picture): transports show an image as a picture.
    """

    filename: str
    content: bytes = field(repr=False)
    media_type: str

    @property
    def is_image(self) -> bool:
        """Whether a chat should show it as a picture."""
        return self.media_type.startswith("image/")


class FileKind(StrEnum):
    """What a person sent besides text."""

    IMAGE = "image"  # a photo or screenshot sent as a picture
    FILE = "file"  # a document (any type, a picture sent as a file, a video…)
    VOICE = "voice"  # a voice note (or a round video note)
    STICKER = "sticker"
    OTHER = "other"  # a location, a contact, a poll… nothing the bot can pass on


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """A file a person sent, as its platform describes it (nothing of it is trusted).

    `ref` is what the transport needs to fetch it later (a Telegram file id, a Matrix
    content URI and its keys, a path on the terminal's machine): only a member's file in a
    private chat is fetched, and only when it is not declared larger than the limit.
    """

    kind: FileKind
    filename: str = ""
    media_type: str = ""
    size: int | None = None
    ref: str = ""


class FileProblem(StrEnum):
    """Why a file could not be fetched."""

    TOO_BIG = "too_big"
    UNDECRYPTABLE = "undecryptable"
    UNREADABLE = "unreadable"


class FileUnavailable(Exception):
    """A transport could not fetch a file (`problem` says why)."""

    def __init__(self, problem: FileProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class FileSource(Protocol):
    """A transport that can fetch the files people send it."""

    platform: str
    # The largest file the platform lets the bot download (None: no limit of its own).
    download_limit: int | None

    async def fetch_file(self, file: IncomingFile, limit: int) -> bytes:
        """The file's bytes; FileUnavailable when it is over `limit` bytes or cannot be read."""
        ...


@dataclass(frozen=True, slots=True)
class Location:
    """A position a person shared (Telegram location, Matrix `m.location`), WGS84 degrees."""

    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message a person sent to the bot, as a transport saw it.

    `event_id` is the platform's stable id of the event (a Telegram update id, a Matrix event
    id): an event seen before is ignored. `is_button` marks text that came from an action the
    bot offered (its payload), which must then be a known command; `choice_of` is the
    platform reference of the message whose button or reaction it was. `reply_to` is the
    bot's message this one replies to. `numbers_choose`: the platform shows actions as a
    numbered list, so a bare number typed there chooses one. `file` is a picture, document,
    voice note or sticker sent with it (`text` is then its caption, maybe empty).
    `location` is a position the person shared (the text is then empty): the router hands
    it to the location command. `room_event` is something that happened to the chat itself
    rather than a message (the bot joined a direct chat, someone else came in).
    `private_link` is a link that opens a private chat with the bot, from a group, on
    platforms that have one (Telegram: https://t.me/<bot>).
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
    file: IncomingFile | None = None
    choice_of: str | None = None
    numbers_choose: bool = False
    location: Location | None = None
    room_event: RoomEvent | None = None
    private_link: str | None = None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message the bot sends.

    `chat_id` None means: the chat the incoming message came from. `edit_of` is the platform
    reference of an earlier message this one replaces (where the platform can edit).
    `about` is the help request the message is about: a reply to it reaches that request's
    thread, and its actions follow the request's state. The actions of the messages of one
    answer are numbered on from one message to the next, from `first_number`.
    `attention`: whether the person's device should notify them.
    `brief`: a short answer to a button press, meant for its presser only: a platform that can
    show it to that person alone (Telegram: the answer to the press) does so, instead of
    posting it where everyone sees it.
    """

    text: str
    actions: tuple[Action, ...] = ()
    attachments: tuple[Attachment, ...] = field(default=())
    chat_id: str | None = None
    edit_of: str | None = None
    about: int | None = None
    first_number: int = 1
    attention: Attention = Attention.NOTIFY
    brief: bool = False


@dataclass(frozen=True, slots=True)
class Sent:
    """An answer a transport delivered: to which message, where, under which platform
    reference (the message's own, also for an edit), and in which `answer` (the messages
    sent for one incoming message share it)."""

    incoming: Incoming
    message: Outgoing
    chat_id: str
    ref: str
    answer: str


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
