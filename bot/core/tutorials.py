"""The tutorial base: write-ups of solved cases, the personal-data guard, and feedback.

A helper writes a solved case up in short steps (problem, steps, title); the entry stays a
draft until its author publishes it. Publishing first looks for personal data: while any is
found, nothing is published until the author masks it or edits the text. When the network
asks for it, a coordinator reviews an entry before it becomes public.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core import tutorial_revisions
from bot.core.errors import NotAllowed, RequestNotFound
from bot.core.notices import AboutTutorial, NoticeKind, TutorialCredit
from bot.core.outbox import notify, notify_coordinators
from bot.core.pii import PiiFinding, PiiKind, find_personal_data, mask
from bot.core.services import Services
from bot.core.tutorial_changes import Field, with_change
from bot.core.types import (
    HelpRequest,
    Member,
    RequestStatus,
    Role,
    Tutorial,
    TutorialRevision,
    TutorialStatus,
)
from skills import SkillMatcher
from storage.db import UnitOfWork

TITLE_LENGTH = 80
TEXT_FIELDS = ("title", "problem", "steps")


class TutorialNotFound(NotAllowed):
    """No such tutorial, or one the member may not see or change."""

    def __init__(self, tutorial_id: int) -> None:
        super().__init__(f"tutorial {tutorial_id}")
        self.tutorial_id = tutorial_id


def is_coordinator(member: Member) -> bool:
    """Whether the member coordinates the network."""
    return member.role.allows(Role.COORDINATOR)


def title_from(problem: str) -> str:
    """A tutorial title: the first sentence of the problem, shortened."""
    first = problem.strip().split("\n")[0]
    for end in (". ", "? ", "! "):
        first = first.split(end)[0]
    first = first.strip().rstrip(".?!")
    return first if len(first) <= TITLE_LENGTH else first[: TITLE_LENGTH - 1].rstrip() + "…"


def skills_text(matcher: SkillMatcher, slugs: Sequence[str]) -> str:
    """What the index knows of a tutorial's skills: labels in both languages and aliases."""
    parts: list[str] = []
    for slug in slugs:
        skill = matcher.taxonomy.get(slug)
        if skill is not None:
            parts.extend((skill.label_fr, skill.label_en, *skill.aliases))
    return " ; ".join(parts)


def themes_of(matcher: SkillMatcher, slugs: Sequence[str]) -> list[str]:
    """The themes of a tutorial by default: those of its skills."""
    found: dict[str, None] = {}
    for slug in slugs:
        skill = matcher.taxonomy.get(slug)
        for theme in skill.themes if skill else ():
            found.setdefault(theme, None)
    return list(found)


async def _solved_by(uow: UnitOfWork, request_id: int, helper: Member) -> HelpRequest:
    request = await uow.requests.get(request_id)
    if request is None or request.helper_id != helper.id:
        raise RequestNotFound(request_id)
    if request.status not in (RequestStatus.RESOLVED, RequestStatus.CLOSED):
        raise NotAllowed("not_solved")
    return request


async def write_problem(
    services: Services,
    request_id: int,
    helper: Member,
    problem: str | None,
) -> int:
    """Write-up, question 1: the problem. Creates the draft (or rewrites its problem).

    Without `problem` (the helper skipped the question), a draft already started is kept as
    it is, and a new one starts from the request's own text."""
    now, matcher = services.clock.now(), services.matcher
    async with services.uow() as uow:
        existing = await uow.tutorials.for_request(request_id, helper.id)
        if problem is None and existing is not None:
            return existing.id
        request = await _solved_by(uow, request_id, helper)
        if problem is None:
            problem = request.text or ""
        if existing is not None:
            await uow.tutorials.update(existing.id, now, title=title_from(problem), problem=problem)
            tutorial_id = existing.id
        else:
            slugs = [skill.slug for skill in request.skills]
            tutorial_id = await uow.tutorials.add(
                request_id=request_id,
                author_id=helper.id,
                title=title_from(problem),
                problem=problem,
                steps=(),
                skill_ids=[skill.id for skill in request.skills],
                themes=themes_of(matcher, slugs),
                skills_text=skills_text(matcher, slugs),
                language=helper.locale,
                licence=services.tutorials.licence,
                now=now,
            )
        await uow.commit()
    return tutorial_id


async def draft_for(services: Services, request_id: int, helper: Member) -> Tutorial | None:
    """The helper's write-up of a request, if they started one."""
    async with services.uow() as uow:
        return await uow.tutorials.for_request(request_id, helper.id)


async def editable(uow: UnitOfWork, tutorial_id: int, member: Member) -> Tutorial:
    """The tutorial if the member may change it (its author or a coordinator)."""
    tutorial = await uow.tutorials.get(tutorial_id)
    if tutorial is None or (tutorial.author_id != member.id and not is_coordinator(member)):
        raise TutorialNotFound(tutorial_id)
    return tutorial


