"""The lean request reads and writes, and the outbox's many-at-once enqueue (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.records import NewMessage, RequestStatus, Role, Urgency
from skills import load_taxonomy
from storage.db import Database

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def _member(db: Database, name: str, structure: str | None = None) -> int:
    async with db.uow() as uow:
        structure_id = (await uow.structures.add(structure, NOW)).id if structure else None
        member = await uow.members.add(
            display_name=name, role=Role.MEMBER, locale="fr", structure_id=structure_id, now=NOW
        )
        await uow.commit()
    return member.id


async def test_a_request_is_read_in_full_with_its_skills_by_label(db: Database) -> None:
    author = await _member(db, "Amina", "Mission locale")
    helper = await _member(db, "Karim")
    async with db.uow() as uow:
        await uow.skills.sync_taxonomy(load_taxonomy().skills, NOW)
        found = await uow.skills.by_slugs(["pdf", "ameli", "caf"])
        ids = [found[slug].id for slug in ("pdf", "ameli", "caf")]
        request_id = await uow.requests.add(
            author_id=author,
            text="attestation",
            urgency=Urgency.WEEK,
            now=NOW,
            status=RequestStatus.DRAFT,
            skill_ids=ids + ids[:1],  # a repeated skill is stored once
        )
        bare_id = await uow.requests.add(
            author_id=author, text="rien", urgency=Urgency.TODAY, now=NOW
        )
        assert await uow.requests.transition(
            request_id,
            allowed_from=[RequestStatus.DRAFT],
            to=RequestStatus.CLAIMED,
            now=NOW,
            only_if={"helper_id": None},
            helper_id=helper,
            claimed_at=NOW,
        )
        assert not await uow.requests.transition(
            request_id, allowed_from=[RequestStatus.DRAFT], to=RequestStatus.OPEN, now=NOW
        )
        assert not await uow.requests.update_fields(request_id, NOW, only_if={"round": 3}, round=4)
        await uow.commit()
    async with db.uow() as uow:
        request = await uow.requests.get(request_id)
        bare = await uow.requests.get(bare_id)
        listed = await uow.requests.list_involving(author)
        assert await uow.requests.get(request_id + 100) is None
    assert request is not None and bare is not None
    assert request.status is RequestStatus.CLAIMED and request.round == 0
    assert (request.author_name, request.author_structure) == ("Amina", "Mission locale")
    assert request.helper_name == "Karim" and request.claimed_at == NOW
    assert [skill.label_fr for skill in request.skills] == sorted(
        skill.label_fr for skill in request.skills
    )
    assert {skill.slug for skill in request.skills} == {"pdf", "ameli", "caf"}
    assert bare.skills == () and bare.status is RequestStatus.OPEN
    assert bare.urgency is Urgency.TODAY and bare.next_check_at == NOW
    assert bare.helper_name is None and bare.author_structure == "Mission locale"
    assert listed == [bare, request]


async def test_enqueue_many_skips_repeated_keys_and_counts_the_stored(db: Database) -> None:
    member = await _member(db, "Amina")
    messages = [
        NewMessage(member, "offer", {"request_id": 1}, dedup_key="offer:1:a"),
        NewMessage(member, "offer", {"request_id": 2}, dedup_key="offer:1:a"),  # same key
        NewMessage(member, "notice", {"n": 1}),
        NewMessage(None, "announce", {"n": 2}, dedup_key="g", target=("telegram", "-100")),
    ]
    async with db.uow() as uow:
        assert await uow.outbox.enqueue_many(messages, now=NOW) == 3
        assert await uow.outbox.enqueue_many(messages[:2], now=NOW) == 0
        assert not await uow.outbox.enqueue(
            recipient_id=member, kind="offer", params={}, now=NOW, dedup_key="offer:1:a"
        )
        await uow.commit()
    async with db.uow() as uow:
        stored = await uow.outbox.find()
    assert [(m.kind, m.params, m.dedup_key) for m in stored] == [
        ("offer", {"request_id": 1}, "offer:1:a"),
        ("notice", {"n": 1}, None),
        ("announce", {"n": 2}, "g"),
    ]
    assert stored[2].recipient_id is None
    assert (stored[2].target_platform, stored[2].target_chat) == ("telegram", "-100")
    assert all(m.not_before == NOW and m.attempts == 0 for m in stored)
