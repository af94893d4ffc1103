"""The coordinators' review of the skills members proposed: validate one as a skill of the
network (with a parent and aliases), or replace it everywhere by an existing skill."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.clock import Clock
from bot.core.errors import CoreError
from bot.core.notices import SkillReviewed
from bot.core.outbox import new_message, notify_many
from bot.core.services import Services
from bot.core.skills import MAX_ITEM_LENGTH, MAX_ITEM_WORDS, PROPOSED_PREFIX, network_matcher
from bot.core.types import ProposedSkill, SkillRow, SkillSource
from skills import (
    Skill,
    SkillMatch,
    fold,
    slugify,
)
from storage.db import UnitOfWork

MAX_ALIASES = 5
"""The most aliases a coordinator may give a skill they validate."""


async def proposed(services: Services) -> list[ProposedSkill]:
    """Skills members proposed that the taxonomy does not know (for coordinators)."""
    async with services.uow() as uow:
        return await uow.skills.proposed()


class ReviewError(CoreError):
    """A proposal cannot be validated or replaced as asked."""


class NoSuchProposal(ReviewError):
    """No proposed skill has this name."""


class AlreadyReviewed(ReviewError):
    """The proposal was validated or replaced already (an old button)."""

    def __init__(self, skill: SkillRow, replacement: SkillRow | None) -> None:
        super().__init__(skill.slug)
        self.skill = skill
        self.replacement = replacement
        """What replaced it; None when it was validated (it is a network skill now)."""


class NameTaken(ReviewError):
    """A name given to the new skill already names a known skill: replace instead."""

    def __init__(self, name: str, existing: Skill) -> None:
        super().__init__(name)
        self.name = name
        self.existing = existing


class UnknownSkill(ReviewError):
    """The skill named (the broader skill, or the replacement) is not a known skill."""

    def __init__(self, name: str, suggestions: tuple[SkillMatch, ...]) -> None:
        super().__init__(name)
        self.name = name
        self.suggestions = suggestions


def bad_name(name: str) -> bool:
    """Whether a skill name is empty, too long or without a letter ("²", "42")."""
    folded = fold(name)
    return (
        not any(ch.isalpha() for ch in folded)
        or len(name) > MAX_ITEM_LENGTH
        or len(name.split()) > MAX_ITEM_WORDS
    )


# How a button names a proposal: its number, since a slug can be 62 characters and
# Telegram drops a button whose command is over 64 bytes.
_PROPOSAL_REFERENCE = re.compile(r"#([0-9]{1,9})")


def proposal_reference(skill: SkillRow) -> str:
    """The short name of a proposal that buttons carry (`#12`)."""
    return f"#{skill.id}"


def is_proposal_reference(text: str) -> bool:
    """Whether `text` is a proposal's short name as buttons carry it."""
    return _PROPOSAL_REFERENCE.fullmatch(text.strip()) is not None


async def _find_proposal(uow: UnitOfWork, reference: str) -> SkillRow:
    """The proposal a coordinator names by its number (buttons), slug or label; raises
    NoSuchProposal, or AlreadyReviewed for one validated or replaced already."""
    number = _PROPOSAL_REFERENCE.fullmatch(reference.strip())
    if number is not None:
        row = await uow.skills.by_id(int(number.group(1)))
        if row is None or row.source is SkillSource.TAXONOMY:
            raise NoSuchProposal(reference)
        return await _reviewed_or(uow, row)
    row = await uow.skills.by_slug(reference.strip())
    if row is None or row.source is SkillSource.TAXONOMY:
        row = await uow.skills.by_slug(PROPOSED_PREFIX + slugify(reference))
    if row is None or row.source is SkillSource.TAXONOMY:
        raise NoSuchProposal(reference)
    return await _reviewed_or(uow, row)


async def _reviewed_or(uow: UnitOfWork, row: SkillRow) -> SkillRow:
    """`row`, still a proposal; AlreadyReviewed when it was validated or replaced."""
    if row.source is SkillSource.NETWORK:
        raise AlreadyReviewed(row, None)
    if row.source is SkillSource.REPLACED:
        raise AlreadyReviewed(row, await uow.skills.replacement_of(row.slug))
    return row


@dataclass(frozen=True, slots=True)
class Validated:
    """A proposal promoted into the network's own taxonomy."""

    skill: SkillRow
    aliases: tuple[str, ...]
    parent: Skill | None
    holders: int


