"""Repositories on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from domain.records import EventStart, MemberStatus, Role, SkillSource
from skills import SkillLevel, load_taxonomy
from storage.db import Database
from storage.statements import StatementTally

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def _member(db: Database, name: str = "Amina", platform_id: str = "amina") -> int:
    async with db.uow() as uow:
        structure = await uow.structures.add("Mission locale", NOW)
        member = await uow.members.add(
            display_name=name, role=Role.MEMBER, locale="fr", structure_id=structure.id, now=NOW
        )
        await uow.members.add_identity(
            member_id=member.id,
            platform="console",
            platform_user_id=platform_id,
            chat_id=platform_id,
            now=NOW,
        )
        await uow.commit()
    return member.id


async def test_member_found_by_identity_with_structure(db: Database) -> None:
    member_id = await _member(db)
    async with db.uow() as uow:
        member = await uow.members.by_identity("console", "amina")
        assert member is not None
        assert member.id == member_id
        assert member.structure_name == "Mission locale"
        assert member.status is MemberStatus.ACTIVE
        assert member.created_at.tzinfo is not None
        assert await uow.members.by_identity("telegram", "amina") is None


async def test_member_found_by_identity_with_their_dialog_in_one_statement(db: Database) -> None:
    member_id = await _member(db)
    async with db.uow() as uow:
        assert await uow.members.by_identity_with_dialog("telegram", "amina") is None
        found = await uow.members.by_identity_with_dialog("console", "amina")
        assert found is not None and found[1] is None
        assert found[0] == await uow.members.by_identity("console", "amina")
        await uow.dialogs.save(member_id, kind="await_text", step="nom", data={"a": "b"}, now=NOW)
        await uow.commit()
    async with db.uow() as uow:
        with StatementTally(db.engine) as tally:
            found = await uow.members.by_identity_with_dialog("console", "amina")
        assert found is not None and found[0].structure_name == "Mission locale"
        assert found[1] == await uow.dialogs.get(member_id)
        assert found[1] is not None and found[1].data == {"a": "b"}
    assert sum(n for kind, n in tally.statements.items() if kind != "BEGIN") == 1


async def test_an_identity_belongs_to_one_member_only(db: Database) -> None:
    member_id = await _member(db)
    async with db.uow() as uow:
        with pytest.raises(IntegrityError):
            await uow.members.add_identity(
                member_id=member_id,
                platform="console",
                platform_user_id="amina",
                chat_id="x",
                now=NOW,
            )


async def test_without_commit_nothing_is_written(db: Database) -> None:
    async with db.uow() as uow:
        await uow.structures.add("EPN Résoudre", NOW)
    async with db.uow() as uow:
        assert await uow.structures.list_all() == []


async def test_names_ignore_the_case_of_accented_letters_on_every_database(db: Database) -> None:
    # SQLite's own lower() folds ASCII only: "élodie" missed "Élodie" there, not on PostgreSQL.
    async with db.uow() as uow:
        await uow.structures.add("Mission locale d'Évry", NOW)
        await uow.commit()
    await _member(db, "Élodie Ândré", "elodie")
    async with db.uow() as uow:
        structure = await uow.structures.by_name("MISSION LOCALE D'ÉVRY")
        members = await uow.members.by_name("élodie ândré")
    assert structure is not None and structure.name == "Mission locale d'Évry"
    assert [member.display_name for member in members] == ["Élodie Ândré"]


async def test_structure_names_ignore_case(db: Database) -> None:
    async with db.uow() as uow:
        await uow.structures.add("EPN Résoudre", NOW)
        await uow.commit()
    async with db.uow() as uow:
        found = await uow.structures.by_name("  epn résoudre ")
        assert found is not None and found.name == "EPN Résoudre"


async def test_invite_last_use_is_won_by_exactly_one_of_many(db: Database) -> None:
    async with db.uow() as uow:
        await uow.invites.add(
            code="ABCDEFGH",
            role=Role.MEMBER,
            structure_id=None,
            max_uses=1,
            expires_at=None,
            created_by=None,
            now=NOW,
        )
        await uow.commit()

    async def attempt() -> bool:
        async with db.uow() as uow:
            won = await uow.invites.consume("ABCDEFGH", NOW)
            await uow.commit()
            return won

    results = await asyncio.gather(*(attempt() for _ in range(20)))
    assert results.count(True) == 1
    async with db.uow() as uow:
        invite = await uow.invites.by_code("ABCDEFGH")
        assert invite is not None and invite.uses == 1


async def test_expired_invite_cannot_be_consumed(db: Database) -> None:
    async with db.uow() as uow:
        await uow.invites.add(
            code="EXPIRED2",
            role=Role.MEMBER,
            structure_id=None,
            max_uses=3,
            expires_at=NOW + timedelta(days=1),
            created_by=None,
            now=NOW,
        )
        await uow.commit()
    async with db.uow() as uow:
        assert not await uow.invites.consume("EXPIRED2", NOW + timedelta(days=1, seconds=1))
        assert await uow.invites.consume("EXPIRED2", NOW + timedelta(hours=23))


async def test_taxonomy_sync_is_idempotent_and_levels_upsert(db: Database) -> None:
    taxonomy = load_taxonomy()
    member_id = await _member(db)
    for _ in range(2):
        async with db.uow() as uow:
            await uow.skills.sync_taxonomy(taxonomy.skills, NOW)
            await uow.commit()
    async with db.uow() as uow:
        ameli = await uow.skills.by_slug("ameli")
        assert ameli is not None and ameli.source is SkillSource.TAXONOMY
        await uow.skills.set_level(
            member_id=member_id, skill_id=ameli.id, level=SkillLevel.PRACTISING, now=NOW
        )
        await uow.skills.set_level(
            member_id=member_id, skill_id=ameli.id, level=SkillLevel.TEACHING, now=NOW
        )
        await uow.commit()
    async with db.uow() as uow:
        mine = await uow.skills.of_member(member_id)
        assert [(ms.skill.slug, ms.level) for ms in mine] == [("ameli", SkillLevel.TEACHING)]
        assert len(await uow.skills.by_slugs(s.slug for s in taxonomy.skills)) == len(taxonomy)
        assert await uow.skills.remove_from_member(member_id=member_id, skill_id=ameli.id)
        assert not await uow.skills.remove_from_member(member_id=member_id, skill_id=ameli.id)
        await uow.commit()


async def test_proposed_skills_list_their_proposer_and_holders(db: Database) -> None:
    member_id = await _member(db)
    async with db.uow() as uow:
        first = await uow.skills.add_proposed(
            slug="x-tricot", label="Tricot", proposed_by=member_id, now=NOW
        )
        again = await uow.skills.add_proposed(
            slug="x-tricot", label="tricot", proposed_by=member_id, now=NOW
        )
        assert first.id == again.id and again.label_fr == "Tricot"
        await uow.skills.set_level(
            member_id=member_id, skill_id=first.id, level=SkillLevel.DISCOVERING, now=NOW
        )
        await uow.commit()
    async with db.uow() as uow:
        [proposal] = await uow.skills.proposed()
        assert (proposal.skill.slug, proposal.proposed_by, proposal.member_count) == (
            "x-tricot",
            "Amina",
            1,
        )


async def test_dialog_state_round_trip(db: Database) -> None:
    member_id = await _member(db)
    async with db.uow() as uow:
        await uow.dialogs.save(member_id, kind="await_text", step="nom", data={"args": ""}, now=NOW)
        await uow.dialogs.save(
            member_id, kind="await_text", step="competences", data={"args": "ajouter"}, now=NOW
        )
        await uow.commit()
    async with db.uow() as uow:
        state = await uow.dialogs.get(member_id)
        assert state is not None and (state.step, state.data) == (
            "competences",
            {"args": "ajouter"},
        )
        await uow.dialogs.clear(member_id)
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.dialogs.get(member_id) is None


async def test_processed_events_are_recorded_once(db: Database) -> None:
    async with db.uow() as uow:
        assert await uow.events.mark_processed("telegram", "1001", NOW)
        assert not await uow.events.mark_processed("telegram", "1001", NOW)
        assert await uow.events.mark_processed("matrix", "1001", NOW)
        await uow.events.set_state("matrix.next_batch", "s1", NOW)
        await uow.events.set_state("matrix.next_batch", "s2", NOW)
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.events.get_state("matrix.next_batch") == "s2"
        assert await uow.events.get_state("missing") is None


async def test_profile_update_changes_only_given_fields(db: Database) -> None:
    member_id = await _member(db)
    async with db.uow() as uow:
        updated = await uow.members.update_profile(member_id, NOW, locale="en")
        await uow.commit()
    assert (updated.display_name, updated.locale, updated.structure_name) == (
        "Amina",
        "en",
        "Mission locale",
    )


async def test_an_event_is_handled_by_one_worker_and_taken_over_when_it_dies(
    db: Database,
) -> None:
    later = NOW + timedelta(seconds=5)
    gone = NOW + timedelta(seconds=60)

    async def start(worker: str, now: datetime) -> EventStart:
        async with db.uow() as uow:
            await uow.outbox.heartbeat(worker, now)
            started = await uow.events.start(
                "telegram", "77", worker=worker, now=now, dead_before=now - timedelta(seconds=15)
            )
            await uow.commit()
        return started

    assert await start("w1", NOW) is EventStart.NEW
    assert await start("w1", later) is EventStart.MINE  # kept during an outage, tried again
    assert await start("w2", later) is EventStart.BUSY  # w1 is alive and at it
    async with db.uow() as uow:  # w2 keeps beating, w1 went silent at NOW + 5 s
        await uow.outbox.heartbeat("w2", gone)
        await uow.commit()
    assert await start("w2", gone) is EventStart.ORPHANED
    assert await start("w3", gone) is EventStart.BUSY  # w2 took it over
    async with db.uow() as uow:
        await uow.events.finish("telegram", "77", gone)
        await uow.commit()
    assert await start("w1", gone + timedelta(hours=1)) is EventStart.DONE


async def test_bulk_notices_are_claimed_after_conversations_but_never_before_their_elders(
    db: Database,
) -> None:
    async with db.uow() as uow:
        amina, karim, sophie, claire = [
            (
                await uow.members.add(
                    display_name=name, role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
                )
            ).id
            for name in ("Amina", "Karim", "Sophie", "Claire")
        ]
        await uow.commit()
    queued = [
        (amina, "session_announce"),
        (karim, "session_announce"),
        (sophie, "session_announce"),
        (amina, "offer"),  # behind Amina's announcement: waits for it
        (claire, "claimed"),
    ]
    async with db.uow() as uow:
        for recipient, kind in queued:
            await uow.outbox.enqueue(recipient_id=recipient, kind=kind, params={}, now=NOW)
        await uow.commit()

    async def claim(worker: str, limit: int) -> list[tuple[int | None, str]]:
        async with db.uow() as uow:
            claimed = await uow.outbox.claim_due(
                now=NOW,
                worker=worker,
                lock_until=NOW + timedelta(minutes=2),
                limit=limit,
                later_kinds={"session_announce"},
            )
            await uow.commit()
        return [(m.recipient_id, m.kind) for m in claimed]

    assert await claim("w1", 2) == [(claire, "claimed"), (amina, "session_announce")]
    assert await claim("w2", 50) == [(karim, "session_announce"), (sophie, "session_announce")]
