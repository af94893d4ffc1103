"""The periodic work, one job at a time, each on its own: one that fails does not stop the
others, and coordinators hear of it (once a day per job) so it does not fail in silence."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.errors import is_unavailable
from bot.core.notices import JobFailed, NoticeKind
from bot.core.outbox import notify_coordinators
from bot.core.services import Services, UowFactory

log = logging.getLogger(__name__)

JOB_FAILED = NoticeKind.JOB_FAILED


class JobName(StrEnum):
    """The periodic jobs, in the order they run (the personal-data purge first)."""

    PURGE = "purge"
    MATCHING = "matching"
    AUTO_CONFIRM = "auto_confirm"
    SESSION_PLANNING = "session_planning"
    SESSION_NOTICES = "session_notices"
    DIGEST = "digest"
    FILES = "files"
    DELIVERY = "delivery"


@dataclass(frozen=True, slots=True)
class Job:
    """One periodic job: its name and what it runs."""

    name: JobName
    run: Callable[[], Awaitable[object]]


async def run_jobs(services: Services, jobs: Sequence[Job], timezone: str) -> list[JobName]:
    """Run every job in turn; returns those that failed. `services.observer` hears how each
    one ended; a failure is told on the day it happened in `timezone`.

    A failure is logged at ERROR with its traceback and coordinators are told, at most once a
    day per job (the outbox's dedup key). While the database is unavailable every job fails
    the same way: that is logged as a warning, without telling anyone (nothing could be queued).
    """
    clock, observer = services.clock, services.observer
    failed = []
    for job in jobs:
        try:
            await job.run()
        except Exception as error:
            failed.append(job.name)
            observer.job_done(job.name.value, ok=False, at=clock.now())
            if is_unavailable(error):
                log.warning("periodic job %s: database unavailable (%s)", job.name.value, error)
                continue
            log.exception("periodic job %s failed; the other jobs still run", job.name.value)
            await _tell_coordinators(services.uow, clock, timezone, job.name)
        else:
            observer.job_done(job.name.value, ok=True, at=clock.now())
    return failed


async def _tell_coordinators(uows: UowFactory, clock: Clock, timezone: str, job: JobName) -> None:
    now = clock.now()
    day = now.astimezone(ZoneInfo(timezone)).date().isoformat()
    try:
        async with uows() as uow:
            await notify_coordinators(
                uow, now, JobFailed(job.value), dedup_prefix=f"{JOB_FAILED}:{job}:{day}"
            )
            await uow.commit()
    except Exception:
        log.exception("could not tell the coordinators that periodic job %s failed", job.value)
