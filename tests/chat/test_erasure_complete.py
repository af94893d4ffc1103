"""Erasure is complete (issue 15): after `/oublier`, or a coordinator's `samu member forget`,
nothing identifying remains anywhere.

The strongest check reads the raw bytes of the SQLite file and its write-ahead log: no name,
account id or text of the erased person may be found there, not even in free space.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.chat import notifications
from bot.chat.types import ChatType, Incoming
from bot.core.clock import FixedClock
from bot.core.types import Role
from bot.privacy_cli import forget_by_name_or_id
from bot.transports.spool import Spool
from tests.chat.test_privacy import everything_stored
from tests.helpers import Conversation, addressed_to, prepared_app


@pytest.fixture
async def reviewed(database_url: str, clock: FixedClock, tmp_path: Path) -> AsyncIterator[App]:
    """The app with coordinators' review of tutorials, and messages kept under tmp_path."""
    async with prepared_app(
        database_url,
        clock,
        tutorials={"review_required": True},
        workers={"kept_dir": str(tmp_path / "kept")},
    ) as application:
        yield application


async def write_up(chat: Conversation, helper: str, request_id: int, problem: str) -> str:
    await chat.say(helper, f"/resolu {request_id} oui")
    await chat.say(helper, problem)
    await chat.say(helper, "Aller sur le site\n2. Puis cliquer")
    return await chat.say(helper, "1")  # keep the title: published, or sent to review


# What identifies Zed (first called "Zed Oldname", then "Amina") in what she did.
TRACES = [
    b"Zed Oldname",
    b"ZORGLUB",  # her request's text, quoted by Karim's draft write-up
    b"QUUXMSG",  # a message she sent through the bot
    b"QUIZREVIEW",  # her tutorial, awaiting review
    b"xylophonie",  # a skill she proposed
    b"zed-console",  # her account on the console
    b"ZEDDRAFT",  # a message she typed and never sent (kept as her draft)
]

# How Zed is erased: she asks herself, or a coordinator runs `samu member forget NAME`.
HOW = ["oublier", "member-forget"]


async def erase_zed(app: App, kept_dir: Path, how: str = "oublier") -> str:
    """Zed asks, talks, helps, writes up, renames herself, has a message kept on disk, leaves a
    draft unsent, and is erased (`how`). Returns the name of another person's kept message
    (it must stay)."""
    chat = Conversation(app)
    await chat.join("zed-console")
    await chat.say("zed-console", "/nom Zed Oldname")
    for name in ("Karim", "Sophie"):
        await chat.join(name)
    await chat.join("Claire", Role.COORDINATOR)
    await chat.declare("Karim", "ameli (former)")
    await chat.declare("zed-console", "ameli, xylophonie avancée")

    await chat.say("zed-console", "/demande compte ameli bloqué ZORGLUB pour une attestation")
    await chat.say("Karim", "/prendre 1")
    await chat.say("zed-console", "/msg 1 message QUUXMSG pour vous")
    await chat.say("Karim", "/resolu 1 oui")
    await chat.say("Karim", "Compte ameli bloqué ZORGLUB.")  # a draft quoting her request

    await chat.say("Sophie", "/demande attestation ameli perdue")
    await chat.say("zed-console", "/prendre 2")
    released = await chat.say("zed-console", "/lacher 2 oui")  # Sophie is told: "Zed Oldname"
    assert "Zed Oldname" in addressed_to(released, "Sophie")

    await chat.say("Sophie", "/demande ameli ne répond plus")
    await chat.say("zed-console", "/prendre 3")
    review = await write_up(chat, "zed-console", 3, "Ameli QUIZREVIEW ne répond plus.")
    assert "relecture" in review
    await chat.say("zed-console", "/nom Amina")  # a new name: old notices carry the old one

    kept = Spool(kept_dir / "console")
    await kept.put(
        Incoming(
            platform="console",
            user_id="zed-console",
            chat_id="zed-console",
            text="/demande ZORGLUB encore",
            chat_type=ChatType.PRIVATE,
        )
    )
    other = await kept.put(
        Incoming(platform="console", user_id="karim", chat_id="karim", text="bonjour")
    )

    kept_draft = await chat.say("zed-console", "mon voisin ZEDDRAFT n'arrive pas à imprimer")
    assert "J'ai gardé votre message" in kept_draft
    if how == "oublier":
        await chat.say("zed-console", "/oublier")
        assert "oublié" in await chat.say("zed-console", "/oublier confirmer")
    else:
        done, line = await forget_by_name_or_id(app, "Amina")
        assert done, line
    await chat.console.close()
    return other


