"""An in-memory unit of work for the decision logic of taking and giving requests.

`MemoryDatabase().uow` can be passed wherever a `UowFactory` is expected. Its units of
work keep plain dicts and lists of the records of `domain/records.py` and implement only
the repository methods that `bot.core.claims.claim`, `cancel` and `assign` reach (through
`bot.core.requests`, `bot.core.choices` and `bot.core.outbox`), plus the few the scenarios
use to set up a world and read it back:

```
uow.members   add, get, by_name, update_profile (no structures: structure_id must be None)
uow.requests  add (no skills), get, transition
uow.offers    add_many, get, of_request, answer, close_pending
uow.choices   record, close_open, all_for
uow.outbox    enqueue, enqueue_many, find
```
Any other repository or method is missing on purpose: a use-case that needs it fails with
AttributeError, never with a made-up answer. `release`, `decline` and `reopen` call matching
(`advance`), which is outside this fake.

Commit semantics are the SQL ones: each unit of work works on its own copy of the tables,
taken when it is entered; `commit()` makes that copy the committed state; leaving the block
without committing discards whatever was done since the last commit (the real one rolls
back). Units of work take turns, one at a time, as on SQLite (`storage.turns`): two use-cases
run concurrently are serialized, never interleaved.

Every method here must agree with its SQL twin in `storage/repositories/`:
`tests/storage/test_memory_uow_agrees.py` runs the same scenarios on both and on every
database backend, and checks the signatures are the same. Change both, or neither.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import TracebackType
from typing import Any, cast

from domain.records import (
    Choice,
    HelpRequest,
    Member,
    MemberStatus,
    Moved,
    NewChoice,
    NewMessage,
    Offer,
    OfferState,
    OutboxMessage,
    RequestStatus,
    Role,
    Urgency,
)
from storage.db import SQLITE_BUSY_SECONDS, StorageUnavailable, UnitOfWork

# The repositories a memory unit of work has (see the module docstring).
REPOSITORIES = ("members", "requests", "offers", "choices", "outbox")


@dataclass(frozen=True, slots=True)
class _RequestRow:
    """A row of `help_requests` (the columns the slice reads or writes)."""

    id: int
    author_id: int | None
    text: str | None
    urgency: str
    status: str
    helper_id: int | None
    round: int
    next_check_at: datetime | None
    alerted_at: datetime | None
    created_at: datetime
    updated_at: datetime
    claimed_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    thanked: bool
    solved_by_tutorial_id: int | None = None


@dataclass(frozen=True, slots=True)
class _OfferRow:
    """A row of `offers`."""

    id: int
    request_id: int
    helper_id: int
    round: int
    state: str
    offered_at: datetime
    answered_at: datetime | None


@dataclass(slots=True)
class _Tables:
    """The rows, by id. Rows are immutable: copying the dicts copies the state."""

    members: dict[int, Member] = field(default_factory=dict)
    requests: dict[int, _RequestRow] = field(default_factory=dict)
    offers: dict[int, _OfferRow] = field(default_factory=dict)
    choices: dict[int, Choice] = field(default_factory=dict)
    outbox: dict[int, OutboxMessage] = field(default_factory=dict)

    def copy(self) -> _Tables:
        """An independent copy (the rows themselves are shared: they never change)."""
        return _Tables(
            dict(self.members),
            dict(self.requests),
            dict(self.offers),
            dict(self.choices),
            dict(self.outbox),
        )


def _next_id(rows: dict[int, Any]) -> int:
    # SQLite's INTEGER PRIMARY KEY: one more than the largest (PostgreSQL's sequences do not
    # give back the numbers of rolled-back inserts: compare no id made after a rollback).
    return max(rows, default=0) + 1


class MemoryMembers:
    """`MemberRepository` over the tables (members without structures)."""

    def __init__(self, tables: _Tables) -> None:
        self._tables = tables

    async def get(self, member_id: int) -> Member | None:
        """The member with this id, if any."""
        return self._tables.members.get(member_id)

    async def by_name(self, display_name: str) -> list[Member]:
        """Members whose display name is this one, ignoring case.

        Python's lower case, as PostgreSQL's `lower()`; SQLite's lowers ASCII letters only
        (see the accented-name scenario in tests/fakes/claim_scenarios.py).
        """
        wanted = display_name.strip().lower()
        return [m for m in self._tables.members.values() if m.display_name.lower() == wanted]

    async def add(
        self,
        *,
        display_name: str,
        role: Role,
        locale: str,
        structure_id: int | None,
        now: datetime,
    ) -> Member:
        """Create an active member."""
        if structure_id is not None:
            raise NotImplementedError("the memory unit of work has no structures")
        member = Member(
            id=_next_id(self._tables.members),
            display_name=display_name,
            role=role,
            locale=locale,
            status=MemberStatus.ACTIVE,
            structure_id=None,
            structure_name=None,
            created_at=now,
        )
        self._tables.members[member.id] = member
        return member

    async def update_profile(
        self,
        member_id: int,
        now: datetime,
        *,
        display_name: str | None = None,
        structure_id: int | None = None,
        locale: str | None = None,
        status: MemberStatus | None = None,
    ) -> Member:
        """Change the given profile fields; the others stay as they are."""
        if structure_id is not None:
            raise NotImplementedError("the memory unit of work has no structures")
        member = self._tables.members.get(member_id)
        if member is None:
            raise LookupError(f"member {member_id} does not exist")
        changed = replace(
            member,
            display_name=member.display_name if display_name is None else display_name,
            locale=member.locale if locale is None else locale,
            status=member.status if status is None else status,
        )
        self._tables.members[member_id] = changed
        return changed


class MemoryRequests:
    """`RequestRepository` over the tables (requests without skills)."""

    def __init__(self, tables: _Tables) -> None:
        self._tables = tables

    async def add(
        self,
        *,
        author_id: int,
        text: str,
        urgency: Urgency,
        now: datetime,
        status: RequestStatus = RequestStatus.OPEN,
        skill_ids: Iterable[int] = (),
    ) -> int:
        """Store a new request (open unless told otherwise) and return its number."""
        if list(skill_ids):
            raise NotImplementedError("the memory unit of work has no skills")
        row = _RequestRow(
            id=_next_id(self._tables.requests),
            author_id=author_id,
            text=text,
            urgency=urgency.value,
            status=status.value,
            helper_id=None,
            round=0,
            next_check_at=now,
            alerted_at=None,
            created_at=now,
            updated_at=now,
            claimed_at=None,
            resolved_at=None,
            closed_at=None,
            thanked=False,
        )
        self._tables.requests[row.id] = row
        return row.id

    async def get(self, request_id: int) -> HelpRequest | None:
        """The request with its people (joined as the SQL does: a missing one is None)."""
        row = self._tables.requests.get(request_id)
        if row is None:
            return None
        members = self._tables.members
        author = members.get(row.author_id) if row.author_id is not None else None
        helper = members.get(row.helper_id) if row.helper_id is not None else None
        return HelpRequest(
            id=row.id,
            author_id=row.author_id,
            author_name=author.display_name if author else None,
            author_structure=author.structure_name if author else None,
            text=row.text,
            urgency=Urgency(row.urgency),
            status=RequestStatus(row.status),
            helper_id=row.helper_id,
            helper_name=helper.display_name if helper else None,
            round=row.round,
            created_at=row.created_at,
            claimed_at=row.claimed_at,
            resolved_at=row.resolved_at,
            closed_at=row.closed_at,
            alerted_at=row.alerted_at,
            next_check_at=row.next_check_at,
            skills=(),
        )

    async def transition(
        self,
        request_id: int,
        *,
        allowed_from: Collection[RequestStatus],
        to: RequestStatus,
        now: datetime,
        only_if: dict[str, Any] | None = None,
        **values: Any,
    ) -> Moved | None:
        """Move a request to `to` only if it is in one of `allowed_from` (and matches
        `only_if`); the request as it was left, or None when this caller lost."""
        row = self._tables.requests.get(request_id)
        if row is None or row.status not in {status.value for status in allowed_from}:
            return None
        if any(getattr(row, column) != expected for column, expected in (only_if or {}).items()):
            return None
        # An unknown column fails here as it fails in SQL (TypeError instead of a
        # CompileError: a bug either way).
        moved = replace(row, status=to.value, updated_at=now, **values)
        self._tables.requests[request_id] = moved
        return Moved(RequestStatus(moved.status), moved.author_id, moved.helper_id)


class MemoryOffers:
    """`OfferRepository` over the tables (no candidate search)."""

    def __init__(self, tables: _Tables) -> None:
        self._tables = tables

    @staticmethod
    def _record(row: _OfferRow) -> Offer:
        return Offer(
            request_id=row.request_id,
            helper_id=row.helper_id,
            state=OfferState(row.state),
            round=row.round,
            offered_at=row.offered_at,
        )

    async def add_many(
        self, *, request_id: int, helper_ids: Collection[int], round_number: int, now: datetime
    ) -> None:
        """Record pending offers of a request to these helpers."""
        offers = self._tables.offers
        for helper_id in helper_ids:
            if any(
                o.request_id == request_id and o.helper_id == helper_id for o in offers.values()
            ):
                # SQL: an IntegrityError on (request_id, helper_id), the transaction unusable.
                raise ValueError(f"request {request_id} was already offered to {helper_id}")
            row = _OfferRow(
                id=_next_id(offers),
                request_id=request_id,
                helper_id=helper_id,
                round=round_number,
                state=OfferState.PENDING.value,
                offered_at=now,
                answered_at=None,
            )
            offers[row.id] = row

    async def get(self, request_id: int, helper_id: int) -> Offer | None:
        """The offer of a request to a helper, if one was made."""
        for row in self._tables.offers.values():
            if row.request_id == request_id and row.helper_id == helper_id:
                return self._record(row)
        return None

    async def of_request(self, request_id: int) -> list[Offer]:
        """Every offer of a request, in the order they were made."""
        rows = sorted(self._tables.offers.values(), key=lambda row: row.id)
        return [self._record(row) for row in rows if row.request_id == request_id]

    async def answer(
        self,
        *,
        request_id: int,
        helper_id: int,
        allowed_from: Collection[OfferState],
        to: OfferState,
        now: datetime,
    ) -> bool:
        """Record a helper's answer if the offer is still in one of `allowed_from`."""
        allowed = {state.value for state in allowed_from}
        for row in self._tables.offers.values():
            if row.request_id == request_id and row.helper_id == helper_id:
                if row.state not in allowed:
                    return False
                self._tables.offers[row.id] = replace(row, state=to.value, answered_at=now)
                return True
        return False

    async def close_pending(
        self, *, request_id: int, to: OfferState, now: datetime, except_helper: int | None = None
    ) -> list[int]:
        """Mark every still-pending offer of the request as `to`; returns those helpers."""
        closed = [
            row
            for row in sorted(self._tables.offers.values(), key=lambda row: row.id)
            if row.request_id == request_id
            and row.state == OfferState.PENDING.value
            and row.helper_id != except_helper
        ]
        for row in closed:
            self._tables.offers[row.id] = replace(row, state=to.value, answered_at=now)
        return [row.helper_id for row in closed]


