"""The demo network of the embedded default: the seed's partner structures and a few members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.demo_history import seed_history
from bot.core.demo_places import seed_places
from bot.core.demo_tutorials import DEMO_TUTORIALS
from bot.core.services import Services
from bot.core.tutorials import skills_text
from bot.core.types import Role, TutorialStatus
from skills import SkillLevel, SkillMatcher, default_catalog
from storage.db import UnitOfWork

DEMO_STRUCTURES = (
    "Mission locale",
    "EPN Résoudre",
    "PREF Courteline",
    "Tours Emploi Services",
)

_T, _P, _D = SkillLevel.TEACHING, SkillLevel.PRACTISING, SkillLevel.DISCOVERING


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """A member of the demo network, reachable in the terminal under their name."""

    name: str
    structure: str
    role: Role
    skills: tuple[tuple[str, SkillLevel], ...]


DEMO_PEOPLE = (
    DemoPerson(
        "Amina",
        "Mission locale",
        Role.MEMBER,
        (("france-travail", _P), ("cv-en-ligne", _D)),
    ),
    DemoPerson(
        "Karim",
        "EPN Résoudre",
        Role.MEMBER,
        (("ameli", _T), ("caf", _P), ("franceconnect", _T)),
    ),
    DemoPerson(
        "Claire",
        "PREF Courteline",
        Role.COORDINATOR,
        (("scribus", _T), ("wordpress", _T), ("agora-project", _P)),
    ),
    DemoPerson(
        "Bruno",
        "Tours Emploi Services",
        Role.MEMBER,
        (("openstreetmap", _P), ("blender", _D)),
    ),
    DemoPerson("Sophie", "Mission locale", Role.MEMBER, (("ameli", _P), ("impots-gouv", _T))),
)


async def seed_demo(services: Services) -> bool:
    """Create the demo structures, people (console identities) and a few published tutorials;
    false if already there.
    """
    now = services.clock.now()
    async with services.uow() as uow:
        if await uow.members.by_identity("console", DEMO_PEOPLE[0].name.lower()) is not None:
            return False
        structure_ids: dict[str, int] = {}
        for name in DEMO_STRUCTURES:
            structure = await uow.structures.by_name(name) or await uow.structures.add(name, now)
            structure_ids[name] = structure.id
        skill_rows = await uow.skills.by_slugs(
            slug for person in DEMO_PEOPLE for slug, _ in person.skills
        )
        authors: dict[str, int] = {}
        for person in DEMO_PEOPLE:
            member = await uow.members.add(
                display_name=person.name,
                role=person.role,
                locale="fr",
                structure_id=structure_ids[person.structure],
                now=now,
            )
            key = person.name.lower()
            await uow.members.add_identity(
                member_id=member.id,
                platform="console",
                platform_user_id=key,
                chat_id=key,
                now=now,
            )
            for slug, level in person.skills:
                if slug in skill_rows:
                    await uow.skills.set_level(
                        member_id=member.id,
                        skill_id=skill_rows[slug].id,
                        level=level,
                        now=now,
                    )
            authors[person.name] = member.id
        tutorials = await _seed_tutorials(uow, services.matcher, authors, now)
        await seed_history(uow, now, authors, tutorials)
        await seed_places(uow, default_catalog(), structure_ids, now)
        await uow.commit()
    return True


async def _seed_tutorials(
    uow: UnitOfWork, matcher: SkillMatcher, authors: dict[str, int], now: datetime
) -> dict[str, int]:
    rows = await uow.skills.by_slugs(slug for entry in DEMO_TUTORIALS for slug in entry.skills)
    numbers: dict[str, int] = {}
    for entry in DEMO_TUTORIALS:
        tutorial_id = await uow.tutorials.add(
            request_id=None,
            author_id=authors[entry.author],
            title=entry.title,
            problem=entry.problem,
            steps=entry.steps,
            skill_ids=[rows[slug].id for slug in entry.skills if slug in rows],
            themes=entry.themes,
            skills_text=skills_text(matcher, entry.skills),
            now=now,
            status=TutorialStatus.PUBLISHED,
        )
        await uow.tutorials.update(tutorial_id, now, helped_count=entry.helped)
        numbers[entry.title] = tutorial_id
    return numbers
