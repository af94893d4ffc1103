"""SQLite units of work take turns in arrival order; a task may nest its own."""

from __future__ import annotations

import asyncio

import pytest

from storage.turns import Turns, TurnTimeout


async def test_turns_are_given_in_arrival_order() -> None:
    turns = Turns(wait_seconds=5)
    order: list[int] = []
    await turns.take()

    async def one(number: int) -> None:
        await turns.take()
        order.append(number)
        await asyncio.sleep(0)  # let the others try to cut in while this one holds the turn
        turns.give_back()

    waiting = [asyncio.create_task(one(number)) for number in range(5)]
    await asyncio.sleep(0)  # all five are queued, in order
    turns.give_back()
    await asyncio.gather(*waiting)
    assert order == [0, 1, 2, 3, 4]


async def test_a_task_nests_units_of_work_in_its_own_turn() -> None:
    turns = Turns(wait_seconds=5)
    await turns.take()
    await turns.take()  # the same task: not a deadlock
    turns.give_back()
    other = asyncio.create_task(turns.take())
    await asyncio.sleep(0)
    assert not other.done()  # the outer unit of work still holds the turn
    turns.give_back()
    await other
    turns.give_back()


async def test_waiting_too_long_is_reported() -> None:
    turns = Turns(wait_seconds=0.01)
    await turns.take()
    with pytest.raises(TurnTimeout):
        await asyncio.create_task(turns.take())
    turns.give_back()
    await turns.take()  # the timed-out wait left the turn usable
    turns.give_back()
