"""What the bot tells whoever watches it (the operators' metrics): messages in and out,
failed deliveries, periodic jobs. The use-cases and the conversation call an `Observer`; the
composition root gives them one that counts (`bot.monitoring`) or `QUIET`, which ignores all.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Via(StrEnum):
    """How a message reached a chat."""

    REPLY = "reply"  # the answer to a message, sent at once by its transport
    OUTBOX = "outbox"  # a queued notice, delivered by the dispatcher


class Observer(Protocol):
    """Told of what happens, synchronously and cheaply (a counter goes up); never raises."""

    def received(self, platform: str) -> None:
        """A message from a chat was handled (each event once)."""
        ...

    def sent(self, platform: str, via: Via) -> None:
        """A message was delivered to a chat."""
        ...

    def delivery_failed(self, platform: str, outcome: str) -> None:
        """A queued message could not be delivered (`outcome`: what becomes of it)."""
        ...

    def job_done(self, job: str, *, ok: bool, at: datetime) -> None:
        """A periodic job ended, well or not."""
        ...


class _Quiet:
    """An observer that ignores everything (monitoring off, tests)."""

    def received(self, platform: str) -> None:
        """Ignored."""

    def sent(self, platform: str, via: Via) -> None:
        """Ignored."""

    def delivery_failed(self, platform: str, outcome: str) -> None:
        """Ignored."""

    def job_done(self, job: str, *, ok: bool, at: datetime) -> None:
        """Ignored."""


QUIET: Observer = _Quiet()
