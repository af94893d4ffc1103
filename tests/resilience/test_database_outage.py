"""Database outage: PostgreSQL's line is cut while members write, then comes back.

The app runs as `samu run` does (real python-telegram-bot against the loopback Bot API) and
reaches PostgreSQL through a relay the test cuts. During the cut, each member is told their
message is kept; once the database is back, every message is handled, in order, and nothing
accepted is lost or done twice. (SQLite has no server to lose: its "database is locked" after
the busy timeout takes the same path, tested at the conversation level.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.app import App
from bot.config import parse_config
from storage.db import Database
from storage.models import HelpRequestModel
from tests.conftest import Backend
from tests.fakes.tcp_proxy import CuttableRelay
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import wait_until
from tests.resilience.workers import TOKEN as WORKER_TOKEN
from tests.resilience.workers import Worker, add_members, prepare, worker_config
from tests.transports.conftest import TOKEN, Running, app_config

pytestmark = pytest.mark.slow  # database outages

KEPT = "Votre message est gardé"
RECORDED = "est enregistrée"
MEMBERS = {4101: "Amina", 4102: "Karim", 4103: "Sophie"}


@pytest.fixture
async def relay(backend: Backend, database_url: str) -> AsyncIterator[CuttableRelay]:
    if backend.name != "postgresql":
        pytest.skip("a database server to cut is needed (PostgreSQL)")
    url = make_url(database_url)
    cuttable = CuttableRelay(url.host or "127.0.0.1", url.port or 5432)
    await cuttable.start()
    try:
        yield cuttable
    finally:
        await cuttable.stop()


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, username="samu_test_bot") as fake:
        yield fake


async def test_messages_during_an_outage_are_kept_then_handled_once_in_order(
    database_url: str, relay: CuttableRelay, server: FakeBotApi
) -> None:
    through_relay = (
        make_url(database_url).set(port=relay.port).render_as_string(hide_password=False)
    )
    app = App.build(parse_config(app_config(through_relay, server), "outage", {}))
    await app.prepare()
    running = Running(app, server)
    await running.start()
    try:
        for user_id, name in MEMBERS.items():
            await running.join(user_id, name, skills="ameli")
        before = {user_id: len(server.sent_messages(user_id)) for user_id in MEMBERS}

        await relay.cut()
        for round_number in (1, 2):
            for user_id, name in MEMBERS.items():
                server.user_sends(
                    user_id, f"/demande souci ameli {name} {round_number}", first_name=name
                )
        for user_id in MEMBERS:  # the first message of each chat is answered at once
            await running.wait_text(user_id, KEPT, after=before[user_id], timeout=20)
        relay.restore()

        def answered(user_id: int) -> int:
            later = server.sent_messages(user_id)[before[user_id] :]
            return sum(RECORDED in message.get("text", "") for message in later)

        await server.wait_for(lambda: all(answered(u) == 2 for u in MEMBERS), timeout=40)
    finally:
        await running.stop()
        await app.close()

    db = Database.from_url(database_url)
    try:
        async with db.session() as session:
            texts = list(
                await session.scalars(select(HelpRequestModel.text).order_by(HelpRequestModel.id))
            )
    finally:
        await db.dispose()
    for name in MEMBERS.values():
        mine = [text for text in texts if text and name in text]  # in the order stored
        assert mine == [f"souci ameli {name} 1", f"souci ameli {name} 2"]
    assert relay.refused > 0  # the app did try to reach the database during the cut


@pytest.fixture
async def worker_server() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=WORKER_TOKEN, username="samu_test_bot") as fake:
        yield fake


@pytest.mark.cli_subprocess
async def test_messages_kept_during_an_outage_survive_a_crash(
    database_url: str, relay: CuttableRelay, worker_server: FakeBotApi, tmp_path: Path
) -> None:
    server = worker_server
    through_relay = (
        make_url(database_url).set(port=relay.port).render_as_string(hide_password=False)
    )
    await prepare(database_url)
    members = await add_members(database_url, list(MEMBERS))
    config = tmp_path / "worker.toml"
    kept_dir = Path(
        worker_config(config, through_relay, server, console=False)["workers"]["kept_dir"]
    )
    worker = Worker(config, "crashing")
    await worker.start()
    try:
        await relay.cut()
        for round_number in (1, 2):
            for user_id, name in MEMBERS.items():
                server.user_sends(
                    user_id, f"/demande souci ameli {name} {round_number}", first_name=name
                )
        for user_id in MEMBERS:
            await server.wait_for(
                lambda user_id=user_id: any(  # type: ignore[misc]
                    KEPT in m.get("text", "") for m in server.sent_messages(user_id)
                ),
                timeout=20,
            )
        files = sorted((kept_dir / "telegram").glob("*.json"))
        assert len(files) >= len(MEMBERS)  # each chat's first message, at least, is on disk
        await worker.kill()  # SIGKILL while the messages wait for the database
        relay.restore()
        await worker.start()  # Telegram will not send them again: only the disk has them

        def answered(user_id: int) -> int:
            return sum(RECORDED in m.get("text", "") for m in server.sent_messages(user_id))

        await server.wait_for(lambda: all(answered(u) == 2 for u in MEMBERS), timeout=40)
        await wait_until(
            lambda: not list((kept_dir / "telegram").glob("*.json")), 10, worker.describe
        )
    finally:
        await worker.stop()

    db = Database.from_url(database_url)
    try:
        async with db.session() as session:
            rows = list(
                await session.execute(
                    select(HelpRequestModel.author_id, HelpRequestModel.text).order_by(
                        HelpRequestModel.id
                    )
                )
            )
    finally:
        await db.dispose()
    for user_id, name in MEMBERS.items():
        mine = [text for author, text in rows if author == members[user_id]]
        assert mine == [f"souci ameli {name} 1", f"souci ameli {name} 2"]
