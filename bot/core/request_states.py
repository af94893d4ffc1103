"""The state machine of a help request: one explicit table, nothing else decides.

```
draft ──submit──▶ open ──offer──▶ offered ──claim/assign──▶ claimed ──resolve──▶ resolved
                   ▲                 │                         │                   │
                   └──────release────┴─────────────────────────┘      confirm ─────▶ closed
  cancel: draft|open|offered|claimed ─▶ cancelled      reject: resolved ─▶ claimed
  reopen: closed|cancelled ─▶ open       deflect: draft ─▶ closed (a tutorial solved it)
```
Storage applies a transition with one conditional UPDATE (`WHERE status IN sources`), so
two people acting at once can never both succeed.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from bot.core.errors import CoreError
from bot.core.types import RequestStatus

S = RequestStatus


class Transition(StrEnum):
    """Everything that can happen to a request."""

    SUBMIT = "submit"
    OFFER = "offer"
    CLAIM = "claim"
    ASSIGN = "assign"
    RELEASE = "release"
    RESOLVE = "resolve"
    CONFIRM = "confirm"
    REJECT = "reject"
    CANCEL = "cancel"
    REOPEN = "reopen"
    DEFLECT = "deflect"


TRANSITIONS: Mapping[Transition, tuple[frozenset[RequestStatus], RequestStatus]] = {
    Transition.SUBMIT: (frozenset({S.DRAFT}), S.OPEN),
    Transition.OFFER: (frozenset({S.OPEN, S.OFFERED}), S.OFFERED),
    Transition.CLAIM: (frozenset({S.OPEN, S.OFFERED}), S.CLAIMED),
    Transition.ASSIGN: (frozenset({S.OPEN, S.OFFERED}), S.CLAIMED),
    Transition.RELEASE: (frozenset({S.CLAIMED}), S.OPEN),
    Transition.RESOLVE: (frozenset({S.CLAIMED}), S.RESOLVED),
    Transition.CONFIRM: (frozenset({S.RESOLVED}), S.CLOSED),
    Transition.REJECT: (frozenset({S.RESOLVED}), S.CLAIMED),
    Transition.CANCEL: (frozenset({S.DRAFT, S.OPEN, S.OFFERED, S.CLAIMED}), S.CANCELLED),
    Transition.REOPEN: (frozenset({S.CLOSED, S.CANCELLED}), S.OPEN),
    Transition.DEFLECT: (frozenset({S.DRAFT}), S.CLOSED),
}


class IllegalTransition(CoreError):
    """The request is not in a state where this can happen (`request_id`: which one, for the
    answer that names it)."""

    def __init__(self, status: RequestStatus, transition: Transition, request_id: int) -> None:
        super().__init__(f"cannot {transition.value} request {request_id}: it is {status.value}")
        self.status = status
        self.transition = transition
        self.request_id = request_id


def sources(transition: Transition) -> frozenset[RequestStatus]:
    """The states from which a transition may start."""
    return TRANSITIONS[transition][0]


def target(status: RequestStatus, transition: Transition, request_id: int) -> RequestStatus:
    """The state after `transition` from `status` (of request `request_id`); raises
    IllegalTransition if not allowed."""
    allowed, after = TRANSITIONS[transition]
    if status not in allowed:
        raise IllegalTransition(status, transition, request_id)
    return after


def is_active(status: RequestStatus) -> bool:
    """Whether the request still waits for a helper."""
    return status in (S.OPEN, S.OFFERED)
