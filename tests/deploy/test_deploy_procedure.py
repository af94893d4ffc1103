"""docs/deploy.md followed from top to bottom, as an operator would on a fresh machine.

Everything happens in a temporary folder standing for the server: `/srv/samu` (the venv, the
configuration, the backups) and `/etc/samu/env` (the secrets). The project is installed for
real (`pip install`, not editable) into a new venv, and every step after that runs the `samu`
of that venv: a PostgreSQL database of its own (section 2), the configuration of section 3
with `env_file`, `samu db upgrade` and `samu doctor`, an invitation typed by hand, then what
systemd would do (section 4) without systemd: `samu run` with the environment file's variables
in its environment, `/readyz` green, a member joining through Telegram, SIGTERM. Section 6
follows: a backup while the bot runs, a restore into a second empty database, `samu doctor`
there, and the upgrade procedure, after which the bot is ready again on the restored data.

Telegram is the Bot API server on loopback of tests/fakes/ (`[telegram] base_url`); PostgreSQL
is the test server of SAMU_TEST_POSTGRES_URL. Skipped without it, and when pip cannot reach
the packages the project needs.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.config import read_env_file
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import wait_until
from tests.postgres_databases import POSTGRES_URL, empty_postgres_database

pytestmark = [
    pytest.mark.skipif(
        not POSTGRES_URL, reason="the procedure is for PostgreSQL: set SAMU_TEST_POSTGRES_URL"
    ),
    pytest.mark.slow,  # a fresh venv, pip install, the whole procedure: minutes by design
    pytest.mark.cli_subprocess,
]

REPO = Path(__file__).resolve().parents[2]
TOKEN = "7009876543:AAFdeployProcedureTokenForTests_42"
WEBHOOK_SECRET = "deploy-Webhook_secret-0123456789"
MATRIX_PASSWORD = "dollar-${NOT_EXPANDED}-and-#-kept"  # systemd takes it as written
AMINA = 4242
STOP_SECONDS = 30  # TimeoutStopSec of the unit in section 4
PIP_SECONDS = 600
# What pip says when it cannot reach an index: the machine is offline, not the project broken.
OFFLINE = re.compile(
    r"NewConnectionError|Temporary failure in name resolution|Network is unreachable|"
    r"No matching distribution found|Could not find a version that satisfies|"
    r"Failed to establish a new connection|ProxyError|ConnectTimeout|ReadTimeout"
)


@dataclass
class Server:
    """The operator's machine: paths of section 1 and 3, under a temporary folder."""

    srv: Path  # /srv/samu
    env_file: Path  # /etc/samu/env
    source: Path  # /path/to/samu-numerique

    @property
    def samu(self) -> str:
        return str(self.srv / ".venv" / "bin" / "samu")

    @property
    def pip(self) -> str:
        return str(self.srv / ".venv" / "bin" / "pip")


def bare_environment() -> dict[str, str]:
    """A login shell's environment: none of the test run's SAMU_* settings, no venv active."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SAMU_")
        and key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    }


def systemd_environment_file(path: Path) -> dict[str, str]:
    """The variables systemd's `EnvironmentFile=` gives the service: `KEY=VALUE` lines, `#` and
    `;` comments, blank lines skipped, one pair of surrounding quotes removed."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def unit_environment() -> dict[str, str]:
    """The `Environment=` settings of the unit of section 4, as written in docs/deploy.md."""
    doc = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    section = doc.split("## 4. systemd", 1)[1].split("\n## ", 1)[0]
    unit = section.split("```ini", 1)[1].split("```", 1)[0]
    settings: dict[str, str] = {}
    for line in unit.splitlines():
        if line.startswith("Environment="):
            key, _, value = line.removeprefix("Environment=").partition("=")
            settings[key] = value
    return settings


def service_environment(env_file: Path) -> dict[str, str]:
    """What systemd gives the service's commands: the unit's `Environment=`, then the
    environment file's variables (systemd reads `EnvironmentFile=` after `Environment=`)."""
    return {**unit_environment(), **systemd_environment_file(env_file)}


