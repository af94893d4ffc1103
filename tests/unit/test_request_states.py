"""Every transition of the request state machine, legal and illegal, written out by hand."""

from __future__ import annotations

import pytest

from bot.core.request_states import IllegalTransition, Transition, target
from bot.core.types import RequestStatus

S = RequestStatus
T = Transition

# (transition, from) -> to ; every pair not listed must be refused.
LEGAL = {
    (T.SUBMIT, S.DRAFT): S.OPEN,
    (T.OFFER, S.OPEN): S.OFFERED,
    (T.OFFER, S.OFFERED): S.OFFERED,
    (T.CLAIM, S.OPEN): S.CLAIMED,
    (T.CLAIM, S.OFFERED): S.CLAIMED,
    (T.ASSIGN, S.OPEN): S.CLAIMED,
    (T.ASSIGN, S.OFFERED): S.CLAIMED,
    (T.RELEASE, S.CLAIMED): S.OPEN,
    (T.RESOLVE, S.CLAIMED): S.RESOLVED,
    (T.CONFIRM, S.RESOLVED): S.CLOSED,
    (T.REJECT, S.RESOLVED): S.CLAIMED,
    (T.CANCEL, S.DRAFT): S.CANCELLED,
    (T.CANCEL, S.OPEN): S.CANCELLED,
    (T.CANCEL, S.OFFERED): S.CANCELLED,
    (T.CANCEL, S.CLAIMED): S.CANCELLED,
    (T.REOPEN, S.CLOSED): S.OPEN,
    (T.REOPEN, S.CANCELLED): S.OPEN,
    (T.DEFLECT, S.DRAFT): S.CLOSED,
}


@pytest.mark.parametrize("transition", list(Transition))
@pytest.mark.parametrize("status", list(RequestStatus))
def test_transition_table(transition: Transition, status: RequestStatus) -> None:
    expected = LEGAL.get((transition, status))
    if expected is None:
        with pytest.raises(IllegalTransition) as refused:
            target(status, transition, 12)
        assert refused.value.status is status and refused.value.transition is transition
        assert refused.value.request_id == 12
        assert status.value in str(refused.value)
    else:
        assert target(status, transition, 12) is expected
