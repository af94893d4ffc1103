"""Numbers typed by people: ASCII digits only, and the range a record number can have.

`str.isdigit` accepts "²" (which `int` then refuses) and `int` reads Arabic-Indic or
full-width digits: neither is a number here, so the person gets the usage with an example.
"""

from __future__ import annotations

# Records are numbered with PostgreSQL's `integer`: a larger number names nothing.
MAX_RECORD_NUMBER = 2**31 - 1


def ascii_number(text: str) -> int | None:
    """The number `text` is made of (ASCII digits, an optional leading `#`), else None."""
    digits = text.strip().removeprefix("#")
    if not digits or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)


def is_record_number(number: int) -> bool:
    """Whether some record could have this number (a larger one names nothing)."""
    return 0 <= number <= MAX_RECORD_NUMBER
