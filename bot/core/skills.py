"""Members' declared skills: add, remove, change level, and the matcher that also knows the
network's own skills. The coordinators' review of proposed skills is in `skill_review`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.errors import CoreError
from bot.core.services import Services
from bot.core.types import MemberSkill, NetworkSkill, SkillRow, SkillSource
from skills import (
    DEFAULT_LEVEL,
    Skill,
    SkillKind,
    SkillLevel,
    SkillMatch,
    SkillMatcher,
    Taxonomy,
    fold,
    slugify,
    split_level,
)
from storage.db import UnitOfWork

PROPOSED_PREFIX = "x-"
MAX_ITEMS = 20
MAX_ITEM_LENGTH = 60
MAX_ITEM_WORDS = 6


@dataclass(frozen=True, slots=True)
class Proposal:
    """A skill the taxonomy did not know, kept as proposed, with close taxonomy entries."""

    declared: MemberSkill
    typed: str
    suggestions: tuple[SkillMatch, ...]


@dataclass(frozen=True, slots=True)
class Declaration:
    """What the bot understood of a list of skills a member typed."""

    recognised: list[tuple[str, MemberSkill]] = field(default_factory=list)
    proposed: list[Proposal] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    full: dict[SkillLevel, list[str]] = field(default_factory=dict)
    """Items not added: their level already holds as many skills as allowed."""
    kept_higher: list[tuple[str, MemberSkill]] = field(default_factory=list)
    """Items giving a skill a lower level than earlier in the same list: the higher level is
    kept (typed item, the skill at the level kept)."""


class LevelFull(CoreError):
    """A member already declares as many skills as allowed at this level."""

    def __init__(self, level: SkillLevel, limit: int) -> None:
        super().__init__(f"{limit} skills at most at level {level.value}")
        self.level = level
        self.limit = limit


def _room(
    current: Mapping[str, SkillLevel],
    limits: Mapping[SkillLevel, int],
    slug: str,
    level: SkillLevel,
) -> bool:
    """Whether the member may hold `slug` at `level` (it may already be there)."""
    if current.get(slug) is level:
        return True
    taken = sum(1 for held in current.values() if held is level)
    return taken < limits.get(level, taken + 1)


def split_items(text: str) -> list[str]:
    """Split a typed list on commas, semicolons and new lines; drop empty items."""
    for separator in (";", "\n"):
        text = text.replace(separator, ",")
    return [item.strip() for item in text.split(",") if item.strip()]


async def sync_taxonomy(services: Services, taxonomy: Taxonomy) -> None:
    """Make the skills table know every taxonomy entry (idempotent)."""
    async with services.uow() as uow:
        await uow.skills.sync_taxonomy(taxonomy.skills, services.clock.now())
        await uow.commit()


async def declared(services: Services, member_id: int) -> list[MemberSkill]:
    """A member's skills with their levels."""
    async with services.uow() as uow:
        return await uow.skills.of_member(member_id)


async def declare(services: Services, member_id: int, text: str) -> Declaration:
    """Add the skills listed in `text` (comma-separated, optional level in parentheses).

    Recognised items become their canonical taxonomy skill; the others are kept as proposed
    skills with "did you mean" suggestions. An item without a level keeps the level already
    declared, or gets the default one. An item whose level already holds as many skills as
    `services.skills` allows is not added (`Declaration.full`). Never asks a question, so
    scripts work.
    """
    async with services.uow() as uow:
        listing = _Listing(
            member_id=member_id,
            now=services.clock.now(),
            limits=services.skills.max_per_level,
            matcher=await network_matcher(uow, services.matcher),
            current={ms.skill.slug: ms.level for ms in await uow.skills.of_member(member_id)},
        )
        for item in split_items(text)[:MAX_ITEMS]:
            await _declare_item(uow, listing, item)
        await uow.commit()
    await uow.candidates.keep_up()  # matching from memory sees the change at once
    return listing.result


