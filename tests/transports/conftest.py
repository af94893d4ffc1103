"""Running the real application (`App.run`, as `samu run` does) against the loopback Bot API."""

from __future__ import annotations

import asyncio
import io
import tempfile
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import App
from bot.config import parse_config
from bot.core import invites
from bot.core.types import Role
from bot.transports.console import ConsoleTransport
from tests.fakes.telegram_api import FakeBotApi

TOKEN = "123456:TEST"


class Running:
    """One `samu run`-like process: the app, its transports, and a way to stop it."""

    def __init__(self, app: App, server: FakeBotApi) -> None:
        self.app = app
        self.server = server
        self.stop_event = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.console: ConsoleTransport | None = None
        self.console_out = io.StringIO()
        self.console_in = asyncio.StreamReader()

    async def start(self, *, with_console: bool = False) -> None:
        """Run the app until stopped; returns once Telegram is polling."""
        telegram = self.app.telegram()
        if with_console:
            self.console = self.app.console("Karim", self.console_out, interactive=False)
            self.console.lines = self.console_in
        ready = "setWebhook" if self.app.config.telegram.mode == "webhook" else "getUpdates"
        calls = len(self.server.calls_to(ready))
        self.task = asyncio.create_task(self.app.run(self.console, telegram, self.stop_event))
        await self.server.wait_for(lambda: len(self.server.calls_to(ready)) > calls)

    async def stop(self) -> None:
        """A clean shutdown (PTB confirms the update offset)."""
        self.stop_event.set()
        if self.console is not None:
            self.console_in.feed_eof()
        assert self.task is not None
        await asyncio.wait_for(self.task, timeout=10)

    async def invite(self, role: Role = Role.MEMBER) -> str:
        invite = await invites.create_invite(
            self.app.services,
            role=role,
            structure_name="Mission locale",
        )
        return invite.code

    async def join(
        self, user_id: int, name: str, role: Role = Role.MEMBER, skills: str = ""
    ) -> None:
        """A Telegram user opens the invitation link, then (optionally) declares skills."""
        code = await self.invite(role)
        before = len(self.server.sent_messages(user_id))
        self.server.user_sends(user_id, f"/start {code}", first_name=name)
        await self.wait_text(user_id, "Bienvenue", after=before)
        before = len(self.server.sent_messages(user_id))
        self.server.user_sends(user_id, "/annuler", first_name=name)
        await self.wait_text(user_id, "/aide", after=before)
        if skills:
            before = len(self.server.sent_messages(user_id))
            self.server.user_sends(user_id, f"/competences ajouter {skills}", first_name=name)
            await self.wait_text(user_id, "—", after=before)

    async def wait_text(
        self, chat_id: int, fragment: str, *, after: int = 0, timeout: float = 8
    ) -> dict[str, Any]:
        """Wait until the bot sent (or edited) a message containing `fragment` to a chat."""
        found: list[dict[str, Any]] = []

        def seen() -> bool:
            found[:] = [
                m
                for m in self.server.sent_messages(chat_id)[after:]
                if fragment in m.get("text", "")
            ]
            return bool(found)

        await self.server.wait_for(seen, timeout=timeout)
        return found[-1]


def app_config(database_url: str, server: FakeBotApi, **telegram: Any) -> dict[str, Any]:
    return {
        "database": {"url": database_url},
        "network": {"structures": ["Mission locale", "EPN Résoudre"]},
        "requests": {
            "quiet_hours": "00:00-00:00",
            "quiet_weekends": False,
            "check_every_seconds": 1,
        },
        "console": {"enabled": False},
        # Messages kept during an outage go to a directory of the test's own.
        "workers": {"kept_dir": tempfile.mkdtemp(prefix="samu-kept-")},
        "telegram": {
            "enabled": True,
            "token": TOKEN,
            "base_url": server.base_url,
            "private_interval": 0.01,
            **telegram,
        },
    }


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="samu_test_bot") as fake:
        yield fake


@pytest.fixture
def telegram_options() -> dict[str, Any]:
    """Extra [telegram] settings for a test (override with a fixture of the same name)."""
    return {}


@pytest.fixture
def config_sections() -> dict[str, Any]:
    """Other sections of the configuration for a test (override with a fixture of this name)."""
    return {}


@pytest.fixture
async def running(
    database_url: str,
    server: FakeBotApi,
    telegram_options: dict[str, Any],
    config_sections: dict[str, Any],
) -> AsyncIterator[Running]:
    config = parse_config(
        {**app_config(database_url, server, **telegram_options), **config_sections}, "tests", {}
    )
    app = App.build(config)
    await app.prepare()
    run = Running(app, server)
    try:
        yield run
    finally:
        if run.task is not None and not run.task.done():
            await run.stop()
        await app.close()