class MemoryChoices:
    """`ChoiceRepository` over the tables."""

    def __init__(self, tables: _Tables) -> None:
        self._tables = tables

    async def record(self, shown: NewChoice, now: datetime) -> None:
        """Remember a message; the same message shown again replaces its list (its actions,
        first number and time shown) and keeps the rest, closed or not."""
        choices = self._tables.choices
        for choice in choices.values():
            if (choice.platform, choice.chat_id, choice.message_ref) == (
                shown.platform,
                shown.chat_id,
                shown.message_ref,
            ):
                choices[choice.id] = replace(
                    choice, actions=shown.actions, first_number=shown.first_number, shown_at=now
                )
                return
        choice_id = _next_id(choices)
        choices[choice_id] = Choice(
            id=choice_id,
            platform=shown.platform,
            chat_id=shown.chat_id,
            message_ref=shown.message_ref,
            member_id=shown.member_id,
            request_id=shown.request_id,
            origin=shown.origin,
            answer=shown.answer,
            actions=shown.actions,
            first_number=shown.first_number,
            shown_at=now,
            closed_at=None,
        )

    async def close_open(
        self, request_id: int, now: datetime, *, member_id: int | None = None
    ) -> list[Choice]:
        """Close the lists about a request that still show their actions (only those shown
        to `member_id`, if given); returns them, by id."""
        closed = [
            replace(choice, closed_at=now)
            for choice in sorted(self._tables.choices.values(), key=lambda c: c.id)
            if choice.request_id == request_id
            and choice.closed_at is None
            and choice.actions
            and (member_id is None or choice.member_id == member_id)
        ]
        for choice in closed:
            self._tables.choices[choice.id] = choice
        return closed

    async def all_for(self, member_id: int) -> Sequence[Choice]:
        """A member's remembered messages, oldest first."""
        return [
            choice
            for choice in sorted(self._tables.choices.values(), key=lambda c: c.id)
            if choice.member_id == member_id
        ]


