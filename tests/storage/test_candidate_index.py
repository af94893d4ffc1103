"""Matching from memory: the candidate index gives exactly the SQL statement's candidates, on
randomised networks, whatever changed in between and through which worker."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, update

from bot.app import App
from bot.core import privacy
from bot.core import requests as request_cases
from bot.core import skills as skill_cases
from bot.core.clock import FixedClock
from bot.core.matching import Step
from bot.core.types import Member
from domain.records import MemberStatus, Role, Urgency
from skills import SkillLevel
from storage.candidate_index import CandidateIndex
from storage.db import Database, StorageUnavailable, UnitOfWork
from storage.models import MemberModel, MemberSkillModel
from tests.helpers import prepared_app

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SLUGS = ["ameli", "caf", "pix", "wordpress", "impots", "smartphone", "iphone", "doctolib"]


@dataclass
class Network:
    """A random network: its members, its skills' ids, and its requests."""

    members: list[int]
    skills: list[int]
    requests: list[int]


async def members_with_random_skills(
    uow: UnitOfWork, rng: random.Random, skills: list[int], size: int
) -> list[int]:
    """`size` new members, each declaring up to 4 of these skills at random levels."""
    members = []
    for index in range(size):
        member = await uow.members.add(
            display_name=f"M{index}", role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
        )
        members.append(member.id)
        for skill in rng.sample(skills, rng.randint(0, 4)):
            level = rng.choice(list(SkillLevel))
            await uow.skills.set_level(member_id=member.id, skill_id=skill, level=level, now=NOW)
    return members


async def random_network(db: Database, rng: random.Random, size: int) -> Network:
    async with db.uow() as uow:
        rows = await uow.skills.by_slugs(SLUGS)
        skills = [row.id for row in rows.values()]
        members = await members_with_random_skills(uow, rng, skills, size)
        requests = []
        for index in range(4):
            request_id = await uow.requests.add(
                author_id=rng.choice(members), text=f"r{index}", urgency=Urgency.WEEK, now=NOW
            )
            helpers = rng.sample(members, rng.randint(0, 6))
            await uow.offers.add_many(
                request_id=request_id, helper_ids=helpers, round_number=1, now=NOW
            )
            requests.append(request_id)
        await uow.commit()
    return Network(members, skills, requests)


async def random_changes(db: Database, rng: random.Random, network: Network) -> None:
    """Members declare, re-level and drop skills, pause, come back, leave or are deleted."""
    async with db.uow() as uow:
        for _ in range(rng.randint(1, 12)):
            member = rng.choice(network.members)
            skill = rng.choice(network.skills)
            kind = rng.randrange(6)
            if kind <= 1:
                level = rng.choice(list(SkillLevel))
                await uow.skills.set_level(member_id=member, skill_id=skill, level=level, now=NOW)
            elif kind == 2:
                await uow.skills.remove_from_member(member_id=member, skill_id=skill)
            elif kind == 3:
                status = rng.choice(list(MemberStatus))
                await uow.session.execute(
                    update(MemberModel).where(MemberModel.id == member).values(status=status.value)
                )
            elif kind == 4:
                # A whole skill's holders changed by one statement (as a merge of skills would).
                await uow.session.execute(
                    update(MemberSkillModel)
                    .where(MemberSkillModel.skill_id == skill)
                    .values(level=rng.choice(list(SkillLevel)).value)
                )
            elif len(network.members) > 5:
                network.members.remove(member)
                await uow.session.execute(delete(MemberModel).where(MemberModel.id == member))
        await uow.commit()


async def compare(db: Database, rng: random.Random, network: Network) -> None:
    """Random requests: the index answers, and exactly as the SQL statement does."""
    index = db.candidate_index
    for _ in range(12):
        skills = rng.sample(network.skills, rng.randint(0, 4))
        weights = (
            {skill: rng.choice([0.25, 0.5, 1.0, 1.5, 3.0]) for skill in skills}
            if rng.random() < 0.6
            else None
        )
        query = {
            "request_id": rng.choice(network.requests),
            "skill_ids": skills,
            "exclude": rng.sample(network.members, rng.randint(0, 2)),
            "limit": rng.choice([None, 1, 3, 201]),
            "weights": weights,
        }
        async with db.uow() as uow:
            expected = await uow.offers.candidates_by_fit(**query)  # type: ignore[arg-type]
            found = await uow.candidates.by_fit(**query)  # type: ignore[arg-type]
        assert not index.behind, "the index was current: it answered"
        assert found == expected, query


