"""The figures coordinators read: counts of a period (the digest, `/stats`) and the raw
material of the evaluation indicators (`storage.repositories.indicators` computes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PeriodCounts:
    """Requests and tutorials of a period."""

    new: int
    unclaimed: int
    escalated: int
    solved: int
    tutorials: int
    gaps: int
    deflected: int = 0  # closed by a tutorial before being posted (part of `solved`)


@dataclass(frozen=True, slots=True)
class SkillCount:
    """A skill with how often it was asked (or written about) and how many members hold it."""

    label_fr: str
    label_en: str
    count: int
    helpers: int

    def label(self, locale: str) -> str:
        """The label in a language."""
        return self.label_en if locale.startswith("en") else self.label_fr


@dataclass(frozen=True, slots=True)
class RequestCounts:
    """How many requests of the period were posted, claimed, solved, deflected.

    `solved` counts posted requests now resolved or closed, plus the deflected ones.
    """

    asked: int
    claimed: int
    solved: int
    deflected: int


@dataclass(frozen=True, slots=True)
class Durations:
    """Raw durations, in seconds, of the posted requests of the period.

    `to_claim`: `claimed_at - created_at` of those currently claimed (or claimed once and
    still holding `claimed_at`); `to_solution`: `(resolved_at or closed_at) - created_at` of
    those now resolved or closed by a helper (deflected requests are left out: their
    duration is only the time spent writing a draft).
    """

    to_claim: list[float]
    to_solution: list[float]


@dataclass(frozen=True, slots=True)
class SkillAsked:
    """A skill needed by posted requests of the period, and how many members can help."""

    slug: str
    label_fr: str
    label_en: str
    asked: int
    helpers: int


@dataclass(frozen=True, slots=True)
class StructureCounts:
    """Posted requests of the period asked and helped by members of one structure.

    `name` is None for members without a structure (or deleted members).
    """

    name: str | None
    asked: int
    helped: int


@dataclass(frozen=True, slots=True)
class FlowCount:
    """Posted requests of the period with a helper, by helper's and asker's structures."""

    helper_structure: str | None
    asker_structure: str | None
    requests: int


@dataclass(frozen=True, slots=True)
class SessionCounts:
    """A planned session starting in the period and its answers."""

    session_id: int
    starts_at: datetime
    place: str | None
    yes: int
    maybe: int
    no: int
