"""Telegram unreachable when the bot starts: tried again until it answers, then served as usual;
a configuration Telegram refuses is not retried."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from telegram.error import InvalidToken

from bot.app import App
from bot.config import parse_config
from bot.transports.waiting import Backoff
from tests.fakes.tcp_proxy import CuttableRelay
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import wait_until
from tests.transports.conftest import TOKEN, app_config


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="samu_test_bot") as fake:
        yield fake


def _retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "Telegram unreachable" in r.getMessage()]


async def test_telegram_down_at_start_is_tried_again_until_it_answers(
    database_url: str, server: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    relay = CuttableRelay("127.0.0.1", server.port)
    await relay.start()
    await relay.cut()  # every connection is dropped at once: Telegram is "down"
    config = app_config(database_url, server, base_url=f"http://127.0.0.1:{relay.port}/bot")
    app = App.build(parse_config(config, "tests", {}))
    await app.prepare()
    telegram = app.telegram()
    telegram.start_retry = Backoff(first=0.02, cap=0.05)  # the real one: 1 s doubling to 60 s
    stop = asyncio.Event()
    try:
        with caplog.at_level(logging.INFO):
            running = asyncio.create_task(app.run(telegram=telegram, stop=stop))
            await wait_until(lambda: len(_retries(caplog)) >= 3)
            assert not running.done()
            assert relay.refused >= 3 and server.calls_to("getMe") == []
            assert all(record.exc_info is None for record in caplog.records)
            relay.restore()
            await server.wait_for(lambda: bool(server.calls_to("getUpdates")))
            server.user_sends(4242, "/aide", first_name="Zoé")
            await server.wait_for(lambda: bool(server.sent_messages(4242)))
        assert any(r.getMessage().startswith("ready: telegram") for r in caplog.records)
        stop.set()
        await asyncio.wait_for(running, timeout=10)
    finally:
        stop.set()
        await relay.stop()
        await app.close()


async def test_a_token_telegram_refuses_ends_the_run_without_retrying(
    database_url: str, server: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    config = app_config(database_url, server, token="999:REFUSED")
    app = App.build(parse_config(config, "tests", {}))
    await app.prepare()
    try:
        with pytest.raises(InvalidToken):
            await asyncio.wait_for(app.run(telegram=app.telegram()), timeout=10)
    finally:
        await app.close()
    assert _retries(caplog) == []
