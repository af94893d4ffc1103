"""Queued messages about members' skills: a proposal of theirs reviewed by coordinators."""

from __future__ import annotations

from typing import Any

from bot.chat.context import Context
from bot.chat.notifications.base import Wording
from bot.chat.types import Action, Outgoing
from bot.core import skill_review
from bot.core.notices import NoticeKind, SkillReviewed
from bot.core.types import HelpRequest


async def skill_reviewed(
    ctx: Context, notice: SkillReviewed, request: HelpRequest | None
) -> Outgoing | None:
    """To each member who declared a proposed skill, once coordinators validated or replaced
    it (nothing once the proposal is gone)."""
    found = await skill_review.reviewed_labels(ctx.services, notice)
    if found is None:
        return None
    proposal, replacement = found
    mine = Action(ctx._("My skills"), "/competences")
    if replacement is None:
        return ctx.reply(
            ctx._("The coordination added your skill “{skill}” to the network's skills.").format(
                skill=proposal.label(ctx.t.locale)
            ),
            ctx._("Requests that name it now reach you."),
            actions=[mine],
        )
    return ctx.reply(
        ctx._("In your skills, “{old}” is now {new}.").format(
            old=proposal.label(ctx.t.locale), new=replacement.label(ctx.t.locale)
        ),
        ctx._("The coordination chose this known skill. Your level is kept."),
        actions=[mine],
    )


WORDINGS: dict[NoticeKind, Wording[Any]] = {
    NoticeKind.SKILL_REVIEWED: Wording(SkillReviewed, skill_reviewed),
}
