"""What `App.run` waits for before it is ready, and what it leaves for later (issue 20).

The candidate index is built beside the start: the bot answers before it is there, matching
asking SQL meanwhile, and it is built all the same. Telegram's two HTTP clients share one TLS
context (the CA bundle is read once). The chat router (every command module) is built by the
first message that needs it, not by making the transports nor by setting the menus.
"""

from __future__ import annotations

import asyncio
import io
import logging
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.app import App
from bot.chat import commands
from bot.chat.context import Command
from bot.chat.menus import menu_entries
from bot.chat.types import ChatType, Incoming, Outgoing
from bot.config import parse_config
from bot.transports.telegram import TelegramSettings, TelegramTransport
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import wait_until
from tests.transports.conftest import app_config


@pytest.fixture
async def app(database_url: str, server: FakeBotApi) -> AsyncIterator[App]:
    """The application over the test database and the loopback Bot API (this module's `app`,
    not tests/conftest.py's), prepared; closed after the test."""
    built = App.build(parse_config(app_config(database_url, server), "tests", {}))
    await built.prepare()
    try:
        yield built
    finally:
        await built.close()


@asynccontextmanager
async def running_with_telegram(app: App, caplog: pytest.LogCaptureFixture) -> AsyncIterator[None]:
    """`App.run` with Telegram, from its `ready:` line until the block ends (then stopped)."""
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO):
        running = asyncio.create_task(app.run(telegram=app.telegram(), stop=stop))
        try:
            await wait_until(
                lambda: any(r.getMessage() == "ready: telegram" for r in caplog.records)
            )
            yield
        finally:
            stop.set()
            await asyncio.wait_for(running, timeout=10)


async def test_the_bot_is_ready_and_answers_before_the_candidate_index_is_built(
    app: App, server: FakeBotApi, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = app.db.build_candidate_index
    may_build = asyncio.Event()

    async def slow_build() -> None:  # as a large network's would be
        await may_build.wait()
        await build()

    monkeypatch.setattr(app.db, "build_candidate_index", slow_build)
    async with running_with_telegram(app, caplog):
        server.user_sends(4242, "/aide", first_name="Zoé")
        await server.wait_for(lambda: bool(server.sent_messages(4242)))
        assert not app.db.candidate_index.built
        may_build.set()
        await wait_until(lambda: app.db.candidate_index.built)


async def test_telegram_menus_are_set_at_start_from_their_table_without_the_commands(
    app: App, server: FakeBotApi, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The menus come from `bot.chat.menu_table`: the command modules wait for a message."""
    loaded: list[str] = []
    every_command = commands.all_commands

    def counted() -> tuple[Command, ...]:
        loaded.append("all commands")
        return every_command()

    monkeypatch.setattr(commands, "all_commands", counted)
    async with running_with_telegram(app, caplog):
        assert server.commands[("default", "")][0] == {
            "command": "aide",
            "description": "ce que vous pouvez faire",
        }
        assert server.commands[("default", "en")][0]["command"] == "help"
        assert loaded == []
        server.user_sends(4242, "/aide", first_name="Zoé")
        await server.wait_for(lambda: bool(server.sent_messages(4242)))
        assert loaded == ["all commands"]


async def _nothing(incoming: Incoming) -> list[Outgoing]:
    raise AssertionError(f"handled {incoming.text!r}")


def test_telegram_reads_the_certificate_authorities_once(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[Any] = []
    load = ssl.SSLContext.load_verify_locations

    def counted(context: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loaded.append(args or kwargs)
        load(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    settings = TelegramSettings(token="123:ABC", read_timeout=7.5)
    application = TelegramTransport(settings=settings, handle=_nothing)._build()
    assert len(loaded) == 1
    # The clients are otherwise the ones PTB's builder makes (`read_timeout` on the one that
    # does not poll).
    bot = application.bot
    assert bot.request.read_timeout == 7.5
    assert bot._request[0].read_timeout == 5.0  # getUpdates passes its own timeout per call


async def test_the_router_is_built_by_the_first_message_with_the_transports_files(app: App) -> None:
    console = app.console("Amina", io.StringIO(), interactive=False)
    telegram = app.telegram()
    assert app._router is None  # making the transports loads no command
    replies = await app.handle(
        Incoming(
            platform="console",
            chat_id="c",
            user_id="u",
            text="/aide",
            chat_type=ChatType.PRIVATE,
        )
    )
    assert replies and app._router is not None
    assert app.router.files.sources == {"console": console, "telegram": telegram}
    assert app.menus is not None and app.menus.entries() == menu_entries(app.router.commands)
