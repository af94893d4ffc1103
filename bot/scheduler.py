"""The periodic work of `samu run`, on APScheduler's asyncio scheduler (same event loop).

Jobs keep no state of their own: each run derives what is due from the database (offers to
escalate, requests to auto-confirm, session notices, the outbox), so a restart loses
nothing and a job that ran late simply catches up once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler


def build_scheduler(
    tick: Callable[[], Awaitable[None]], *, period_seconds: float, timezone: str, now: datetime
) -> AsyncIOScheduler:
    """A scheduler running `tick` now and every `period_seconds` (never two at once)."""
    scheduler = AsyncIOScheduler(timezone=timezone)
    scheduler.add_job(
        tick,
        "interval",
        seconds=period_seconds,
        id="tick",
        max_instances=1,
        coalesce=True,
        next_run_time=now,
        misfire_grace_time=None,
    )
    return scheduler
