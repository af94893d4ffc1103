"""Queued messages to coordinators about the bot's own health: a periodic job that fails."""

from __future__ import annotations

from typing import Any

from bot.chat.context import Context
from bot.chat.i18n import N_
from bot.chat.notifications.base import Wording
from bot.chat.types import Outgoing
from bot.core.notices import JobFailed, NoticeKind
from bot.core.periodic import JobName
from bot.core.types import HelpRequest

JOB_NAMES = {
    JobName.PURGE: N_("erasing the texts of old requests (personal data)"),
    JobName.MATCHING: N_("offering requests to helpers"),
    JobName.AUTO_CONFIRM: N_("closing solved requests"),
    JobName.SESSION_PLANNING: N_("planning the exchange sessions"),
    JobName.SESSION_NOTICES: N_("the notices of the exchange sessions"),
    JobName.DIGEST: N_("the weekly digest"),
    JobName.FILES: N_("removing files that were never added to a request"),
    JobName.DELIVERY: N_("delivering messages"),
}


async def job_failed(
    ctx: Context, notice: JobFailed, request: HelpRequest | None
) -> Outgoing | None:
    """To coordinators, once a day per job: an automatic task fails, the others still run."""
    try:
        job = JobName(notice.job)
    except ValueError:
        return None
    return ctx.reply(
        ctx._("An automatic task failed: {task}.").format(task=ctx._(JOB_NAMES[job])),
        ctx._("The other tasks still run."),
        ctx._("Please tell whoever runs the server: the details are in its log."),
    )


WORDINGS: dict[NoticeKind, Wording[Any]] = {
    NoticeKind.JOB_FAILED: Wording(JobFailed, job_failed),
}
