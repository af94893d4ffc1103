"""The decisions of taking and giving requests, each written once as a scenario.

Every scenario starts from the same world (`seed`): Amina's request offered to Karim and
Lina (each offer's message remembered with its buttons), Omar a member it was not offered
to, Claire a coordinator. It then acts through the use-cases of `bot.core.claims`, called
through one adapter each (`claim`, `cancel`, `assign`: the one place to change when their
signatures do), and its `check` states the rule.

`tests/unit/test_claim_decisions.py` plays them on the memory unit of work and checks the
rules; `tests/storage/test_memory_uow_agrees.py` plays them on every database too and
requires the same outcome, field for field (`Outcome`), so the fake cannot drift from SQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.core import claims
from bot.core.clock import FixedClock
from bot.core.errors import AlreadyTaken, CoreError, NotAllowed, RequestNotFound
from bot.core.notices import AboutRequest, NoticeKind
from bot.core.outbox import new_message, notify, notify_many
from bot.core.request_states import IllegalTransition, Transition
from bot.core.services import Services, UowFactory
from bot.core.types import (
    Choice,
    HelpRequest,
    Member,
    MemberStatus,
    NewChoice,
    Offer,
    OfferState,
    OutboxMessage,
    RequestStatus,
    Role,
    ShownAction,
    Urgency,
)
from skills import default_matcher

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # as tests/conftest.py
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Env:
    """Where a scenario runs: units of work (of a database, or of memory) and a clock."""

    uows: UowFactory
    clock: FixedClock

    @property
    def services(self) -> Services:
        """The services the use-cases take: these units of work and this clock."""
        return Services(uow=self.uows, clock=self.clock, matcher=default_matcher())


# The use-cases under test, one adapter each.


async def claim(env: Env, request_id: int, helper: Member) -> HelpRequest:
    """`claims.claim`."""
    return await claims.claim(env.services, request_id, helper)


async def cancel(env: Env, request_id: int, author: Member) -> HelpRequest:
    """`claims.cancel`."""
    return await claims.cancel(env.services, request_id, author)


async def assign(env: Env, request_id: int, coordinator: Member, helper_name: str) -> HelpRequest:
    """`claims.assign`."""
    return await claims.assign(env.services, request_id, coordinator, helper_name)


@dataclass(frozen=True, slots=True)
class World:
    """The people and the request every scenario starts from."""

    amina: Member  # the author
    karim: Member  # offered the request
    lina: Member  # offered the request
    omar: Member  # a member it was not offered to
    claire: Member  # a coordinator
    request_id: int


async def _member(env: Env, name: str, role: Role = Role.MEMBER) -> Member:
    async with env.uows() as uow:
        member = await uow.members.add(
            display_name=name, role=role, locale="fr", structure_id=None, now=env.clock.now()
        )
        await uow.commit()
    return member


def _offer_message(member: Member, request_id: int) -> NewChoice:
    """The offer as shown to `member`: a message with its two buttons."""
    return NewChoice(
        platform="console",
        chat_id=f"chat-{member.id}",
        message_ref=f"offer-{request_id}",
        member_id=member.id,
        request_id=request_id,
        origin="offer",
        answer=f"answer-{request_id}",
        actions=(
            ShownAction("Je prends", f"/prendre {request_id}"),
            ShownAction("Non merci", f"/decliner {request_id}"),
        ),
    )


async def seed(env: Env) -> World:
    """Amina's request, offered to Karim and Lina; the clock then moves on a minute."""
    amina = await _member(env, "Amina")
    karim = await _member(env, "Karim")
    lina = await _member(env, "Lina")
    omar = await _member(env, "Omar")
    claire = await _member(env, "Claire", Role.COORDINATOR)
    now = env.clock.now()
    async with env.uows() as uow:
        request_id = await uow.requests.add(
            author_id=amina.id, text="souci avec ameli", urgency=Urgency.WEEK, now=now
        )
        await uow.requests.transition(
            request_id,
            allowed_from={RequestStatus.OPEN},
            to=RequestStatus.OFFERED,
            now=now,
            round=1,
            next_check_at=now + timedelta(hours=24),
        )
        await uow.offers.add_many(
            request_id=request_id, helper_ids=[karim.id, lina.id], round_number=1, now=now
        )
        for helper in (karim, lina):
            await uow.choices.record(_offer_message(helper, request_id), now)
        # A message about the request without buttons: nothing to close on it.
        await uow.choices.record(
            replace(_offer_message(karim, request_id), message_ref="note", actions=()), now
        )
        await uow.commit()
    env.clock.advance(MINUTE)
    return World(amina, karim, lina, omar, claire, request_id)


