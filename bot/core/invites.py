"""Invitation codes: creation and the canonical form people may type in many ways."""

from __future__ import annotations

import secrets
from datetime import timedelta

from bot.core.errors import InvalidValue, UnknownStructure
from bot.core.services import Services
from bot.core.types import Invite, Role

# No 0/O, 1/I/L, to be read aloud or copied from paper without mistakes.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# What people put between the groups of a code: spaces (also no-break), dashes of any kind.
_SEPARATORS = frozenset(" \u00a0\u202f\t-_\u2010\u2011\u2012\u2013\u2014\u2212.")
MAX_USES = 500
MAX_EXPIRY_DAYS = 365


def new_code() -> str:
    """A fresh random code in canonical form (8 characters, no separator)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def canonical_code(typed: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one.

    Case, spaces and dashes do not matter: `k7m2-qx9p`, `K7M2 QX9P` and `K7M2QX9P` are the
    same code. When the whole text is not a code, its first word may be (`K7M2-QX9P merci`).
    """
    for candidate in (typed, typed.strip().partition(" ")[0]):
        cleaned = "".join(ch for ch in candidate.upper() if ch not in _SEPARATORS)
        if len(cleaned) == CODE_LENGTH and all(ch in ALPHABET for ch in cleaned):
            return cleaned
    return None


def display_code(code: str) -> str:
    """The code as shown to people: two groups of four (`K7M2-QX9P`)."""
    return f"{code[:4]}-{code[4:]}"


async def create_invite(
    services: Services,
    *,
    role: Role,
    structure_name: str | None = None,
    uses: int = 1,
    expires_days: int | None = 14,
    created_by: int | None = None,
) -> Invite:
    """Create an invitation for `uses` people, valid `expires_days` days (None: no expiry)."""
    if not 1 <= uses <= MAX_USES:
        raise InvalidValue("uses")
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise InvalidValue("expires_days")
    now = services.clock.now()
    async with services.uow() as uow:
        structure_id = None
        if structure_name:
            structure = await uow.structures.by_name(structure_name)
            if structure is None:
                known = [s.name for s in await uow.structures.list_all()]
                raise UnknownStructure(structure_name, known)
            structure_id = structure.id
        invite = await uow.invites.add(
            code=new_code(),
            role=role,
            structure_id=structure_id,
            max_uses=uses,
            expires_at=now + timedelta(days=expires_days) if expires_days else None,
            created_by=created_by,
            now=now,
        )
        await uow.commit()
    return invite


async def usable(services: Services) -> list[Invite]:
    """The codes that still let someone join, newest first (for coordinators)."""
    async with services.uow() as uow:
        return await uow.invites.usable(services.clock.now())


async def revoke(services: Services, typed_code: str) -> bool:
    """Cancel a code, typed in any form; false when there is no such code still usable."""
    code = canonical_code(typed_code)
    if code is None:
        return False
    async with services.uow() as uow:
        revoked = await uow.invites.revoke(code, services.clock.now())
        await uow.commit()
    return revoked