@dataclass(slots=True)
class _Listing:
    """A list of skills being declared: the member's levels so far, and what was understood."""

    member_id: int
    now: datetime
    limits: Mapping[SkillLevel, int]
    matcher: SkillMatcher
    current: dict[str, SkillLevel]
    given: dict[str, SkillLevel] = field(default_factory=dict)
    """The level each skill was given in this list."""
    result: Declaration = field(default_factory=Declaration)


async def _declare_item(uow: UnitOfWork, listing: _Listing, item: str) -> None:
    """Declare one item of the list, or say in `listing.result` why it was not."""
    result = listing.result
    phrase, level = split_level(item)
    if not _acceptable(phrase):
        result.rejected.append(item)
        return
    match = listing.matcher.match(phrase)
    slug = match.skill.slug if match else PROPOSED_PREFIX + slugify(phrase)
    earlier = listing.given.get(slug)
    if earlier is not None and (level is None or level.weight < earlier.weight):
        # Named twice in one list ("smartphone (former), téléphone portable"): the highest
        # level given is kept, whatever the order.
        row = await uow.skills.by_slug(slug) if level is not None else None
        if row is not None:  # a lower level given: say which one was kept
            result.kept_higher.append((item, MemberSkill(skill=row, level=earlier)))
        return
    wanted = level or listing.current.get(slug, DEFAULT_LEVEL)
    if not _room(listing.current, listing.limits, slug, wanted):
        result.full.setdefault(wanted, []).append(item)
        return
    row = await _skill_row(uow, listing, match, phrase)
    if row is None:  # taxonomy not synced: treat as unknown rather than fail
        result.rejected.append(item)
        return
    chosen = level or listing.current.get(row.slug, DEFAULT_LEVEL)
    await uow.skills.set_level(
        member_id=listing.member_id, skill_id=row.id, level=chosen, now=listing.now
    )
    listing.current[row.slug] = listing.given[row.slug] = chosen
    declared_skill = MemberSkill(skill=row, level=chosen)
    if match is not None or row.source is not SkillSource.PROPOSED:
        result.recognised.append((phrase, declared_skill))
    else:
        suggestions = tuple(listing.matcher.suggest(phrase))
        result.proposed.append(Proposal(declared_skill, phrase, suggestions))


def _acceptable(phrase: str) -> bool:
    """Whether a typed item can name a skill (not empty, not a sentence)."""
    return (
        bool(slugify(phrase))
        and len(phrase) <= MAX_ITEM_LENGTH
        and len(phrase.split()) <= MAX_ITEM_WORDS
    )


async def _skill_row(
    uow: UnitOfWork, listing: _Listing, match: SkillMatch | None, phrase: str
) -> SkillRow | None:
    """The skill an item names: the taxonomy's, or a proposal (its replacement when a
    coordinator chose one); None when the taxonomy is not synchronised."""
    if match is not None:
        return await uow.skills.by_slug(match.skill.slug)
    row = await uow.skills.add_proposed(
        slug=PROPOSED_PREFIX + slugify(phrase),
        label=" ".join(phrase.split()),
        proposed_by=listing.member_id,
        now=listing.now,
    )
    if row.source is SkillSource.REPLACED:  # a coordinator chose its replacement
        row = await uow.skills.replacement_of(row.slug) or row
    return row


def _find_declared(
    matcher: SkillMatcher, declared_skills: list[MemberSkill], phrase: str
) -> MemberSkill | None:
    """Which of the member's skills a typed phrase designates (slug, label or alias)."""
    by_slug = {ms.skill.slug: ms for ms in declared_skills}
    folded = fold(phrase)
    for ms in declared_skills:
        if folded in (
            fold(ms.skill.slug),
            fold(ms.skill.label_fr),
            fold(ms.skill.label_en),
        ):
            return ms
    match = matcher.match(phrase)
    if match is not None and match.skill.slug in by_slug:
        return by_slug[match.skill.slug]
    return by_slug.get(PROPOSED_PREFIX + slugify(phrase))


