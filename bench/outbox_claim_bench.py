"""How long the dispatcher's claim takes with many messages pending (a fan-out queued).

`--pending` messages (default 5,000), one per member, all due; `OutboxRepository.claim_due`
takes batches of 50 (with the bulk kinds ordered last, as the dispatcher asks, then in plain
id order); the median of `--runs` claims is printed, each in a transaction rolled back.

Run: taskset -c 0 .venv/bin/python bench/outbox_claim_bench.py [--pending 5000] [--runs 11]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from bench.common import chunks, percentile
from bot.core.outbox import BULK_KINDS
from storage.db import Database
from storage.migrate import upgrade
from storage.models import MemberModel, OutboxModel

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


async def run(pending: int, runs: int) -> None:
    """Fill a throwaway SQLite database and time the claims."""
    with tempfile.TemporaryDirectory() as directory:
        db = Database.from_url(f"sqlite+aiosqlite:///{directory}/claims.db")
        try:
            await upgrade(db.engine)
            async with db.session() as session:
                for part in chunks(range(pending), 5000):
                    await session.execute(
                        insert(MemberModel),
                        [
                            dict(display_name=f"m{n}", role="member", locale="fr", status="active")
                            | {"created_at": NOW, "updated_at": NOW}
                            for n in part
                        ],
                    )
                for part in chunks(range(pending), 5000):
                    await session.execute(
                        insert(OutboxModel),
                        [
                            dict(recipient_id=n + 1, kind="session_announce", params={})
                            | {"not_before": NOW, "attempts": 0, "created_at": NOW}
                            for n in part
                        ],
                    )
                await session.commit()
            print(f"{pending:,} messages pending, one per member; claims of 50, SQLite\n")
            print("| order | median | p95 |")
            print("|---|---:|---:|")
            for label, later in (("bulk kinds last", BULK_KINDS), ("id", frozenset())):
                times = []
                for n in range(runs):
                    async with db.uow() as uow:
                        start = time.perf_counter()
                        claimed = await uow.outbox.claim_due(
                            now=NOW,
                            worker=f"bench-{n}",
                            lock_until=NOW + timedelta(minutes=2),
                            limit=50,
                            later_kinds=later,
                        )
                        times.append((time.perf_counter() - start) * 1000)
                    assert len(claimed) == 50
                median, p95 = percentile(times, 0.5), percentile(times, 0.95)
                print(f"| {label} | {median:.1f} ms | {p95:.1f} ms |")
        finally:
            await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--pending", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    asyncio.run(run(args.pending, args.runs))


if __name__ == "__main__":
    main()
