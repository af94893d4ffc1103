"""Members: joining with an invite, profile, listing."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from bot.core.errors import (
    AlreadyMember,
    InvalidValue,
    InviteProblem,
    InviteRejected,
    NameRefused,
    UnknownStructure,
)
from bot.core.invites import canonical_code
from bot.core.names import clean_name, refuse_coordinators_name
from bot.core.notices import GivenBack
from bot.core.outbox import notify
from bot.core.services import Services, UowFactory
from bot.core.types import DialogState, Identity, Member, MemberStatus, Structure
from domain.records import EventStart

log = logging.getLogger(__name__)

LOCALES = ("fr", "en")
# An account may try this many invitation codes per window (a code has 31^8 possible values:
# at this pace, guessing one would take longer than any code lives).
MAX_TRIES = 5
TRY_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Account:
    """A platform account as a transport sees it."""

    platform: str
    user_id: str
    chat_id: str


async def join(
    services: Services,
    *,
    account: Account,
    typed_code: str,
    display_name: str,
    locale: str,
    fallback_name: str | None = None,
) -> Member:
    """Turn a stranger into a member with an invitation code, all or nothing.

    The invite is consumed by a conditional UPDATE in the same transaction that creates the
    member and their identity, so a failure leaves no trace and a code is never over-used.
    A name the network cannot show (see `bot.core.names`) raises NameRefused, or is replaced
    by `fallback_name` when one is given. An account may try MAX_TRIES codes per TRY_WINDOW
    (the count is in the database, so it holds across workers and restarts); beyond that,
    InviteRejected(TOO_MANY_TRIES) says when it may try again. Every refusal is logged.
    """
    now = services.clock.now()
    await _count_try(services.uow, now, account)
    try:
        return await _join(
            services.uow, now, account, typed_code, display_name, locale, fallback_name
        )
    except InviteRejected as rejected:
        log.warning(
            "invitation code refused for %s user %s: %s",
            account.platform,
            account.user_id,
            rejected.problem.value,
        )
        raise


async def _count_try(uows: UowFactory, now: datetime, account: Account) -> None:
    """Count this try of a code (its own transaction: a refused try stays counted); refuse it
    when the account tried too many codes lately."""
    async with uows() as uow:
        tries = await uow.invites.count_try(account.platform, account.user_id, now, TRY_WINDOW)
        await uow.commit()
    if tries.tries > MAX_TRIES:
        retry_at = tries.window_started_at + TRY_WINDOW
        log.warning(
            "too many invitation tries by %s user %s (%d since %s): refused until %s",
            account.platform,
            account.user_id,
            tries.tries,
            tries.window_started_at.isoformat(),
            retry_at.isoformat(),
        )
        raise InviteRejected(InviteProblem.TOO_MANY_TRIES, retry_at)


async def _join(
    uows: UowFactory,
    now: datetime,
    account: Account,
    typed_code: str,
    display_name: str,
    locale: str,
    fallback_name: str | None,
) -> Member:
    code = canonical_code(typed_code)
    if code is None:
        raise InviteRejected(InviteProblem.MALFORMED)
    async with uows() as uow:
        try:
            name = clean_name(display_name)
            await refuse_coordinators_name(uow, name, None)
        except NameRefused:
            if fallback_name is None:
                raise
            name = clean_name(fallback_name)
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
        await uow.invites.forget_tries(account.platform, account.user_id)
        await uow.commit()
    return member


async def rename(services: Services, member_id: int, name: str) -> Member:
    """Change a member's display name (NameRefused: see `bot.core.names`)."""
    cleaned = clean_name(name)
    async with services.uow() as uow:
        await refuse_coordinators_name(uow, cleaned, member_id)
        now = services.clock.now()
        member = await uow.members.update_profile(member_id, now, display_name=cleaned)
        await uow.commit()
    return member


async def set_locale(services: Services, member_id: int, locale: str) -> Member:
    """Change the language the bot uses with a member."""
    if locale not in LOCALES:
        raise InvalidValue("locale")
    async with services.uow() as uow:
        member = await uow.members.update_profile(member_id, services.clock.now(), locale=locale)
        await uow.commit()
    return member


