"""Database outage: PostgreSQL's line is cut while members write, then comes back.

The app runs as `samu run` does (real python-telegram-bot against the loopback Bot API) and
reaches PostgreSQL through a relay the test cuts. During the cut, each member is told their
message is kept; once the database is back, every message is handled, in order, and nothing
accepted is lost or done twice. (SQLite has no server to lose: its "database is locked" after
the busy timeout takes the same path, tested at the conversation level.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator

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
from tests.transports.conftest import TOKEN, Running, app_config

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
