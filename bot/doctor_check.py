"""One line of `samu doctor`'s diagnosis."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the diagnosis."""

    ok: bool
    what: str
    fix: str = ""
