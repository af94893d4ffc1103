"""The database sums each candidate's fit: the same candidates and fits as in Python, and
matching offers a request to the head of the full ranking."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TypedDict

import pytest

from bot.app import App
from bot.core import matching, weights
from bot.core.matching import CANDIDATE_PAGE, choose_helpers
from domain.records import RequestStatus, Role, Urgency
from skills import SkillLevel, default_matcher
from skills.ranking import fit_of, rank_helpers

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class Query(TypedDict):
    """The arguments common to the candidate queries of `OfferRepository`."""

    request_id: int
    skill_ids: list[int]
    exclude: list[int]


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
    query: Query = {"request_id": request_id, "skill_ids": wanted, "exclude": [members[0]]}
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
    # One skill: the page walks each level by member id instead of summing; same answer.
    alone: Query = {**query, "skill_ids": [skills["ameli"].id]}
    async with db.uow() as uow:
        everyone = await uow.offers.candidate_fits(**alone)
        pages = [await uow.offers.candidate_fits(**alone, limit=n) for n in (1, 4, 9, 200)]
    assert len({fit for _, fit in everyone}) == 3 and len(everyone) > 9
    assert pages == [everyone[:n] for n in (1, 4, 9, 200)]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_choose_helpers_is_the_head_of_the_full_ranking(
    app: App, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What matching offers (best fits read first, loads counted for the best few, one
    statement for both loads) is exactly the head of ranking every candidate with their load;
    also when the first page of candidates cannot settle the ranking (a tiny page)."""
    db = app.db
    rng = random.Random(seed)
    since = NOW - timedelta(days=7)
    claims: Counter[int] = Counter()
    recent: Counter[int] = Counter()
    async with db.uow() as uow:
        skills = await uow.skills.by_slugs(["ameli", "caf", "pix"])
        members = []
        for index in range(40):
            member = await uow.members.add(
                display_name=f"M{index}", role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
            )
            members.append(member.id)
            for skill in rng.sample(list(skills.values()), rng.randint(0, 3)):
                level = rng.choice(list(SkillLevel))
                await uow.skills.set_level(
                    member_id=member.id, skill_id=skill.id, level=level, now=NOW
                )
        for _ in range(30):  # past requests: some held by a helper, offers old and recent
            past = await uow.requests.add(
                author_id=rng.choice(members), text="avant", urgency=Urgency.WEEK, now=NOW
            )
            offered_at = NOW - timedelta(days=rng.choice([1, 3, 30]))
            helpers = rng.sample(members, rng.randint(1, 4))
            await uow.offers.add_many(
                request_id=past, helper_ids=helpers, round_number=1, now=offered_at
            )
            recent.update(helpers if offered_at >= since else [])
            if rng.random() < 0.5:
                claims[helpers[0]] += 1
                await uow.requests.transition(
                    past,
                    allowed_from=[RequestStatus.OPEN],
                    to=RequestStatus.CLAIMED,
                    now=NOW,
                    helper_id=helpers[0],
                )
        author = members[0]
        request_id = await uow.requests.add(
            author_id=author, text="ameli et caf", urgency=Urgency.WEEK, now=NOW
        )
        await uow.requests.set_skills(request_id, [skills["ameli"].id, skills["caf"].id])
        await uow.commit()
    async with db.uow() as uow:
        request = await uow.requests.get(request_id)
        assert request is not None
        fresh = await choose_helpers(uow, request, since, 3)
        assert not fresh.offered_before
        await uow.offers.add_many(
            request_id=request_id, helper_ids=members[1:3], round_number=1, now=NOW
        )
        everyone = await uow.offers.candidates(
            request_id=request_id,
            skill_ids=[skill.id for skill in request.skills],
            exclude=[author],
            recent_since=since,
        )
        assert len(everyone) > 10
        assert await uow.offers.loads(members, since) == {
            member: (claims[member], recent[member] + (member in members[1:3]))
            for member in members
        }
        # The need's weights (centrality in the text, rarity in the network) as matching
        # computes them; the members here hold none of the skills' relatives.
        _, by_id = await weights.skill_weights(uow, request, default_matcher())
        assert by_id is not None
        need = {slug: by_id[skill.id] for slug, skill in skills.items() if skill.id in by_id}
        assert set(need) == {"ameli", "caf"}
        ranked = rank_helpers(everyone, ["ameli", "caf"], need=need)
        full = [helper.member_id for helper in ranked]
        for page in (CANDIDATE_PAGE, 4, 1):
            monkeypatch.setattr(matching, "CANDIDATE_PAGE", page)
            for count in (1, 3, 6):
                choice = await choose_helpers(uow, request, since, count)
                assert choice.helpers == full[:count], (page, count)
                assert choice.offered_before


async def test_offered_before_is_known_without_any_candidate(app: App) -> None:
    """A request nobody can take still says whether it was offered (no second query)."""
    async with app.db.uow() as uow:
        author = await uow.members.add(
            display_name="A", role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
        )
        other = await uow.members.add(
            display_name="B", role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
        )
        request_id = await uow.requests.add(
            author_id=author.id, text="rien", urgency=Urgency.WEEK, now=NOW
        )
        query: Query = {"request_id": request_id, "skill_ids": [], "exclude": [author.id]}
        before = await uow.offers.candidates_by_fit(**query)
        await uow.offers.add_many(
            request_id=request_id, helper_ids=[other.id], round_number=1, now=NOW
        )
        after = await uow.offers.candidates_by_fit(**query, limit=5)
    assert (before.fits, before.offered_before) == ([], False)
    assert (after.fits, after.offered_before) == ([], True)
