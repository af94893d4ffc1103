"""What the bot showed, and what people may still do with it.

Every numbered list and set of buttons belongs to the message that showed it (a `Choice`,
kept in the database, so a restart changes nothing). Using one of its actions — a button,
a reaction, a typed number — is judged here, by one rule per origin:

```
origin of the list                 its actions may be used …
offer                              while its request waits for a helper
"is it solved?" to the author      while its request is marked solved, awaiting the author
session invitation / reminder      until closed (/rsvp checks the session itself)
anything else                      while it belongs to the newest answer of the chat
```
and never once closed, never by someone it was not shown to, never for an action it did not
show. When a request changes state, the lists about it still showing their actions are
closed and their messages edited to say what became of it (through the outbox, once each).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from bot.core.notices import ChoiceOutcome, NoticeKind
from bot.core.outbox import new_message, notify_many
from bot.core.request_states import Transition, is_active
from bot.core.services import Services
from bot.core.types import Choice, HelpRequest, NewChoice, RequestStatus, ShownAction
from storage.db import UnitOfWork

OUTCOME_KIND = NoticeKind.CHOICE_OUTCOME


class Verdict(StrEnum):
    """Whether an action of a shown list may be used now."""

    VALID = "valid"
    SUPERSEDED = "superseded"  # a newer list was shown in the chat since
    CLOSED = "closed"  # its request moved on (the message now says so)
    NOT_YOURS = "not_yours"  # shown to someone else (in a group chat)
    UNKNOWN = "unknown"  # no such message remembered (too old, or not the bot's)
    NOT_SHOWN = "not_shown"  # the message never showed this action (a forged press)


class Lasts(StrEnum):
    """How long the actions of a list may be used."""

    NEWEST_ONLY = "newest_only"
    WHILE_REQUEST_WAITS = "while_request_waits"
    WHILE_REQUEST_SOLVED = "while_request_solved"
    UNTIL_CLOSED = "until_closed"


LASTS: Mapping[str, Lasts] = MappingProxyType(
    {
        "offer": Lasts.WHILE_REQUEST_WAITS,
        # Other notices come meanwhile (the tutorial written from it, at once): the author's
        # answer to this question must not be refused as replaced by them.
        "confirm_solved": Lasts.WHILE_REQUEST_SOLVED,
        "session_announce": Lasts.UNTIL_CLOSED,
        "session_reminder": Lasts.UNTIL_CLOSED,
        "session_changed": Lasts.UNTIL_CLOSED,
    }
)


class Outcome(StrEnum):
    """What became of a request, as the messages that showed its buttons now say."""

    SENT = "sent"
    TAKEN = "taken"
    ASSIGNED = "assigned"
    RELEASED = "released"
    SOLVED = "solved"
    REJECTED = "rejected"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REOPENED = "reopened"
    DEFLECTED = "deflected"
    DECLINED = "declined"


# What each change of state does to the lists about the request (None: they stay valid).
OUTCOMES: Mapping[Transition, Outcome | None] = MappingProxyType(
    {
        Transition.SUBMIT: Outcome.SENT,
        Transition.OFFER: None,
        Transition.CLAIM: Outcome.TAKEN,
        Transition.ASSIGN: Outcome.ASSIGNED,
        Transition.RELEASE: Outcome.RELEASED,
        Transition.RESOLVE: Outcome.SOLVED,
        Transition.CONFIRM: Outcome.CLOSED,
        Transition.REJECT: Outcome.REJECTED,
        Transition.CANCEL: Outcome.CANCELLED,
        Transition.REOPEN: Outcome.REOPENED,
        Transition.DEFLECT: Outcome.DEFLECTED,
    }
)


@dataclass(frozen=True, slots=True)
class Shown:
    """A message just delivered, as the bot remembers it.

    The person it is for is `member_id`, or the member behind `user_id` on the platform
    (an answer in a chat: whoever wrote the message it answers).
    """

    platform: str
    chat_id: str
    message_ref: str
    origin: str
    answer: str
    actions: tuple[ShownAction, ...] = ()
    first_number: int = 1
    request_id: int | None = None
    member_id: int | None = None
    user_id: str | None = None
    edit: bool = False

    @property
    def worth_keeping(self) -> bool:
        """Only a list, or a message about a request, is ever looked up again; an edit that
        removes a list leaves the list remembered as it was (closed, it still supersedes the
        older ones)."""
        if self.edit:
            return bool(self.actions)
        return bool(self.actions) or self.request_id is not None


@dataclass(frozen=True, slots=True)
class Checked:
    """An action of a shown list, judged."""

    verdict: Verdict
    choice: Choice | None = None
    action: ShownAction | None = None
    request: HelpRequest | None = None


async def record(services: Services, shown: Shown) -> None:
    """Remember a message just delivered (nothing for a message no one will refer to)."""
    if not shown.worth_keeping:
        return
    async with services.uow() as uow:
        if await record_in(uow, services.clock.now(), shown):
            await uow.commit()


async def record_in(uow: UnitOfWork, now: datetime, shown: Shown) -> bool:
    """`record` inside an open unit of work; false when there was nothing to remember."""
    if not shown.worth_keeping:
        return False
    member_id = shown.member_id
    if member_id is None and shown.user_id is not None:
        member = await uow.members.by_identity(shown.platform, shown.user_id)
        member_id = member.id if member is not None else None
    remembered = to_remember(shown, member_id)
    if remembered is None:
        return False
    await uow.choices.record(remembered, now)
    return True


def to_remember(shown: Shown, member_id: int | None) -> NewChoice | None:
    """The row to keep for a message shown to `member_id` (None: nothing worth keeping)."""
    if member_id is None or not shown.worth_keeping:
        return None
    return NewChoice(
        platform=shown.platform,
        chat_id=shown.chat_id,
        message_ref=shown.message_ref,
        member_id=member_id,
        request_id=shown.request_id,
        origin=shown.origin,
        answer=shown.answer,
        actions=shown.actions,
        first_number=shown.first_number,
    )


async def find(services: Services, platform: str, chat_id: str, ref: str) -> Choice | None:
    """The message shown under this reference in this chat, if remembered."""
    async with services.uow() as uow:
        return await uow.choices.get(platform, chat_id, ref)


async def get(services: Services, choice_id: int) -> Choice | None:
    """One remembered message."""
    async with services.uow() as uow:
        return await uow.choices.by_id(choice_id)


async def close(services: Services, choice_id: int) -> None:
    """Close one list (its question was answered, or dismissed)."""
    async with services.uow() as uow:
        await uow.choices.close(choice_id, services.clock.now())
        await uow.commit()


async def check(
    services: Services,
    platform: str,
    chat_id: str,
    ref: str,
    member_id: int,
    payload: str,
    *,
    position: int | None = None,
) -> Checked:
    """Judge a press (or reaction) on the message `ref`, standing for `payload` — or for the
    action at `position` in that message, when the button could carry only its place."""
    async with services.uow() as uow:
        choice = await uow.choices.get(platform, chat_id, ref)
        if choice is None:
            return Checked(Verdict.UNKNOWN)
        if position is not None:
            action = choice.at(position)
        else:
            action = next((a for a in choice.actions if a.payload == payload), None)
        if action is None:
            return Checked(Verdict.NOT_SHOWN, choice)
        return await _judge(uow, choice, action, member_id)


async def pick(
    services: Services,
    platform: str,
    chat_id: str,
    member_id: int,
    number: int,
    reply_to: str | None,
) -> Checked | None:
    """The action a typed number stands for: in the list it replies to, or else in the
    newest lists of the chat. None when the number is no choice (it is plain text: a reply
    to a message that showed no such number, or no list shows it)."""
    async with services.uow() as uow:
        if reply_to is not None:
            replied = await uow.choices.get(platform, chat_id, reply_to)
            lists = [replied] if replied is not None else []
        else:
            lists = await uow.choices.newest_lists(member_id, platform, chat_id)
        for choice in lists:
            action = choice.numbered(number)
            if action is not None:
                return await _judge(uow, choice, action, member_id)
    return None


async def _judge(uow: UnitOfWork, choice: Choice, action: ShownAction, member_id: int) -> Checked:
    request = await uow.requests.get(choice.request_id) if choice.request_id else None
    if choice.member_id != member_id:
        return Checked(Verdict.NOT_YOURS, choice, action, request)
    if choice.closed_at is not None:
        return Checked(Verdict.CLOSED, choice, action, request)
    lasts = LASTS.get(choice.origin, Lasts.NEWEST_ONLY)
    if lasts is Lasts.WHILE_REQUEST_WAITS:
        waiting = request is not None and is_active(request.status)
        return Checked(Verdict.VALID if waiting else Verdict.CLOSED, choice, action, request)
    if lasts is Lasts.WHILE_REQUEST_SOLVED:
        solved = request is not None and request.status is RequestStatus.RESOLVED
        return Checked(Verdict.VALID if solved else Verdict.CLOSED, choice, action, request)
    if lasts is Lasts.UNTIL_CLOSED:
        return Checked(Verdict.VALID, choice, action, request)
    newest = await uow.choices.newest_lists(member_id, choice.platform, choice.chat_id)
    current = bool(newest) and newest[0].answer == choice.answer
    return Checked(Verdict.VALID if current else Verdict.SUPERSEDED, choice, action, request)


async def settle(
    uow: UnitOfWork,
    now: datetime,
    request_id: int,
    outcome: Outcome,
    actor_id: int | None,
    *,
    member_id: int | None = None,
) -> int:
    """Close the lists about a request still showing their actions (only `member_id`'s, if
    given) and queue the edit of each message to say `outcome`, once each (inside the unit of
    work of the change). Returns how many messages will be edited."""
    closed = await uow.choices.close_open(request_id, now, member_id=member_id)
    edits = [
        new_message(
            choice.member_id,
            ChoiceOutcome(request_id, choice.id, outcome.value, actor_id),
            dedup_key=f"{OUTCOME_KIND}:{choice.id}",
            target=(choice.platform, choice.chat_id),
        )
        for choice in closed
    ]
    return await notify_many(uow, now, edits)


async def after_transition(
    uow: UnitOfWork, now: datetime, request_id: int, transition: Transition, actor_id: int | None
) -> None:
    """What a change of state does to the lists about the request (see OUTCOMES)."""
    outcome = OUTCOMES[transition]
    if outcome is not None:
        await settle(uow, now, request_id, outcome, actor_id)
