"""A `/demande` on a warmed engine compiles nothing anew, sends few statements, and their
count does not grow with the number of helpers it is offered to (issue 20)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import TextClause

from bot.chat.types import Incoming
from storage.statements import StatementTally
from tests.helpers import Conversation, png


async def _demande(chat: Conversation, persona: str, text: str) -> StatementTally:
    key = chat.key(persona)
    with StatementTally(chat.app.db.engine) as tally:
        await chat.app.router.handle(
            Incoming(platform="console", user_id=key, chat_id=key, text=f"/demande {text}")
        )
    return tally


async def _network(chat: Conversation, helpers: int) -> None:
    await chat.join("Amina")
    await chat.join("Bruno")
    for n in range(helpers):
        await chat.join(f"Aide{n}")
        await chat.declare(f"Aide{n}", "ameli")


@pytest.mark.parametrize("helpers", [1, 3])
async def test_a_warmed_demande_compiles_no_statement(chat: Conversation, helpers: int) -> None:
    await _network(chat, helpers)
    await _demande(chat, "Bruno", "créer un compte ameli pour un jeune")  # warms the cache
    tally = await _demande(chat, "Amina", "créer un compte ameli pour ma mère")
    assert tally.statements["INSERT outbox"] >= 1, tally.statements
    assert not tally.compiled, tally.compiled


async def test_the_statements_of_a_demande_do_not_grow_with_its_helpers(
    chat: Conversation,
) -> None:
    await _network(chat, 1)
    await chat.join("Carla")
    await _demande(chat, "Bruno", "créer un compte ameli pour un jeune")  # warms the cache
    one = await _demande(chat, "Amina", "créer un compte ameli pour ma mère")
    for n in range(1, 5):
        await chat.join(f"Aide{n}")
        await chat.declare(f"Aide{n}", "ameli")
    five = await _demande(chat, "Carla", "créer un compte ameli pour un voisin")
    async with chat.app.services.uow() as uow:
        offered = [len(await uow.offers.of_request(number)) for number in (2, 3)]
    assert offered[0] == 1 and offered[1] > 1, offered
    # (One row and several rows are two compiled forms, each compiled once per process.)
    assert five.statements == one.statements


async def test_a_demande_sends_few_statements(chat: Conversation) -> None:
    """The router's transaction (who is typing and any dialog of theirs: one statement), then
    the request's: its skills found (the network's own and the ones it names: one
    statement), stored with them, offered; the request is not read back after matching."""
    await _network(chat, 1)
    await _demande(chat, "Bruno", "créer un compte ameli pour un jeune")  # warms the cache
    tally = await _demande(chat, "Amina", "créer un compte ameli pour ma mère")
    assert tally.statements["INSERT offers"] == 1, tally.statements
    # 14 on SQLite, 13 on PostgreSQL (no BEGIN statement; a SET for the tutorial search).
    # Matching chooses from memory: one statement (`SELECT matching_version`) confirms the
    # index's version and reads the request's offers and the first candidates' loads.
    assert "SELECT help_requests" not in tally.statements, tally.statements
    assert tally.statements["SELECT matching_version"] == 1, tally.statements
    assert tally.statements["SELECT skills"] == 1, tally.statements
    assert tally.statements["SELECT members"] == 1, tally.statements
    assert "SELECT dialog_states" not in tally.statements, tally.statements
    most = 14 if chat.app.db.dialect == "sqlite" else 13
    assert sum(tally.statements.values()) <= most, tally.statements


async def _plain(chat: Conversation, persona: str, text: str) -> StatementTally:
    key = chat.key(persona)
    with StatementTally(chat.app.db.engine) as tally:
        await chat.app.router.handle(
            Incoming(platform="console", user_id=key, chat_id=key, text=text)
        )
    return tally


async def test_a_plain_message_kept_as_a_draft_is_not_read_back(chat: Conversation) -> None:
    """A first message is stored as a draft (then shown as stored: not read again); the next
    ones are added to it, and it is read back in the transaction that changed it."""
    await _network(chat, 1)
    await _plain(chat, "Bruno", "il faut créer un compte ameli pour un jeune")  # warms the cache
    await _plain(chat, "Bruno", "il a oublié son mot de passe")
    first = await _plain(chat, "Amina", "il faut créer un compte ameli pour un jeune")
    # The author's recent drafts are looked for; the new one is not read back.
    assert first.statements["SELECT help_requests"] == 1, first.statements
    assert sum(first.statements.values()) <= (11 if chat.app.db.dialect == "sqlite" else 8)
    added = await _plain(chat, "Amina", "il a oublié son mot de passe")
    # The transaction that adds to the draft reads it back (no transaction of its own).
    if chat.app.db.dialect == "sqlite":
        assert added.statements["BEGIN"] == 4, added.statements
    assert sum(added.statements.values()) <= (15 if chat.app.db.dialect == "sqlite" else 12)
    async with chat.app.services.uow() as uow:
        [draft] = await uow.requests.list_involving((await chat.member("Amina")).id)
    assert draft.text == "il faut créer un compte ameli pour un jeune\nil a oublié son mot de passe"


async def test_a_demande_naming_no_skill_reads_the_skills_with_a_compiled_statement(
    chat: Conversation,
) -> None:
    """The network's skills and those a request names are one statement, whether or not it
    names any: compiled once."""
    await _network(chat, 1)
    await _demande(chat, "Bruno", "créer un compte ameli pour un jeune")  # warms the cache
    tally = await _demande(chat, "Amina", "une question sur un sujet sans nom précis")
    assert tally.statements["SELECT skills"] >= 1, tally.statements
    assert not tally.compiled["SELECT skills"], tally.compiled


async def test_a_demande_takes_the_files_sent_before_it_in_one_statement(
    chat: Conversation, tmp_path: Path
) -> None:
    """Its author's waiting files are given to the new request by one conditional UPDATE
    (it has none yet: no need to count them first)."""
    await _network(chat, 1)
    screenshot = tmp_path / "capture.png"
    screenshot.write_bytes(png())
    await chat.say("Bruno", f'/fichier "{screenshot}"')
    await _demande(chat, "Bruno", "créer un compte ameli pour un jeune")  # warms the cache
    await chat.say("Amina", f'/fichier "{screenshot}"')
    tally = await _demande(chat, "Amina", "créer un compte ameli pour ma mère")
    files = {kind: n for kind, n in tally.statements.items() if kind.endswith(" attachments")}
    assert files == {"UPDATE attachments": 1}, tally.statements
    async with chat.app.services.uow() as uow:
        [kept] = await uow.attachments.of_request(2)
    assert kept.filename == "capture.png"


async def test_a_demande_runs_statements_built_once(chat: Conversation) -> None:
    """Every statement of a `/demande` is an object built once and run again (the search's
    SQL text aside, which holds the request's words): a statement built on every run costs
    ~0.1 ms to build and to key for SQLAlchemy's compiled cache."""
    await _network(chat, 1)
    await chat.say("Bruno", "/aide")
    warm = await _demande(chat, "Bruno", "créer un compte ameli pour un jeune")
    tally = await _demande(chat, "Amina", "créer un compte ameli pour ma mère")
    before = {id(statement) for _, statement in warm.invoked}
    built = [
        kind
        for kind, statement in tally.invoked
        if id(statement) not in before and not isinstance(statement, TextClause)
    ]
    assert tally.statements["INSERT offers"] == 1, tally.statements
    assert len(tally.invoked) >= 8, tally.invoked
    assert not built, [(k, str(s)[:300]) for k, s in tally.invoked if k in built]


async def test_delivering_runs_statements_built_once(chat: Conversation) -> None:
    """The delivery of what a `/demande` queues (claiming the outbox, the worker's
    heartbeat, each message marked tried then sent, the buttons shown remembered) runs the
    statements of the delivery before it: the dispatcher claims several times a message."""
    await _network(chat, 2)
    delivery = ("outbox", "workers", "choices")

    async def delivered(persona: str, text: str) -> list[tuple[str, object]]:
        with StatementTally(chat.app.db.engine) as tally:
            await chat.say(persona, text)
        return [(kind, statement) for kind, statement in tally.invoked if kind.endswith(delivery)]

    warm = await delivered("Bruno", "/demande créer un compte ameli pour un jeune")
    again = await delivered("Amina", "/demande créer un compte ameli pour ma mère")
    before = {id(statement) for _, statement in warm}
    kinds = {kind for kind, _ in again}
    assert {"UPDATE outbox", "INSERT workers", "INSERT choices"} <= kinds, kinds
    built = [kind for kind, statement in again if id(statement) not in before]
    assert not built, built