async def visible(services: Services, tutorial_id: int, member: Member) -> Tutorial:
    """A tutorial the member may read: published ones, their own, all for coordinators."""
    async with services.uow() as uow:
        tutorial = await uow.tutorials.get(tutorial_id)
    if tutorial is None or not (
        tutorial.published or tutorial.author_id == member.id or is_coordinator(member)
    ):
        raise TutorialNotFound(tutorial_id)
    return tutorial


@dataclass(frozen=True, slots=True)
class Edited:
    """A tutorial after a change: as the network reads it, and the change waiting for a
    coordinator when review is required (`proposed`)."""

    tutorial: Tutorial
    proposed: Tutorial | None = None


async def edit(
    services: Services, tutorial_id: int, member: Member, field: Field, value: str
) -> Edited:
    """Change one part of a tutorial (its author or a coordinator).

    With `services.tutorials.review_required`, a member's change to a published entry waits
    for a coordinator (see `tutorial_revisions`); the entry stays as approved. Otherwise a
    published entry whose new text holds personal data goes back to draft: it is public
    again only once its author has chosen what to do with it.
    """
    now = services.clock.now()
    async with services.uow() as uow:
        tutorial = await editable(uow, tutorial_id, member)
        if tutorial_revisions.needs_review(services.tutorials, tutorial, member):
            revision = await uow.tutorial_revisions.get(tutorial_id)
            current = tutorial_revisions.revised(tutorial, revision) if revision else tutorial
            proposal = with_change(current, field, value)
            await tutorial_revisions.propose(uow, now, proposal, member, first=revision is None)
            await uow.commit()
            return Edited(tutorial, proposal)
        changed = with_change(tutorial, field, value)
        if field is Field.THEMES:
            await uow.tutorials.set_themes(tutorial_id, changed.themes)
        values = _stored_texts(field, changed)
        if tutorial.published and personal_data(changed):
            # In the same write: a published entry is reindexed as it is written, and the
            # search must never learn words that may be someone's name.
            values["status"] = TutorialStatus.DRAFT
        await uow.tutorials.update(tutorial_id, now, **values)
        await uow.commit()
        result = await uow.tutorials.get(tutorial_id)
    assert result is not None
    return Edited(result)


def _stored_texts(field: Field, changed: Tutorial) -> dict[str, Any]:
    """The columns a change of `field` writes."""
    if field is Field.AUDIENCE:
        return {"audience": ",".join(changed.audience)[:200]}
    if field in (Field.STEPS, Field.ADD_STEP):
        return {"steps": list(changed.steps)}
    if field is Field.TITLE:
        return {"title": changed.title}
    if field is Field.PROBLEM:
        return {"problem": changed.problem}
    return {}


@dataclass(frozen=True, slots=True)
class FieldFinding:
    """A piece of personal data found in one field of a tutorial (`steps`: their joined text)."""

    field: str
    finding: PiiFinding


def _field_texts(tutorial: Tutorial) -> dict[str, str]:
    return {
        "title": tutorial.title,
        "problem": tutorial.problem,
        "steps": "\n".join(tutorial.steps),
    }


def personal_data(tutorial: Tutorial) -> list[FieldFinding]:
    """Everything that looks like personal data in a tutorial's texts."""
    return [
        FieldFinding(field, finding)
        for field, text in _field_texts(tutorial).items()
        for finding in find_personal_data(text)
    ]


class Outcome(StrEnum):
    """What asking to publish did."""

    PUBLISHED = "published"
    REVIEW = "review"
    PERSONAL_DATA = "personal_data"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True, slots=True)
class Publication:
    """The outcome of a publication request, with the tutorial and what blocked it."""

    outcome: Outcome
    tutorial: Tutorial
    findings: tuple[FieldFinding, ...] = ()


async def publish(
    services: Services,
    tutorial_id: int,
    member: Member,
    *,
    mask_labels: Mapping[PiiKind, str] | None = None,
) -> Publication:
    """Publish a tutorial, after the personal-data guard (and a coordinator, if required).

    With `mask_labels`, every piece of personal data found is replaced by its label first
    (that is the author's choice); without, any finding stops the publication.
    """
    now = services.clock.now()
    async with services.uow() as uow:
        tutorial = await editable(uow, tutorial_id, member)
        revision = await uow.tutorial_revisions.get(tutorial_id) if tutorial.published else None
        if revision is not None:
            return await _publish_change(uow, now, tutorial, revision, member, mask_labels)
        if not tutorial.problem.strip() or not tutorial.steps:
            return Publication(Outcome.INCOMPLETE, tutorial)
        findings = personal_data(tutorial)
        if findings and mask_labels is None:
            return Publication(Outcome.PERSONAL_DATA, tutorial, tuple(findings))
        if findings and mask_labels is not None:
            await _mask(uow, tutorial, findings, mask_labels, now)
        review = services.tutorials.review_required and not is_coordinator(member)
        status = TutorialStatus.REVIEW if review else TutorialStatus.PUBLISHED
        if tutorial.status is not status:
            values: dict[str, object] = {"status": status}
            if status is TutorialStatus.PUBLISHED:
                values.update(published_at=now, checked_at=now)
            # Two presses of [Publish] at once: the second finds it done, announces nothing.
            if await uow.tutorials.update(
                tutorial_id, now, expected_status=tutorial.status, **values
            ):
                await _announce(uow, tutorial, status, now)
        await uow.commit()
        result = await uow.tutorials.get(tutorial_id)
    assert result is not None
    return Publication(Outcome.REVIEW if review else Outcome.PUBLISHED, result)


