"""The operators' monitoring endpoint, asked over real HTTP on 127.0.0.1 (an ephemeral port):
/healthz, /readyz turning to 503 for each reason, /metrics counting a console conversation."""

from __future__ import annotations

import asyncio
import io
import logging
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from bot.app import App
from bot.config import parse_config
from bot.core import outbox
from bot.core.clock import FixedClock
from bot.core.notices import AboutRequest, GivenBack, NoticeKind
from bot.monitoring.server import MonitoringServer
from tests.conftest import Backend
from tests.fakes.tcp_proxy import CuttableRelay
from tests.helpers import Conversation, addressed_to, wait_until

PERIOD = 600  # check_every_seconds: the periodic work is late after 3 periods (30 min)
STUCK = 900  # outbox_stuck_seconds


def monitored_config(database_url: str) -> dict[str, object]:
    return {
        "database": {"url": database_url},
        "network": {"structures": ["Mission locale", "EPN Résoudre"]},
        "requests": {"check_every_seconds": PERIOD},
        "monitoring": {"listen": "127.0.0.1:0", "outbox_stuck_seconds": STUCK},
    }


async def monitored_app(database_url: str, clock: FixedClock) -> App:
    app = App.build(parse_config(monitored_config(database_url), "tests", {}), clock=clock)
    await app.prepare()
    return app


@pytest.fixture
async def relay(backend: Backend, database_url: str) -> AsyncIterator[CuttableRelay | None]:
    """On PostgreSQL, a line to the database the test can cut (SQLite: None)."""
    if backend.name != "postgresql":
        yield None
        return
    url = make_url(database_url)
    cuttable = CuttableRelay(url.host or "127.0.0.1", url.port or 5432)
    await cuttable.start()
    try:
        yield cuttable
    finally:
        await cuttable.stop()


@pytest.fixture
async def watched(
    database_url: str, relay: CuttableRelay | None, clock: FixedClock
) -> AsyncIterator[tuple[Conversation, MonitoringServer]]:
    """A console conversation and the monitoring endpoint of its app (on PostgreSQL, the app
    reaches the database through `relay`)."""
    url = database_url
    if relay is not None:
        url = make_url(database_url).set(port=relay.port).render_as_string(hide_password=False)
    app = await monitored_app(url, clock)
    chat = Conversation(app)
    server = app.monitor({"console": chat.console})
    await server.start()
    try:
        yield chat, server
    finally:
        await server.stop()
        await chat.console.close()
        await app.close()


