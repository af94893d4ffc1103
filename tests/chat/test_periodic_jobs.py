"""The periodic work: one job that fails does not stop the others (the purge runs first), it
is logged with its traceback, and coordinators hear of it once a day per job."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.app import App
from bot.config import ConfigError, parse_config
from bot.core import conversation, digest, matching, privacy, sessions
from bot.core.clock import FixedClock
from bot.core.periodic import JOB_FAILED
from bot.core.types import Role, Urgency
from tests.helpers import Conversation

JOBS: list[tuple[object, str]] = [
    (privacy, "purge_expired"),
    (matching, "check_due"),
    (conversation, "auto_confirm_due"),
    (sessions, "plan_ahead"),
    (sessions, "due_notices"),
    (digest, "due_digest"),
]


def spy_on_jobs(monkeypatch: pytest.MonkeyPatch, failing: str) -> list[str]:
    """Record each job as it runs; the one named `failing` raises."""
    ran: list[str] = []
    for module, name in JOBS:
        original: Callable[..., Awaitable[Any]] = getattr(module, name)

        def spy(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            ran.append(_name)
            if _name == failing:
                raise RuntimeError(f"{_name} is broken")
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)
    return ran


async def job_alerts(app: App) -> list[tuple[int | None, str]]:
    async with app.services.uow() as uow:
        queued = await uow.outbox.find(kind=JOB_FAILED)
    return [(message.recipient_id, str(message.params["job"])) for message in queued]


@pytest.mark.parametrize("failing", ["purge_expired", "check_due", "plan_ahead"])
async def test_a_failing_job_does_not_stop_the_others(
    chat: Conversation,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failing: str,
) -> None:
    await chat.join("Claire", Role.COORDINATOR)
    await chat.join("Cora", Role.COORDINATOR)
    ran = spy_on_jobs(monkeypatch, failing)
    with caplog.at_level(logging.ERROR):
        output = await chat.tick()
    assert ran == [name for _, name in JOBS]  # all of them, the purge first
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.exc_info is not None and f"{failing} is broken" in str(error.exc_info[1])
    alerts = await job_alerts(chat.app)
    assert len(alerts) == 2  # one per coordinator
    assert "Une tâche automatique a échoué" in output  # delivered by the same tick
    for _ in range(3):
        await chat.tick()
    assert len(await job_alerts(chat.app)) == 2  # once a day per job
    clock.advance(timedelta(days=1))
    await chat.tick()
    assert len(await job_alerts(chat.app)) == 4


async def test_a_purge_that_fails_does_not_keep_requests_from_being_offered(
    chat: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    await chat.join("Amina")
    await chat.join("Karim")
    await chat.declare("Karim", "ameli (former)")
    spy_on_jobs(monkeypatch, "purge_expired")
    amina = await chat.member("Amina")
    async with chat.app.services.uow() as uow:  # stored, not offered yet (e.g. after a crash)
        ameli = (await uow.skills.by_slugs(["ameli"]))["ameli"]
        await uow.requests.add(
            author_id=amina.id,
            text="souci ameli",
            urgency=Urgency.TODAY,
            now=chat.app.services.clock.now(),
            skill_ids=[ameli.id],
        )
        await uow.commit()
    output = await chat.tick()
    assert "— karim —" in output and "souci ameli" in output


def test_a_bad_session_rule_stops_the_configuration_from_loading() -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config({"sessions": {"rule": "tous les jours à midi"}}, "config.toml", {})
    message = str(refused.value)
    assert "[sessions] rule" in message
    assert "premier jeudi de chaque trimestre 9h-12h" in message
    good = parse_config(
        {"sessions": {"rule": "premier jeudi de chaque trimestre 9h-12h"}}, "config.toml", {}
    )
    assert good.sessions.rule
