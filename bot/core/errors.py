"""Typed failures of the use-cases; the chat layer turns each into a plain message."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from storage.db import StorageUnavailable, is_unavailable

__all__ = ["StorageUnavailable", "is_unavailable"]


class CoreError(Exception):
    """Base of every failure a use-case reports on purpose."""


class InviteProblem(StrEnum):
    """Why an invitation code cannot be used."""

    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED_UP = "used_up"
    REVOKED = "revoked"
    TOO_MANY_TRIES = "too_many_tries"


class InviteRejected(CoreError):
    """The code given to join cannot be used (`retry_at`: when more tries are allowed)."""

    def __init__(self, problem: InviteProblem, retry_at: datetime | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.retry_at = retry_at


class AlreadyMember(CoreError):
    """This platform account already belongs to a member."""


class UnknownStructure(CoreError):
    """No partner structure has this name."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = known


class InvalidValue(CoreError):
    """A value given by a person is not acceptable (too long, empty, …)."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


class NameProblem(StrEnum):
    """Why a display name cannot be used."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    INVISIBLE = "invisible"
    COORDINATOR = "coordinator"  # it reads as a coordinator's name


class NameRefused(InvalidValue):
    """A display name the network cannot show (empty, too long, invisible, a coordinator's)."""

    def __init__(self, problem: NameProblem) -> None:
        super().__init__("display_name")
        self.problem = problem


class RequestNotFound(CoreError):
    """No such request for this person (also when they may not see it: nothing leaks)."""

    def __init__(self, request_id: int) -> None:
        super().__init__(str(request_id))
        self.request_id = request_id


class NotAllowed(CoreError):
    """The person takes part in the request but may not do this (e.g. claim their own)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AlreadyTaken(CoreError):
    """The request already has a helper (`helper_id`: maybe the one asking again)."""

    def __init__(self, helper_name: str | None, helper_id: int | None = None) -> None:
        super().__init__(helper_name or "")
        self.helper_name = helper_name
        self.helper_id = helper_id
