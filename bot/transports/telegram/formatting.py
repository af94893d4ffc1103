"""Plain text to Telegram HTML, long texts split, actions to an inline keyboard."""

from __future__ import annotations

import html
import logging
import unicodedata

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.chat.types import Action, position_payload

log = logging.getLogger(__name__)

# Telegram's limits, in UTF-16 code units of the text once its entities are parsed (an emoji
# outside the Basic Multilingual Plane counts 2): a message's text, a file's caption.
MAX_LENGTH = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
# The parts one message may be cut into: one message never fans out into many (a request or
# a relayed message is at most 3,000 characters, the input 4,000: only the bot's own longest
# lists come near).
MAX_PARTS = 4
ELLIPSIS = "…"
# Characters that belong to the one before them: a part never starts with one.
_JOINERS = frozenset({"\u200d", "\ufe0e", "\ufe0f"})


def to_html(text: str) -> str:
    """Escape everything: the bot's text is plain and users' words must never become markup."""
    return html.escape(text, quote=False)


def utf16_length(text: str) -> int:
    """A text's length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _fitting(text: str, limit: int) -> int:
    """How many characters of `text`, from its start, fit in `limit` UTF-16 units.

    Python's characters are whole code points, so a cut never falls inside a surrogate pair;
    it is also moved back off a combining mark or a joiner, to keep what is drawn as one
    character (é as e + ◌́, 👩‍💻) whole when that is possible.
    """
    used = 0
    first_out = len(text)
    for position, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            first_out = position
            break
    cut = first_out
    while 0 < cut < len(text) and _attached(text[cut]):
        cut -= 1
    return cut or first_out


def _attached(char: str) -> bool:
    return bool(unicodedata.combining(char)) or char in _JOINERS


def _best_cut(window: str) -> int:
    """Where to end a part taken from `window` (all of which fits): after a paragraph, else
    a line, else a sentence, else a word; in the middle of a word only when there is none
    in the second half of the window."""
    half = len(window) // 2
    for ends in (("\n\n",), ("\n",), (". ", "? ", "! ", "… ")):
        cut = max(window.rfind(end) for end in ends)
        if cut >= half:
            return cut + len(ends[0])
    cut = max(window.rfind(" "), window.rfind("\t"))
    return cut + 1 if cut >= half else len(window)


def split_text(text: str, limit: int = MAX_LENGTH) -> list[str]:
    """Cut a plain text in parts of at most `limit` UTF-16 units, as Telegram counts them.

    Cut at a paragraph, line, sentence or word end when one is near, never inside a
    character. The parts are cut before they are escaped to HTML: Telegram measures the text
    once its entities are parsed, so an escaped `&lt;` counts one, and no cut can fall inside
    an entity or a tag. At most MAX_PARTS parts: the last is then cut short and ends with "…"
    (and the log says so), so that one message never floods a chat.
    """
    parts: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        if len(parts) == MAX_PARTS - 1:
            kept = rest[: _fitting(rest, limit - utf16_length(ELLIPSIS))].rstrip()
            log.warning(
                "a message of %d UTF-16 units cut to %d parts: %d units left out",
                utf16_length(text),
                MAX_PARTS,
                utf16_length(rest) - utf16_length(kept),
            )
            parts.append(kept + ELLIPSIS)
            rest = ""
            break
        window = rest[: _fitting(rest, limit)]
        cut = _best_cut(window)
        part = rest[:cut].rstrip()
        rest = rest[cut:].lstrip()
        if part:
            parts.append(part)
    parts.append(rest)
    return [part for part in parts if part.strip()] or [""]


def fits_callback(payload: str) -> bool:
    """Whether an action payload can travel as callback data."""
    return 0 < len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES


def keyboard(actions: tuple[Action, ...]) -> InlineKeyboardMarkup | None:
    """One button per row (easy to tap on a phone). A button whose command is over Telegram's
    64 bytes carries its place in the message instead (`/#3`)."""
    rows = [
        [InlineKeyboardButton(action.label[:64], callback_data=callback_data(action, position))]
        for position, action in enumerate(actions, start=1)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def callback_data(action: Action, position: int) -> str:
    """What the button of `action`, shown at `position` in its message, carries."""
    return action.payload if fits_callback(action.payload) else position_payload(position)


def valid_callback(data: object) -> str | None:
    """The command carried by a button, or None when the data cannot be one of ours."""
    if not isinstance(data, str) or not fits_callback(data) or not data.startswith("/"):
        return None
    if any(not ch.isprintable() for ch in data):
        return None
    return data
