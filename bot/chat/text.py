"""Checks and clean-up of what people type, before anything else looks at it."""

from __future__ import annotations

import unicodedata

MAX_MESSAGE_LENGTH = 4000

# Bidirectional embeddings and overrides can disguise text; isolates and joiners are kept
# because right-to-left writing and emoji sequences need them.
_BIDI_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e")


def clean_text(raw: str) -> str:
    """Normalise to NFC, drop control characters (keeping new lines), trim the ends."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\t", " "))
    kept = [
        ch
        for ch in text
        if ch == "\n" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI_OVERRIDES)
    ]
    return "".join(kept).strip()


def shorten(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"
