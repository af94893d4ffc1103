"""Kill -9 soak: `samu run` killed at random points of scripted traffic, 20 times, seeded.

Members write to the bot on the loopback Telegram server (asking, taking offers, listing
their requests) and a coordinator types in the terminal; the process is killed (SIGKILL) at
a random moment of the work and restarted. After a last run that drains everything:

- nothing typed is lost: every `/demande` became exactly one request, or (when the process
  died in the middle of it) its author got their text back with a note to check;
- nothing was done twice: no request twice, no offer / claim notice / reminder delivered
  twice, except a send under way at the instant of a kill (Telegram has no idempotent send:
  that one message may arrive twice, and only such a message);
- nothing is left undelivered, and every request is in a consistent state.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import wait_until
from tests.resilience.workers import (
    TOKEN,
    Worker,
    add_members,
    offers_seen_by,
    outbox_state,
    prepare,
    repeated_deliveries,
    requests_and_offers,
    telegram_sends,
    wait_drained,
    worker_config,
)

# 20 kills of a real worker process: a few minutes by design.
pytestmark = [pytest.mark.slow, pytest.mark.cli_subprocess]

SEED = 20261130
KILLS = 20
USERS = list(range(3001, 3009))
GIVEN_BACK = "J'ai redémarré pendant que je traitais votre message"


async def test_kill_9_soak_loses_nothing_and_does_nothing_twice(
    database_url: str, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    await prepare(database_url)
    await add_members(database_url, USERS)
    asked: dict[str, int] = {}
    in_flight_at_kills: Counter[int] = Counter()  # row → kills that caught its send
    updates = 0
    async with FakeBotApi(token=TOKEN) as server:
        config = tmp_path / "samu.toml"
        worker_config(config, database_url, server)
        # Each restart takes a process that imported the bot while the previous one ran.
        worker = Worker(config, warm=True)
        try:
            for run in range(KILLS):
                await worker.start()
                for _ in range(rng.randint(3, 8)):
                    user, roll = rng.choice(USERS), rng.random()
                    seen = offers_seen_by(server, user)
                    if roll < 0.55 or (roll < 0.85 and not seen):
                        marker = f"soak{run:02d}n{len(asked):03d}"
                        server.user_sends(user, f"/demande souci ameli dossier {marker}")
                        asked[marker] = user
                    elif roll < 0.85:
                        message_id, payload = rng.choice(seen)
                        server.user_presses(user, message_id, payload)
                    else:
                        server.user_sends(user, "/mesdemandes")
                    updates += 1
                worker.write_line("/aide")
                # The kill lands at a random point of the work under way (not a wait for it).
                await asyncio.sleep(rng.uniform(0.05, 0.9))
                await worker.kill()
                in_flight_at_kills.update((await outbox_state(database_url)).in_flight)

            await worker.start()
            await wait_until(lambda: not server.pending_updates, 60, worker.describe)
            state = await wait_drained(database_url, 60, worker.describe)
            await worker.stop()
        finally:
            await worker.close()
            (tmp_path / "workers.log").write_text("\n".join(worker.history), encoding="utf-8")

    state = await outbox_state(database_url)
    requests, offers = await requests_and_offers(database_url)
    accepted = telegram_sends(server)

    # Nothing typed is lost, nothing is done twice.
    by_marker = Counter(
        marker for request in requests for marker in asked if marker in (request.text or "")
    )
    given_back = {
        marker
        for marker, user in asked.items()
        if any(
            GIVEN_BACK in m.get("text", "") and marker in m.get("text", "")
            for m in server.sent_messages(user)
        )
    }
    assert all(count == 1 for count in by_marker.values()), by_marker.most_common(3)
    lost = [marker for marker in asked if by_marker[marker] == 0 and marker not in given_back]
    assert lost == []

    # Every outbox row delivered; a row delivered twice only if a kill caught its send.
    assert state.pending == 0
    duplicated = repeated_deliveries(accepted, state, in_flight_at_kills)

    # Consistent states: a helper exactly when taken; at most one accepted offer per request.
    for request in requests:
        taken = request.status in ("claimed", "resolved", "closed")
        assert (request.helper_id is not None) == taken or request.status == "cancelled"
    accepted_offers = Counter(o.request_id for o in offers if o.state == "accepted")
    assert all(count == 1 for count in accepted_offers.values())

    print(
        f"\nkill -9 soak (seed {SEED}): {KILLS} kills, {updates} Telegram updates, "
        f"{len(asked)} requests asked, {sum(by_marker.values())} stored, "
        f"{len(given_back)} given back, {len(lost)} lost, {len(accepted)} messages sent, "
        f"{in_flight_at_kills.total()} sends caught by a kill, {duplicated} duplicated"
    )