class MemoryOutbox:
    """`OutboxRepository` over the tables (queueing only: nothing is delivered)."""

    def __init__(self, tables: _Tables) -> None:
        self._tables = tables

    async def enqueue(
        self,
        *,
        recipient_id: int | None,
        kind: str,
        params: dict[str, Any],
        now: datetime,
        not_before: datetime | None = None,
        dedup_key: str | None = None,
        target: tuple[str, str] | None = None,
    ) -> bool:
        """Store a message for a member (or a chat `target`); false on a repeated `dedup_key`."""
        message = NewMessage(recipient_id, kind, params, dedup_key, not_before, target)
        return await self.enqueue_many([message], now=now) == 1

    async def enqueue_many(self, messages: Sequence[NewMessage], *, now: datetime) -> int:
        """Store several messages (each with a repeated `dedup_key` skipped); how many."""
        outbox = self._tables.outbox
        stored = 0
        for message in messages:
            key = message.dedup_key
            if key is not None and any(m.dedup_key == key for m in outbox.values()):
                continue
            message_id = _next_id(outbox)
            outbox[message_id] = OutboxMessage(
                id=message_id,
                recipient_id=message.recipient_id,
                kind=message.kind,
                # Stored as JSON: what comes back is what JSON keeps (tuples become lists).
                params=json.loads(json.dumps(message.params)),
                attempts=0,
                not_before=message.not_before or now,
                dedup_key=key,
                sent_at=None,
                failed_at=None,
                platform=None,
                chat_id=None,
                delivery_ref=None,
                last_error=None,
                target_platform=message.target[0] if message.target else None,
                target_chat=message.target[1] if message.target else None,
            )
            stored += 1
        return stored

    async def find(
        self, *, recipient_id: int | None = None, kind: str | None = None
    ) -> list[OutboxMessage]:
        """Messages by recipient and/or kind, oldest first."""
        return [
            message
            for message in sorted(self._tables.outbox.values(), key=lambda m: m.id)
            if (recipient_id is None or message.recipient_id == recipient_id)
            and (kind is None or message.kind == kind)
        ]


