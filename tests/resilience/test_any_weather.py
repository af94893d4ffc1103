"""`samu run` starts and stops in any weather: Telegram and the Matrix homeserver unreachable.

The real command runs in its own process, its Bot API base URL and its homeserver pointing at
loopback addresses that never answer: a server that accepts connections and stays silent, or
a port where nothing listens (connection refused). It keeps running, says once per try that
Telegram cannot be reached, serves its terminal meanwhile, and a SIGTERM or a Ctrl-C (SIGINT)
still ends it within 5 s with status 0 while a login to the homeserver hangs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.fakes.blackhole import Blackhole, refused_port
from tests.helpers import wait_until
from tests.resilience.workers import SAMU

# Real processes waiting out real reconnection delays.
pytestmark = [pytest.mark.slow, pytest.mark.cli_subprocess]

# The bound the issue promises an operator, enforced as a timeout on waiting for the exit.
STOP_BOUND = 5.0
RETRY_LINE = re.compile(r"^WARNING \S+: Telegram unreachable \(try (\d+): .+\); trying again in ")


@dataclass
class Unreachable:
    """Where the bot is told Telegram and its homeserver are."""

    telegram: str
    homeserver: str
    # The silent servers (none when the ports refuse connections), to see they were called.
    holes: list[Blackhole] = field(default_factory=list)


@pytest.fixture(params=["silent", "refused"])
async def unreachable(request: pytest.FixtureRequest) -> AsyncIterator[Unreachable]:
    if request.param == "refused":
        yield Unreachable(
            f"http://127.0.0.1:{refused_port()}/bot", f"http://127.0.0.1:{refused_port()}"
        )
        return
    async with Blackhole() as telegram, Blackhole() as homeserver:
        yield Unreachable(f"{telegram.url}/bot", homeserver.url, [telegram, homeserver])


def write_config(path: Path, database_url: str, where: Unreachable) -> None:
    path.write_text(
        f"""
[database]
url = "{database_url}"
[workers]
kept_dir = "{path.parent / "kept"}"
election_seconds = 0.5
[console]
enabled = true
[telegram]
enabled = true
token = "123456:WEATHER"
base_url = "{where.telegram}"
read_timeout_seconds = 0.5
[matrix]
enabled = true
homeserver = "{where.homeserver}"
user_id = "@samu:weather.test"
password = "never-checked"
store_path = "{path.parent / "store"}"
""",
        encoding="utf-8",
    )


@dataclass
class Run:
    """A `samu run` process and what it printed so far."""

    process: asyncio.subprocess.Process
    log: list[str] = field(default_factory=list)
    terminal: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return "log:\n" + "\n".join(self.log[-40:]) + "\nterminal:\n" + "\n".join(self.terminal)

    def retries(self) -> list[int]:
        return [int(found[1]) for line in self.log if (found := RETRY_LINE.match(line))]


async def _read(stream: asyncio.StreamReader | None, into: list[str]) -> None:
    assert stream is not None
    async for raw in stream:
        into.append(raw.decode("utf-8", errors="replace").rstrip())


@contextlib.asynccontextmanager
async def samu_run(config: Path) -> AsyncIterator[Run]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMU_")}
    env |= {"SAMU_CONFIG": str(config), "SAMU_LOG_LEVEL": "INFO"}
    process = await asyncio.create_subprocess_exec(
        SAMU,
        "run",
        cwd=config.parent,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    run = Run(process)
    readers = [
        asyncio.create_task(_read(process.stderr, run.log)),
        asyncio.create_task(_read(process.stdout, run.terminal)),
    ]
    try:
        yield run
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await asyncio.wait(readers, timeout=5)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_unreachable_networks_are_waited_out_and_a_signal_still_stops_at_once(
    unreachable: Unreachable, how: signal.Signals, database_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "samu.toml"
    write_config(config, database_url, unreachable)
    async with samu_run(config) as run:
        # Telegram is tried again and again, one line per try (no traceback, no exit).
        await wait_until(lambda: len(run.retries()) >= 2, 40, run.describe)
        assert run.retries()[:2] == [1, 2], run.describe()
        assert run.process.returncode is None
        # The homeserver was asked meanwhile (a login hanging, or refused and retried by nio).
        for hole in unreachable.holes:

            def reached(hole: Blackhole = hole) -> bool:
                return hole.accepted > 0

            await wait_until(reached, 10, run.describe)
        if not unreachable.holes:
            assert "this worker runs the matrix sync" in "\n".join(run.log), run.describe()
        # The terminal works while both networks are away.
        assert run.process.stdin is not None
        run.process.stdin.write(b"/aide\n")
        await wait_until(lambda: any("/start" in line for line in run.terminal), 20, run.describe)

        run.process.send_signal(how)
        try:
            await asyncio.wait_for(run.process.wait(), timeout=STOP_BOUND)
        except TimeoutError:
            pytest.fail(f"still running {STOP_BOUND} s after {how.name}\n{run.describe()}")
    assert run.process.returncode == 0, run.describe()
    assert not any("Traceback" in line for line in run.log), run.describe()
    assert not any(line.startswith(("ERROR", "CRITICAL")) for line in run.log), run.describe()


async def test_a_signal_stops_a_run_whose_homeserver_login_hangs(
    database_url: str, tmp_path: Path
) -> None:
    """Matrix alone, its homeserver silent: nio retries the login for ever, and under it the
    stop used to wait with it (SIGTERM ignored for minutes)."""
    async with Blackhole() as homeserver:
        config = tmp_path / "samu.toml"
        where = Unreachable(telegram="", homeserver=homeserver.url)
        write_config(config, database_url, where)
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("[telegram]\nenabled = true", "[telegram]\nenabled = false"))
        async with samu_run(config) as run:
            await wait_until(lambda: homeserver.accepted > 0, 40, run.describe)
            run.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(run.process.wait(), timeout=STOP_BOUND)
            except TimeoutError:
                pytest.fail(f"still running {STOP_BOUND} s after SIGTERM\n{run.describe()}")
        assert run.process.returncode == 0, run.describe()
        assert not any("Telegram" in line for line in run.log), run.describe()
