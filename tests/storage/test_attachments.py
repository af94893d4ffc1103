"""Files kept in the database: placed once, read without their bytes, erased with their
request (on SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from domain.records import RequestStatus, Role, Urgency
from storage.db import Database

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PICTURE = b"\x89PNG fake bytes"


async def _members(db: Database, *names: str) -> list[int]:
    async with db.uow() as uow:
        ids = [
            (
                await uow.members.add(
                    display_name=name, role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
                )
            ).id
            for name in names
        ]
        await uow.commit()
    return ids


async def _request(db: Database, author_id: int, helper_id: int | None = None) -> int:
    async with db.uow() as uow:
        request_id = await uow.requests.add(
            author_id=author_id, text="souci ameli", urgency=Urgency.WEEK, now=NOW
        )
        if helper_id is not None:
            await uow.requests.transition(
                request_id,
                allowed_from=[RequestStatus.OPEN],
                to=RequestStatus.CLAIMED,
                now=NOW,
                helper_id=helper_id,
            )
        await uow.commit()
    return request_id


async def _keep(db: Database, sender_id: int, name: str = "écran.png", **place: int) -> int:
    async with db.uow() as uow:
        kept = await uow.attachments.add(
            sender_id=sender_id,
            filename=name,
            media_type="image/png",
            content=PICTURE,
            now=NOW,
            **place,
        )
        await uow.commit()
    return kept.id


async def test_a_waiting_file_is_placed_once_under_concurrency(db: Database) -> None:
    amina, karim = await _members(db, "Amina", "Karim")
    first, second = await _request(db, amina), await _request(db, amina)
    file_id = await _keep(db, amina)

    async def place(request_id: int) -> int:
        async with db.uow() as uow:
            placed = await uow.attachments.place([file_id], amina, request_id=request_id)
            await asyncio.sleep(0)
            await uow.commit()
        return len(placed)

    assert sorted(await asyncio.gather(place(first), place(second))) == [0, 1]
    assert list(await asyncio.gather(place(first), place(second))) == [0, 0]
    async with db.uow() as uow:
        assert await uow.attachments.waiting(amina, NOW - timedelta(hours=1)) == []
        placed = await uow.attachments.of_request(first) + await uow.attachments.of_request(second)
        assert [file.id for file in placed] == [file_id]
        # Someone else's waiting file cannot be placed by another sender.
        other = await uow.attachments.add(
            sender_id=karim, filename="x.png", media_type="image/png", content=b"x", now=NOW
        )
        assert await uow.attachments.place([other.id], amina, request_id=first) == []


async def test_files_are_read_without_their_bytes_then_with_them(db: Database) -> None:
    (amina,) = await _members(db, "Amina")
    request_id = await _request(db, amina)
    file_id = await _keep(db, amina, request_id=request_id)
    async with db.uow() as uow:
        [info] = await uow.attachments.of_request(request_id)
        assert (info.filename, info.size, info.relay_id) == ("écran.png", len(PICTURE), None)
        assert info.created_at == NOW
        assert await uow.attachments.contents([file_id, 999]) == {file_id: PICTURE}
        assert await uow.attachments.count_in_request(request_id, amina) == 1


async def test_erasing_a_member_deletes_the_files_they_sent_or_received(db: Database) -> None:
    amina, karim, bruno = await _members(db, "Amina", "Karim", "Bruno")
    theirs = await _request(db, amina, helper_id=karim)
    others = await _request(db, bruno)
    async with db.uow() as uow:
        to_karim = await uow.requests.add_relay(
            request_id=theirs, sender_id=amina, text="", now=NOW
        )
        from_karim = await uow.requests.add_relay(
            request_id=theirs, sender_id=karim, text="", now=NOW
        )
        await uow.commit()
    await _keep(db, amina, request_id=theirs)
    await _keep(db, amina, request_id=theirs, relay_id=to_karim.id)
    await _keep(db, karim, request_id=theirs, relay_id=from_karim.id)
    await _keep(db, amina)  # waiting
    kept = await _keep(db, bruno, request_id=others)
    async with db.uow() as uow:
        data = await uow.privacy.personal_data(amina)
        assert data is not None
        assert [f["direction"] for f in data["files"]] == ["sent", "sent", "received", "sent"]
        karim_data = await uow.privacy.personal_data(karim)
        assert karim_data is not None
        assert [f["direction"] for f in karim_data["files"]] == ["received", "sent"]
        erased = await uow.privacy.erase_member(amina)
        await uow.commit()
    assert erased is not None and erased.files == 4
    async with db.uow() as uow:
        assert await uow.attachments.contents(range(1, 10)) == {kept: PICTURE}


async def test_retention_deletes_the_files_of_expired_requests_only(db: Database) -> None:
    amina, karim = await _members(db, "Amina", "Karim")
    old, recent = await _request(db, amina), await _request(db, amina)
    async with db.uow() as uow:
        await uow.requests.transition(
            old, allowed_from=[RequestStatus.OPEN], to=RequestStatus.CANCELLED, now=NOW
        )
        await uow.commit()
    await _keep(db, amina, request_id=old)
    kept = await _keep(db, amina, request_id=recent)
    waiting = await _keep(db, karim)
    async with db.uow() as uow:
        counts = await uow.privacy.erase_texts_finished_before(NOW + timedelta(days=1))
        assert counts == (1, 0, 1)
        assert await uow.attachments.drop_waiting_before(NOW) == 0
        assert await uow.attachments.drop_waiting_before(NOW + timedelta(seconds=1)) == 1
        await uow.commit()
    async with db.uow() as uow:
        assert set(await uow.attachments.contents([kept, waiting, 1])) == {kept}