class MemoryUnitOfWork:
    """One "transaction" over a MemoryDatabase: a copy of its tables, kept if committed."""

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database
        self._tables: _Tables | None = None

    async def __aenter__(self) -> MemoryUnitOfWork:
        await self._database.take_turn()
        tables = self._tables = self._database.committed.copy()
        self.members = MemoryMembers(tables)
        self.requests = MemoryRequests(tables)
        self.offers = MemoryOffers(tables)
        self.choices = MemoryChoices(tables)
        self.outbox = MemoryOutbox(tables)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tables = None  # what was not committed is gone
        self._database.give_back()

    async def commit(self) -> None:
        """Make everything done in this unit of work so far the committed state."""
        if self._tables is None:
            raise RuntimeError("commit outside `async with`")
        self._database.committed = self._tables.copy()

    def __getattr__(self, name: str) -> Any:
        # Only reached for what is not set: a repository outside the slice.
        raise AttributeError(
            f"the memory unit of work has no {name!r} (it implements {', '.join(REPOSITORIES)}:"
            " see tests/fakes/memory_uow.py)"
        )


class MemoryDatabase:
    """The committed tables, and the factory of units of work over them."""

    def __init__(self) -> None:
        self.committed = _Tables()
        self._turn = asyncio.Lock()

    async def take_turn(self) -> None:
        """Wait for the unit of work before this one to end (as long as SQLite would)."""
        try:
            async with asyncio.timeout(SQLITE_BUSY_SECONDS):
                await self._turn.acquire()
        except TimeoutError as error:
            raise StorageUnavailable(
                "the memory database stayed busy (a nested unit of work?)"
            ) from error

    def give_back(self) -> None:
        """Let the next unit of work in."""
        self._turn.release()

    def uow(self) -> UnitOfWork:
        """A new unit of work, typed as the real one: the use-cases annotate `UnitOfWork`.

        The one cast of the fake: a MemoryUnitOfWork has the real one's `async with`,
        `commit()` and, for the repositories listed in the module docstring, the same
        methods with the same signatures (checked by tests/storage/test_memory_uow_agrees.py).
        """
        return cast(UnitOfWork, MemoryUnitOfWork(self))
