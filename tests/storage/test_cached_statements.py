"""Inserts of several rows are compiled once per process, not at every run (issue 20): the
outbox, the skill gaps, the tutorial vocabulary and the taxonomy are run over their rows."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.records import NewMessage, Role, TutorialStatus, Urgency
from skills import load_taxonomy
from storage.db import Database
from storage.statements import StatementTally

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def _runs(db: Database, run: int) -> None:
    """Everything that inserts several rows at once; `run` makes each run's rows new."""
    async with db.uow() as uow:
        await uow.skills.sync_taxonomy(load_taxonomy().skills, NOW)
        found = await uow.skills.by_slugs(["pdf", "ameli", "caf"])
        member = await uow.members.add(
            display_name=f"Amina{run}", role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
        )
        request = await uow.requests.add(
            author_id=member.id, text="attestation", urgency=Urgency.WEEK, now=NOW
        )
        await uow.requests.record_gap(request, [found["pdf"].id, found["caf"].id, None], NOW)
        messages = [
            NewMessage(member.id, "offer", {"request_id": request}, dedup_key=f"o:{run}:{n}")
            for n in range(3)
        ]
        assert await uow.outbox.enqueue_many(messages, now=NOW) == 3
        await uow.tutorials.add(
            request_id=None,
            author_id=member.id,
            title=f"Attestation numéro {run}",
            problem=f"Télécharger une attestation{run} ameli",
            steps=["Ouvrir le compte", "Cliquer sur attestation"],
            skill_ids=[found["ameli"].id],
            now=NOW,
            status=TutorialStatus.PUBLISHED,
        )
        await uow.commit()


async def test_the_inserts_of_several_rows_are_compiled_once(db: Database) -> None:
    await _runs(db, 1)
    with StatementTally(db.engine) as tally:
        await _runs(db, 2)
    assert tally.statements["INSERT outbox"] == 1
    assert tally.statements["INSERT skill_gaps"] == 1
    assert tally.statements["INSERT skills"] == 1
    assert tally.statements["INSERT words"] + tally.statements["INSERT tutorial_words"] >= 1
    assert not tally.compiled, tally.compiled
    async with db.uow() as uow:
        assert len(await uow.requests.gaps(2)) == 3


async def test_many_messages_at_once_are_all_counted_and_repeated_keys_skipped(
    db: Database,
) -> None:
    async with db.uow() as uow:
        member = await uow.members.add(
            display_name="Amina", role=Role.MEMBER, locale="fr", structure_id=None, now=NOW
        )
        # More rows than SQLAlchemy sends in one batch; every tenth key comes twice.
        messages = [
            NewMessage(
                member.id, "notice", {"n": n}, dedup_key=f"k{n - n % 10 if n % 10 == 1 else n}"
            )
            for n in range(2500)
        ]
        assert await uow.outbox.enqueue_many(messages, now=NOW) == 2250
        assert await uow.outbox.enqueue_many(messages[:20], now=NOW) == 0
        assert await uow.outbox.enqueue_many([], now=NOW) == 0
        await uow.commit()
    async with db.uow() as uow:
        stored = await uow.outbox.find()
    assert len(stored) == 2250
