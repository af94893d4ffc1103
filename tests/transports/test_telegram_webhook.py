"""Webhook mode: our receiver answers once the update is handled; wrong secret → 403."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from tests.fakes.telegram_api import FakeBotApi
from tests.transports.conftest import Running


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PORT = free_port()


@pytest.fixture
def telegram_options() -> dict[str, Any]:
    return {
        "mode": "webhook",
        "webhook_listen": "127.0.0.1",
        "webhook_port": PORT,
        "webhook_path": "hook",
        "webhook_public_url": f"http://127.0.0.1:{PORT}",
        "webhook_secret": "s3cret-token",
    }


async def test_updates_with_the_right_secret_are_handled_others_refused(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    assert server.webhook is not None
    assert server.webhook["url"] == f"http://127.0.0.1:{PORT}/hook"
    code = await running.invite()
    server.user_sends(1001, f"/start {code}", first_name="Amina")
    [update] = server.pending_updates
    forged = {**update, "update_id": update["update_id"] + 100}
    assert await server.post_update_to(f"http://127.0.0.1:{PORT}/hook", forged, "wrong") == 403
    assert await server.flush_to_webhook() == [200]
    # The 200 comes once the update is handled: the welcome was sent before it.
    assert any("Bienvenue" in m.get("text", "") for m in server.sent_messages(1001))
