"""Database URLs checked without SQLAlchemy.

The configuration is read by every `samu` command, `--help` included, and importing
SQLAlchemy costs more than the rest of the command: the URL is checked here with the same
rules `storage.db.normalize_url` applies (which adds SQLAlchemy's own parsing).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}
ASYNC_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
# The scheme as SQLAlchemy's `make_url` reads it: word characters and "+", then "://".
_SCHEME = re.compile(r"(?P<name>[\w+]+)://")


class DatabaseUrlError(ValueError):
    """The database URL names no database this project supports."""


def check_url(url: str) -> str:
    """The driver name of a supported database URL; DatabaseUrlError otherwise."""
    match = _SCHEME.match(url)
    if match is None:
        raise DatabaseUrlError(f"cannot read database URL {url!r}")
    try:
        urlsplit(url).port  # noqa: B018 - a port that is not a number raises here
    except ValueError as exc:
        raise DatabaseUrlError(f"cannot read database URL {url!r}") from exc
    drivername = match["name"]
    backend = drivername.split("+")[0]
    if backend not in DRIVERS:
        raise DatabaseUrlError(f"unsupported database {backend!r}: use sqlite:/// or postgresql://")
    if "+" in drivername and drivername not in ASYNC_DRIVERS:
        raise DatabaseUrlError(
            f"unsupported driver {drivername!r}: use sqlite+aiosqlite or postgresql+asyncpg"
        )
    return drivername


def url_password(url: str) -> str | None:
    """The password a database URL holds, as written and decoded (None without one)."""
    try:
        written = urlsplit(url).password
    except ValueError:
        return None
    return unquote(written) if written else None
