"""Members' data rights (RGPD) and retention: export, erasure, expiry of old texts.

- `export`: everything stored about a member, as one JSON document.
- `forget`: erase a member in one transaction. What identifies them goes (identities,
  profile, skills, dialog, RSVPs, feedback, offers, notices to them, unpublished drafts); the
  texts they wrote or received are blanked; request rows stay for the anonymous statistics;
  published tutorials stay, credited to nobody. Afterwards the bot no longer knows them.
- `purge_expired`: once a day, blank the texts of requests finished `services.retention` ago.
"""

from __future__ import annotations

import json
import logging
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.claims import cancel_in
from bot.core.notices import Released
from bot.core.numbers import ascii_number, is_record_number
from bot.core.outbox import notify
from bot.core.request_states import Transition
from bot.core.requests import move
from bot.core.services import Services
from bot.core.types import Member, RequestStatus
from storage.db import UnitOfWork

log = logging.getLogger(__name__)

EXPORT_FORMAT = "samu-numerique/personal-data/1"
EXPORT_FILENAME = "mes-donnees-samu.json"
PURGE_STATE_KEY = "privacy:last_purge"


def _plain(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__}")


def to_json(data: dict[str, Any]) -> bytes:
    """The export as UTF-8 JSON: sorted keys, ISO dates, indented, accents kept."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2, default=_plain)
    return (text + "\n").encode("utf-8")


async def export(services: Services, member_id: int) -> bytes | None:
    """Everything stored about a member, as a JSON file (None if there is no such member)."""
    async with services.uow() as uow:
        data = await uow.privacy.personal_data(member_id)
    if data is None:
        return None
    return to_json({"format": EXPORT_FORMAT, "exported_at": services.clock.now(), **data})


@dataclass(frozen=True, slots=True)
class ForgetReport:
    """What erasing a member did."""

    member_id: int
    display_name: str
    requests: int
    messages: int
    notices: int
    drafts: int
    cancelled: int
    released: int
    files: int = 0


async def _end_own_requests(uow: UnitOfWork, now: datetime, request_ids: list[int]) -> int:
    """Requests the member still waits on: cancelled (or closed if already solved)."""
    ended = 0
    for request_id in request_ids:
        request = await uow.requests.get(request_id)
        if request is None:
            continue
        if request.status is RequestStatus.RESOLVED:
            await move(uow, request, Transition.CONFIRM, now, closed_at=now, next_check_at=None)
            ended += 1
            continue
        await cancel_in(uow, request, now)
        ended += 1
    return ended


async def _give_back(uow: UnitOfWork, now: datetime, member_id: int, request_ids: list[int]) -> int:
    """Requests the member holds go back to the pool (offered again at the next tick)."""
    for request_id in request_ids:
        request = await uow.requests.get(request_id)
        if request is None:
            continue
        await move(
            uow,
            request,
            Transition.RELEASE,
            now,
            only_if={"helper_id": member_id},
            helper_id=None,
            claimed_at=None,
            next_check_at=now,
        )
        if request.author_id:
            # No name in the notice: the person who gave it back is being forgotten.
            await notify(uow, now, request.author_id, Released(request_id))
    return len(request_ids)


async def forget(services: Services, member_id: int) -> ForgetReport | None:
    """Erase a member, all or nothing (None if there is no such member); then
    `services.after_erasure` removes what lives outside the database (kept messages, logs),
    given the member's accounts."""
    now = services.clock.now()
    async with services.uow() as uow:
        member = await uow.members.get(member_id)
        if member is None:
            return None
        accounts = [
            (i.platform, i.platform_user_id) for i in await uow.members.identities(member_id)
        ]
        asked, held = await uow.privacy.unfinished_requests(member_id)
        cancelled = await _end_own_requests(uow, now, asked)
        released = await _give_back(uow, now, member_id, held)
        erased = await uow.privacy.erase_member(member_id)
        assert erased is not None
        await uow.commit()
    await uow.candidates.keep_up()  # the erased member leaves matching's memory at once
    if services.after_erasure is not None:
        await services.after_erasure(accounts)
    log.info(
        "member %d forgotten: %d request texts, %d messages, %d files erased, "
        "%d notices scrubbed, %d drafts deleted, %d requests ended, %d given back",
        member_id,
        erased.requests,
        erased.messages,
        erased.files,
        erased.notices,
        erased.drafts,
        cancelled,
        released,
    )
    return ForgetReport(
        member_id=member_id,
        display_name=member.display_name,
        requests=erased.requests,
        messages=erased.messages,
        notices=erased.notices,
        drafts=erased.drafts,
        cancelled=cancelled,
        released=released,
        files=erased.files,
    )


async def members_matching(services: Services, who: str) -> list[Member]:
    """The members a coordinator may mean by `who`: a member number, or a display name."""
    wanted = who.strip().lstrip("#")
    number = ascii_number(wanted)
    async with services.uow() as uow:
        if number is not None:
            member = await uow.members.get(number) if is_record_number(number) else None
            return [member] if member is not None else []
        return await uow.members.by_name(wanted)


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (the day clamped to the month's end)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What the retention job did: nothing if it already ran today."""

    ran: bool
    requests: int = 0
    messages: int = 0
    notices: int = 0
    cutoff: datetime | None = None
    files: int = 0


async def purge_expired(services: Services) -> PurgeReport:
    """Blank the texts of requests closed or cancelled more than `services.retention.months`
    ago, and their threads' texts (the rows stay for the anonymous statistics), delete their
    files (sent with the request or in its thread); drop the notices delivered before then
    (they may name people).

    Runs at most once per local day: the date of the last run is stored with the other
    persisted values, so restarts and several workers do not repeat it (and a repeated run
    would erase nothing more anyway).
    """
    now, retention = services.clock.now(), services.retention
    today = now.astimezone(ZoneInfo(retention.timezone)).date().isoformat()
    cutoff = months_before(now, retention.months)
    async with services.uow() as uow:
        if await uow.events.get_state(PURGE_STATE_KEY) == today:
            return PurgeReport(ran=False)
        requests, messages, files = await uow.privacy.erase_texts_finished_before(
            cutoff, (RequestStatus.CLOSED, RequestStatus.CANCELLED)
        )
        notices = await uow.privacy.delete_messages_sent_before(cutoff)
        await uow.choices.forget_shown_before(cutoff)
        await uow.events.set_state(PURGE_STATE_KEY, today, now)
        await uow.commit()
    log.info(
        "retention: erased the texts of %d requests and %d messages finished before %s, "
        "their %d files, and %d delivered notices",
        requests,
        messages,
        cutoff.date().isoformat(),
        files,
        notices,
    )
    return PurgeReport(True, requests, messages, notices, cutoff, files)
