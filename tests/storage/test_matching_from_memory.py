"""Matching from memory, the whole choice: what the index keeps about the skills (the
network's own skills, the proposals, the holders' counts, the active members) equals what SQL
reads at the same version, and `choose_helpers` from memory chooses exactly what it chooses
from SQL, in one statement when the first candidates' loads settle the ranking."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.app import App
from bot.core import matching
from bot.core.matching import DAY, choose_helpers
from domain.records import MemberStatus, Role, Urgency
from skills import SkillLevel
from skills.matching import default_matcher
from storage.db import Database
from storage.models import MemberModel
from storage.statements import StatementTally
from tests.storage.test_candidate_index import members_with_random_skills

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
# Taxonomy skills with relatives (smartphone / iphone / android), and common ones.
SLUGS = ["ameli", "caf", "pix", "impots", "smartphone", "iphone", "android", "doctolib"]
TEXTS = [
    "Je n'arrive pas à me connecter sur ameli",
    "Aide pour la déclaration d'impôts et la CAF",
    "Un iPhone bloqué, et le compte ameli aussi",
    "Prendre rendez-vous sur Doctolib avec un smartphone",
    "Faire le test PIX, puis l'attestation CAF",
    "Comment utiliser le logiciel Mediaplanning pour les ateliers",
    "Problème avec Mediaplanning et ameli",
    "Ma box internet ne marche plus",
]


async def _network(db: Database, rng: random.Random, size: int) -> tuple[list[int], list[int]]:
    """Members with random skills and levels, a proposal some of them declare, a promoted
    network skill, and requests (some already offered) with the skills their text names."""
    async with db.uow() as uow:
        skills = [row.id for row in (await uow.skills.by_slugs(SLUGS)).values()]
        members = await members_with_random_skills(uow, rng, skills, size)
        proposal = await uow.skills.add_proposed(
            slug="mediaplanning", label="Mediaplanning", proposed_by=members[0], now=NOW
        )
        promoted = await uow.skills.add_proposed(
            slug="box-internet", label="Box internet", proposed_by=members[0], now=NOW
        )
        assert await uow.skills.promote(
            promoted.id, label="Box internet", aliases=["box"], parent=None, now=NOW
        )
        for holder in rng.sample(members, min(size, 4)):
            for skill in (proposal.id, promoted.id):
                level = rng.choice(list(SkillLevel))
                await uow.skills.set_level(member_id=holder, skill_id=skill, level=level, now=NOW)
        # A member who left keeps their skills: not a candidate, still counted as declaring them.
        await uow.session.execute(
            update(MemberModel)
            .where(MemberModel.id == members[-1])
            .values(status=MemberStatus.LEFT.value)
        )
        requests = []
        for _ in range(10):
            text = rng.choice(TEXTS)
            found = [match.skill.slug for match in default_matcher().extract(text)]
            ids = [row.id for row in (await uow.skills.by_slugs(found)).values()]
            request_id = await uow.requests.add(
                author_id=rng.choice(members), text=text, urgency=Urgency.WEEK, now=NOW
            )
            await uow.requests.set_skills(request_id, ids or [proposal.id])
            if rng.random() < 0.4:
                await uow.offers.add_many(
                    request_id=request_id,
                    helper_ids=rng.sample(members, rng.randint(1, 5)),
                    round_number=1,
                    now=NOW - timedelta(hours=rng.randint(0, 30)),
                )
            requests.append(request_id)
        await uow.commit()
    return members, requests


async def _choose(app: App, request_id: int, count: int, per_day: int) -> list[int]:
    services = app.services
    async with services.uow() as uow:
        request = await uow.requests.get(request_id)
        assert request is not None
        choice = await choose_helpers(
            uow,
            request,
            NOW - timedelta(days=7),
            count,
            cap=(NOW - DAY, per_day),
            matcher=services.matcher,
        )
    return choice.helpers


async def _memory_chooses_as_sql(
    app: App, requests: list[int], rng: random.Random, counts: list[int]
) -> None:
    """Each request's choice from the (current) index is its choice from SQL."""
    index = app.db.candidate_index
    for request_id in requests:
        count, per_day = rng.choice(counts), rng.choice([1, 2, 10])
        index.enabled = False
        expected = await _choose(app, request_id, count, per_day)
        index.enabled = True
        assert await _choose(app, request_id, count, per_day) == expected, request_id
        assert not index.behind, "the index was current: it answered"