async def _publish_change(
    uow: UnitOfWork,
    now: datetime,
    tutorial: Tutorial,
    revision: TutorialRevision,
    member: Member,
    mask_labels: Mapping[PiiKind, str] | None,
) -> Publication:
    """A change to a published entry: only a coordinator publishes it, after the same
    personal-data guard as a new entry (the approved version stays public meanwhile)."""
    proposal = tutorial_revisions.revised(tutorial, revision)
    if not is_coordinator(member):
        return Publication(Outcome.REVIEW, tutorial)
    findings = personal_data(proposal)
    if findings and mask_labels is None:
        return Publication(Outcome.PERSONAL_DATA, proposal, tuple(findings))
    if findings and mask_labels is not None:
        texts = _masked_texts(proposal, findings, mask_labels)
        proposal = replace(
            proposal,
            title=texts["title"],
            problem=texts["problem"],
            steps=tuple(line for line in texts["steps"].split("\n") if line.strip()),
        )
    await tutorial_revisions.apply(uow, now, proposal)
    await uow.commit()
    result = await uow.tutorials.get(tutorial.id)
    assert result is not None
    return Publication(Outcome.PUBLISHED, result)


def _masked_texts(
    tutorial: Tutorial, findings: Sequence[FieldFinding], labels: Mapping[PiiKind, str]
) -> dict[str, str]:
    return {
        field: mask(text, [f.finding for f in findings if f.field == field], labels)
        for field, text in _field_texts(tutorial).items()
    }


async def _mask(
    uow: UnitOfWork,
    tutorial: Tutorial,
    findings: Sequence[FieldFinding],
    labels: Mapping[PiiKind, str],
    now: datetime,
) -> None:
    masked = _masked_texts(tutorial, findings, labels)
    await uow.tutorials.update(
        tutorial.id,
        now,
        title=masked["title"],
        problem=masked["problem"],
        steps=masked["steps"].split("\n"),
    )


async def _announce(
    uow: UnitOfWork, tutorial: Tutorial, status: TutorialStatus, now: datetime
) -> None:
    if status is TutorialStatus.REVIEW:
        await notify_coordinators(
            uow,
            now,
            AboutTutorial(NoticeKind.TUTORIAL_REVIEW, tutorial.id),
            dedup_prefix=f"tutorial_review:{tutorial.id}",
        )
        return
    if tutorial.request_id is None:
        return
    request = await uow.requests.get(tutorial.request_id)
    if request and request.author_id and request.author_id != tutorial.author_id:
        await notify(
            uow,
            now,
            request.author_id,
            TutorialCredit(tutorial.id, request.id),
            dedup_key=f"tutorial_credit:{tutorial.id}",
        )


async def credit_asker(services: Services, tutorial_id: int, member: Member) -> bool:
    """The person who asked agrees to be named as co-author of the tutorial of their case."""
    async with services.uow() as uow:
        tutorial = await uow.tutorials.get(tutorial_id)
        request = (
            await uow.requests.get(tutorial.request_id)
            if tutorial and tutorial.request_id
            else None
        )
        if tutorial is None or request is None or request.author_id != member.id:
            raise TutorialNotFound(tutorial_id)
        await uow.tutorials.update(tutorial_id, services.clock.now(), asker_id=member.id)
        await uow.commit()
    return True


async def drafts(services: Services, member: Member) -> list[Tutorial]:
    """The member's tutorials that are not public yet (read only)."""
    async with services.reader()() as uow:
        return await uow.tutorials.listing(
            author_id=member.id, statuses=(TutorialStatus.DRAFT, TutorialStatus.REVIEW)
        )


async def everything(services: Services, *, only_published: bool) -> list[Tutorial]:
    """Every tutorial (for exports), or only the published ones."""
    statuses = (TutorialStatus.PUBLISHED, TutorialStatus.OUTDATED) if only_published else None
    async with services.uow() as uow:
        return await uow.tutorials.listing(statuses=statuses)