@dataclass(frozen=True, slots=True)
class Refused:
    """A use-case's refusal, by what the chat layer reads of it."""

    error: str
    details: tuple[object, ...]


def refusal(error: CoreError) -> Refused:
    """The refusal an error stands for (its type and the attributes the answer uses)."""
    if isinstance(error, AlreadyTaken):
        return Refused("AlreadyTaken", (error.helper_name, error.helper_id))
    if isinstance(error, NotAllowed):
        return Refused("NotAllowed", (error.reason,))
    if isinstance(error, RequestNotFound):
        return Refused("RequestNotFound", (error.request_id,))
    if isinstance(error, IllegalTransition):
        return Refused("IllegalTransition", (error.status, error.transition, error.request_id))
    raise error


async def attempt(action: Awaitable[HelpRequest]) -> HelpRequest | Refused:
    """The request a use-case returns, or its refusal."""
    try:
        return await action
    except CoreError as error:
        return refusal(error)


@dataclass(frozen=True, slots=True)
class State:
    """What a scenario left in storage: the request, its offers, the notices queued (their
    ids aside: PostgreSQL does not reuse the ids of rolled-back rows), the messages shown."""

    request: HelpRequest | None
    offers: tuple[Offer, ...]
    notices: tuple[OutboxMessage, ...]
    choices: tuple[Choice, ...]

    def offer_states(self) -> dict[int, OfferState]:
        """Each offer's state, by helper."""
        return {offer.helper_id: offer.state for offer in self.offers}

    def notice_kinds(self, member: Member) -> list[str]:
        """The kinds of the notices queued for `member`, in order."""
        return [n.kind for n in self.notices if n.recipient_id == member.id]

    def outcomes(self) -> dict[int, str]:
        """The edits queued of the messages that showed buttons: outcome by choice id."""
        return {
            int(n.params["choice_id"]): str(n.params["outcome"])
            for n in self.notices
            if n.kind == NoticeKind.CHOICE_OUTCOME
        }

    def open_lists(self) -> list[int]:
        """The messages still showing buttons that may be used."""
        return [c.id for c in self.choices if c.actions and c.closed_at is None]


