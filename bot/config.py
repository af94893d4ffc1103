"""The validated configuration: embedded defaults, a TOML file, environment overrides.

Where the file comes from: `--config PATH`, else `$SAMU_CONFIG`, else `./config.toml` if it
exists, else the embedded defaults (SQLite file, console only). `$SAMU_DATABASE_URL` and
`$SAMU_TELEGRAM_TOKEN` override the file, so secrets need not be written in it (as do the
other `SAMU_…` variables `parse_config` reads).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.core.session_rules import RuleError, parse_rule
from storage.urls import DatabaseUrlError, check_url, url_password

DEFAULT_DATABASE_URL = "sqlite:///samu.db"


class ConfigProblem(StrEnum):
    """Why a configuration cannot be used (the CLI words it in the operator's language)."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    NOT_TOML = "not_toml"
    ENV_FILE = "env_file"


UNKNOWN_KEY = "unknown key (check its spelling in config.example.toml)"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and the expected form.

    `problem`, `source` and `details` (one line per key, English) let the CLI say it in the
    operator's language; `str()` is the whole message in English (logs, tests).
    """

    def __init__(self, problem: ConfigProblem, source: str, details: Sequence[str] = ()) -> None:
        headings = {
            ConfigProblem.INVALID: "the configuration is not valid:",
            ConfigProblem.NOT_FOUND: "file not found (check --config or $SAMU_CONFIG)",
            ConfigProblem.NOT_TOML: "not valid TOML:",
            ConfigProblem.ENV_FILE: "env_file cannot be read:",
        }
        lines = [f"{source}: {headings[problem]}"]
        if problem in (ConfigProblem.NOT_TOML, ConfigProblem.ENV_FILE):
            lines = [f"{lines[0]} {' '.join(details)}"]
        else:
            lines += [f"  {detail}" for detail in details]
        super().__init__("\n".join(lines))
        self.problem = problem
        self.source = source
        self.details = tuple(details)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Section):
    """Where the data lives."""

    url: str = DEFAULT_DATABASE_URL

    @field_validator("url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        try:
            check_url(value)
        except DatabaseUrlError as exc:
            raise ValueError(
                f"{exc} (e.g. sqlite:///samu.db or postgresql://user@host/db)"
            ) from exc
        return value


class BotConfig(_Section):
    """Language and time."""

    default_locale: Literal["fr", "en"] = "fr"
    timezone: str = "Europe/Paris"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r} (expected e.g. Europe/Paris)") from exc
        return value


class NetworkConfig(_Section):
    """The partner structures known from the start (created if missing)."""

    structures: list[str] = Field(default_factory=list)


class InvitesConfig(_Section):
    """Defaults of the invitations made from chat."""

    expires_days: int = Field(default=14, ge=1, le=365)
    uses: int = Field(default=1, ge=1, le=500)


class UrgencyHours(_Section):
    """A delay for each urgency, in hours."""

    today: float = Field(gt=0)
    week: float = Field(gt=0)
    no_rush: float = Field(gt=0)


class RequestsConfig(_Section):
    """How help requests are offered and escalated."""

    offers_per_round: int = Field(default=3, ge=1, le=20)
    # A helper is offered at most this many requests in 24 hours; matching then skips them
    # and offers the request to the next one (nobody reads every request of the network).
    max_offers_per_day: int = Field(default=10, ge=1, le=200)
    quiet_hours: str = "20:00-08:00"
    quiet_weekends: bool = True
    first_escalation_hours: UrgencyHours = UrgencyHours(today=1, week=24, no_rush=72)
    coordinator_alert_hours: UrgencyHours = UrgencyHours(today=3, week=72, no_rush=168)
    auto_confirm_days: float = Field(default=3, gt=0)
    check_every_seconds: float = Field(default=60, ge=1)

    @field_validator("quiet_hours")
    @classmethod
    def _hours_range(cls, value: str) -> str:
        quiet_window(value)
        return value


def quiet_window(value: str) -> tuple[time, time]:
    """Read `HH:MM-HH:MM` (equal times: no nightly quiet hours)."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError as exc:
        raise ValueError(f"expected HH:MM-HH:MM such as 20:00-08:00, got {value!r}") from exc
    return start, end


class SkillsConfig(_Section):
    """How many skills a member may declare at each level.

    Each declared skill brings the requests that need it: a member declaring every skill
    "je peux former" would be offered (and read) every request of the network.
    """

    max_teaching: int = Field(default=10, ge=1, le=200)
    max_practising: int = Field(default=20, ge=1, le=200)
    max_discovering: int = Field(default=30, ge=1, le=200)


class SessionsConfig(_Section):
    """The quarterly exchange sessions and their notices."""

    rule: str = ""
    places: list[str] = Field(default_factory=list)
    announce_days: int = Field(default=21, ge=1, le=120)
    reminder_days: list[int] = Field(default_factory=lambda: [7, 1])
    coordinator_days: int = Field(default=30, ge=1, le=180)
    organizer_email: str = ""

    @field_validator("organizer_email")
    @classmethod
    def _an_address(cls, value: str) -> str:
        value = value.strip()
        local, at, domain = value.partition("@")
        if value and not (at and local and "." in domain and not any(c.isspace() for c in value)):
            raise ValueError(f"{value!r} is not an e-mail address (write e.g. agenda@example.org)")
        return value

    @field_validator("rule")
    @classmethod
    def _readable_rule(cls, value: str) -> str:
        # Read now: a rule the periodic work cannot read would stop the sessions' notices.
        if value.strip():
            try:
                parse_rule(value)
            except RuleError as exc:
                raise ValueError(
                    f"cannot read {value!r} ({exc}); write e.g. "
                    '"premier jeudi de chaque trimestre 9h-12h" or '
                    '"first Thursday of each quarter 09:00-12:00"'
                ) from exc
        return value


class DigestConfig(_Section):
    """Coordinators' weekly digest."""

    enabled: bool = True
    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] = (
        "monday"
    )
    time: str = "09:00"

    @field_validator("time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        try:
            clock_time(value)
        except ValueError as exc:
            raise ValueError(f"expected HH:MM such as 09:00, got {value!r}") from exc
        return value


def clock_time(value: str) -> time:
    """Read `HH:MM`."""
    return time.fromisoformat(value.strip())


DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class TutorialsConfig(_Section):
    """The shared tutorial base."""

    licence: str = Field(default="Etalab-2.0", min_length=1, max_length=40)
    review_required: bool = False
    stale_after_months: int = Field(default=12, ge=1, le=120)


class PrivacyConfig(_Section):
    """Members' personal data: how long the texts of finished requests are kept.

    A request's text and its thread are erased `retention_months` after the request was
    closed or cancelled; the request row stays, without names or texts, for the statistics.
    The CNIL asks that personal data be kept in the "active base" only as long as its purpose
    needs, then deleted or anonymised (RGPD art. 5-1-e; CNIL, "Guide pratique : les durées de
    conservation", 2020, and https://www.cnil.fr/fr/gerer-la-duree-de-conservation-des-donnees).
    For support data, once a request is solved, 24 months leaves time to find a similar case
    again and to compute the yearly indicators; set it shorter if the network prefers.
    """

    retention_months: int = Field(default=24, ge=1, le=120)


class FilesConfig(_Section):
    """Files members send (screenshots, documents): the largest one the bot takes.

    Files are kept in the database with their request (one backup, one transaction with the
    request, the same rows for every worker) and erased with its texts. Telegram lets a bot
    download 20 MB at most, whatever this says; on Telegram a photo is sent as a picture up to
    10 MB, as a document above.
    """

    max_size_mb: float = Field(default=10, gt=0, le=50)


class WorkersConfig(_Section):
    """Several `samu run` processes on one PostgreSQL database (see docs/deploy.md)."""

    heartbeat_seconds: float = Field(default=2.0, gt=0, le=60)
    takeover_seconds: float = Field(default=15.0, gt=0, le=3600)
    election_seconds: float = Field(default=3.0, gt=0, le=300)
    kept_dir: str = Field(default="kept-messages", min_length=1)

    @model_validator(mode="after")
    def _takeover_after_heartbeats(self) -> WorkersConfig:
        if self.takeover_seconds < 3 * self.heartbeat_seconds:
            raise ValueError("takeover_seconds: must be at least 3 × heartbeat_seconds")
        return self


class ConsoleConfig(_Section):
    """The terminal transport of `samu run`."""

    enabled: bool = True
    persona: str = ""


# Telegram's rule for the secret token of a webhook, and how to make a good one.
WEBHOOK_SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")
MAKE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


class TelegramConfig(_Section):
    """Telegram: a bot token from @BotFather, polling (default) or a webhook."""

    enabled: bool = False
    token: str = ""
    username: str = ""
    mode: Literal["polling", "webhook"] = "polling"
    base_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str = "telegram"
    webhook_public_url: str = ""
    webhook_secret: str = ""
    private_interval: float = Field(default=1.05, ge=0)
    private_burst: int = Field(default=3, ge=1, le=10)
    read_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    announce_chat_id: str = ""

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token_form(cls, value: str) -> str:
        if value and not WEBHOOK_SECRET_FORM.fullmatch(value):
            raise ValueError(
                "webhook_secret: 1 to 256 characters among A-Z, a-z, 0-9, _ and - "
                f"(Telegram's rule); make one with: {MAKE_SECRET}"
            )
        return value

    @model_validator(mode="after")
    def _usable(self) -> TelegramConfig:
        if self.enabled and not self.token:
            raise ValueError("token: required when enabled (or set SAMU_TELEGRAM_TOKEN)")
        if self.enabled and self.mode == "webhook" and not self.webhook_public_url:
            raise ValueError("webhook_public_url: required in webhook mode")
        if self.enabled and self.mode == "webhook" and not self.webhook_secret:
            raise ValueError(
                "webhook_secret: required in webhook mode, so that only Telegram can send "
                f"updates; make one with: {MAKE_SECRET} "
                "and put it in webhook_secret or SAMU_TELEGRAM_WEBHOOK_SECRET"
            )
        return self


class MatrixConfig(_Section):
    """Matrix (and Tchap): the bot's account, its encryption store, whom it talks to."""

    enabled: bool = False
    homeserver: str = ""
    user_id: str = ""
    password: str = ""
    access_token: str = ""
    device_name: str = "Samu numérique"
    store_path: str = "matrix-store"
    encryption: bool = True
    allowed_rooms: list[str] = Field(default_factory=list)
    allowed_homeservers: list[str] = Field(default_factory=list)
    pace_seconds: float = Field(default=1.0, ge=0)

    @model_validator(mode="after")
    def _usable(self) -> MatrixConfig:
        if self.enabled and not (self.homeserver and self.user_id):
            raise ValueError("homeserver and user_id: required when enabled")
        if self.enabled and not (self.password or self.access_token):
            raise ValueError("password or access_token: required (or SAMU_MATRIX_PASSWORD)")
        return self


def listen_address(value: str) -> tuple[str, int]:
    """Read `HOST:PORT` (`[::1]:9464` for IPv6; port 0: any free port)."""
    host, colon, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"expected HOST:PORT such as 127.0.0.1:9464, got {value!r}")
    return host, int(port)


