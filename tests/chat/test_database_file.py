"""The SQLite file deleted, replaced or made read-only while the bot runs: SQLite (in WAL
mode) would go on writing where nothing is kept. Each message is kept as during an outage,
nothing is said "enregistrée" that was not, and everything is handled once the file is back."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import sqlite_file
from storage.models import HelpRequestModel
from tests.helpers import Conversation
from tests.read_only import read_only

KEPT = "Votre message est gardé"
RECORDED = "est enregistrée"


@pytest.fixture
async def network(chat: Conversation) -> Conversation:
    if chat.app.db.dialect != "sqlite":
        pytest.skip("a database file is SQLite's")
    await chat.join("Amina")
    await chat.join("Karim")
    await chat.declare("Karim", "ameli (former)")
    assert RECORDED in await chat.say("Amina", "/demande souci ameli UN")
    return chat


def database_path(chat: Conversation) -> Path:
    path = sqlite_file(chat.app.config.database.url)
    assert path is not None and path.exists()
    return path


async def requests_stored(chat: Conversation) -> list[str | None]:
    async with chat.app.services.uow() as uow:
        rows = await uow.session.scalars(
            select(HelpRequestModel.text).order_by(HelpRequestModel.id)
        )
        return list(rows)


async def kept_then_handled(chat: Conversation, break_it: object, repair: object) -> None:
    """Amina asks while the file is broken, then it is repaired."""
    start = chat.output.tell()
    break_it()  # type: ignore[operator]
    try:
        answer = await chat.say("Amina", "/demande souci ameli DEUX")
        assert KEPT in answer and RECORDED not in answer
        assert "ne peux pas" not in answer.lower() and "problème" not in answer.lower()
    finally:
        repair()  # type: ignore[operator]
    await chat.console.settle()
    assert RECORDED in chat.output.getvalue()[start:]
    stored = await requests_stored(chat)
    assert stored.count("souci ameli DEUX") == 1


async def test_a_deleted_file_keeps_the_message_until_it_is_back(network: Conversation) -> None:
    path = database_path(network)
    hidden = path.with_name("hidden.db")

    def delete() -> None:
        os.link(path, hidden)  # the operator's backup, in the same inode
        path.unlink()

    def put_back() -> None:
        os.link(hidden, path)
        hidden.unlink()

    await kept_then_handled(network, delete, put_back)
    assert len(await requests_stored(network)) == 2


async def test_a_file_restored_from_a_copy_is_used_once_back(network: Conversation) -> None:
    path = database_path(network)
    copy = path.with_name("copy.db")
    with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
        source.backup(target)

    def delete() -> None:
        for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            name.unlink(missing_ok=True)

    def restore() -> None:
        copy.rename(path)  # a new file: the connections to the old one are not used again

    await kept_then_handled(network, delete, restore)


async def test_a_file_made_read_only_keeps_the_message(network: Conversation) -> None:
    path = database_path(network)
    protection = read_only(path)
    await kept_then_handled(
        network, protection.__enter__, lambda: protection.__exit__(None, None, None)
    )
    async with network.app.services.uow() as uow:
        assert await uow.session.scalar(select(func.count(HelpRequestModel.id))) == 2
