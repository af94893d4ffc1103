"""What App builds gets its callbacks at construction: a transport reaches the dispatcher that
delivers at the time (the one `App.run` builds for all of them), the menus the chat commands."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.app import App
from bot.chat.menus import menu_entries
from bot.config import parse_config


async def test_transports_reach_the_dispatcher_of_the_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = parse_config(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'samu.db'}"},
            "workers": {"kept_dir": str(tmp_path / "kept")},
            "telegram": {"enabled": True, "token": "123456:TEST"},
        },
        "test",
        {},
    )
    app = App.build(config)
    try:
        telegram = app.telegram()
        console = app.console("Amina", io.StringIO(), interactive=False)
        assert telegram.on_handled is not None and console.after_each is not None
        terminal_only = app.dispatcher
        assert terminal_only is not None and set(terminal_only.transports) == {"console"}
        running = app.use_transports([console, telegram])  # as `App.run` does
        called: list[str] = []

        async def run_once() -> int:
            called.append("delivered")
            return 0

        monkeypatch.setattr(running, "wake", lambda: called.append("woken"))
        monkeypatch.setattr(running, "run_once", run_once)
        monkeypatch.setattr(terminal_only, "wake", lambda: called.append("old dispatcher"))
        telegram.on_handled()
        await console.after_each()
        assert called == ["woken", "delivered"]
        assert app.menus is not None and app.menus.entries() == menu_entries(app.router.commands)
    finally:
        await app.close()