@pytest.mark.parametrize("how", HOW)
async def test_nothing_identifying_remains_in_any_table(
    reviewed: App, tmp_path: Path, how: str
) -> None:
    """On both databases: no stored value holds a trace of the erased person."""
    other = await erase_zed(reviewed, tmp_path / "kept", how)
    stored = await everything_stored(reviewed)
    leaks = [
        (table, column) for table, column, value in stored for t in TRACES if t.decode() in value
    ]
    assert leaks == []
    assert await asyncio.to_thread(_names, tmp_path / "kept" / "console") == [other]


@pytest.mark.parametrize("how", HOW)
async def test_nothing_identifying_remains_in_the_sqlite_file(
    reviewed: App, database_url: str, tmp_path: Path, how: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("reads the SQLite file itself (PostgreSQL: see docs/deploy.md)")
    await erase_zed(reviewed, tmp_path / "kept", how)
    # Read while the bot still runs (its connections open, the log not folded in at close).
    raw = await asyncio.to_thread(_file_and_log, Path(database_url.removeprefix("sqlite:///")))
    assert [trace for trace in TRACES if trace in raw] == []


def _file_and_log(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


async def test_erased_in_the_middle_of_a_held_draft(chat: Conversation) -> None:
    await chat.join("Amina")
    await chat.join("Karim")
    await chat.declare("Karim", "ameli (former)")
    await chat.say("Amina", "/demande compte ameli pour fatima benali, merci")
    [as_is] = [a.payload for a in chat.console._pending[chat.key("Amina")] if "tel quel" in a.label]
    await chat.say("Amina", "/demande 1 modifier")  # a question now waits for her text
    await chat.say("Amina", "/oublier confirmer")
    late = await chat.say("Amina", as_is)  # her old button, after the erasure
    assert "invitation" in late
    assert addressed_to(late, "Karim") == ""
    async with chat.app.services.uow() as uow:
        request = await uow.requests.get(1)
        assert request is not None and request.text is None
        assert await uow.offers.of_request(1) == []


async def test_an_old_notice_names_someone_who_has_left(chat: Conversation) -> None:
    await chat.join("Amina")
    await chat.join("Karim")
    await chat.declare("Karim", "ameli (former)")
    await chat.say("Amina", "/demande souci ameli pour une attestation")
    await chat.say("Karim", "/prendre 1")
    await chat.say("Karim", "/resolu 1 oui")
    await chat.say("Amina", "/pasresolu 1")
    karim = await chat.member("Karim")
    async with chat.app.services.uow() as uow:
        [notice] = await uow.outbox.find(recipient_id=karim.id, kind="not_solved")
    await chat.say("Amina", "/oublier confirmer")
    shown = await notifications.render(chat.app.services, karim, notice, "console", "/")
    assert shown is not None
    assert "Une personne qui a quitté le réseau" in shown.text and "?" not in shown.text


async def test_the_privacy_notice_says_what_stays_on_disk(chat: Conversation) -> None:
    notice = await chat.say("Someone", "/confidentialite")
    assert "je vous montre les données personnelles" in notice
    assert "disque du serveur" in notice and "sauvegardes" in notice
