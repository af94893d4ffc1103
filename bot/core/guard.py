"""What a member sends to others is held while it seems to hold personal data.

A help request or a relayed message in which the detector (`bot.core.pii`) finds a name, a
phone number, an e-mail, a NIR, an IBAN or an address is stored at once but reaches nobody
until its author chose: hide what was found, change the text, or send it as it is. The
choice names the text it was made on (its fingerprint), so that an old button pressed after
the text changed asks again instead of sending words the author has not seen flagged.

The same texts are capped in length: one message from a person stays one readable message
to each helper.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.core.errors import CoreError
from bot.core.pii import PiiFinding, PiiKind, find_personal_data, mask

MAX_REQUEST_LENGTH = 3000
"""Characters of a help request, sentences added to its draft included."""
MAX_RELAY_LENGTH = 3000
"""Characters of one message passed to the other side of a request."""


class PiiChoice(StrEnum):
    """What the author chose to do with the personal data found in their text."""

    MASK = "mask"
    AS_IS = "as_is"


@dataclass(frozen=True, slots=True)
class Decision:
    """The author's answer to the guard: their choice, the labels that replace masked data
    (in their language), and the fingerprint of the text they were shown, if known."""

    choice: PiiChoice
    labels: Mapping[PiiKind, str]
    seen: str | None = None


class TooLong(CoreError):
    """A text is longer than what may be sent (`limit` characters)."""

    def __init__(self, limit: int, length: int) -> None:
        super().__init__(f"{length} characters, {limit} at most")
        self.limit = limit
        self.length = length


def fingerprint(text: str) -> str:
    """A short digest naming one version of a text (it fits in a button's payload)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def check_length(text: str, limit: int) -> None:
    """Raise TooLong when `text` is over `limit` characters."""
    if len(text) > limit:
        raise TooLong(limit, len(text))


def needs_choice(findings: Sequence[PiiFinding], text: str, decision: Decision | None) -> bool:
    """Whether the text must wait for its author: something was found and they have not
    chosen, or chose on another version of the text."""
    if not findings:
        return False
    return decision is None or (decision.seen is not None and decision.seen != fingerprint(text))


def apply(text: str, decision: Decision | None) -> str:
    """The text to send after the author's choice (masked, or as it is)."""
    if decision is None or decision.choice is not PiiChoice.MASK:
        return text
    return mask(text, find_personal_data(text), decision.labels)