async def command(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *args,
        cwd=cwd,
        env={**bare_environment(), **(env or {})},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout=timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, output.decode()


async def pip_install(server: Server, *args: str) -> None:
    code, output = await command(
        server.pip, "install", *args, str(server.source), cwd=server.srv, timeout=PIP_SECONDS
    )
    if code != 0 and OFFLINE.search(output):
        pytest.skip(f"pip cannot reach the packages: {OFFLINE.search(output)}")
    assert code == 0, output[-4000:]


def a_checkout(destination: Path) -> Path:
    """A copy of the project as a release or a fresh checkout has it (no venv, no build)."""
    shutil.copytree(
        REPO,
        destination,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", ".cache", "build", "*.egg-info", "__pycache__", "*.db*", "config.toml"
        ),
    )
    return destination


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def section_3_config(database_url: str, env_file: Path, bot_api: FakeBotApi, port: int) -> str:
    return f"""\
env_file = "{env_file}"        # the secrets below, read by every samu command

[database]
url = "{database_url}"

[console]
enabled = false                   # no terminal on a server

[telegram]
enabled = true                    # the token comes from SAMU_TELEGRAM_TOKEN
base_url = "{bot_api.base_url}"   # the Bot API on loopback instead of api.telegram.org

[matrix]
enabled = false

[monitoring]
listen = "127.0.0.1:{port}"
"""


