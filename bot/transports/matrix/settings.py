"""How the bot reaches its homeserver, and where it keeps small values between runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class StateStore(Protocol):
    """Small persisted values (in the bot's database)."""

    async def get(self, key: str) -> str | None:
        """The stored value, if any."""
        ...

    async def set(self, key: str, value: str) -> None:
        """Store a value."""
        ...


class MemberDirectory(Protocol):
    """Whether a Matrix account belongs to a member of the network (for leaving rooms where
    no member remains)."""

    async def is_member(self, user_id: str) -> bool:
        """True for an active member's account."""
        ...


@dataclass(frozen=True, slots=True)
class MatrixSettings:
    """How the bot logs in and whom it talks to."""

    homeserver: str
    user_id: str
    password: str = ""
    access_token: str = ""
    device_name: str = "Samu numérique"
    store_path: str = ""
    encryption: bool = True
    allowed_rooms: tuple[str, ...] = ()
    allowed_homeservers: tuple[str, ...] = ()
    pace_seconds: float = 1.0
    sync_timeout_ms: int = 30_000

    def homeserver_allowed(self, user_id: str) -> bool:
        """Whether the bot may talk with this account (`allowed_homeservers`, when set)."""
        allowed = self.allowed_homeservers
        return not allowed or user_id.split(":", 1)[-1] in allowed
