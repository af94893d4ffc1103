"""What members and coordinators say about published tutorials: it helped, it answered a
request before it was posted, it looks out of date, it was checked."""

from __future__ import annotations

from bot.core.notices import AboutTutorial, NoticeKind
from bot.core.outbox import notify_coordinators
from bot.core.request_states import Transition
from bot.core.requests import get_own, move
from bot.core.services import Services
from bot.core.tutorials import TutorialNotFound, editable
from bot.core.types import Member, Tutorial, TutorialStatus


async def helped(services: Services, tutorial_id: int, member: Member) -> bool:
    """The member says the tutorial helped them (counted once per member)."""
    async with services.uow() as uow:
        tutorial = await uow.tutorials.get(tutorial_id)
        if tutorial is None or not tutorial.published:
            raise TutorialNotFound(tutorial_id)
        counted = await uow.tutorials.add_feedback(
            tutorial_id, member.id, "helped", services.clock.now()
        )
        await uow.commit()
    return counted


async def deflect(services: Services, request_id: int, tutorial_id: int, member: Member) -> bool:
    """A tutorial answered the member's draft request: it is closed without being posted."""
    now = services.clock.now()
    async with services.uow() as uow:
        request = await get_own(uow, request_id, member)
        tutorial = await uow.tutorials.get(tutorial_id)
        if tutorial is None or not tutorial.published:
            raise TutorialNotFound(tutorial_id)
        await move(
            uow,
            request,
            Transition.DEFLECT,
            now,
            by=member.id,
            closed_at=now,
            solved_by_tutorial_id=tutorial_id,
        )
        counted = await uow.tutorials.add_feedback(tutorial_id, member.id, "helped", now)
        await uow.commit()
    return counted


async def flag(services: Services, tutorial_id: int, member: Member) -> bool:
    """The member reports the tutorial as possibly out of date (once per member)."""
    now = services.clock.now()
    async with services.uow() as uow:
        tutorial = await uow.tutorials.get(tutorial_id)
        if tutorial is None or not tutorial.published:
            raise TutorialNotFound(tutorial_id)
        counted = await uow.tutorials.add_feedback(tutorial_id, member.id, "outdated", now)
        if counted and tutorial.flag_count == 0:
            await notify_coordinators(
                uow,
                now,
                AboutTutorial(NoticeKind.TUTORIAL_FLAGGED, tutorial_id),
                dedup_prefix=f"tutorial_flagged:{tutorial_id}:{now.date().isoformat()}",
            )
        await uow.commit()
    return counted


async def review(
    services: Services, tutorial_id: int, member: Member, *, outdated: bool
) -> Tutorial:
    """A coordinator (or the author) checked a tutorial: still right, or out of date."""
    now = services.clock.now()
    async with services.uow() as uow:
        tutorial = await editable(uow, tutorial_id, member)
        if not tutorial.published:
            raise TutorialNotFound(tutorial_id)
        await uow.tutorials.clear_flags(tutorial_id, now)
        status = TutorialStatus.OUTDATED if outdated else TutorialStatus.PUBLISHED
        await uow.tutorials.update(tutorial_id, now, status=status)
        await uow.commit()
        result = await uow.tutorials.get(tutorial_id)
    assert result is not None
    return result


async def to_check(
    services: Services, limit: int = 20
) -> tuple[list[Tutorial], list[Tutorial], list[Tutorial]]:
    """For coordinators: reported entries, entries not checked for long, entries to review
    (new ones, then published ones whose change waits)."""
    published = (TutorialStatus.PUBLISHED, TutorialStatus.OUTDATED)
    async with services.uow() as uow:
        flagged = await uow.tutorials.listing(statuses=published, flagged=True, limit=limit)
        stale = await uow.tutorials.listing(
            statuses=(TutorialStatus.PUBLISHED,),
            checked_before=services.clock.now() - services.tutorials.stale_after,
            limit=limit,
        )
        waiting = await uow.tutorials.listing(statuses=(TutorialStatus.REVIEW,), limit=limit)
        changed = await uow.tutorials.get_many(await uow.tutorial_revisions.pending(limit))
    return flagged, stale, [*waiting, *changed]