class MonitoringConfig(_Section):
    """The operators' HTTP endpoint: /healthz, /readyz and /metrics (Prometheus)."""

    listen: str = ""  # HOST:PORT; empty: no endpoint
    # /readyz fails once a message due for delivery has waited this long.
    outbox_stuck_seconds: float = Field(default=900, gt=0)
    # ...or once the periodic work has not started for this many periods (check_every_seconds).
    late_ticks: int = Field(default=3, ge=2, le=100)
    # ...or once the database takes longer than this to answer `SELECT 1`.
    database_timeout_seconds: float = Field(default=3, gt=0, le=60)

    @field_validator("listen")
    @classmethod
    def _address(cls, value: str) -> str:
        if value.strip():
            listen_address(value)
        return value.strip()


class LoggingConfig(_Section):
    """How log lines look: `text` for a terminal or journald, `json` (one object per line)
    for a log collector."""

    format: Literal["text", "json"] = "text"


class Config(_Section):
    """The whole configuration."""

    # The environment file of the service (systemd's `EnvironmentFile`): every `samu` command
    # reads it too, so that commands typed by hand get the same secrets (see `load_config`).
    env_file: str = ""
    database: DatabaseConfig = DatabaseConfig()
    bot: BotConfig = BotConfig()
    network: NetworkConfig = NetworkConfig()
    invites: InvitesConfig = InvitesConfig()
    requests: RequestsConfig = RequestsConfig()
    skills: SkillsConfig = SkillsConfig()
    sessions: SessionsConfig = SessionsConfig()
    digest: DigestConfig = DigestConfig()
    tutorials: TutorialsConfig = TutorialsConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    files: FilesConfig = FilesConfig()
    workers: WorkersConfig = WorkersConfig()
    console: ConsoleConfig = ConsoleConfig()
    telegram: TelegramConfig = TelegramConfig()
    matrix: MatrixConfig = MatrixConfig()
    monitoring: MonitoringConfig = MonitoringConfig()
    logging: LoggingConfig = LoggingConfig()
    source: str = Field(default="embedded defaults", exclude=True)

    def secrets(self) -> list[str]:
        """The values the log must never show (those set)."""
        database_password = url_password(self.database.url)
        written = self.database.url.split("://", 1)[-1].split("@", 1)[0].partition(":")[2]
        values = (
            self.telegram.token,
            self.telegram.webhook_secret,
            self.matrix.password,
            self.matrix.access_token,
            database_password or "",
            written if database_password else "",  # as written in the URL (%-encoded)
        )
        return list(dict.fromkeys(value for value in values if value))