async def set_structure(services: Services, member_id: int, name: str) -> Member:
    """Attach a member to one of the known partner structures."""
    async with services.uow() as uow:
        structure = await uow.structures.by_name(name)
        if structure is None:
            known = [s.name for s in await uow.structures.list_all()]
            raise UnknownStructure(name, known)
        member = await uow.members.update_profile(
            member_id, services.clock.now(), structure_id=structure.id
        )
        await uow.commit()
    return member


async def structures(services: Services) -> list[Structure]:
    """The partner structures, by name."""
    async with services.uow() as uow:
        return await uow.structures.list_all()


async def structure_named(services: Services, name: str) -> Structure | None:
    """The partner structure of that exact name, if there is one."""
    async with services.uow() as uow:
        return await uow.structures.by_name(name)


async def ensure_structures(services: Services, names: list[str]) -> None:
    """Create the named structures that do not exist yet (from config or the demo)."""
    async with services.uow() as uow:
        for name in names:
            if await uow.structures.by_name(name) is None:
                await uow.structures.add(name, services.clock.now())
        await uow.commit()


async def directory(services: Services) -> list[Member]:
    """Members still in the network, ordered by structure then name."""
    async with services.uow() as uow:
        return await uow.members.list_all()


UNUSUAL_FLOOR = 8


async def with_many_skills(services: Services) -> list[tuple[Member, int]]:
    """Members who declared unusually many skills: at least three times the median of those
    who declared any, and at least 8 (they are offered many requests: worth a word)."""
    async with services.uow() as uow:
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


async def get(services: Services, member_id: int) -> Member | None:
    """A member by id, whatever their status."""
    async with services.uow() as uow:
        return await uow.members.get(member_id)


async def identities(uows: UowFactory, member_id: int) -> list[Identity]:
    """A member's accounts, preferred first.

    Takes the units of work, not the services: the command menus ask, and their keeper is
    built before the services (whose `member_changed` is the keeper's own).
    """
    async with uows() as uow:
        return await uow.members.identities(member_id)


async def coordinators_on(uows: UowFactory, platform: str) -> list[tuple[Member, Identity]]:
    """Active coordinators and their identity on a platform (for their command menus; the
    units of work, not the services: see `identities`)."""
    async with uows() as uow:
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


async def arrive(services: Services, platform: str, user_id: str, event_id: str | None) -> Arrival:
    """Everything the conversation needs before handling a message, in one transaction:
    the event is recorded as being handled by this worker (the services' worker settings; a
    repeat, or an event another live worker handles, is not fresh), the member and their
    open dialog are read.
    """
    worker = services.worker
    start = EventStart.NEW
    async with services.uow() as uow:
        if event_id is not None:
            now = services.clock.now()
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
        found = await uow.members.by_identity_with_dialog(platform, user_id)
        member, dialog = found if found is not None else (None, None)
        if member is not None and member.status is MemberStatus.LEFT:
            member, dialog = None, None
        await uow.commit()
    return Arrival(True, member, dialog, resumed=start is EventStart.ORPHANED)


GIVEN_BACK_LENGTH = 500


async def give_back(
    services: Services, platform: str, event_id: str, member_id: int, text: str
) -> None:
    """A message a dead worker may have half-handled: the member gets their text back.

    The notice goes through the outbox in the same transaction that finishes the event, so
    a crash right after cannot lose it (a direct answer could be).
    """
    now = services.clock.now()
    async with services.uow() as uow:
        await notify(
            uow,
            now,
            member_id,
            GivenBack(text[:GIVEN_BACK_LENGTH]),
            dedup_key=f"given-back:{platform}:{event_id}",
        )
        await uow.events.finish(platform, event_id, now)
        await uow.commit()


async def handled(services: Services, platform: str, event_id: str) -> None:
    """The event is handled: a repeat of it is ignored from now on."""
    async with services.uow() as uow:
        await uow.events.finish(platform, event_id, services.clock.now())
        await uow.commit()
