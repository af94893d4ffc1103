"""The election of one worker (Matrix sync): one leader at a time, takeover when it dies."""

from __future__ import annotations

from sqlalchemy import text

from storage.db import Database
from storage.leader import lock_key


async def test_one_leader_at_a_time_and_takeover_when_its_session_dies(
    database_url: str,
) -> None:
    first, second = Database.from_url(database_url), Database.from_url(database_url)
    try:
        leader, standby = first.leader_lock("matrix-sync"), second.leader_lock("matrix-sync")
        assert await leader.try_acquire()
        if not leader.shared:  # SQLite: one process, always its own leader
            assert await standby.try_acquire()
            return
        assert not await standby.try_acquire()
        assert await leader.try_acquire()  # asking again while leading keeps the lead
        assert await leader.held()
        async with second.engine.connect() as admin:  # the leader's process dies
            await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() "
                    "AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            )
            await admin.commit()
        assert not await leader.held()
        assert await standby.try_acquire()
        assert not await leader.try_acquire()
        await standby.release()
        assert await leader.try_acquire()
        await leader.release()
    finally:
        await first.dispose()
        await second.dispose()


async def test_other_jobs_have_their_own_lock(database_url: str) -> None:
    first, second = Database.from_url(database_url), Database.from_url(database_url)
    matrix, other = first.leader_lock("matrix-sync"), second.leader_lock("another-job")
    try:
        assert await matrix.try_acquire()
        assert await other.try_acquire()
    finally:
        await matrix.release()
        await other.release()
        await first.dispose()
        await second.dispose()


def test_lock_keys_are_stable_signed_64_bit() -> None:
    assert lock_key("matrix-sync") == lock_key("matrix-sync") != lock_key("other")
    assert -(2**63) <= lock_key("matrix-sync") < 2**63