async def _same_skill_data(db: Database) -> None:
    index = db.candidate_index
    async with db.uow() as uow:
        assert index.matchable() == await uow.skills.matchable()
        slugs = [*SLUGS, "mediaplanning", "box-internet", "no-such-skill"]
        assert index.holders(slugs) == await uow.offers.holders(slugs)


@pytest.mark.parametrize("seed", range(4))
async def test_the_choice_from_memory_is_the_choice_from_sql(app: App, seed: int) -> None:
    db = app.db
    index = db.candidate_index
    rng = random.Random(seed)
    members, requests = await _network(db, rng, rng.randint(8, 50))
    await index.catch_up()
    await _same_skill_data(db)
    await _memory_chooses_as_sql(app, requests, rng, [1, 3, 5])
    # Somebody changes the skills themselves (a coordinator renames the network's skill):
    # the counter moves, the index stops answering until it caught up, then agrees again.
    version = index.version
    async with db.uow() as uow:
        row = await uow.skills.by_slug("box-internet")
        assert row is not None
        await uow.skills.promote(row.id, label="Box", aliases=[], parent=None, now=NOW)
        await uow.session.execute(
            update(MemberModel)
            .where(MemberModel.id == members[1])
            .values(status=MemberStatus.PAUSED.value)
        )
        await uow.commit()
    await _choose(app, requests[0], 3, 10)
    assert index.behind and index.version == version
    await index.catch_up()
    assert index.version > version
    await _same_skill_data(db)


@pytest.mark.parametrize(("seed", "page"), [(4, 1), (5, 2), (6, 3)])
async def test_a_choice_past_the_first_page_reads_every_holder_and_chooses_the_same(
    app: App, seed: int, page: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the first candidates cannot settle the ranking (a tiny page here, busy best
    holders in a real burst), the index gives every holder; so does SQL. Both choose the same
    helpers."""
    monkeypatch.setattr(matching, "CANDIDATE_PAGE", page)
    db = app.db
    index = db.candidate_index
    rng = random.Random(seed)
    _, requests = await _network(db, rng, 40)
    await index.catch_up()
    pages: list[int | None] = []
    fits = index.fits

    def counted(*args: Any, **kwargs: Any) -> list[tuple[int, float]]:
        pages.append(kwargs.get("limit"))
        return fits(*args, **kwargs)

    monkeypatch.setattr(index, "fits", counted)
    await _memory_chooses_as_sql(app, requests, rng, [2, 3, 5])
    # The first page (plus one), and past it every holder.
    assert set(pages) == {page + 1, None}, pages


async def test_a_change_of_the_skills_alone_moves_the_version(app: App) -> None:
    """A new proposal, a promotion, a newcomer: no member's skills changed, yet what matching
    reads did; each moves the counter, and the index catches up without a full reload."""
    db = app.db
    index = db.candidate_index
    await index.catch_up()
    async with db.uow() as uow:
        before = await uow.candidates.version()
        newcomer = await uow.members.add(
            display_name="Nina", role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
        )
        await uow.commit()
    async with db.uow() as uow:
        after_newcomer = await uow.candidates.version()
        proposal = await uow.skills.add_proposed(
            slug="pronote", label="Pronote", proposed_by=newcomer.id, now=NOW
        )
        await uow.commit()
    async with db.uow() as uow:
        after_proposal = await uow.candidates.version()
        assert await uow.skills.promote(
            proposal.id, label="Pronote", aliases=["ENT"], parent=None, now=NOW
        )
        await uow.commit()
    async with db.uow() as uow:
        after_promotion = await uow.candidates.version()
    assert before < after_newcomer < after_proposal < after_promotion
    _, active_before = index.holders([])
    await index.catch_up()
    assert index.version == after_promotion
    network, _ = index.matchable()
    assert [skill.slug for skill in network] == ["pronote"]
    assert index.holders(["pronote"]) == ({"pronote": (proposal.id, 0)}, active_before + 1)
    await _same_skill_data(db)


async def test_a_first_choice_from_memory_is_one_statement(app: App) -> None:
    """The counter, the request's offers and the first candidates' loads: one round trip."""
    db = app.db
    rng = random.Random(3)
    _, requests = await _network(db, rng, 30)
    await db.candidate_index.catch_up()
    async with app.services.uow() as uow:
        request = await uow.requests.get(requests[0])
        assert request is not None
        with StatementTally(db.engine) as tally:
            choice = await choose_helpers(
                uow, request, NOW - timedelta(days=7), 3, matcher=app.services.matcher
            )
    assert choice.helpers
    assert sum(tally.statements.values()) == 1, tally.statements
