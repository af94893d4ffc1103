"""The database sums each candidate's fit: the same candidates and fits as in Python."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from bot.app import App
from skills import SkillLevel
from skills.ranking import fit_of
from storage.records import Role, Urgency

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def test_candidate_fits_match_the_levels_summed_in_python(app: App) -> None:
    db = app.db  # with the taxonomy loaded
    rng = random.Random(3)
    async with db.uow() as uow:
        skills = await uow.skills.by_slugs(["ameli", "caf", "pix", "wordpress"])
        assert {"ameli", "caf"} <= set(skills)
        members = []
        for index in range(60):
            member = await uow.members.add(
                display_name=f"M{index}", role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
            )
            members.append(member.id)
            known = list(skills.values())
            for skill in rng.sample(known, rng.randint(0, len(known))):
                await uow.skills.set_level(
                    member_id=member.id,
                    skill_id=skill.id,
                    level=rng.choice(list(SkillLevel)),
                    now=NOW,
                )
        request_id = await uow.requests.add(
            author_id=members[0], text="ameli et caf", urgency=Urgency.WEEK, now=NOW
        )
        await uow.offers.add_many(
            request_id=request_id, helper_ids=members[1:4], round_number=1, now=NOW
        )
        await uow.commit()
    wanted = [skills["ameli"].id, skills["caf"].id]
    query = {"request_id": request_id, "skill_ids": wanted, "exclude": [members[0]]}
    async with db.uow() as uow:
        levels = await uow.offers.candidate_levels(**query)
        fits = await uow.offers.candidate_fits(**query)
        first = await uow.offers.candidate_fits(**query, limit=5)
    expected = sorted(
        ((member, fit_of(known, {"ameli", "caf"})) for member, known in levels.items()),
        key=lambda pair: (-pair[1], pair[0]),
    )
    assert fits == expected and len(fits) > 10
    assert first == expected[:5]
    assert not {members[0], *members[1:4]} & {member for member, _ in fits}
