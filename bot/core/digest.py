"""Coordinators' weekly digest and the themes suggested for a session's agenda."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.notices import AboutSession, DigestNotice, NoticeKind
from bot.core.outbox import notify
from bot.core.services import DigestSettings, Services
from bot.core.types import Tutorial, TutorialStatus
from domain.figures import PeriodCounts, SkillCount
from storage.db import UnitOfWork

__all__ = ["Digest", "PeriodCounts", "SkillCount"]

log = logging.getLogger(__name__)

QUARTER = timedelta(days=92)


@dataclass(frozen=True, slots=True)
class Digest:
    """What a coordinator reads: the period's figures and the network's weak spots."""

    counts: PeriodCounts
    gaps: list[SkillCount]
    tutorials_to_check: list[Tutorial] = field(default_factory=list)


def digest_moment(settings: DigestSettings, now: datetime) -> datetime:
    """The most recent scheduled digest time at or before `now` (aware)."""
    zone = ZoneInfo(settings.timezone)
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - settings.weekday) % 7)
    moment = datetime.combine(day, settings.at, tzinfo=zone)
    return moment if moment <= local else moment - timedelta(days=7)


async def due_digest(services: Services) -> int:
    """Queue this week's digest for each coordinator, once (restarts and workers included)."""
    settings = services.digest
    if not settings.enabled:
        return 0
    now = services.clock.now()
    moment = digest_moment(settings, now)
    if now - moment > timedelta(days=1):
        log.debug("weekly digest of %s not sent: more than a day late", moment.date())
        return 0
    week = moment.strftime("%G-W%V")
    notice = DigestNotice(since=moment - timedelta(days=7), until=moment)
    queued = 0
    async with services.uow() as uow:
        for coordinator in await uow.members.coordinators():
            queued += await notify(
                uow,
                now,
                coordinator.id,
                notice,
                dedup_key=f"digest:{week}:{coordinator.id}",
            )
        await uow.commit()
    return queued


async def summary(services: Services, since: datetime, until: datetime, limit: int = 5) -> Digest:
    """The figures of a period, the skills most missing, and the tutorials to check
    (reported as out of date, or not checked for `services.tutorials.stale_after`).
    """
    published = (TutorialStatus.PUBLISHED, TutorialStatus.OUTDATED)
    stale_after = services.tutorials.stale_after
    async with services.uow() as uow:
        flagged = await uow.tutorials.listing(statuses=published, flagged=True, limit=limit)
        stale = await uow.tutorials.listing(
            statuses=(TutorialStatus.PUBLISHED,), checked_before=until - stale_after, limit=limit
        )
        to_check = list({t.id: t for t in [*flagged, *stale]}.values())[:limit]
        return Digest(await uow.stats.period(since, until), await uow.stats.gaps(since), to_check)


async def waiting(services: Services, limit: int = 10) -> list[tuple[int, str, datetime]]:
    """Requests waiting for a helper (number, urgency, since when)."""
    async with services.uow() as uow:
        return await uow.stats.unclaimed(limit)


async def weak_spots(services: Services) -> tuple[list[SkillCount], list[SkillCount]]:
    """Over the last quarter: skills asked with no helper, and the tutorials' main topics."""
    since = services.clock.now() - QUARTER
    async with services.uow() as uow:
        return await uow.stats.gaps(since), await uow.stats.tutorial_topics(since)


async def suggest_agenda(uow: UnitOfWork, now: datetime, session_id: int) -> int:
    """Tell coordinators, inside an open unit of work, what the session could train on."""
    queued = 0
    for coordinator in await uow.members.coordinators():
        queued += await notify(
            uow,
            now,
            coordinator.id,
            AboutSession(NoticeKind.SESSION_SUGGESTIONS, session_id),
            dedup_key=f"session-suggestions:{session_id}:{coordinator.id}",
        )
    return queued