async def remove(services: Services, member_id: int, text: str) -> tuple[list[SkillRow], list[str]]:
    """Remove the listed skills from a member: (removed, items not found among theirs)."""
    removed: list[SkillRow] = []
    missing: list[str] = []
    async with services.uow() as uow:
        mine = await uow.skills.of_member(member_id)
        for item in split_items(text)[:MAX_ITEMS]:
            phrase, _ = split_level(item)
            found = _find_declared(services.matcher, mine, phrase)
            if found is None:
                missing.append(item)
                continue
            await uow.skills.remove_from_member(member_id=member_id, skill_id=found.skill.id)
            mine = [ms for ms in mine if ms.skill.id != found.skill.id]
            removed.append(found.skill)
        await uow.commit()
    await uow.candidates.keep_up()  # matching from memory sees the change at once
    return removed, missing


async def change_level(
    services: Services, member_id: int, phrase: str, level: SkillLevel
) -> MemberSkill | None:
    """Change the level of one of the member's skills; None when they have not declared it.

    Raises LevelFull when the new level already holds as many skills as `services.skills`
    allows.
    """
    limits = services.skills.max_per_level
    async with services.uow() as uow:
        mine = await uow.skills.of_member(member_id)
        found = _find_declared(services.matcher, mine, phrase)
        if found is None:
            return None
        current = {ms.skill.slug: ms.level for ms in mine}
        if not _room(current, limits, found.skill.slug, level):
            raise LevelFull(level, limits[level])
        await uow.skills.set_level(
            member_id=member_id, skill_id=found.skill.id, level=level, now=services.clock.now()
        )
        await uow.commit()
    await uow.candidates.keep_up()  # matching from memory sees the change at once
    return MemberSkill(skill=found.skill, level=level)


async def replace_proposed(
    services: Services, member_id: int, proposed_slug: str, taxonomy_slug: str
) -> MemberSkill | None:
    """Swap a member's proposed skill for the taxonomy skill they meant (keeping the level)."""
    async with services.uow() as uow:
        mine = {ms.skill.slug: ms for ms in await uow.skills.of_member(member_id)}
        old = mine.get(proposed_slug)
        new = await uow.skills.by_slug(taxonomy_slug)
        if old is None or old.skill.source is not SkillSource.PROPOSED or new is None:
            return None
        await uow.skills.remove_from_member(member_id=member_id, skill_id=old.skill.id)
        await uow.skills.set_level(
            member_id=member_id, skill_id=new.id, level=old.level, now=services.clock.now()
        )
        await uow.commit()
    await uow.candidates.keep_up()  # matching from memory sees the change at once
    return MemberSkill(skill=new, level=old.level)


def _as_skill(row: NetworkSkill, taxonomy: Taxonomy) -> Skill:
    """A network skill as the matcher takes it: a tool (found in texts by its label and
    aliases), in its parent's area and themes."""
    parent = taxonomy.get(row.parent) if row.parent else None
    return Skill(
        slug=row.slug,
        kind=SkillKind.TOOL,
        label_fr=row.label_fr,
        label_en=row.label_en,
        area=parent.area if parent else "",
        digcomp=(),
        crcn=(),
        aliases=row.aliases,
        themes=parent.themes if parent else (),
        parent=parent.slug if parent else None,
    )


async def network_matcher(uow: UnitOfWork, matcher: SkillMatcher) -> SkillMatcher:
    """`matcher` plus the network's own skills (validated proposals), read in `uow`: request
    texts find them like taxonomy skills."""
    return with_network(matcher, await uow.skills.network())


def with_network(matcher: SkillMatcher, rows: list[NetworkSkill]) -> SkillMatcher:
    """`matcher` plus these network skills."""
    return matcher.with_skills(tuple(_as_skill(row, matcher.taxonomy) for row in rows))
