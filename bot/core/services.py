"""What every use-case caller needs, handed down by the composition root."""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta

from bot.core.business_hours import QuietHours
from bot.core.clock import Clock
from bot.core.observe import QUIET, Observer
from bot.core.types import Member, Urgency
from skills import ServiceCatalog, SkillLevel, SkillMatcher, default_catalog
from storage.db import UnitOfWork


@dataclass(frozen=True, slots=True)
class InviteDefaults:
    """How long an invite made from chat lasts, for how many people, and where newcomers find
    the bot on Matrix (its account, when Matrix is enabled)."""

    expires_days: int = 14
    uses: int = 1
    matrix_user_id: str = ""


UowFactory = Callable[[], UnitOfWork]
ErasureHook = Callable[[Sequence[tuple[str, str]]], Awaitable[None]]
# Told when a member joined or changed language (a platform's per-person menu follows).
MemberHook = Callable[[Member], Awaitable[None]]
"""Run after a member is erased, with their (platform, platform user id) accounts: removes
what lives outside the database (kept messages on disk, the SQLite log)."""


def _hours(today: float, week: float, no_rush: float) -> Mapping[Urgency, timedelta]:
    return {
        Urgency.TODAY: timedelta(hours=today),
        Urgency.WEEK: timedelta(hours=week),
        Urgency.NO_RUSH: timedelta(hours=no_rush),
    }


@dataclass(frozen=True, slots=True)
class RequestSettings:
    """How requests are offered and escalated.

    `first_escalation` (T1) is the delay after which an unclaimed request is offered to the
    next helpers; `coordinator_alert` (T2) the delay after which coordinators are alerted.
    Both count only active time (outside quiet hours), except for "today" urgency.
    """

    offers_per_round: int = 3
    max_offers_per_day: int = 10
    """A helper offered this many requests in the last 24 hours is skipped by matching."""
    quiet: QuietHours = field(default_factory=QuietHours)
    first_escalation: Mapping[Urgency, timedelta] = field(default_factory=lambda: _hours(1, 24, 72))
    coordinator_alert: Mapping[Urgency, timedelta] = field(
        default_factory=lambda: _hours(3, 72, 168)
    )
    auto_confirm_after: timedelta = timedelta(days=3)
    recent_window: timedelta = timedelta(days=7)
    announce_to: tuple[tuple[str, str], ...] = ()


def _per_level(teaching: int, practising: int, discovering: int) -> Mapping[SkillLevel, int]:
    return {
        SkillLevel.TEACHING: teaching,
        SkillLevel.PRACTISING: practising,
        SkillLevel.DISCOVERING: discovering,
    }


@dataclass(frozen=True, slots=True)
class SkillSettings:
    """How many skills a member may declare at each level."""

    max_per_level: Mapping[SkillLevel, int] = field(default_factory=lambda: _per_level(10, 20, 30))

    @classmethod
    def of(cls, teaching: int, practising: int, discovering: int) -> SkillSettings:
        """The limits for each level."""
        return cls(_per_level(teaching, practising, discovering))


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """When the network is told about a session, and reminded of it."""

    rule: str = ""
    announce_days: int = 21
    reminder_days: tuple[int, ...] = (7, 1)
    coordinator_days: int = 30
    timezone: str = "Europe/Paris"
    places: tuple[str, ...] = field(default_factory=tuple)
    organizer_email: str = ""
    """The ORGANIZER of the calendar files; empty: a no-reply address of the installation."""


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """When coordinators get their digest (local time), or never."""

    enabled: bool = True
    weekday: int = 0
    at: time = time(9, 0)
    timezone: str = "Europe/Paris"


@dataclass(frozen=True, slots=True)
class TutorialSettings:
    """How the tutorial base publishes: licence, coordinators' review, when to re-check."""

    licence: str = "Etalab-2.0"
    review_required: bool = False
    stale_after: timedelta = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """How long the texts of finished requests are kept, and the zone of the daily purge."""

    months: int = 24
    timezone: str = "Europe/Paris"


@dataclass(frozen=True, slots=True)
class FileSettings:
    """The largest file a member may send (a screenshot, a document), in bytes."""

    max_bytes: int = 10 * 1024 * 1024


def worker_name() -> str:
    """An identifier of this process among the workers sharing the database."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """Who this process is among the workers, and when a silent one counts as gone."""

    name: str = field(default_factory=worker_name)
    takeover_after: timedelta = timedelta(seconds=15)


@dataclass(frozen=True, slots=True)
class PlaceSettings:
    """The places of digital mediation: the schema's services and the zone of their hours."""

    # Read when first needed (parsing it reads the taxonomy): a command that touches no
    # place, `samu invite list`, does not pay for it.
    load_catalog: Callable[[], ServiceCatalog] = default_catalog
    timezone: str = "Europe/Paris"

    @property
    def catalog(self) -> ServiceCatalog:
        """The services a place can offer (the packaged catalog unless given another)."""
        return self.load_catalog()


@dataclass(frozen=True, slots=True)
class Services:
    """The database, the clock, the skill matcher and the settings the use-cases read."""

    uow: UowFactory
    clock: Clock
    matcher: SkillMatcher
    invites: InviteDefaults = InviteDefaults()
    requests: RequestSettings = RequestSettings()
    skills: SkillSettings = SkillSettings()
    sessions: SessionSettings = SessionSettings()
    digest: DigestSettings = DigestSettings()
    tutorials: TutorialSettings = TutorialSettings()
    retention: RetentionSettings = RetentionSettings()
    files: FileSettings = FileSettings()
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    places: PlaceSettings = field(default_factory=PlaceSettings)
    default_locale: str = "fr"
    after_erasure: ErasureHook | None = None
    # Counts messages and jobs for the operators' metrics (see `bot.core.observe`).
    observer: Observer = QUIET
    member_changed: MemberHook | None = None
    # Units of work for use-cases that only read: they wait for no writer and refuse writes
    # (`Database.uow(read_only=True)`); None reads through `uow`.
    read: UowFactory | None = None

    def reader(self) -> UowFactory:
        """The factory of units of work for a use-case that only reads."""
        return self.read or self.uow