def _describe(error: Mapping[str, Any]) -> str:
    location = [str(part) for part in error["loc"]]
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = UNKNOWN_KEY
    if len(location) > 1:
        return f"[{location[0]}] {'.'.join(location[1:])}: {message}"
    if error["type"] == "extra_forbidden":
        return f"{location[0]}: {message}"
    return f"[{location[0]}] {message}"


def parse_config(data: dict[str, Any], source: str, env: Mapping[str, str]) -> Config:
    """Validate configuration data, applying the environment overrides."""
    data = {key: dict(value) if isinstance(value, dict) else value for key, value in data.items()}
    if env.get("SAMU_DATABASE_URL"):
        data.setdefault("database", {})["url"] = env["SAMU_DATABASE_URL"]
    if env.get("SAMU_TELEGRAM_TOKEN"):
        data.setdefault("telegram", {})["token"] = env["SAMU_TELEGRAM_TOKEN"]
    for key in ("password", "access_token"):
        if env.get(f"SAMU_MATRIX_{key.upper()}"):
            data.setdefault("matrix", {})[key] = env[f"SAMU_MATRIX_{key.upper()}"]
    if env.get("SAMU_TELEGRAM_WEBHOOK_SECRET"):
        data.setdefault("telegram", {})["webhook_secret"] = env["SAMU_TELEGRAM_WEBHOOK_SECRET"]
    if env.get("SAMU_MONITORING_LISTEN"):
        data.setdefault("monitoring", {})["listen"] = env["SAMU_MONITORING_LISTEN"]
    if env.get("SAMU_LOG_FORMAT"):
        data.setdefault("logging", {})["format"] = env["SAMU_LOG_FORMAT"]
    data.pop("source", None)
    try:
        return Config.model_validate({**data, "source": source})
    except ValidationError as exc:
        problems = [_describe(error) for error in exc.errors()]
        raise ConfigError(ConfigProblem.INVALID, source, problems) from None