@pytest.mark.parametrize("seed", range(6))
async def test_the_index_gives_the_sql_candidates_on_random_networks(app: App, seed: int) -> None:
    db = app.db
    rng = random.Random(seed)
    network = await random_network(db, rng, rng.randint(5, 60))
    await db.candidate_index.catch_up()  # the app built it before the network existed
    await compare(db, rng, network)
    for _ in range(4):
        await random_changes(db, rng, network)
        async with db.uow() as uow:
            await uow.candidates.by_fit(
                request_id=network.requests[0], skill_ids=network.skills, exclude=[]
            )
        assert db.candidate_index.behind, "the counter moved: the unit of work saw it"
        await db.candidate_index.catch_up()
        await compare(db, rng, network)
    # A fresh index (another worker starting) reads the same.
    other = Database.from_url(db.url)
    try:
        await other.build_candidate_index()
        assert other.candidate_index.version == db.candidate_index.version
        await compare(other, rng, network)
    finally:
        await other.dispose()


async def test_a_stale_index_is_never_used(app: App) -> None:
    """Careless: changes made after the index was read, by code that does not tell it (a
    repository called directly, another worker); the unit of work sees the counter move and
    asks SQL, so the paused and the erased are not offered."""
    db = app.db
    network = await random_network(db, random.Random(9), 20)
    await db.candidate_index.catch_up()
    async with db.uow() as uow:
        found = await uow.candidates.by_fit(
            request_id=network.requests[0], skill_ids=network.skills, exclude=[]
        )
    everyone = [member for member, _ in found.fits]
    paused, erased, *_ = everyone
    async with db.uow() as uow:
        await uow.members.update_profile(paused, NOW, status=MemberStatus.PAUSED)
        await uow.commit()
    other = Database.from_url(db.url)  # another worker erases: this index is not told
    try:
        assert await privacy.forget(replace(app.services, uow=other.uow), erased) is not None
    finally:
        await other.dispose()
    async with db.uow() as uow:
        found = await uow.candidates.by_fit(
            request_id=network.requests[0], skill_ids=network.skills, exclude=[]
        )
    assert {paused, erased}.isdisjoint(member for member, _ in found.fits)
    assert db.candidate_index.behind
    await db.candidate_index.catch_up()
    assert not db.candidate_index.behind
    fits = db.candidate_index.fits(network.skills, excluded=())
    assert {paused, erased}.isdisjoint(member for member, _ in fits)


async def test_a_rolled_back_change_never_reaches_the_index(app: App) -> None:
    """A unit of work that changes a member then gives up: the index keeps what is committed."""
    db = app.db
    network = await random_network(db, random.Random(4), 10)
    await db.candidate_index.catch_up()
    before = db.candidate_index.fits(network.skills, excluded=())
    async with db.uow() as uow:
        for member in network.members:
            await uow.members.update_profile(member, NOW, status=MemberStatus.PAUSED)
        # Inside the transaction, the candidates are those of the transaction (nobody).
        found = await uow.candidates.by_fit(
            request_id=network.requests[0], skill_ids=network.skills, exclude=[]
        )
        assert found.fits == []
    # rolled back
    await db.candidate_index.catch_up()
    assert db.candidate_index.fits(network.skills, excluded=()) == before != []


@pytest.fixture
async def second_worker(app: App, database_url: str) -> AsyncIterator[App]:
    """Another worker on the same database (its own engine, its own index)."""
    clock = app.services.clock
    assert isinstance(clock, FixedClock)
    async with prepared_app(database_url, clock) as other:
        yield other


async def _member(app: App, name: str) -> Member:
    async with app.services.uow() as uow:
        member = await uow.members.add(
            display_name=name, role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
        )
        await uow.commit()
    return member


async def _ask(app: App, author: Member, text: str) -> request_cases.Submitted:
    services = app.services
    return await request_cases.ask(services, author, text)