async def state(env: Env, world: World) -> State:
    """Read back what the scenario left."""
    members = (world.amina, world.karim, world.lina, world.omar, world.claire)
    async with env.uows() as uow:
        request = await uow.requests.get(world.request_id)
        offers = await uow.offers.of_request(world.request_id)
        notices = await uow.outbox.find()
        choices = [c for m in members for c in await uow.choices.all_for(m.id)]
    return State(
        request,
        tuple(offers),
        tuple(replace(n, id=0) for n in notices),
        tuple(sorted(choices, key=lambda c: c.id)),
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a scenario's last action returned, and the state it left."""

    returned: object
    state: State


Act = Callable[[Env, World], Awaitable[object]]
Check = Callable[[World, Outcome], None]


@dataclass(frozen=True, slots=True)
class Scenario:
    """One decision: how to get there (`act`), and the rule (`check`)."""

    name: str
    act: Act
    check: Check
    same_state: bool = True
    """Whether every database leaves the same state (not when who wins a race is theirs to
    decide: the rule is then checked on each, not compared)."""


async def play(env: Env, scenario: Scenario) -> tuple[World, Outcome]:
    """Seed the world, act, and read back what was left."""
    world = await seed(env)
    returned = await scenario.act(env, world)
    return world, Outcome(returned, await state(env, world))


def _untouched(world: World, outcome: Outcome) -> None:
    """Nothing changed since the seed: offered, both offers pending, nothing queued."""
    request = outcome.state.request
    assert request is not None
    assert request.status is RequestStatus.OFFERED and request.helper_id is None
    assert set(outcome.state.offer_states().values()) == {OfferState.PENDING}
    assert outcome.state.notices == ()
    assert len(outcome.state.open_lists()) == 2


def _held_by(helper: Member, world: World, outcome: Outcome) -> None:
    """`helper` holds the request since a minute after the seed, as returned and stored."""
    request = outcome.state.request
    assert request is not None and outcome.returned == request
    assert request.status is RequestStatus.CLAIMED
    assert (request.helper_id, request.helper_name) == (helper.id, helper.display_name)
    assert request.claimed_at == START + MINUTE and request.next_check_at is None


# Claims.


async def _claim_karim(env: Env, world: World) -> object:
    return await attempt(claim(env, world.request_id, world.karim))


def _first_claim_wins(world: World, outcome: Outcome) -> None:
    _held_by(world.karim, world, outcome)
    offers = outcome.state.offer_states()
    assert offers == {world.karim.id: OfferState.ACCEPTED, world.lina.id: OfferState.TAKEN}
    assert outcome.state.notice_kinds(world.amina) == [NoticeKind.CLAIMED]
    # Both offer messages now say it was taken; the one without buttons is left alone.
    assert sorted(outcome.state.outcomes().values()) == ["taken", "taken"]
    assert outcome.state.open_lists() == []


async def _claim_own(env: Env, world: World) -> object:
    return await attempt(claim(env, world.request_id, world.amina))


def _own_refused(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused("NotAllowed", ("own_request",))
    _untouched(world, outcome)


async def _claim_not_offered(env: Env, world: World) -> object:
    return await attempt(claim(env, world.request_id, world.omar))


def _not_offered_refused(world: World, outcome: Outcome) -> None:
    # As if the request did not exist: nothing about it leaks to someone not asked.
    assert outcome.returned == Refused("RequestNotFound", (world.request_id,))
    _untouched(world, outcome)


async def _claim_missing(env: Env, world: World) -> object:
    return await attempt(claim(env, world.request_id + 1, world.karim))


def _missing_refused(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused("RequestNotFound", (world.request_id + 1,))
    _untouched(world, outcome)


async def _second_claimer(env: Env, world: World) -> object:
    await claim(env, world.request_id, world.karim)
    env.clock.advance(MINUTE)
    return await attempt(claim(env, world.request_id, world.lina))


def _second_told_who(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused("AlreadyTaken", ("Karim", world.karim.id))
    request = outcome.state.request
    assert request is not None and request.helper_id == world.karim.id
    assert request.claimed_at == START + MINUTE  # the winner's claim, not rewritten
    offers = outcome.state.offer_states()
    assert offers == {world.karim.id: OfferState.ACCEPTED, world.lina.id: OfferState.TAKEN}
    assert outcome.state.notice_kinds(world.amina) == [NoticeKind.CLAIMED]  # told once


async def _claim_twice(env: Env, world: World) -> object:
    await claim(env, world.request_id, world.karim)
    return await attempt(claim(env, world.request_id, world.karim))


def _twice_told_it_is_theirs(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused("AlreadyTaken", ("Karim", world.karim.id))
    assert outcome.state.notice_kinds(world.amina) == [NoticeKind.CLAIMED]


async def _race(env: Env, world: World) -> object:
    """Karim and Lina press at once. Who wins is up to the database: the summary (whether
    each loser was told the winner's name) does not depend on it."""
    results = await asyncio.gather(
        attempt(claim(env, world.request_id, world.karim)),
        attempt(claim(env, world.request_id, world.lina)),
    )
    winners = [r for r in results if isinstance(r, HelpRequest)]
    if len(winners) != 1:
        return results
    winner = winners[0]
    told = Refused("AlreadyTaken", (winner.helper_name, winner.helper_id))
    return [r == told for r in results if isinstance(r, Refused)]


def _one_winner(world: World, outcome: Outcome) -> None:
    assert outcome.returned == [True]
    request = outcome.state.request
    assert request is not None and request.status is RequestStatus.CLAIMED
    assert request.helper_id in (world.karim.id, world.lina.id)
    states = sorted(outcome.state.offer_states().values())
    assert states == sorted([OfferState.ACCEPTED, OfferState.TAKEN])
    assert outcome.state.notice_kinds(world.amina) == [NoticeKind.CLAIMED]


async def _claim_cancelled(env: Env, world: World) -> object:
    await cancel(env, world.request_id, world.amina)
    return await attempt(claim(env, world.request_id, world.karim))


def _cancelled_not_claimable(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused(
        "IllegalTransition", (RequestStatus.CANCELLED, Transition.CLAIM, world.request_id)
    )
    request = outcome.state.request
    assert request is not None and request.helper_id is None
    assert outcome.state.offer_states()[world.karim.id] is OfferState.WITHDRAWN


async def _resolve(env: Env, world: World) -> None:
    """Karim takes the request and marks it solved (straight in storage: resolving is the
    business of `bot.core.requests`, outside this slice)."""
    await claim(env, world.request_id, world.karim)
    async with env.uows() as uow:
        moved = await uow.requests.transition(
            world.request_id,
            allowed_from={RequestStatus.CLAIMED},
            to=RequestStatus.RESOLVED,
            now=env.clock.now(),
            resolved_at=env.clock.now(),
        )
        assert moved is not None
        await uow.commit()


async def _claim_resolved(env: Env, world: World) -> object:
    await _resolve(env, world)
    return await attempt(claim(env, world.request_id, world.lina))


def _resolved_is_taken(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused("AlreadyTaken", ("Karim", world.karim.id))
    request = outcome.state.request
    assert request is not None and request.status is RequestStatus.RESOLVED
    assert request.helper_id == world.karim.id


async def _claim_closed(env: Env, world: World) -> object:
    await _resolve(env, world)
    async with env.uows() as uow:
        await uow.requests.transition(
            world.request_id,
            allowed_from={RequestStatus.RESOLVED},
            to=RequestStatus.CLOSED,
            now=env.clock.now(),
            closed_at=env.clock.now(),
        )
        await uow.commit()
    return await attempt(claim(env, world.request_id, world.lina))


def _closed_not_claimable(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused(
        "IllegalTransition", (RequestStatus.CLOSED, Transition.CLAIM, world.request_id)
    )


# Cancels.


async def _cancel_offered(env: Env, world: World) -> object:
    return await attempt(cancel(env, world.request_id, world.amina))


def _offers_withdrawn(world: World, outcome: Outcome) -> None:
    request = outcome.state.request
    assert request is not None and outcome.returned == request
    assert request.status is RequestStatus.CANCELLED
    assert request.closed_at == START + MINUTE and request.next_check_at is None
    assert set(outcome.state.offer_states().values()) == {OfferState.WITHDRAWN}
    assert sorted(outcome.state.outcomes().values()) == ["cancelled", "cancelled"]
    # No helper held it: nobody else is told (the offer messages say it, edited).
    assert [n.kind for n in outcome.state.notices] == [NoticeKind.CHOICE_OUTCOME] * 2


async def _cancel_claimed(env: Env, world: World) -> object:
    await claim(env, world.request_id, world.karim)
    env.clock.advance(MINUTE)
    return await attempt(cancel(env, world.request_id, world.amina))


def _helper_told(world: World, outcome: Outcome) -> None:
    request = outcome.state.request
    assert request is not None and request.status is RequestStatus.CANCELLED
    assert request.helper_id == world.karim.id  # who held it stays known
    assert outcome.state.notice_kinds(world.karim) == [
        NoticeKind.CHOICE_OUTCOME,
        NoticeKind.CANCELLED,
    ]
    offers = outcome.state.offer_states()
    assert offers == {world.karim.id: OfferState.ACCEPTED, world.lina.id: OfferState.TAKEN}


async def _cancel_by_other(env: Env, world: World) -> object:
    return await attempt(cancel(env, world.request_id, world.karim))


def _only_author_cancels(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused("RequestNotFound", (world.request_id,))
    _untouched(world, outcome)


async def _cancel_twice(env: Env, world: World) -> object:
    await cancel(env, world.request_id, world.amina)
    return await attempt(cancel(env, world.request_id, world.amina))


def _cancelled_once(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused(
        "IllegalTransition", (RequestStatus.CANCELLED, Transition.CANCEL, world.request_id)
    )
    assert len(outcome.state.notices) == 2  # the edits of the first cancel only


async def _cancel_resolved(env: Env, world: World) -> object:
    await _resolve(env, world)
    return await attempt(cancel(env, world.request_id, world.amina))


def _resolved_not_cancelled(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused(
        "IllegalTransition", (RequestStatus.RESOLVED, Transition.CANCEL, world.request_id)
    )


# Assignments by a coordinator.


async def _assign_omar(env: Env, world: World) -> object:
    return await attempt(assign(env, world.request_id, world.claire, "omar"))


def _assigned_not_offered(world: World, outcome: Outcome) -> None:
    _held_by(world.omar, world, outcome)
    offers = outcome.state.offers
    assert [o.helper_id for o in offers] == [world.karim.id, world.lina.id, world.omar.id]
    assert offers[2].round == 1 and offers[2].offered_at == START + MINUTE
    assert outcome.state.offer_states() == {
        world.karim.id: OfferState.TAKEN,
        world.lina.id: OfferState.TAKEN,
        world.omar.id: OfferState.ACCEPTED,
    }
    assert outcome.state.notice_kinds(world.omar) == [NoticeKind.ASSIGNED]
    assert outcome.state.notice_kinds(world.amina) == [NoticeKind.CLAIMED]
    assert sorted(outcome.state.outcomes().values()) == ["assigned", "assigned"]


async def _assign_offered(env: Env, world: World) -> object:
    return await attempt(assign(env, world.request_id, world.claire, "  KARIM "))


def _assigned_offered(world: World, outcome: Outcome) -> None:
    _held_by(world.karim, world, outcome)
    assert len(outcome.state.offers) == 2  # Karim's offer is reused, not doubled
    offers = outcome.state.offer_states()
    assert offers == {world.karim.id: OfferState.ACCEPTED, world.lina.id: OfferState.TAKEN}


async def _assign_by_member(env: Env, world: World) -> object:
    return await attempt(assign(env, world.request_id, world.karim, "Karim"))


def _coordinators_only(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused("NotAllowed", ("coordinators_only",))
    _untouched(world, outcome)


async def _assign_unknown(env: Env, world: World) -> object:
    return await attempt(assign(env, world.request_id, world.claire, "Personne"))


def _unknown_member(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused("NotAllowed", ("unknown_member",))
    _untouched(world, outcome)


async def _assign_paused(env: Env, world: World) -> object:
    async with env.uows() as uow:
        await uow.members.update_profile(world.omar.id, env.clock.now(), status=MemberStatus.PAUSED)
        await uow.commit()
    return await attempt(assign(env, world.request_id, world.claire, "Omar"))


async def _assign_ambiguous(env: Env, world: World) -> object:
    await _member(env, "OMAR")
    return await attempt(assign(env, world.request_id, world.claire, "Omar"))


def _ambiguous_member(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused("NotAllowed", ("ambiguous_member",))
    _untouched(world, outcome)


async def _assign_author(env: Env, world: World) -> object:
    return await attempt(assign(env, world.request_id, world.claire, "Amina"))


def _author_not_assigned(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused("NotAllowed", ("own_request",))
    _untouched(world, outcome)


async def _assign_claimed(env: Env, world: World) -> object:
    await claim(env, world.request_id, world.karim)
    return await attempt(assign(env, world.request_id, world.claire, "Omar"))


def _claimed_not_assigned(world: World, outcome: Outcome) -> None:
    assert outcome.returned == Refused(
        "IllegalTransition", (RequestStatus.CLAIMED, Transition.ASSIGN, world.request_id)
    )
    request = outcome.state.request
    assert request is not None and request.helper_id == world.karim.id
    assert outcome.state.notice_kinds(world.omar) == []


async def _assign_accented(env: Env, world: World) -> object:
    await _member(env, "Élodie")
    return await attempt(assign(env, world.request_id, world.claire, "élodie"))


def _accented_found(world: World, outcome: Outcome) -> None:
    assert isinstance(outcome.returned, HelpRequest)
    assert outcome.returned.helper_name == "Élodie"


# The outbox queues a notice once per key (an edit of a message is queued once, whoever
# closes its list first).


async def _queued_twice(env: Env, world: World) -> object:
    now = env.clock.now()
    notice = AboutRequest(NoticeKind.CLAIMED, world.request_id)
    queued: list[bool | int] = []
    for _ in range(2):
        async with env.uows() as uow:
            queued.append(await notify(uow, now, world.amina.id, notice, dedup_key="once"))
            await uow.commit()
    async with env.uows() as uow:
        messages = [
            new_message(world.karim.id, notice, dedup_key=key) for key in ("twice", "twice", None)
        ]
        queued.append(await notify_many(uow, now, [*messages, messages[-1]]))
        await uow.commit()
    return queued


def _queued_once_per_key(world: World, outcome: Outcome) -> None:
    assert outcome.returned == [True, False, 3]
    assert outcome.state.notice_kinds(world.amina) == [NoticeKind.CLAIMED]
    assert [n.dedup_key for n in outcome.state.notices if n.recipient_id == world.karim.id] == [
        "twice",
        None,
        None,
    ]


# What a unit of work does not commit is not kept.


async def _claim_without_commit(env: Env, world: World) -> None:
    """What `claim` writes, left without a commit."""
    now = env.clock.now()
    async with env.uows() as uow:
        await uow.requests.transition(
            world.request_id,
            allowed_from={RequestStatus.OFFERED},
            to=RequestStatus.CLAIMED,
            now=now,
            helper_id=world.karim.id,
            claimed_at=now,
        )
        await uow.offers.close_pending(
            request_id=world.request_id, to=OfferState.TAKEN, now=now, except_helper=world.karim.id
        )
        await uow.choices.close_open(world.request_id, now)
        await uow.outbox.enqueue(
            recipient_id=world.amina.id, kind=NoticeKind.CLAIMED, params={}, now=now
        )
        await uow.offers.add_many(
            request_id=world.request_id, helper_ids=[world.omar.id], round_number=2, now=now
        )
        await uow.members.add(
            display_name="Fantôme", role=Role.MEMBER, locale="fr", structure_id=None, now=now
        )


async def _abandoned(env: Env, world: World) -> object:
    await _claim_without_commit(env, world)
    return None


def _nothing_kept(world: World, outcome: Outcome) -> None:
    _untouched(world, outcome)
    assert len(outcome.state.offers) == 2


class Boom(Exception):
    """A failure in the middle of a unit of work."""


async def _failed(env: Env, world: World) -> object:
    now = env.clock.now()
    try:
        async with env.uows() as uow:
            await uow.offers.close_pending(
                request_id=world.request_id, to=OfferState.WITHDRAWN, now=now
            )
            await uow.outbox.enqueue(
                recipient_id=world.karim.id, kind=NoticeKind.CANCELLED, params={}, now=now
            )
            raise Boom
    except Boom:
        return "failed"


def _failure_kept_nothing(world: World, outcome: Outcome) -> None:
    assert outcome.returned == "failed"
    _untouched(world, outcome)


async def _after_commit(env: Env, world: World) -> object:
    """A commit keeps what came before it; what comes after, left without one, is lost."""
    now = env.clock.now()
    async with env.uows() as uow:
        await uow.offers.answer(
            request_id=world.request_id,
            helper_id=world.lina.id,
            allowed_from=[OfferState.PENDING],
            to=OfferState.DECLINED,
            now=now,
        )
        await uow.commit()
        await uow.offers.close_pending(request_id=world.request_id, to=OfferState.TAKEN, now=now)
        seen = await uow.offers.of_request(world.request_id)
    return [o.state for o in seen]


def _commit_keeps_what_came_before(world: World, outcome: Outcome) -> None:
    assert outcome.returned == [OfferState.TAKEN, OfferState.DECLINED]  # seen inside it
    offers = outcome.state.offer_states()
    assert offers == {world.karim.id: OfferState.PENDING, world.lina.id: OfferState.DECLINED}


async def _claim_after_abandoned(env: Env, world: World) -> object:
    await _claim_without_commit(env, world)
    return await attempt(claim(env, world.request_id, world.lina))


def _abandoned_claim_does_not_count(world: World, outcome: Outcome) -> None:
    _held_by(world.lina, world, outcome)
    assert outcome.state.offer_states() == {
        world.karim.id: OfferState.TAKEN,
        world.lina.id: OfferState.ACCEPTED,
    }
    assert outcome.state.notice_kinds(world.amina) == [NoticeKind.CLAIMED]


SCENARIOS = (
    Scenario("first claim wins", _claim_karim, _first_claim_wins),
    Scenario("own request refused", _claim_own, _own_refused),
    Scenario("not offered refused", _claim_not_offered, _not_offered_refused),
    Scenario("missing request refused", _claim_missing, _missing_refused),
    Scenario("second claimer told who has it", _second_claimer, _second_told_who),
    Scenario("claiming twice", _claim_twice, _twice_told_it_is_theirs),
    Scenario("two claims at once: one winner", _race, _one_winner, same_state=False),
    Scenario("cancelled request not claimable", _claim_cancelled, _cancelled_not_claimable),
    Scenario("resolved request already taken", _claim_resolved, _resolved_is_taken),
    Scenario("closed request not claimable", _claim_closed, _closed_not_claimable),
    Scenario("cancel withdraws the offers", _cancel_offered, _offers_withdrawn),
    Scenario("cancel tells the helper", _cancel_claimed, _helper_told),
    Scenario("only the author cancels", _cancel_by_other, _only_author_cancels),
    Scenario("cancel twice", _cancel_twice, _cancelled_once),
    Scenario("resolved request not cancelled", _cancel_resolved, _resolved_not_cancelled),
    Scenario("assign to someone not offered", _assign_omar, _assigned_not_offered),
    Scenario("assign to someone offered, any case", _assign_offered, _assigned_offered),
    Scenario("assign by a member refused", _assign_by_member, _coordinators_only),
    Scenario("assign to an unknown name", _assign_unknown, _unknown_member),
    Scenario("assign to a paused member", _assign_paused, _unknown_member),
    Scenario("assign to an ambiguous name", _assign_ambiguous, _ambiguous_member),
    Scenario("assign to the author refused", _assign_author, _author_not_assigned),
    Scenario("assign a claimed request", _assign_claimed, _claimed_not_assigned),
    Scenario(
        "assign to an accented name in another case",
        _assign_accented,
        _accented_found,
    ),
    Scenario("a notice queued once per key", _queued_twice, _queued_once_per_key),
    Scenario("uncommitted changes discarded", _abandoned, _nothing_kept),
    Scenario("failed unit of work discarded", _failed, _failure_kept_nothing),
    Scenario("work after a commit discarded", _after_commit, _commit_keeps_what_came_before),
    Scenario(
        "an abandoned claim does not count", _claim_after_abandoned, _abandoned_claim_does_not_count
    ),
)
