"""Members: joining with an invite, profile, listing."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from bot.core.clock import Clock
from bot.core.errors import (
    AlreadyMember,
    InvalidValue,
    InviteProblem,
    InviteRejected,
    UnknownStructure,
)
from bot.core.invites import canonical_code
from bot.core.outbox import notify
from bot.core.services import WorkerSettings
from bot.core.types import DialogState, Identity, Member, MemberStatus, Structure
from storage.db import UnitOfWork
from storage.repositories.events import EventStart

MAX_NAME_LENGTH = 60
LOCALES = ("fr", "en")


@dataclass(frozen=True, slots=True)
class Account:
    """A platform account as a transport sees it."""

    platform: str
    user_id: str
    chat_id: str


def clean_name(name: str) -> str:
    """A display name with spaces tidied; raises InvalidValue when empty or too long."""
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidValue("display_name")
    return cleaned


async def join(
    uow: UnitOfWork,
    clock: Clock,
    *,
    account: Account,
    typed_code: str,
    display_name: str,
    locale: str,
) -> Member:
    """Turn a stranger into a member with an invitation code, all or nothing.

    The invite is consumed by a conditional UPDATE in the same transaction that creates the
    member and their identity, so a failure leaves no trace and a code is never over-used.
    """
    code = canonical_code(typed_code)
    if code is None:
        raise InviteRejected(InviteProblem.MALFORMED)
    name = clean_name(display_name)
    now = clock.now()
    async with uow:
        if await uow.members.by_identity(account.platform, account.user_id) is not None:
            raise AlreadyMember()
        invite = await uow.invites.by_code(code)
        if invite is None:
            raise InviteRejected(InviteProblem.UNKNOWN)
        if not await uow.invites.consume(code, now):
            if invite.revoked:
                raise InviteRejected(InviteProblem.REVOKED)
            if invite.expires_at is not None and invite.expires_at <= now:
                raise InviteRejected(InviteProblem.EXPIRED)
            raise InviteRejected(InviteProblem.USED_UP)
        member = await uow.members.add(
            display_name=name,
            role=invite.role,
            locale=locale if locale in LOCALES else LOCALES[0],
            structure_id=invite.structure_id,
            now=now,
        )
        await uow.members.add_identity(
            member_id=member.id,
            platform=account.platform,
            platform_user_id=account.user_id,
            chat_id=account.chat_id,
            now=now,
        )
        await uow.commit()
    return member


async def rename(uow: UnitOfWork, clock: Clock, member_id: int, name: str) -> Member:
    """Change a member's display name."""
    cleaned = clean_name(name)
    async with uow:
        member = await uow.members.update_profile(member_id, clock.now(), display_name=cleaned)
        await uow.commit()
    return member


async def set_locale(uow: UnitOfWork, clock: Clock, member_id: int, locale: str) -> Member:
    """Change the language the bot uses with a member."""
    if locale not in LOCALES:
        raise InvalidValue("locale")
    async with uow:
        member = await uow.members.update_profile(member_id, clock.now(), locale=locale)
        await uow.commit()
    return member


async def set_structure(uow: UnitOfWork, clock: Clock, member_id: int, name: str) -> Member:
    """Attach a member to one of the known partner structures."""
    async with uow:
        structure = await uow.structures.by_name(name)
        if structure is None:
            known = [s.name for s in await uow.structures.list_all()]
            raise UnknownStructure(name, known)
        member = await uow.members.update_profile(member_id, clock.now(), structure_id=structure.id)
        await uow.commit()
    return member


async def structures(uow: UnitOfWork) -> list[Structure]:
    """The partner structures, by name."""
    async with uow:
        return await uow.structures.list_all()


async def ensure_structures(uow: UnitOfWork, clock: Clock, names: list[str]) -> None:
    """Create the named structures that do not exist yet (from config or the demo)."""
    async with uow:
        for name in names:
            if await uow.structures.by_name(name) is None:
                await uow.structures.add(name, clock.now())
        await uow.commit()


