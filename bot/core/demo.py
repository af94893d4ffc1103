"""The demo network of the embedded default: the seed's partner structures and a few members."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.clock import Clock
from bot.core.types import Role
from skills import SkillLevel
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


async def seed_demo(uow: UnitOfWork, clock: Clock) -> bool:
    """Create the demo structures and people (console identities); false if already there."""
    now = clock.now()
    async with uow:
        if await uow.members.by_identity("console", DEMO_PEOPLE[0].name.lower()) is not None:
            return False
        structure_ids: dict[str, int] = {}
        for name in DEMO_STRUCTURES:
            structure = await uow.structures.by_name(name) or await uow.structures.add(name, now)
            structure_ids[name] = structure.id
        skill_rows = await uow.skills.by_slugs(
            slug for person in DEMO_PEOPLE for slug, _ in person.skills
        )
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
        await uow.commit()
    return True
