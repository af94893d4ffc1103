"""What `samu` writes in its log: JSON lines on request, and never a secret, even at DEBUG.

`samu run`'s log is read from a process of its own, as a service's log is."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy.engine import make_url

from bot.logs import JsonFormatter, log_handler
from tests.conftest import Backend
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import samu_in_process, wait_until

SAMU = str(Path(sys.executable).parent / "samu")
TOKEN = "7001234567:AAHsecretTokenValueForTests_123"
WEBHOOK_SECRET = "whsecret-Value-For-Tests-456"
MATRIX_PASSWORD = "matrix-Password-Secret-789"
MATRIX_TOKEN = "syt_matrixAccessTokenSecret_012"
DB_PASSWORD = "pg-Secret-Password-345"


async def start_samu(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SAMU_")}
    return await asyncio.create_subprocess_exec(
        SAMU,
        *args,
        cwd=cwd,
        env={**clean, **(env or {})},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )


async def finish(process: asyncio.subprocess.Process, stdin: str = "") -> tuple[int, str]:
    output, _ = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=60)
    assert process.returncode is not None
    return process.returncode, output.decode()


def test_a_json_record_is_one_line_even_with_a_traceback() -> None:
    try:
        raise ValueError("first line\nsecond line")
    except ValueError:
        record = logging.getLogger("bot.test").makeRecord(
            "bot.test", logging.ERROR, __file__, 1, "failed: %s", ("x",), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.test"
    assert entry["message"] == "failed: x"
    assert "ValueError: first line\nsecond line" in entry["exception"]
    assert entry["time"].endswith("+00:00")


@pytest.mark.cli_subprocess
async def test_json_logs_of_samu_run_say_what_runs(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[logging]\nformat = "json"\n')
    code, output = await finish(await start_samu("db", "upgrade", cwd=tmp_path))
    assert code == 0, output
    code, output = await finish(await start_samu("run", cwd=tmp_path))
    assert code == 0, output
    entries = [json.loads(line) for line in output.splitlines() if line.strip()]
    summary = next(e for e in entries if e["message"].startswith("samu run:"))
    assert summary["level"] == "INFO" and summary["logger"] == "bot.app"
    assert summary["message"].startswith(
        "samu run: console; database sqlite+aiosqlite:///samu.db; worker "
    )
    assert summary["message"].endswith("; monitoring off")


def test_a_taken_monitoring_port_stops_samu_run_with_a_clear_line(tmp_path: Path) -> None:
    """In the test process, outside any event loop: `samu run` sets its signal handlers, which
    only the main thread may."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        (tmp_path / "config.toml").write_text(f'[monitoring]\nlisten = "127.0.0.1:{port}"\n')
        samu_in_process(["db", "upgrade"], cwd=tmp_path)
        ran = samu_in_process(["run"], cwd=tmp_path)
    assert ran.code == 5, ran.output
    assert f"monitoring: cannot listen on 127.0.0.1:{port}" in ran.output
    assert "Traceback" not in ran.output


class RefusingHomeserver:
    """A Matrix homeserver that knows the bot's access token, then fails every sync."""

    def __init__(self) -> None:
        self.syncs = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> RefusingHomeserver:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._answer)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()

    async def _answer(self, request: web.Request) -> web.Response:
        if request.path.endswith("/account/whoami"):
            return web.json_response({"user_id": "@samu:localhost", "device_id": "SAMUDEV"})
        if "/sync" in request.path:
            self.syncs += 1
        return web.json_response({"errcode": "M_UNKNOWN", "error": "down"}, status=500)


@pytest.fixture
async def homeserver() -> AsyncIterator[RefusingHomeserver]:
    async with RefusingHomeserver() as server:
        yield server


@pytest.mark.cli_subprocess
async def test_no_secret_is_ever_logged(
    backend: Backend, database_url: str, homeserver: RefusingHomeserver, tmp_path: Path
) -> None:
    url = make_url(database_url)
    if backend.name == "postgresql":  # trust authentication: the password is not checked
        url = url.set(password=DB_PASSWORD)
    database = url.render_as_string(hide_password=False)
    async with FakeBotApi(token=TOKEN, username="samu_test_bot") as bot_api:
        (tmp_path / "config.toml").write_text(
            f"""
[database]
url = "{database}"
[console]
enabled = false
[monitoring]
listen = "127.0.0.1:0"
[telegram]
enabled = true
token = "{TOKEN}"
base_url = "{bot_api.base_url}"
webhook_secret = "{WEBHOOK_SECRET}"
[matrix]
enabled = true
homeserver = "{homeserver.url}"
user_id = "@samu:localhost"
password = "{MATRIX_PASSWORD}"
access_token = "{MATRIX_TOKEN}"
encryption = false
"""
        )
        debug = {"SAMU_LOG_LEVEL": "DEBUG"}
        outputs = [await finish(await start_samu("doctor", cwd=tmp_path, env=debug))]
        running = await start_samu("run", cwd=tmp_path, env=debug)
        try:
            await wait_until(
                lambda: bool(bot_api.calls_to("getUpdates")) and homeserver.syncs >= 2,
                timeout=30,
            )
        finally:
            running.send_signal(signal.SIGTERM)
            outputs.append(await finish(running))
    logged = "\n".join(output for _, output in outputs)
    assert "samu run: telegram, matrix; database " in logged  # the start path ran
    assert "Matrix sync failed" in logged  # and the failures were logged
    for secret in (TOKEN, TOKEN.split(":")[1], WEBHOOK_SECRET, MATRIX_PASSWORD, MATRIX_TOKEN):
        assert secret not in logged
    if backend.name == "postgresql":
        assert DB_PASSWORD not in logged and ":***@" in logged


def test_a_secret_is_hidden_in_text_and_json_even_with_quotes_and_in_tracebacks() -> None:
    secret = 'pa"ss\\word-42'
    try:
        raise RuntimeError(f"login refused for {secret}")
    except RuntimeError:
        record = logging.getLogger("nio").makeRecord(
            "nio", logging.DEBUG, __file__, 1, "POST /login %s", (secret,), sys.exc_info()
        )
    for form in ("text", "json"):
        formatter = log_handler(form, [secret, "ab"]).formatter
        assert formatter is not None
        line = formatter.format(record)
        assert secret not in line and json.dumps(secret)[1:-1] not in line, line
        assert "word-42" not in line and line.count("***") >= 2  # message and traceback