class Service:
    """`samu run` as systemd starts it: the environment file's variables in its environment,
    standard input /dev/null, the log in a file (the journal)."""

    def __init__(self, server: Server, port: int) -> None:
        self.server = server
        self.url = f"http://127.0.0.1:{port}"
        self.journal = server.srv / "journal.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        assert self.process is None
        environment = service_environment(self.server.env_file)
        with self.journal.open("ab") as journal:
            self.process = await asyncio.create_subprocess_exec(
                self.server.samu,
                "run",
                cwd=self.server.srv,
                env={**bare_environment(), **environment},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=journal,
                stderr=journal,
            )

    def log(self) -> str:
        return self.journal.read_text(errors="replace")

    async def get(self, path: str) -> tuple[int, str]:
        timeout = aiohttp.ClientTimeout(total=5)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(self.url + path) as response,
        ):
            return response.status, await response.text()

    async def wait_ready(self, deadline_seconds: float = 60) -> str:
        """Poll /readyz until it answers 200; its body. Fails with the last answer and the log."""
        process = self.process
        assert process is not None
        last: tuple[int, str] | str = "no answer"

        async def ready() -> bool:
            nonlocal last
            if process.returncode is not None:
                pytest.fail(f"samu run exited {process.returncode}:\n{self.log()}")
            try:
                last = await self.get("/readyz")
            except aiohttp.ClientError as exc:
                last = repr(exc)
            return isinstance(last, tuple) and last[0] == 200

        await wait_until(ready, deadline_seconds, lambda: f"{last}\n{self.log()}", every=0.2)
        assert isinstance(last, tuple)
        return last[1]

    async def stop(self) -> int:
        """SIGTERM, as `systemctl stop` sends; the exit status, within TimeoutStopSec."""
        assert self.process is not None
        process, self.process = self.process, None
        process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(process.wait(), timeout=STOP_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()
            pytest.fail(f"samu run still running {STOP_SECONDS} s after SIGTERM:\n{self.log()}")

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def count_members(database_url: str) -> int:
    url = make_url(database_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        return int(await connection.fetchval("SELECT count(*) FROM members"))
    finally:
        await connection.close()


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="samu_deploy_bot") as server:
        yield server


async def test_docs_deploy_md_from_top_to_bottom(bot_api: FakeBotApi, tmp_path: Path) -> None:
    server = Server(
        srv=tmp_path / "srv" / "samu",
        env_file=tmp_path / "etc" / "samu" / "env",
        source=a_checkout(tmp_path / "samu-numerique"),
    )
    server.srv.mkdir(parents=True)
    server.env_file.parent.mkdir(parents=True)

    # 1. Install: a venv of its own, the project installed from a checkout.
    code, output = await command(
        sys.executable, "-m", "venv", str(server.srv / ".venv"), cwd=server.srv
    )
    assert code == 0, output
    await pip_install(server)

    async with AsyncExitStack() as stack:
        # 2. PostgreSQL: a database of its own (the migration creates `unaccent`: superuser),
        # and the empty one section 6 restores into. Both are dropped at the end.
        database = await stack.enter_async_context(empty_postgres_database())
        restored = await stack.enter_async_context(empty_postgres_database())
        service = Service(server, free_port())
        stack.push_async_callback(service.kill)  # first thing done on the way out

        # 3. Configuration: config.toml, and the secrets in an environment file of mode 600.
        server.env_file.write_text(
            f"SAMU_TELEGRAM_TOKEN={TOKEN}\n"
            "# webhook mode only (section 5)\n"
            f"SAMU_TELEGRAM_WEBHOOK_SECRET={WEBHOOK_SECRET}\n"
            f"SAMU_MATRIX_PASSWORD={MATRIX_PASSWORD}\n"
        )
        server.env_file.chmod(0o600)
        # samu's commands read the file as systemd gives it to the service: the same values.
        assert read_env_file(server.env_file, "config.toml") == systemd_environment_file(
            server.env_file
        )
        (server.srv / "config.toml").write_text(
            section_3_config(database, server.env_file, bot_api, int(service.url.split(":")[-1]))
        )
        samu = server.samu

        # `samu db upgrade`, `samu doctor`, then an invitation typed by hand: the token comes
        # from the environment file only (without it the configuration would be refused).
        code, output = await command(samu, "db", "upgrade", cwd=server.srv)
        assert code == 0, output
        code, output = await command(samu, "doctor", cwd=server.srv)
        assert code == 0 and "✘" not in output, output
        code, output = await command(samu, "invite", "create", cwd=server.srv)
        assert code == 0, output
        invite = output.splitlines()[0].strip()
        assert f"/start {invite}" in output, output

        # 4. systemd, without systemd: ExecStartPre, then ExecStart with EnvironmentFile=.
        # The unit's Environment= runs them without docstrings (PYTHONOPTIMIZE=2, checked
        # below by the compiled files that mode writes).
        assert unit_environment() == {"PYTHONOPTIMIZE": "2"}
        code, output = await command(
            samu, "db", "upgrade", cwd=server.srv, env=service_environment(server.env_file)
        )
        assert code == 0, output
        await service.start()
        ready = await service.wait_ready()
        assert '"ready": true' in ready, ready
        assert list((server.srv / ".venv").rglob("bot/__pycache__/supervisor.*.opt-2.pyc"))
        assert await service.get("/healthz") == (200, "ok\n")
        status, metrics = await service.get("/metrics")
        assert status == 200 and "samu_database_up 1.0" in metrics, metrics
        assert 'samu_transport_connected{platform="telegram"} 1.0' in metrics, metrics
        assert "samu run: telegram; database postgresql+asyncpg://" in service.log()
        assert f"; monitoring {service.url}" in service.log()

        bot_api.user_sends(AMINA, f"/start {invite}", first_name="Amina", language_code="fr")
        await bot_api.wait_for(lambda: bool(bot_api.sent_messages(AMINA)), timeout=30)
        assert "Bienvenue" in bot_api.sent_messages(AMINA)[0]["text"]
        assert await count_members(database) == 1
        status, metrics = await service.get("/metrics")
        assert 'samu_messages_received_total{platform="telegram"} 1.0' in metrics, metrics

        # 6. Back up while the bot runs; then stop it.
        backups = server.srv / "backups"
        backups.mkdir()
        dump = backups / "samu-2026-12-01.dump"
        code, output = await command(samu, "backup", "--out", str(dump), cwd=server.srv)
        assert code == 0 and dump.stat().st_size > 0, output
        assert await service.stop() == 0, service.log()
        assert "Traceback" not in service.log(), service.log()

        # Restore into the new, empty database, named by SAMU_DATABASE_URL.
        there = {"SAMU_DATABASE_URL": restored}
        code, output = await command(samu, "restore", str(dump), cwd=server.srv, env=there)
        assert code == 0, output
        assert await count_members(restored) == 1
        code, output = await command(samu, "restore", str(dump), cwd=server.srv, env=there)
        assert code != 0 and "Traceback" not in output, output  # not into a non-empty one
        code, output = await command(samu, "doctor", cwd=server.srv, env=there)
        assert code == 0 and "✘" not in output, output
        # ...then point [database] url to it.
        config = server.srv / "config.toml"
        config.write_text(config.read_text().replace(database, restored))

        # Upgrade: stop (done), back up, install the new version, migrate, start.
        code, output = await command(
            samu, "backup", "--out", str(backups / "before-upgrade.dump"), cwd=server.srv
        )
        assert code == 0, output
        pyproject = server.source / "pyproject.toml"
        pyproject.write_text(
            pyproject.read_text().replace('version = "0.1.0"', 'version = "0.1.0.post1"', 1)
        )
        await pip_install(server, "--upgrade")
        code, output = await command(
            str(server.srv / ".venv" / "bin" / "python"),
            "-c",
            "from importlib.metadata import version; print(version('samu-numerique'))",
            cwd=server.srv,
        )
        assert output.strip() == "0.1.0.post1", output
        code, output = await command(samu, "db", "upgrade", cwd=server.srv)
        assert code == 0, output
        await service.start()
        await service.wait_ready()
        # The restored network knows Amina: her next message is a member's, not a stranger's.
        answered = len(bot_api.sent_messages(AMINA))
        bot_api.user_sends(AMINA, "/aide", first_name="Amina", language_code="fr")
        await bot_api.wait_for(lambda: len(bot_api.sent_messages(AMINA)) > answered, timeout=30)
        help_text = bot_api.sent_messages(AMINA)[-1]["text"]
        assert "/demande" in help_text and "demandez un code d'invitation" not in help_text
        assert await service.stop() == 0, service.log()
