"""What tells this installation of the bot apart from any other one.

The installation id is made once (random) and kept in the database, so every worker sharing
the database reads the same one and it survives restarts and updates. Calendar entries use it:
two networks running the bot never send invitations with the same UID, and a calendar that
receives both keeps both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from bot.core.services import Services

INSTALLATION_KEY = "installation-id"
NO_REPLY_DOMAIN = "samu-numerique.invalid"
"""Under the reserved `.invalid` top-level domain: an address nobody can write to by mistake."""


@dataclass(frozen=True, slots=True)
class CalendarIdentity:
    """Who the calendar files come from, and what makes their UIDs unique."""

    installation: str
    organizer_email: str

    def uid(self, session_id: int) -> str:
        """The same for every version of one session of this installation."""
        return f"session-{session_id}@{self.installation}.samu-numerique"


async def installation_id(services: Services) -> str:
    """This installation's id, made and stored the first time it is asked for."""
    async with services.uow() as uow:
        now = services.clock.now()
        stored = await uow.events.state_once(INSTALLATION_KEY, uuid.uuid4().hex, now)
        await uow.commit()
    return stored


async def calendar_identity(services: Services) -> CalendarIdentity:
    """The organizer (`[sessions] organizer_email`, else a no-reply address of this
    installation) and the id that makes the calendar UIDs unique."""
    installation = await installation_id(services)
    organizer = (
        services.sessions.organizer_email or f"no-reply@{installation[:12]}.{NO_REPLY_DOMAIN}"
    )
    return CalendarIdentity(installation, organizer)
