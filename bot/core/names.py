"""Display names: what the network shows of a person, from Telegram, Matrix or `/nom`.

A name is cleaned of what cannot be seen but changes how text reads (control characters, NUL,
zero-width characters, bidirectional overrides and isolates); a name with nothing left to see,
or one that reads as a coordinator's (case, accents and punctuation aside), is refused, so that
no one can pass for a coordinator in the notices others receive.
"""

from __future__ import annotations

import unicodedata

from bot.core.errors import NameProblem, NameRefused
from bot.core.services import Services
from skills import fold
from storage.db import UnitOfWork

MAX_NAME_LENGTH = 60

# Unicode categories removed from names: controls (NUL included), format characters (zero-width
# spaces and joiners, bidirectional marks, overrides and isolates, soft hyphen, BOM), surrogates,
# private use, unassigned code points. Only a joiner inside an emoji stays.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# Letters and symbols that draw nothing (Hangul fillers, the Braille blank).
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_SEEN_CATEGORIES = ("L", "N", "P", "S")
_ZWJ = "\u200d"


def _joins_emoji(text: str, index: int) -> bool:
    """A zero-width joiner between two symbols is part of an emoji (👩🏽‍💻): it stays."""
    if text[index] != _ZWJ or not 0 < index < len(text) - 1:
        return False
    return all(
        unicodedata.category(ch) in ("So", "Sk") for ch in (text[index - 1], text[index + 1])
    )


def clean_name(name: str) -> str:
    """A display name without invisible characters and with its spaces tidied.

    Raises NameRefused when it is empty, longer than MAX_NAME_LENGTH, or shows nothing.
    """
    text = unicodedata.normalize("NFC", name)
    kept = "".join(
        " " if unicodedata.category(ch) in ("Zl", "Zp") else ch
        for index, ch in enumerate(text)
        if unicodedata.category(ch) not in _REMOVED_CATEGORIES or _joins_emoji(text, index)
    )
    cleaned = " ".join(kept.split())
    if not cleaned:
        raise NameRefused(NameProblem.EMPTY)
    if len(cleaned) > MAX_NAME_LENGTH:
        raise NameRefused(NameProblem.TOO_LONG)
    if not any(
        unicodedata.category(ch).startswith(_SEEN_CATEGORIES) and ch not in _BLANK_LOOKING
        for ch in cleaned
    ):
        raise NameRefused(NameProblem.INVISIBLE)
    return cleaned


def name_key(name: str) -> str:
    """How a name reads: compatibility forms, case, accents and punctuation aside."""
    return fold(unicodedata.normalize("NFKC", name))


async def refuse_coordinators_name(uow: UnitOfWork, name: str, member_id: int | None) -> None:
    """Raise NameRefused when `name` reads as the name of a coordinator other than `member_id`."""
    wanted = name_key(name)
    for coordinator in await uow.members.coordinators():
        if coordinator.id != member_id and name_key(coordinator.display_name) == wanted:
            raise NameRefused(NameProblem.COORDINATOR)


async def name_problem(services: Services, name: str) -> NameProblem | None:
    """What would stop `name` from being a newcomer's name (None: it can be used)."""
    try:
        cleaned = clean_name(name)
        async with services.uow() as uow:
            await refuse_coordinators_name(uow, cleaned, None)
    except NameRefused as refused:
        return refused.problem
    return None
