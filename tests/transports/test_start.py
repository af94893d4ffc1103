"""What `App.run` waits for before it is ready, and what it leaves for later (issue 20).

The candidate index is built beside the start: the bot answers before it is there, matching
asking SQL meanwhile, and it is built all the same.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app import App
from bot.config import parse_config
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import wait_until
from tests.transports.conftest import app_config


async def test_the_bot_is_ready_and_answers_before_the_candidate_index_is_built(
    database_url: str,
    server: FakeBotApi,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = App.build(parse_config(app_config(database_url, server), "tests", {}))
    await app.prepare()
    build = app.db.build_candidate_index
    may_build = asyncio.Event()

    async def slow_build() -> None:  # as a large network's would be
        await may_build.wait()
        await build()

    monkeypatch.setattr(app.db, "build_candidate_index", slow_build)
    stop = asyncio.Event()
    try:
        with caplog.at_level(logging.INFO):
            running = asyncio.create_task(app.run(telegram=app.telegram(), stop=stop))
            await wait_until(
                lambda: any(r.getMessage() == "ready: telegram" for r in caplog.records)
            )
            server.user_sends(4242, "/aide", first_name="Zoé")
            await server.wait_for(lambda: bool(server.sent_messages(4242)))
            assert not app.db.candidate_index.built
            may_build.set()
            await wait_until(lambda: app.db.candidate_index.built)
        stop.set()
        await asyncio.wait_for(running, timeout=10)
    finally:
        stop.set()
        await app.close()