async def validate_proposed(
    services: Services,
    reference: str,
    *,
    parent: str | None = None,
    aliases: tuple[str, ...] = (),
) -> Validated:
    """Promote a proposed skill into the network's own taxonomy (the caller checked that a
    coordinator asks): request texts then find it by its label and `aliases`, as a case of
    `parent` if given. The members who declared it keep it, at their level.

    Raises NoSuchProposal, AlreadyReviewed, NameTaken (a name already means a known skill:
    replace the proposal by it instead), UnknownSkill.
    """
    clock = services.clock
    async with services.uow() as uow:
        row = await _find_proposal(uow, reference)
        known = await network_matcher(uow, services.matcher)
        names = [row.label_fr, *aliases]
        for name in names:
            hit = known.match(name)
            if hit is not None and hit.skill.slug != row.slug:
                raise NameTaken(name, hit.skill)
        broader: Skill | None = None
        if parent is not None:
            hit = known.match(parent)
            if hit is None or hit.skill.slug == row.slug:
                raise UnknownSkill(parent, tuple(known.suggest(parent)))
            broader = hit.skill
        kept = tuple(dict.fromkeys(" ".join(alias.split()) for alias in aliases))
        if not await uow.skills.promote(
            row.id,
            label=row.label_fr,
            aliases=kept,
            parent=broader.slug if broader else None,
            now=clock.now(),
        ):
            raise AlreadyReviewed(row, await uow.skills.replacement_of(row.slug))
        holders, _ = await uow.offers.holders([row.slug])
        await _tell_holders(uow, clock, await uow.skills.holder_ids(row.id), SkillReviewed(row.id))
        await uow.commit()
        promoted = await uow.skills.by_slug(row.slug)
    await uow.candidates.keep_up()  # matching from memory sees the network's skill at once
    assert promoted is not None
    count = holders[row.slug][1] if row.slug in holders else 0
    return Validated(promoted, kept, broader, count)


async def _tell_holders(
    uow: UnitOfWork, clock: Clock, holder_ids: list[int], notice: SkillReviewed
) -> None:
    """Queue, in the reviewing transaction, the notice of each member who declared it."""
    await notify_many(uow, clock.now(), [new_message(member, notice) for member in holder_ids])


async def reviewed_labels(
    services: Services, notice: SkillReviewed
) -> tuple[SkillRow, SkillRow | None] | None:
    """The proposal a `SkillReviewed` notice is about and its replacement, if any (None once
    the proposal is gone)."""
    async with services.uow() as uow:
        proposal = await uow.skills.by_id(notice.proposal_id)
        replacement = (
            await uow.skills.by_id(notice.replacement_id)
            if notice.replacement_id is not None
            else None
        )
    if proposal is None or (notice.replacement_id is not None and replacement is None):
        return None
    return proposal, replacement


@dataclass(frozen=True, slots=True)
class Replaced:
    """A proposal replaced, for every member who declared it, by a known skill."""

    proposal: SkillRow
    skill: SkillRow
    moved: int


async def replace_everywhere(services: Services, reference: str, target: str) -> Replaced:
    """Replace a proposal by a known skill (taxonomy or network) for every member who
    declared it, keeping the higher level when they had both (the caller checked that a
    coordinator asks). Raises NoSuchProposal, AlreadyReviewed, UnknownSkill (the target
    names no known skill)."""
    clock = services.clock
    async with services.uow() as uow:
        row = await _find_proposal(uow, reference)
        known = await network_matcher(uow, services.matcher)
        hit = known.taxonomy.get(target.strip()) or getattr(known.match(target), "skill", None)
        new = await uow.skills.by_slug(hit.slug) if hit is not None else None
        if new is None or new.id == row.id:
            raise UnknownSkill(target, tuple(known.suggest(target)))
        holder_ids = await uow.skills.holder_ids(row.id)
        moved = await uow.skills.replace_everywhere(row, new, clock.now())
        if moved is None:
            raise AlreadyReviewed(row, await uow.skills.replacement_of(row.slug))
        await _tell_holders(uow, clock, holder_ids, SkillReviewed(row.id, new.id))
        await uow.commit()
    await uow.candidates.keep_up()  # matching from memory sees the change at once
    return Replaced(row, new, moved)


async def suggestions_for(services: Services, reference: str) -> tuple[SkillRow, list[SkillMatch]]:
    """A proposal and the known skills it may mean (for "replace by…"); raises like
    `replace_everywhere`."""
    async with services.uow() as uow:
        row = await _find_proposal(uow, reference)
        known = await network_matcher(uow, services.matcher)
    return row, known.suggest(row.label_fr, limit=4)


async def find_proposal(services: Services, reference: str) -> SkillRow | None:
    """The proposal (or reviewed proposal) a coordinator names by slug or label, if any."""
    async with services.uow() as uow:
        try:
            return await _find_proposal(uow, reference)
        except AlreadyReviewed as done:
            return done.skill
        except NoSuchProposal:
            return None