async def test_a_skill_declared_through_one_worker_is_offered_by_the_other(
    app: App, second_worker: App
) -> None:
    services = app.services
    author = await _member(app, "Alice")
    helper = await _member(app, "Bob")
    # Both workers' indexes are current and hold nobody for the skill.
    first = await _ask(second_worker, author, "Je n'arrive pas à me connecter sur ameli")
    assert first.progress is not None and first.progress.step is Step.NO_HELPER
    assert not second_worker.db.candidate_index.behind
    version = second_worker.db.candidate_index.version
    declared = await skill_cases.declare(services, helper.id, "ameli (je pratique)")
    assert declared.recognised
    second = await _ask(second_worker, author, "Mon compte ameli est bloqué, au secours")
    assert second.progress is not None and second.progress.step is Step.OFFERED
    async with second_worker.services.uow() as uow:
        offers = await uow.offers.of_request(second.request.id)
    assert [offer.helper_id for offer in offers] == [helper.id]
    # The other worker's index caught up after that step, with the new member only.
    index = second_worker.db.candidate_index
    assert not index.behind and index.version > version
    assert index.members() == 1
    # The helper pauses through the first worker: the second never offers them again.
    async with services.uow() as uow:
        await uow.members.update_profile(helper.id, NOW, status=MemberStatus.PAUSED)
        await uow.commit()
    third = await _ask(second_worker, author, "ameli encore : mot de passe perdu")
    assert third.progress is not None and third.progress.step is Step.NO_HELPER
    assert index.members() == 0


async def test_every_write_path_keeps_the_index_right(app: App) -> None:
    """Declare, re-level, remove, leave, come back, erase: after each, the index caught up
    from the counter equals a fresh load, and SQL agrees."""
    services = app.services
    db = app.db
    helpers = [await _member(app, name) for name in ("Bob", "Carla", "Dan")]
    ameli = "ameli"

    async def check() -> None:
        await db.candidate_index.catch_up()
        fresh = Database.from_url(db.url)
        try:
            await fresh.build_candidate_index()
            async with db.uow() as uow:
                skill = await uow.skills.by_slug(ameli)
                assert skill is not None
                sql = await uow.offers.candidate_fits(
                    request_id=0, skill_ids=[skill.id], exclude=[]
                )
            for index in (db.candidate_index, fresh.candidate_index):
                assert index.fits([skill.id], excluded=()) == sql
        finally:
            await fresh.dispose()

    for helper in helpers:
        await skill_cases.declare(services, helper.id, "ameli (je forme)")
    await check()
    await skill_cases.change_level(
        services,
        helpers[0].id,
        "ameli",
        SkillLevel.DISCOVERING,
    )
    await check()
    await skill_cases.remove(services, helpers[1].id, "ameli")
    await check()
    async with services.uow() as uow:
        await uow.members.update_profile(helpers[2].id, NOW, status=MemberStatus.LEFT)
        await uow.commit()
    await check()
    async with services.uow() as uow:
        await uow.members.update_profile(helpers[2].id, NOW, status=MemberStatus.ACTIVE)
        await uow.commit()
    await check()
    assert await privacy.forget(services, helpers[2].id) is not None
    await check()
    assert db.candidate_index.members() == 1


async def test_a_catch_up_without_database_leaves_the_index_behind() -> None:
    """The database went away right after a step: the step's outcome stands, the index stays
    behind (SQL answers) instead of failing the step that asked it to catch up."""

    def gone() -> UnitOfWork:
        raise StorageUnavailable("the database is restarting")

    index = CandidateIndex(gone)
    index.load(3, [(1, 10, SkillLevel.TEACHING.value, True)])
    index.behind = True
    await index.catch_up()
    assert index.behind and index.version == 3


def test_replacing_a_member_moves_them_between_levels_and_skills() -> None:
    index = CandidateIndex()
    index.load(
        1,
        [
            (1, 10, "teaching", True),
            (2, 10, "discovering", True),
            (3, 11, "practising", True),
            (4, 11, "teaching", False),
        ],
    )
    assert index.holders([]) == ({}, 0)
    index.replace(2, [1, 3], [(1, 10, "discovering", True), (1, 11, "teaching", True)])
    assert index.fits([10], excluded=(), limit=5) == [(1, 1.0), (2, 1.0)]
    assert index.fits([10, 11], excluded=()) == [(1, 5.0), (2, 1.0)]
    index.replace(3, [1, 2], [])
    assert index.fits([10, 11], excluded=()) == [] and index.members() == 0
    # Member 4 is not active: never a candidate, yet counted among those who declare skill 11.
    assert index.fits([11], excluded=()) == [] and index._declaring == {11: 1}
    index.replace(4, [4], [])
    assert index._declaring == {}
