"""The tests' one way to wait for a condition: `tests.helpers.wait_until`."""

from __future__ import annotations

import asyncio

import pytest

from tests.helpers import wait_until


async def test_returns_once_concurrent_work_made_the_condition_true() -> None:
    done: list[str] = []

    async def work() -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        done.append("yes")

    task = asyncio.create_task(work())
    await wait_until(lambda: done == ["yes"], 5, every=0.001)
    await task


async def test_an_async_condition_is_awaited() -> None:
    checks: list[int] = []

    async def third_time() -> bool:
        checks.append(1)
        return len(checks) >= 3

    await wait_until(third_time, 5, every=0)
    assert len(checks) == 3


async def test_the_failure_names_the_condition_and_what_was_asked_for() -> None:
    state = {"sent": 0}
    with pytest.raises(AssertionError) as failure:
        await wait_until(lambda: state["sent"] > 0, 0.05, lambda: f"state: {state}", every=0.01)
    message = str(failure.value)
    assert message.startswith("not within 0.05 s: ")
    assert 'lambda: state["sent"] > 0' in message
    assert message.endswith("state: {'sent': 0}")
