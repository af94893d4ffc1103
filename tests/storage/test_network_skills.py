"""The network's own skills in the database: promoting and replacing proposals (issue 21)."""

from __future__ import annotations

from domain.records import Role, SkillSource
from skills import SkillLevel, load_taxonomy
from storage.db import Database
from tests.storage.test_repositories import NOW, _member


async def test_a_proposal_is_promoted_once_with_its_aliases_and_parent(db: Database) -> None:
    member_id = await _member(db)
    async with db.uow() as uow:
        row = await uow.skills.add_proposed(
            slug="x-genially", label="Genially", proposed_by=member_id, now=NOW
        )
        await uow.skills.set_level(
            member_id=member_id, skill_id=row.id, level=SkillLevel.TEACHING, now=NOW
        )
        assert [slug for _, slug, _ in await uow.skills.proposed_labels()] == ["x-genially"]
        assert await uow.skills.promote(
            row.id, label="Genially", aliases=("genialy", "genial.ly"), parent="canva", now=NOW
        )
        # A second coordinator (an old button) cannot promote it again.
        assert not await uow.skills.promote(row.id, label="x", aliases=(), parent=None, now=NOW)
        await uow.commit()
    async with db.uow() as uow:
        [network] = await uow.skills.network()
        assert (network.slug, network.aliases, network.parent) == (
            "x-genially",
            ("genialy", "genial.ly"),
            "canva",
        )
        assert await uow.skills.proposed_labels() == []  # no longer matched as a proposal
        [held] = await uow.skills.of_member(member_id)
        assert (held.skill.source, held.level) == (SkillSource.NETWORK, SkillLevel.TEACHING)


async def test_replacing_moves_every_holder_at_the_higher_level_once(db: Database) -> None:
    sophie = await _member(db, "Sophie", "sophie")
    async with db.uow() as uow:
        bruno = (
            await uow.members.add(
                display_name="Bruno", role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
            )
        ).id
        await uow.skills.sync_taxonomy(load_taxonomy().skills, NOW)
        canva = await uow.skills.by_slug("canva")
        padlet = await uow.skills.add_proposed(
            slug="x-padlet", label="Padlet", proposed_by=sophie, now=NOW
        )
        assert canva is not None
        for member, skill, level in (
            (sophie, padlet, SkillLevel.TEACHING),
            (bruno, padlet, SkillLevel.DISCOVERING),
            (bruno, canva, SkillLevel.PRACTISING),
        ):
            await uow.skills.set_level(member_id=member, skill_id=skill.id, level=level, now=NOW)
        assert await uow.skills.replace_everywhere(padlet, canva, NOW) == 2
        assert await uow.skills.replace_everywhere(padlet, canva, NOW) is None
        await uow.commit()
    async with db.uow() as uow:
        levels = {
            member: [(ms.skill.slug, ms.level) for ms in await uow.skills.of_member(member)]
            for member in (sophie, bruno)
        }
        assert levels == {
            sophie: [("canva", SkillLevel.TEACHING)],
            bruno: [("canva", SkillLevel.PRACTISING)],
        }
        replaced = await uow.skills.by_slug("x-padlet")
        assert replaced is not None and replaced.source is SkillSource.REPLACED
        replacement = await uow.skills.replacement_of("x-padlet")
        assert replacement is not None and replacement.slug == "canva"
        assert await uow.skills.proposed() == []
