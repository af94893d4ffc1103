"""What every use-case caller needs, handed down by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.clock import Clock
from skills import SkillMatcher
from storage.db import UnitOfWork


@dataclass(frozen=True, slots=True)
class InviteDefaults:
    """How long an invite made from chat lasts, and for how many people."""

    expires_days: int = 14
    uses: int = 1


@dataclass(frozen=True, slots=True)
class Services:
    """The database, the clock, the skill matcher and the settings the use-cases read."""

    uow: Callable[[], UnitOfWork]
    clock: Clock
    matcher: SkillMatcher
    invites: InviteDefaults = InviteDefaults()
    default_locale: str = "fr"
