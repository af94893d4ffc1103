"""A REAL Synapse Matrix homeserver on 127.0.0.1 for the tests of the Matrix transport.

Synapse is not a dependency of the project: it is pip-installed into its own venv, once per
machine, in a cache keyed by its version (`tests/fakes/synapse_install.py`, which CI runs before
the tests; `SAMU_SYNAPSE_VENV` names another folder), on first use if it is not there yet, and
reused afterwards. When it cannot be installed (no network, no wheel, no compiler…)
`synapse_python()` returns None and `last_install_error()` tells why, so the tests skip with
that reason.

    server = Synapse()                      # or Synapse(default_rc_message=True)
    await server.start()                    # generated config + test overrides, waits for /health
    bot = await server.register("bot", "secret")          # "@bot:localhost"
    client = nio.AsyncClient(server.url, bot)
    await client.login("secret")
    await server.restart()                  # same port, same data ("homeserver restarted")
    await server.stop()
    server.cleanup()                        # removes its temporary folder

Test modules get the session-wide instance as the fixture `synapse` by importing its function
(pytest collects fixtures from a module's namespace, which works with `--import-mode=importlib`;
the function has another name so that the `synapse` parameter does not trip ruff's F811):

    from tests.fakes.synapse import Synapse, synapse_fixture  # noqa: F401

    async def test_something(synapse: Synapse) -> None: ...

Several modules may import it (or one `conftest.py`, for a whole folder): they share one Synapse.

Overrides applied to the generated `homeserver.yaml` (in a second config file, which wins):
one plain-HTTP listener on 127.0.0.1 (resources `client`, which also serves `/health` and the
admin API), SQLite in the temporary folder, open registration without verification, a random
`registration_shared_secret`, no federation nor key servers, no URL previews, no presence,
`bcrypt_rounds: 4` (fast logins) and every `rc_*` rate limit very high — except `rc_message`
when `default_rc_message=True` (Synapse's default: 0.2 message/s, burst 10).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import hashlib
import hmac
import json
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.fakes.synapse_install import (
    SYNAPSE_REQUIREMENT,
    SynapseError,
    install,
    synapse_venv,
)
from tests.fakes.synapse_install import tail as _tail

__all__ = [
    "SYNAPSE_REQUIREMENT",
    "Synapse",
    "SynapseError",
    "last_install_error",
    "synapse_fixture",
    "synapse_python",
    "synapse_venv",
]

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0

_install_error: str | None = None
_failed: dict[Path, str] = {}  # venv → why installing it failed in this process (no retry)


def last_install_error() -> str | None:
    """Why the last `synapse_python()` call returned None (None when it did not)."""
    return _install_error


def synapse_python() -> Path | None:
    """The python of a venv holding Synapse (`synapse_venv()`), installing it there first when
    needed (see tests/fakes/synapse_install.py: a lock, a marker of the requirement installed).

    Blocking (pip runs in a subprocess): call it from synchronous code or `asyncio.to_thread`.
    Returns None on failure and keeps the reason for `last_install_error()`; a failure is not
    retried within the same process.
    """
    global _install_error
    venv = synapse_venv()
    _install_error = _failed.get(venv)
    if _install_error is not None:
        return None
    try:
        return install(venv)
    except (OSError, subprocess.SubprocessError, SynapseError) as error:
        _install_error = f"cannot install {SYNAPSE_REQUIREMENT} into {venv}: {error}"
        _failed[venv] = _install_error
        return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


try:  # loaded here, not in the child: no import may run between fork and exec
    _prctl: Any = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _prctl = None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Have Linux SIGTERM Synapse if the test process dies without stopping it."""
    if _prctl is not None:
        _prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


_HIGH = {"per_second": 10_000, "burst_count": 100_000}
_RATE_LIMITS: dict[str, Any] = {
    "rc_message": _HIGH,
    "rc_registration": _HIGH,
    "rc_registration_token_validity": _HIGH,
    "rc_login": {"address": _HIGH, "account": _HIGH, "failed_attempts": _HIGH},
    "rc_admin_redaction": _HIGH,
    "rc_joins": {"local": _HIGH, "remote": _HIGH},
    "rc_joins_per_room": _HIGH,
    "rc_3pid_validation": _HIGH,
    "rc_invites": {"per_room": _HIGH, "per_user": _HIGH, "per_issuer": _HIGH},
    "rc_third_party_invite": _HIGH,
    "rc_media_create": _HIGH,
    "rc_room_creation": _HIGH,
    "rc_key_requests": _HIGH,
    "rc_presence": {"per_user": _HIGH},
    "rc_delayed_event_mgmt": _HIGH,
    "rc_reports": _HIGH,
    "rc_user_directory": _HIGH,
    "rc_profile": _HIGH,
    "rc_federation": {
        "window_size": 1000,
        "sleep_limit": 10_000,
        "sleep_delay": 1,
        "reject_limit": 10_000,
        "concurrent": 10_000,
    },
}