def find_config_file(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    """The configuration file to read, following the documented order (None: defaults)."""
    if explicit:
        return Path(explicit)
    if env.get("SAMU_CONFIG"):
        return Path(env["SAMU_CONFIG"])
    local = Path("config.toml")
    return local if local.is_file() else None


def load_config(explicit: str | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the configuration; raises ConfigError with a fix-it message."""
    environment = os.environ if env is None else env
    path = find_config_file(explicit, environment)
    if path is None:
        return parse_config({}, "embedded defaults", environment)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(ConfigProblem.NOT_FOUND, str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(ConfigProblem.NOT_TOML, str(path), [str(exc)]) from None
    env_file = data.get("env_file")
    if isinstance(env_file, str) and env_file:
        environment = {**read_env_file(path.parent / env_file, str(path)), **environment}
    return parse_config(data, str(path), environment)


def read_env_file(env_file: Path, source: str) -> dict[str, str]:
    """The variables of an environment file as systemd's `EnvironmentFile` holds them
    (`KEY=value` lines, comments, quotes); ConfigError when it cannot be read. Variables
    already in the environment win over it, as they do for systemd's `Environment=`."""
    from dotenv import dotenv_values

    try:
        with env_file.open(encoding="utf-8") as stream:
            values = dotenv_values(stream=stream, interpolate=False)  # systemd expands nothing
    except OSError as exc:
        raise ConfigError(
            ConfigProblem.ENV_FILE, source, [f"{env_file}: {exc.strerror or exc}"]
        ) from None
    except UnicodeDecodeError as exc:
        # An editor that saved it in Latin-1 or Windows-1252 (an accented password).
        line = env_file.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(
            ConfigProblem.ENV_FILE,
            source,
            [f"{env_file}, line {line}: not UTF-8 text; save the file as UTF-8"],
        ) from None
    return {key: value for key, value in values.items() if value is not None}
