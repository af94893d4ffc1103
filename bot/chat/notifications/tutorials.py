"""Queued messages about the tutorial base: review, reports, and the asker's credit."""

from __future__ import annotations

from typing import Any

from bot.chat.context import Context
from bot.chat.notifications.base import Wording
from bot.chat.tutorial_views import result_line
from bot.chat.types import Action, Outgoing
from bot.core import tutorial_revisions, tutorials
from bot.core.notices import AboutTutorial, NoticeKind, TutorialCredit
from bot.core.tutorials import TutorialNotFound
from bot.core.types import HelpRequest, Tutorial, TutorialStatus


async def _tutorial(ctx: Context, notice: AboutTutorial | TutorialCredit) -> Tutorial | None:
    if ctx.member is None:
        return None
    try:
        return await tutorials.visible(ctx.services, notice.tutorial_id, ctx.me)
    except TutorialNotFound:
        return None


async def review(
    ctx: Context, notice: AboutTutorial, request: HelpRequest | None
) -> Outgoing | None:
    """To coordinators: a tutorial waits for their reading before publication."""
    tutorial = await _tutorial(ctx, notice)
    if tutorial is None or tutorial.status is not TutorialStatus.REVIEW:
        return None
    n = tutorial.id
    return ctx.reply(
        ctx._("A new tutorial waits for your review:"),
        result_line(ctx, tutorial),
        actions=[
            Action(ctx._("Read it"), f"/tuto {n}"),
            Action(ctx._("Publish"), f"/tuto publier {n}"),
        ],
    )


async def change(
    ctx: Context, notice: AboutTutorial, request: HelpRequest | None
) -> Outgoing | None:
    """To coordinators: a member changed a published tutorial; the change waits for them."""
    tutorial = await _tutorial(ctx, notice)
    if tutorial is None:
        return None
    if await tutorial_revisions.pending_version(ctx.services, tutorial.id, ctx.me) is None:
        return None  # already published or refused
    n = tutorial.id
    return ctx.reply(
        ctx._("A published tutorial was changed. The change waits for your review:"),
        result_line(ctx, tutorial),
        ctx._("Until you publish it, the network reads the approved version."),
        actions=[
            Action(ctx._("See the change"), f"/tuto {n}"),
            Action(ctx._("Publish the change"), f"/tuto publier {n}"),
            Action(ctx._("Refuse the change"), f"/tuto refuser {n}"),
        ],
    )


async def flagged(
    ctx: Context, notice: AboutTutorial, request: HelpRequest | None
) -> Outgoing | None:
    """To coordinators: a member thinks a tutorial is out of date."""
    tutorial = await _tutorial(ctx, notice)
    if tutorial is None or not tutorial.flag_count:
        return None
    n = tutorial.id
    return ctx.reply(
        ctx._("A member thinks this tutorial may be out of date:"),
        result_line(ctx, tutorial),
        actions=[
            Action(ctx._("Read it"), f"/tuto {n}"),
            Action(ctx._("Still right"), f"/tuto verifie {n}"),
            Action(ctx._("Out of date"), f"/tuto perime {n}"),
        ],
    )


async def credit(
    ctx: Context, notice: TutorialCredit, request: HelpRequest | None
) -> Outgoing | None:
    """To the person who asked: their solved case became a tutorial; be named as co-author?"""
    tutorial = await _tutorial(ctx, notice)
    if tutorial is None or request is None or tutorial.asker_id is not None:
        return None
    return ctx.reply(
        ctx._("Your request #{r} became a tutorial:").format(r=request.id),
        result_line(ctx, tutorial),
        ctx._("Do you want to be named as co-author?"),
        actions=[
            Action(ctx._("Yes, name me"), f"/tuto credit {tutorial.id}"),
            Action(ctx._("Read it"), f"/tuto {tutorial.id}"),
        ],
    )


WORDINGS: dict[NoticeKind, Wording[Any]] = {
    NoticeKind.TUTORIAL_REVIEW: Wording(AboutTutorial, review),
    NoticeKind.TUTORIAL_FLAGGED: Wording(AboutTutorial, flagged),
    NoticeKind.TUTORIAL_CREDIT: Wording(TutorialCredit, credit),
    NoticeKind.TUTORIAL_CHANGE: Wording(AboutTutorial, change),
}