_LOG_CONFIG = """\
version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'
handlers:
  console:
    class: logging.StreamHandler
    formatter: precise
loggers:
  synapse.storage.SQL:
    level: WARNING
root:
  level: INFO
  handlers: [console]
disable_existing_loggers: false
"""


def _yaml(value: Any) -> str:
    """Dump the overlay as YAML without needing PyYAML in the project venv (JSON is YAML)."""
    return json.dumps(value, indent=2)


class Synapse:
    """One Synapse process with its config and data in a temporary folder.

    `start()` generates the config the first time; `stop()` keeps the data, so `start()` again
    (or `restart()`) brings the same homeserver back on the same port with the same users,
    rooms and access tokens. `cleanup()` removes the folder once stopped.
    """

    server_name = "localhost"

    def __init__(
        self,
        *,
        default_rc_message: bool = False,
        workdir: Path | None = None,
        python: Path | None = None,
    ) -> None:
        self.default_rc_message = default_rc_message
        self._workdir = workdir
        self._own_workdir = workdir is None
        self._python = python
        self.port = 0
        self.shared_secret = secrets.token_hex(24)
        self._process: asyncio.subprocess.Process | None = None
        self._log_file: Any = None
        self.started_in: float | None = None  # seconds from spawn to a healthy /health

    # -- properties ----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The homeserver's base URL, e.g. `http://127.0.0.1:8448`."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def workdir(self) -> Path:
        """The folder holding the config, the database and `synapse.log`."""
        if self._workdir is None:
            raise SynapseError("Synapse was never started")
        return self._workdir

    @property
    def log_path(self) -> Path:
        """Synapse's stdout and stderr (its logs)."""
        return self.workdir / "synapse.log"

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._process is not None and self._process.returncode is None

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of Synapse's log, for error messages."""
        try:
            return _tail(self.log_path.read_text(encoding="utf-8", errors="replace"), lines)
        except (OSError, SynapseError):
            return "(no log)"

    def user_id(self, localpart: str) -> str:
        """`@localpart:localhost`."""
        return f"@{localpart}:{self.server_name}"

    # -- rate limits -----------------------------------------------------------------------

    def enable_default_rate_limits(self) -> None:
        """Use Synapse's default `rc_message` (0.2/s, burst 10) from the next (re)start on."""
        self.default_rc_message = True
        if self._workdir is not None and (self.workdir / "homeserver.yaml").exists():
            self._write_overlay()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Generate the config (first time), spawn Synapse and wait for `/health` → 200."""
        if self.running:
            return
        if self._python is None:
            self._python = await asyncio.to_thread(synapse_python)
            if self._python is None:
                raise SynapseError(last_install_error() or "Synapse is not installed")
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="samu-synapse-"))
        if not (self.workdir / "homeserver.yaml").exists():
            await self._generate()
        if not self.port:
            self.port = _free_port()
        self._write_overlay()
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115, ASYNC230 - closed in stop()
        spawned = time.monotonic()
        self._process = await asyncio.create_subprocess_exec(
            str(self._python),
            "-m",
            "synapse.app.homeserver",
            "-c",
            str(self.workdir / "homeserver.yaml"),
            "-c",
            str(self.workdir / "overlay.yaml"),
            cwd=self.workdir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        try:
            await self._wait_healthy(spawned + START_TIMEOUT)
        except BaseException:
            await self.stop()
            raise
        self.started_in = time.monotonic() - spawned

    async def stop(self) -> None:
        """SIGTERM, wait up to 10 s, then SIGKILL. The data stays for a later `start()`."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    async def restart(self) -> None:
        """Stop and start again on the same port with the same data."""
        await self.stop()
        await self.start()

    def cleanup(self) -> None:
        """Remove the temporary folder (only one this object created itself)."""
        if self.running:
            raise SynapseError("stop() Synapse before cleanup()")
        if self._own_workdir and self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    async def __aenter__(self) -> Synapse:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
        self.cleanup()

    # -- admin -----------------------------------------------------------------------------

    async def register(self, localpart: str, password: str, admin: bool = False) -> str:
        """Create an account with the shared-secret admin API; returns `@localpart:localhost`."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        async with aiohttp.ClientSession() as session:
            async with session.get(endpoint) as response:
                body = await response.json()
                if response.status != 200:
                    raise SynapseError(f"GET {endpoint}: {response.status} {body}")
                nonce: str = body["nonce"]
            mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
            for part in (nonce, localpart, password, "admin" if admin else "notadmin"):
                if part != nonce:
                    mac.update(b"\x00")
                mac.update(part.encode())
            payload = {
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": admin,
                "mac": mac.hexdigest(),
            }
            async with session.post(endpoint, json=payload) as response:
                body = await response.json()
                if response.status != 200:
                    raise SynapseError(f"POST {endpoint}: {response.status} {body}")
                user_id: str = body["user_id"]
                return user_id

    # -- internals -------------------------------------------------------------------------

    async def _generate(self) -> None:
        process = await asyncio.create_subprocess_exec(
            str(self._python),
            "-m",
            "synapse.app.homeserver",
            "--server-name",
            self.server_name,
            "--config-path",
            str(self.workdir / "homeserver.yaml"),
            "--data-directory",
            str(self.workdir),
            "--generate-config",
            "--report-stats=no",
            cwd=self.workdir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise SynapseError(
                f"generating Synapse's config failed ({process.returncode}):\n"
                + _tail(output.decode(errors="replace"))
            )

    def _write_overlay(self) -> None:
        folder = self.workdir
        (folder / "log.config").write_text(_LOG_CONFIG, encoding="utf-8")
        overlay: dict[str, Any] = {
            "server_name": self.server_name,
            "public_baseurl": f"{self.url}/",
            "pid_file": str(folder / "homeserver.pid"),
            "log_config": str(folder / "log.config"),
            "media_store_path": str(folder / "media_store"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": ["127.0.0.1"],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {
                "name": "sqlite3",
                "args": {"database": str(folder / "homeserver.db")},
            },
            "enable_registration": True,
            "enable_registration_without_verification": True,
            "registration_shared_secret": self.shared_secret,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "url_preview_enabled": False,
            "presence": {"enabled": False},
            "report_stats": False,
            "enable_metrics": False,
            "bcrypt_rounds": 4,
            **_RATE_LIMITS,
        }
        if self.default_rc_message:
            del overlay["rc_message"]
        (folder / "overlay.yaml").write_text(_yaml(overlay) + "\n", encoding="utf-8")

    async def _wait_healthy(self, deadline: float) -> None:
        timeout = aiohttp.ClientTimeout(total=2)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                if self._process is None or self._process.returncode is not None:
                    code = None if self._process is None else self._process.returncode
                    raise SynapseError(
                        f"Synapse exited with {code} before answering /health:\n" + self.log_tail()
                    )
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(f"{self.url}/health") as response:
                        if response.status == 200:
                            return
                if time.monotonic() > deadline:
                    raise SynapseError(
                        f"Synapse did not answer /health within {START_TIMEOUT:.0f} s on "
                        f"{self.url}:\n" + self.log_tail()
                    )
                await asyncio.sleep(0.1)


_shared: Synapse | None = None
_shared_users = 0


@pytest.fixture(scope="session", name="synapse")
async def synapse_fixture() -> AsyncIterator[Synapse]:
    """A Synapse shared by the whole test session (skips when it cannot be installed).

    Each module (or conftest) that imports this fixture gets its own session-scoped copy from
    pytest; they all share one process here, stopped when the last of them is torn down.
    """
    global _shared, _shared_users
    python = await asyncio.to_thread(synapse_python)
    if python is None:
        pytest.skip(f"no Synapse for the Matrix tests: {last_install_error()}")
    if _shared is None:
        server = Synapse(python=python)
        await server.start()
        print(f"\n[synapse] {server.url} healthy {server.started_in:.1f} s after spawn", flush=True)
        _shared = server
    _shared_users += 1
    try:
        yield _shared
    finally:
        _shared_users -= 1
        if _shared_users == 0:
            server, _shared = _shared, None
            await server.stop()
            server.cleanup()
