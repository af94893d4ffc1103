"""Changes to reviewed tutorials when the network asks for review (`review_required`).

A member who changes an entry a coordinator approved does not change what the network reads:
the change is kept apart, coordinators are told, and the approved version stays public until
a coordinator publishes the change (or refuses it). Coordinators' own changes apply at once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.notices import AboutTutorial, NoticeKind
from bot.core.outbox import notify_coordinators
from bot.core.services import Services, TutorialSettings
from bot.core.types import Member, Role, Tutorial, TutorialRevision
from storage.db import UnitOfWork

TUTORIAL_CHANGE = NoticeKind.TUTORIAL_CHANGE


def _coordinates(member: Member) -> bool:
    return member.role.allows(Role.COORDINATOR)


def needs_review(settings: TutorialSettings, tutorial: Tutorial, member: Member) -> bool:
    """Whether this member's change to this entry waits for a coordinator."""
    return settings.review_required and tutorial.published and not _coordinates(member)


def revised(tutorial: Tutorial, revision: TutorialRevision) -> Tutorial:
    """The tutorial as the pending change would make it."""
    return replace(
        tutorial,
        title=revision.title,
        problem=revision.problem,
        steps=revision.steps,
        audience=revision.audience,
        themes=revision.themes,
    )


async def propose(
    uow: UnitOfWork,
    now: datetime,
    proposal: Tutorial,
    member: Member,
    first: bool,
) -> None:
    """Keep `proposal` as the pending change of its tutorial; coordinators are told of a new
    pending change (not again for each further edit of the same one)."""
    await uow.tutorial_revisions.save(
        tutorial_id=proposal.id,
        author_id=member.id,
        title=proposal.title,
        problem=proposal.problem,
        steps=proposal.steps,
        audience=proposal.audience,
        themes=proposal.themes,
        now=now,
    )
    if first:
        await notify_coordinators(
            uow,
            now,
            AboutTutorial(NoticeKind.TUTORIAL_CHANGE, proposal.id),
            dedup_prefix=f"{TUTORIAL_CHANGE}:{proposal.id}:{now.isoformat()}",
        )


async def apply(uow: UnitOfWork, now: datetime, approved: Tutorial) -> None:
    """Publish an approved change: the entry takes its texts, the pending change is gone."""
    await uow.tutorials.update(
        approved.id,
        now,
        title=approved.title,
        problem=approved.problem,
        steps=list(approved.steps),
        audience=",".join(approved.audience)[:200],
        checked_at=now,
    )
    await uow.tutorials.set_themes(approved.id, approved.themes)
    await uow.tutorial_revisions.drop(approved.id)


async def pending_version(services: Services, tutorial_id: int, member: Member) -> Tutorial | None:
    """The entry as its pending change would make it, for the change's author, the entry's
    author and coordinators (None: no change waits, or not theirs to see)."""
    async with services.uow() as uow:
        revision = await uow.tutorial_revisions.get(tutorial_id)
        tutorial = await uow.tutorials.get(tutorial_id) if revision else None
    if revision is None or tutorial is None:
        return None
    if member.id not in (revision.author_id, tutorial.author_id) and not _coordinates(member):
        return None
    return revised(tutorial, revision)


async def refuse(services: Services, tutorial_id: int, member: Member) -> bool:
    """A coordinator refuses the pending change (the published version stays)."""
    if not _coordinates(member):
        return False
    async with services.uow() as uow:
        dropped = await uow.tutorial_revisions.drop(tutorial_id)
        await uow.commit()
    return dropped