async def directory(uow: UnitOfWork) -> list[Member]:
    """Members still in the network, ordered by structure then name."""
    async with uow:
        return await uow.members.list_all()


UNUSUAL_FLOOR = 8


async def with_many_skills(uow: UnitOfWork) -> list[tuple[Member, int]]:
    """Members who declared unusually many skills: at least three times the median of those
    who declared any, and at least 8 (they are offered many requests: worth a word)."""
    async with uow:
        counts = await uow.skills.counts_by_member()
        if not counts:
            return []
        threshold = max(3 * median(counts.values()), UNUSUAL_FLOOR)
        found = []
        for member_id, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            member = await uow.members.get(member_id) if count >= threshold else None
            if member is not None:
                found.append((member, count))
        return found


async def get(uow: UnitOfWork, member_id: int) -> Member | None:
    """A member by id, whatever their status."""
    async with uow:
        return await uow.members.get(member_id)


async def identities(uow: UnitOfWork, member_id: int) -> list[Identity]:
    """A member's accounts, preferred first."""
    async with uow:
        return await uow.members.identities(member_id)


async def coordinators_on(uow: UnitOfWork, platform: str) -> list[tuple[Member, Identity]]:
    """Active coordinators and their identity on a platform (for their command menus)."""
    async with uow:
        found = []
        for coordinator in await uow.members.coordinators():
            for identity in await uow.members.identities(coordinator.id):
                if identity.platform == platform:
                    found.append((coordinator, identity))
        return found


@dataclass(frozen=True, slots=True)
class Arrival:
    """Who wrote, what they were in the middle of, and whether the event is new.

    `resumed`: a worker that died had started handling this event; whether it finished its
    effects is unknown, so the event is not handled again (the person is asked to check).
    A worker that stops answering is counted as dead after `WorkerSettings.takeover_after`.
    """

    fresh: bool
    member: Member | None
    dialog: DialogState | None
    resumed: bool = False
    busy: bool = False  # another worker, alive a moment ago, is handling it: look again later


async def arrive(
    uow: UnitOfWork,
    clock: Clock,
    platform: str,
    user_id: str,
    event_id: str | None,
    worker: WorkerSettings | None = None,
) -> Arrival:
    """Everything the conversation needs before handling a message, in one transaction:
    the event is recorded as being handled by this worker (a repeat, or an event another
    live worker handles, is not fresh), the member and their open dialog are read.
    """
    worker = worker or WorkerSettings()
    start = EventStart.NEW
    async with uow:
        if event_id is not None:
            now = clock.now()
            start = await uow.events.start(
                platform,
                event_id,
                worker=worker.name,
                now=now,
                dead_before=now - worker.takeover_after,
            )
            if start in (EventStart.DONE, EventStart.BUSY):
                await uow.commit()
                return Arrival(False, None, None, busy=start is EventStart.BUSY)
        member = await uow.members.by_identity(platform, user_id)
        if member is not None and member.status is MemberStatus.LEFT:
            member = None
        dialog = await uow.dialogs.get(member.id) if member is not None else None
        await uow.commit()
    return Arrival(True, member, dialog, resumed=start is EventStart.ORPHANED)


GIVEN_BACK_LENGTH = 500


async def give_back(
    uow: UnitOfWork, clock: Clock, platform: str, event_id: str, member_id: int, text: str
) -> None:
    """A message a dead worker may have half-handled: the member gets their text back.

    The notice goes through the outbox in the same transaction that finishes the event, so
    a crash right after cannot lose it (a direct answer could be).
    """
    now = clock.now()
    async with uow:
        await notify(
            uow,
            now,
            member_id,
            "given_back",
            {"text": text[:GIVEN_BACK_LENGTH]},
            dedup_key=f"given-back:{platform}:{event_id}",
        )
        await uow.events.finish(platform, event_id, now)
        await uow.commit()


async def handled(uow: UnitOfWork, clock: Clock, platform: str, event_id: str) -> None:
    """The event is handled: a repeat of it is ignored from now on."""
    async with uow:
        await uow.events.finish(platform, event_id, clock.now())
        await uow.commit()
