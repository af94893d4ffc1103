"""How `samu` writes its log: readable lines, or one JSON object per line for a collector.

Whatever the level, the secrets of the configuration (bot token, webhook secret, Matrix
password and access token, database password) are replaced by `***` in every line: the
libraries do not all keep them out (python-telegram-bot logs its API URL, token included, at
DEBUG).

The JSON form is a small `logging.Formatter` of our own rather than a library: it writes a
fixed set of fields (no `extra` attribute a caller might pass is copied out by surprise) and
costs no dependency for ~20 lines.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal

TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
HIDDEN = "***"
# Shorter values are not hidden (every "abc" of the log would go): such a secret is no secret.
SHORTEST_SECRET = 4


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line: time (UTC, ISO 8601), level, logger, message,
    and the traceback as `exception` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class Redacting(logging.Formatter):
    """Formats with `inner`, then hides each secret (also in its JSON-escaped form)."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        forms: set[str] = set()
        for secret in secrets:
            if len(secret) >= SHORTEST_SECRET:
                forms.update((secret, json.dumps(secret, ensure_ascii=False)[1:-1]))
        self.secrets = sorted(forms, key=len, reverse=True)  # a longer one may hold a shorter

    def format(self, record: logging.LogRecord) -> str:
        """The line, secrets hidden."""
        line = self.inner.format(record)
        for secret in self.secrets:
            line = line.replace(secret, HIDDEN)
        return line


def log_handler(form: Literal["text", "json"], secrets: Iterable[str] = ()) -> logging.Handler:
    """A handler writing to standard error in the configured form, `secrets` hidden."""
    handler = logging.StreamHandler()
    inner = JsonFormatter() if form == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(Redacting(inner, secrets))
    return handler
