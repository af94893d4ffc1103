"""Fuzzing the conversation layer: whatever arrives, nothing escapes and nobody is left unanswered.

Hypothesis writes sequences of messages — random Unicode, every command with random arguments,
huge texts, forged button presses (callback data that was never offered), replies to unknown
messages — from a member, a coordinator and a stranger, in private and in group chats, and
sends them through the real router on a real SQLite database. For each message: the router
returns (never raises), logs no error (the "something went wrong" path is a failure here), and
a private message gets at least one non-empty answer; a group may get silence.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.chat.commands import all_commands
from bot.chat.types import ChatType, Incoming
from bot.config import parse_config
from bot.core import invites
from bot.core.clock import FixedClock
from bot.core.types import Role
from tests.conftest import START

PEOPLE = ("mia", "cora", "stranger")
# One message: who, in which chat, the text, pressed as a button, the message it replies to.
Typed = tuple[str, ChatType, str, bool, str | None]
COMMAND_NAMES = sorted({n for c in all_commands() for n in (c.name, c.name_en)})

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
# What people type where a number goes: ASCII numbers, numbers beyond what PostgreSQL's integer
# holds, and characters that look like digits ("²" passes str.isdigit but not int; int reads
# Arabic-Indic and full-width digits).
LOOKALIKE_DIGITS = "²³¹١٢٣۴߁１２𝟙𝟚⁵₇"
numbers = st.one_of(
    st.integers(min_value=-3, max_value=10**12).map(str),
    st.integers(min_value=2**31 - 2, max_value=2**63 + 1).map(str),
    st.text(alphabet=LOOKALIKE_DIGITS + "0123456789#", min_size=1, max_size=4),
)
arguments = st.lists(st.one_of(words, numbers, st.sampled_from(["#1", "1", "2", "#sante"])))
commands = st.builds(
    lambda name, args, prefix: f"{prefix}{name} {' '.join(args)}".strip(),
    st.sampled_from(COMMAND_NAMES),
    arguments.map(lambda items: items[:4]),
    st.sampled_from(["/", "!"]),
)
texts = st.one_of(
    commands,
    commands,
    commands,
    words,
    st.text(max_size=20).map(lambda part: part * 300),  # huge inputs
    st.sampled_from(["", " ", "\n", "1", "99", "/", "/@bot", "\u202e/aide", "/aide@autre_bot"]),
)
messages = st.builds(
    lambda person, chat, text, button, reply: (person, chat, text, button, reply),
    st.sampled_from(PEOPLE),
    st.sampled_from([ChatType.PRIVATE, ChatType.PRIVATE, ChatType.PRIVATE, ChatType.GROUP]),
    texts,
    st.booleans(),
    st.one_of(st.none(), numbers),
)


class Errors(logging.Handler):
    """Collects error records (the router logs one when a handler fails)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with a member (with skills) and a coordinator, built once."""
    path = tmp_path_factory.mktemp("fuzz") / "template.db"
    asyncio.run(populate(f"sqlite:///{path}", migrate=True))
    return path


async def populate(url: str, *, migrate: bool = False) -> None:
    """A member (with skills) and a coordinator who asked for help."""
    app = App.build(parse_config({"database": {"url": url}}, "fuzz", {}))
    await app.prepare(migrate=migrate)
    for person, role in (("mia", Role.MEMBER), ("cora", Role.COORDINATOR)):
        invite = await invites.create_invite(app.services, role=role)
        code = invites.display_code(invite.code)
        await app.router.handle(private(person, f"/start {code}"))
        await app.router.handle(private(person, "/annuler"))
    await app.router.handle(private("mia", "/competences ajouter ameli (former), caf"))
    await app.router.handle(private("cora", "/demande attestation ameli pour un jeune"))
    await app.close()


def private(person: str, text: str) -> Incoming:
    return Incoming(platform="console", user_id=person, chat_id=person, text=text)


@pytest.fixture
def errors() -> Iterator[Errors]:
    handler = Errors()
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


async def _play(path: Path, sequence: Sequence[Typed]) -> None:
    await play_on(f"sqlite:///{path}", sequence)


async def play_on(url: str, sequence: Sequence[Typed]) -> None:
    """Send each message through the router of an app on `url`; check every answer."""
    app = App.build(parse_config({"database": {"url": url}}, "fuzz", {}), clock=FixedClock(START))
    await app.prepare()
    try:
        for person, chat, text, button, reply_to in sequence:
            incoming = Incoming(
                platform="console",
                user_id=person,
                chat_id=person if chat is ChatType.PRIVATE else "group",
                text=text,
                chat_type=chat,
                is_button=button,
                reply_to=reply_to,
            )
            answer = await app.router.handle(incoming)
            if chat is ChatType.PRIVATE:
                assert answer, f"no answer to {text[:80]!r} from {person}"
            assert all(message.text.strip() for message in answer), text[:80]
        await app.tick()  # whatever was queued can be rendered and delivered (nowhere)
    finally:
        await app.close()


@pytest.mark.slow  # 150 random conversations of up to 15 messages
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(messages, min_size=1, max_size=15))
def test_any_input_gets_an_answer_or_a_defined_silence(
    template: Path,
    tmp_path: Path,
    errors: Errors,
    sequence: list[Typed],
) -> None:
    copy = tmp_path / "fuzz.db"
    shutil.copy(template, copy)
    errors.records.clear()
    asyncio.run(_play(copy, sequence))
    assert [record.getMessage() for record in errors.records] == []


ODD_ARGUMENTS = ("", "1", "0", "-1", "999999999999", "#1 ✓ texte", "x" * 5000, "\u202e", "a b c")
# Numbers, with what follows them in the commands that take more (an answer, a field).
ODD_NUMBERS = ("²", "١٢", "１２", "2147483648", "#99999999999999999999")
NUMBER_TAILS = ("", " oui", " titre x", " Amina", " texte")
# Commands whose number comes after a word.
SUBCOMMANDS = [
    *(("tuto", sub) for sub in ("merci", "aide 1", "signaler", "modifier", "publier", "credit")),
    *(("tuto", sub) for sub in ("verifie", "perime", "masquer")),
    *(("session", sub) for sub in ("annuler", "notes", "modifier")),
]


@pytest.mark.slow  # every command × odd argument × person
def test_every_command_with_odd_arguments(template: Path, tmp_path: Path, errors: Errors) -> None:
    """The deterministic half of the fuzzing: every command, in both languages, with odd
    arguments, from each kind of person, in a private chat."""
    copy = tmp_path / "sweep.db"
    shutil.copy(template, copy)
    sequence = [
        (person, ChatType.PRIVATE, f"/{name} {args}".strip(), False, None)
        for name in COMMAND_NAMES
        for args in ODD_ARGUMENTS
        for person in PEOPLE
    ]
    asyncio.run(_play(copy, sequence))
    assert [record.getMessage() for record in errors.records] == []


async def test_every_command_with_odd_numbers_on_each_database(
    database_url: str, errors: Errors
) -> None:
    """Numbers that look like digits and numbers too large for PostgreSQL's integer, after
    every command and its subcommands, on SQLite and PostgreSQL (SQLite stores any integer:
    only PostgreSQL showed the second problem)."""
    await populate(database_url)
    lines = [
        *(f"/{name} {{number}}{tail}" for name in COMMAND_NAMES for tail in NUMBER_TAILS[:2]),
        *(f"/{name} {sub} {{number}}{tail}" for name, sub in SUBCOMMANDS for tail in NUMBER_TAILS),
    ]
    sequence = [
        (person, ChatType.PRIVATE, line.format(number=number), False, None)
        for line in lines
        for number in ODD_NUMBERS
        for person in ("mia", "cora")
    ]
    errors.records.clear()
    await play_on(database_url, sequence)
    assert [record.getMessage() for record in errors.records] == []
