"""Webhook mode: our receiver answers once the update is handled; no secret → no webhook;
a request without the right secret → 403 and nothing handled; a forged private chat → dropped."""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

import pytest

from bot.app import App
from bot.chat.i18n import translator
from bot.chat.types import Incoming, Outgoing
from bot.config import ConfigError, parse_config
from bot.core.types import Role
from bot.doctor import diagnose
from bot.transports.telegram import TelegramSettings, TelegramTransport
from bot.transports.telegram.webhook import WebhookReceiver
from tests.fakes.telegram_api import FakeBotApi
from tests.transports.conftest import TOKEN, Running, app_config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PORT = free_port()
HOOK = f"http://127.0.0.1:{PORT}/hook"
SECRET = "s3cret-token"


@pytest.fixture
def telegram_options() -> dict[str, Any]:
    return {
        "mode": "webhook",
        "webhook_listen": "127.0.0.1",
        "webhook_port": PORT,
        "webhook_path": "hook",
        "webhook_public_url": f"http://127.0.0.1:{PORT}",
        "webhook_secret": SECRET,
    }


async def test_updates_with_the_right_secret_are_handled_others_refused(
    running: Running, server: FakeBotApi
) -> None:
    await running.start()
    assert server.webhook is not None
    assert server.webhook["url"] == HOOK
    assert server.webhook["secret_token"] == SECRET
    code = await running.invite()
    server.user_sends(1001, f"/start {code}", first_name="Amina")
    [update] = server.pending_updates
    forged = {**update, "update_id": update["update_id"] + 100}
    assert await server.post_update_to(HOOK, forged, "wrong") == 403
    assert await server.flush_to_webhook() == [200]
    # The 200 comes once the update is handled: the welcome was sent before it.
    assert any("Bienvenue" in m.get("text", "") for m in server.sent_messages(1001))


async def join_coordinator(running: Running, server: FakeBotApi, user_id: int) -> None:
    """A coordinator joins through the webhook (Telegram posts with the secret)."""
    code = await running.invite(Role.COORDINATOR)
    server.user_sends(user_id, f"/start {code}", first_name="Claire")
    server.user_sends(user_id, "/annuler", first_name="Claire")
    assert await server.flush_to_webhook() == [200, 200]


async def test_a_request_without_the_secret_gets_403_and_is_not_handled(
    running: Running, server: FakeBotApi
) -> None:
    """Someone who found the address posts `/start CODE` as a stranger, and
    `/invitation coordinateur` in a coordinator's name: refused before anything is read."""
    await running.start()
    await join_coordinator(running, server, 1001)
    code = await running.invite(Role.COORDINATOR)
    stranger = server.user_sends(6666, f"/start {code}", first_name="Mallory")
    as_claire = server.user_sends(1001, "/invitation coordinateur", first_name="Claire")
    server._updates.clear()  # posted by hand below, never by the fake Telegram
    before = len(server.sent_messages(1001))
    for number, message in enumerate((stranger, as_claire)):
        update = {"update_id": 900 + number, "message": message}
        assert await server.post_update_to(HOOK, update) == 403  # no header at all
        assert await server.post_update_to(HOOK, update, "") == 403
        assert await server.post_update_to(HOOK, update, SECRET[:-1]) == 403
    await running.app.tick()
    assert server.sent_messages(6666) == []
    assert len(server.sent_messages(1001)) == before
    async with running.app.services.uow() as uow:
        assert await uow.members.by_identity("telegram", "6666") is None


def test_webhook_mode_without_a_secret_does_not_load(server: FakeBotApi) -> None:
    options = {"mode": "webhook", "webhook_public_url": "https://bot.example.org"}
    with pytest.raises(ConfigError) as refused:
        parse_config(app_config("sqlite:///x.db", server, **options), "tests", {})
    message = str(refused.value)
    assert "webhook_secret" in message
    assert 'python -c "import secrets; print(secrets.token_urlsafe(32))"' in message
    with pytest.raises(ConfigError, match="webhook_secret"):
        bad = {**options, "webhook_secret": "with spaces and é"}
        parse_config(app_config("sqlite:///x.db", server, **bad), "tests", {})
    from_env = parse_config(
        app_config("sqlite:///x.db", server, **options),
        "tests",
        {"SAMU_TELEGRAM_WEBHOOK_SECRET": "from-the-environment"},
    )
    assert from_env.telegram.webhook_secret == "from-the-environment"


async def _nothing(incoming: Incoming) -> list[Outgoing]:
    raise AssertionError(f"handled {incoming.text!r}")


async def test_the_transport_does_not_listen_without_a_secret(server: FakeBotApi) -> None:
    """Even built by hand (not from the configuration): no secret, no web server."""
    with pytest.raises(ValueError, match="secret"):
        WebhookReceiver(_nothing, path="hook", secret="")  # type: ignore[arg-type]
    port = free_port()
    settings = TelegramSettings(
        token=TOKEN,
        base_url=server.base_url,
        mode="webhook",
        webhook_port=port,
        webhook_path="hook",
        webhook_public_url=f"http://127.0.0.1:{port}",
        webhook_secret="",
    )
    transport = TelegramTransport(settings=settings, handle=_nothing)
    with pytest.raises(ValueError, match="secret"):
        await asyncio.wait_for(transport.run(), timeout=10)
    assert server.webhook is None
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_a_private_update_whose_chat_is_not_its_sender_is_dropped(
    running: Running, server: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """With the right secret (say it leaked), an update naming a coordinator as its sender but
    another person's private chat gets no answer there, and is logged."""
    await running.start()
    await join_coordinator(running, server, 1001)
    server._updates.clear()
    mine = server.user_sends(6666, "/aide", first_name="Mallory")
    server._updates.clear()
    forged = {**mine, "from": {"id": 1001, "is_bot": False, "first_name": "Claire"}}
    forged["text"] = "/invitation coordinateur"
    before = len(server.sent_messages(1001))
    with caplog.at_level(logging.WARNING, logger="bot.transports.telegram"):
        status = await server.post_update_to(HOOK, {"update_id": 950, "message": forged}, SECRET)
    assert status == 200
    await running.app.tick()
    assert server.sent_messages(6666) == []
    assert len(server.sent_messages(1001)) == before
    assert any("does not belong" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("secret", "ok", "said"),
    [
        ("short-secret", False, "trop court"),
        ("x" * 43, True, "43 caractères"),
    ],
)
async def test_doctor_checks_the_webhook_secret(
    database_url: str, server: FakeBotApi, secret: str, ok: bool, said: str
) -> None:
    options = {
        "mode": "webhook",
        "webhook_public_url": "https://bot.example.org",
        "webhook_secret": secret,
    }
    app = App.build(parse_config(app_config(database_url, server, **options), "tests", {}))
    try:
        checks = await diagnose(app, translator("fr"))
    finally:
        await app.close()
    [check] = [check for check in checks if "webhook" in check.what.lower()]
    assert check.ok is ok and said in check.what
    if not ok:
        assert "secrets.token_urlsafe(32)" in check.fix