async def get(server: MonitoringServer, path: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(server.address + path)


def samples(page: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus page, by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }


async def test_healthz_says_ok_on_the_loopback(
    watched: tuple[Conversation, MonitoringServer],
) -> None:
    _, server = watched
    assert server.address.startswith("http://127.0.0.1:") and server.port > 0
    answer = await get(server, "/healthz")
    assert answer.status_code == 200 and answer.text == "ok\n"
    assert (await get(server, "/nothing")).status_code == 404


async def test_ready_once_the_periodic_work_runs_and_not_when_it_falls_behind(
    watched: tuple[Conversation, MonitoringServer], clock: FixedClock
) -> None:
    chat, server = watched
    before = await get(server, "/readyz")
    assert before.status_code == 503
    assert before.json()["checks"]["scheduler"] == "the periodic work has not run yet"

    await chat.tick()
    ready = await get(server, "/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "ready": True,
        "checks": {"database": "ok", "console": "ok", "scheduler": "ok", "outbox": "ok"},
    }

    clock.advance(timedelta(seconds=3 * PERIOD - 1))
    assert (await get(server, "/readyz")).status_code == 200
    clock.advance(timedelta(seconds=2))  # three periods and a second without a tick
    late = await get(server, "/readyz")
    assert late.status_code == 503
    assert late.json()["checks"]["scheduler"] == "the periodic work last started 1801 s ago"
    assert late.json()["checks"]["database"] == "ok"

    await chat.tick()
    assert (await get(server, "/readyz")).status_code == 200


async def test_not_ready_while_a_due_message_waits_too_long(
    watched: tuple[Conversation, MonitoringServer], clock: FixedClock
) -> None:
    chat, server = watched
    await chat.join("Amina")
    amina = await chat.member("Amina")
    await chat.tick()
    # Queued, but nothing delivers it (no line typed, no tick): the dispatcher is stuck.
    async with chat.app.services.uow() as uow:
        await outbox.notify(uow, clock.now(), amina.id, GivenBack("Bonjour"))
        await uow.commit()
    clock.advance(timedelta(seconds=STUCK))
    assert (await get(server, "/readyz")).status_code == 200  # not yet too long
    clock.advance(timedelta(seconds=1))
    stuck = await get(server, "/readyz")
    assert stuck.status_code == 503
    checks = stuck.json()["checks"]
    assert checks["outbox"] == f"a message due has waited {STUCK + 1} s"
    assert checks["scheduler"] == "ok" and checks["database"] == "ok"
    page = samples((await get(server, "/metrics")).text)
    assert page[("samu_outbox_pending", (("state", "due"),))] == 1
    assert page[("samu_outbox_oldest_due_age_seconds", ())] == STUCK + 1
    assert page[("samu_ready", (("check", "outbox"),))] == 0

    await chat.tick()  # delivered at last
    assert (await get(server, "/readyz")).status_code == 200


async def test_a_message_kept_for_later_or_given_up_does_not_make_it_unready(
    watched: tuple[Conversation, MonitoringServer], clock: FixedClock
) -> None:
    chat, server = watched
    await chat.join("Amina")
    amina = await chat.member("Amina")
    async with chat.app.services.uow() as uow:
        later = clock.now() + timedelta(days=3)  # e.g. a session reminder
        await outbox.notify(uow, clock.now(), amina.id, GivenBack("Bonjour"), not_before=later)
        # An announcement for a Telegram group, while Telegram does not run here: refused
        # for good, kept and retried hourly (the log and the coordinators say so).
        await outbox.announce(
            uow,
            clock.now(),
            (("telegram", "-100123"),),
            AboutRequest(NoticeKind.ANNOUNCE_REQUEST, 1),
            dedup_prefix="a",
        )
        await uow.commit()
    await chat.tick()
    clock.advance(timedelta(seconds=STUCK * 2))
    await chat.tick()
    answer = await get(server, "/readyz")
    assert answer.status_code == 200, answer.text
    page = samples((await get(server, "/metrics")).text)
    assert page[("samu_outbox_pending", (("state", "scheduled"),))] == 1
    assert page[("samu_outbox_pending", (("state", "undeliverable"),))] == 1
    assert page[("samu_outbox_pending", (("state", "due"),))] == 0
    assert page[("samu_outbox_oldest_due_age_seconds", ())] == 0
    failed = (("outcome", "stuck"), ("platform", "-"))
    assert page[("samu_deliveries_failed_total", failed)] == 1


async def test_not_ready_when_the_database_is_unreachable(
    watched: tuple[Conversation, MonitoringServer],
    relay: CuttableRelay | None,
    database_url: str,
) -> None:
    chat, server = watched
    await chat.tick()
    assert (await get(server, "/readyz")).status_code == 200
    if relay is not None:
        await relay.cut()
    else:
        sqlite_file = Path(make_url(database_url).database or "")
        os.rename(sqlite_file, sqlite_file.with_suffix(".away"))  # the file is gone
    answer = await get(server, "/readyz")
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["database"].startswith("unreachable (")
    assert checks["outbox"] == "unknown (database)"
    page = samples((await get(server, "/metrics")).text)
    assert page[("samu_database_up", ())] == 0
    assert ("samu_outbox_pending", (("state", "due"),)) not in page  # not a stale figure

    if relay is not None:
        relay.restore()
    else:
        os.rename(sqlite_file.with_suffix(".away"), sqlite_file)
    assert (await get(server, "/readyz")).status_code == 200


async def test_metrics_count_a_console_conversation(
    watched: tuple[Conversation, MonitoringServer], clock: FixedClock
) -> None:
    chat, server = watched
    await chat.join("Amina")  # two lines: /start CODE, then /annuler
    await chat.join("Karim", structure="EPN Résoudre")
    await chat.declare("Karim", "ameli (former)")
    asked = await chat.say("Amina", "/demande comment créer un compte ameli pour un jeune ?")
    assert "Je prends" in addressed_to(asked, "Karim")  # an offer, delivered through the outbox
    await chat.tick()

    answer = await get(server, "/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    page = samples(answer.text)
    console = (("platform", "console"),)
    assert page[("samu_messages_received_total", console)] == 6
    assert page[("samu_messages_sent_total", (*console, ("via", "reply")))] >= 6
    assert page[("samu_messages_sent_total", (*console, ("via", "outbox")))] >= 1
    assert page[("samu_requests", (("state", "offered"),))] == 1
    assert page[("samu_requests", (("state", "closed"),))] == 0
    purge = (("job", "purge"),)
    assert page[("samu_job_last_success_timestamp_seconds", purge)] == clock.now().timestamp()
    assert page[("samu_job_failures_total", purge)] == 0
    assert page[("samu_database_up", ())] == 1
    assert page[("samu_database_ping_seconds_count", ())] >= 1
    assert page[("samu_transport_connected", console)] == 1
    assert page[("samu_ready", (("check", "scheduler"),))] == 1
    sent_before = page[("samu_messages_sent_total", (*console, ("via", "reply")))]

    await chat.say("Amina", "/aide")
    page = samples((await get(server, "/metrics")).text)
    assert page[("samu_messages_received_total", console)] == 7
    assert page[("samu_messages_sent_total", (*console, ("via", "reply")))] > sent_before


async def test_samu_run_serves_the_endpoint_while_it_runs(
    database_url: str, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot")
    app = await monitored_app(database_url, clock)
    console = app.console("Amina", io.StringIO(), interactive=False)
    console.lines = asyncio.StreamReader()
    running = asyncio.create_task(app.run(console))
    try:
        await wait_until(
            lambda: app.last_tick is not None and "monitoring endpoint on" in caplog.text
        )
        summary = next(r.getMessage() for r in caplog.records if "samu run:" in r.getMessage())
        address = summary.rsplit("monitoring ", 1)[1]
        assert address.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(timeout=10) as client:
            assert (await client.get(address + "/healthz")).text == "ok\n"
            ready = await client.get(address + "/readyz")
            assert ready.status_code == 200, ready.text
    finally:
        console.lines.feed_eof()
        await asyncio.wait_for(running, timeout=20)
        await app.close()
    async with httpx.AsyncClient(timeout=10) as client:  # stopped with the run
        with pytest.raises(httpx.ConnectError):
            await client.get(address + "/healthz")
