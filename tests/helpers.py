"""Test helpers: console conversations, invite codes, waiting for a condition, and the `samu`
command run in the test process."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import App
from bot.chat.types import Incoming, Outgoing
from bot.config import parse_config
from bot.core import invites
from bot.core.clock import Clock
from bot.core.types import Invite, Member, Role
from bot.transports.console import persona_key

CODE = re.compile(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b")


def python_prints(code: str, cwd: Path) -> str:
    """What `code` prints, run by this Python in a process of its own from `cwd`, without the
    test run's SAMU_* settings (what a module imports only shows in a fresh process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMU_")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


async def wait_until(
    condition: Callable[[], bool] | Callable[[], Awaitable[bool]],
    timeout: float = 8.0,
    what: str | Callable[[], str] = "",
    *,
    every: float = 0.05,
) -> None:
    """Poll `condition` until it holds: for work running concurrently (in this event loop, in
    another process, on a server) that has no event to wait on. Not for letting time pass.

    `condition` is a function returning a bool, or an awaitable of one (a database query).
    It is checked at once, then every `every` seconds; after `timeout` seconds the test fails
    with an AssertionError naming the condition and `what` (a string, or a function called
    then: a process's log, a state worth seeing).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        held = condition()
        if inspect.isawaitable(held):
            held = await held
        if held:
            return
        if loop.time() > deadline:
            details = what() if callable(what) else what
            raise AssertionError(
                f"not within {timeout} s: {_condition_text(condition)}"
                + (f"\n{details}" if details else "")
            )
        await asyncio.sleep(every)


def _condition_text(condition: Callable[..., object]) -> str:
    """A lambda's source line(s), else the function's name."""
    name = getattr(condition, "__qualname__", repr(condition))
    if name.endswith("<lambda>"):
        with contextlib.suppress(OSError, TypeError):
            return inspect.getsource(condition).strip()
    return name


@asynccontextmanager
async def prepared_app(
    database_url: str, clock: Clock, **sections: dict[str, Any]
) -> AsyncIterator[App]:
    """The whole application on `database_url`, prepared, closed afterwards: the network's
    two test structures, and the configuration `sections` given (each replaces its default)."""
    config = parse_config(
        {
            "database": {"url": database_url},
            "network": {"structures": ["Mission locale", "EPN Résoudre"]},
            **sections,
        },
        "tests",
        {},
    )
    application = App.build(config, clock=clock)
    await application.prepare()
    await application.db.build_candidate_index()  # as `App.run` does: tests match from memory
    try:
        yield application
    finally:
        await application.close()


class Conversation:
    """Drives the console transport as a person would type, and returns what the bot printed."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.output = io.StringIO()
        self.console = app.console("Nobody", self.output, interactive=False)
        # A line kept during a simulated outage is handed over again almost at once; a test
        # waits for it with `console.settle()`.
        self.console.retry_first = 0.01

    async def say(self, persona: str, text: str) -> str:
        """`persona` types `text`; returns everything printed in reply."""
        self.console.persona = persona
        start = self.output.tell()
        await self.console.receive(text)
        return self.output.getvalue()[start:]

    def last_ref(self, persona: str) -> str:
        """The reference of the last message the bot showed `persona` (what `>` replies to)."""
        return self.console._last[persona_key(persona)]

    async def press(self, persona: str, ref: str, payload: str) -> str:
        """`persona` presses the button `payload` of the message `ref` (as on Telegram, where
        any message's buttons stay pressable); returns everything printed in reply."""
        return await self._hand_over(persona, payload, choice_of=ref, is_button=True)

    async def reply(self, persona: str, ref: str, text: str) -> str:
        """`persona` replies `text` to the bot's message `ref` (any message, however old)."""
        return await self._hand_over(persona, text, reply_to=ref)

    async def _hand_over(self, persona: str, text: str, **fields: Any) -> str:
        self.console.persona = persona
        start = self.output.tell()
        key = persona_key(persona)
        incoming = Incoming(
            platform="console",
            user_id=key,
            chat_id=key,
            text=text,
            display_name=persona,
            numbers_choose=True,
            **fields,
        )
        await self.console.answer(incoming)
        return self.output.getvalue()[start:]

    async def invite(
        self, role: Role = Role.MEMBER, *, uses: int = 1, structure: str | None = None
    ) -> Invite:
        """Create an invitation directly (as the CLI does)."""
        return await invites.create_invite(
            self.app.services,
            role=role,
            uses=uses,
            structure_name=structure,
        )

    async def join(
        self,
        persona: str,
        role: Role = Role.MEMBER,
        structure: str | None = "Mission locale",
        *,
        settle: bool = True,
    ) -> str:
        """Make `persona` a member with a fresh invite; returns the bot's answer.

        With `settle`, the onboarding question that follows is put aside (as "Later").
        """
        invite = await self.invite(role, structure=structure)
        answer = await self.say(persona, f"/start {invites.display_code(invite.code)}")
        if settle:
            await self.say(persona, "/annuler")
        return answer

    def key(self, persona: str) -> str:
        """The console identity of a persona."""
        return persona_key(persona)

    async def member(self, persona: str) -> Member:
        """The member behind a console persona."""
        async with self.app.services.uow() as uow:
            member = await uow.members.by_identity("console", persona_key(persona))
        assert member is not None, persona
        return member

    async def declare(self, persona: str, skills: str) -> None:
        """Declare skills for a member, as they would type them."""
        await self.say(persona, f"/competences ajouter {skills}")

    async def tick(self) -> str:
        """Run the periodic work (escalations, confirmations, delivery); returns the output."""
        self.console.persona = "Nobody"
        start = self.output.tell()
        await self.app.tick()
        return self.output.getvalue()[start:]


async def stored_member(app: App, name: str, role: Role = Role.MEMBER) -> Member:
    """A member written straight into the database (no chat onboarding), in French."""
    async with app.services.uow() as uow:
        member = await uow.members.add(
            display_name=name,
            role=role,
            locale="fr",
            structure_id=None,
            now=app.services.clock.now(),
        )
        await uow.commit()
    return member


def addressed_to(output: str, persona: str) -> str:
    """The part of a console transcript delivered to another persona (after its header)."""
    blocks = ("\n" + output).split("\n— ")
    return "\n".join(
        block.split("\n", 1)[1] for block in blocks if block.startswith(persona_key(persona) + " —")
    )


class RecordingTransport:
    """A transport at the network edge that records what it is asked to send.

    `failures` are raised, one per send, before anything is recorded (to test retries).
    """

    def __init__(
        self, platform: str = "console", failures: Sequence[Exception] | None = None
    ) -> None:
        self.platform = platform
        self.command_prefix = "/"
        self.parallel_sends = 1
        self.sent: list[tuple[str, Outgoing]] = []
        self.failures = list(failures or [])

    @property
    def connected(self) -> bool:
        """Always reachable."""
        return True

    async def run(self) -> None:
        """Nothing to receive."""

    async def send(self, chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        """Record the message, or raise the next planned failure."""
        await asyncio.sleep(0)  # let concurrent dispatchers interleave, as a network call would
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((chat_id, message))
        return f"ref-{len(self.sent)}"

    def texts_to(self, chat_id: str) -> list[str]:
        """The texts sent to one chat, in order."""
        return [message.text for to, message in self.sent if to == chat_id]


def png(width: int = 40, height: int = 30, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small real PNG picture (a screenshot stand-in)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(width: int = 64, height: int = 48) -> bytes:
    """A small real JPEG picture (what Telegram keeps of a photo)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


@dataclass(frozen=True)
class Ran:
    """What a `samu` command did: its exit status and what it printed."""

    code: int
    stdout: str
    stderr: str
    output: str  # both streams interleaved as written, as a terminal (or `2>&1`) shows them


class _Tee(io.StringIO):
    """A text stream that keeps what is written and copies it into a shared one."""

    def __init__(self, both: io.StringIO) -> None:
        super().__init__()
        self.both = both

    def write(self, text: str) -> int:
        """Keep `text`, and copy it into the shared stream."""
        self.both.write(text)
        return super().write(text)


def samu_in_process(
    args: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None, stdin: str | Path = ""
) -> Ran:
    """`samu ARGS` run by `bot.cli.main` in this process, as if in its own: in the folder
    `cwd`, with no SAMU_* variable but those of `env` (the other variables kept), `stdin` fed
    through a pipe (not a terminal) or, given a path, that file opened (a regular file, or
    /dev/null as under systemd), stdout and stderr captured; argparse's exits (`--help`, a
    bad option) become the exit status. The working folder, the environment, the standard
    streams and the logging configuration are restored afterwards. An exception `main` lets
    out is raised here (where a process would print a traceback and exit with 1).

    One at a time: it changes what the whole process shares (for two `samu` at once, such as
    two upgrades racing, run two processes).

    It calls `asyncio.run`: from a test that runs in an event loop, use `samu_in_thread`."""
    from bot.cli import main

    if isinstance(sys.stdout, _Tee):
        raise RuntimeError(
            "samu_in_process: one at a time (the process has one folder, one sys.stdout)"
        )
    both = io.StringIO()
    out, err = _Tee(both), _Tee(both)
    if isinstance(stdin, Path):
        source, writer = stdin.open(encoding="utf-8"), None
    else:
        read_end, write_end = os.pipe()
        source = open(read_end, encoding="utf-8")  # noqa: SIM115 (closed below)
        writer = threading.Thread(target=_feed, args=(write_end, stdin.encode()), daemon=True)
        writer.start()
    saved_environment = dict(os.environ)
    saved_folder = os.getcwd()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    root = logging.getLogger()
    saved_handlers, saved_levels = root.handlers[:], _logger_levels()
    root.handlers.clear()  # as in a new process: `logging.basicConfig` installs samu's handler
    try:
        for name in [name for name in os.environ if name.startswith("SAMU_")]:
            del os.environ[name]
        os.environ.update(env or {})
        os.chdir(cwd)
        sys.stdin, sys.stdout, sys.stderr = source, out, err
        try:
            code = main(list(args))
        except SystemExit as exit_:
            if isinstance(exit_.code, str):
                print(exit_.code, file=sys.stderr)
            code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        source.close()  # the feeding thread, if still writing, gets a broken pipe and ends
        if writer is not None:
            writer.join()
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = saved_handlers
        for logger_name, level in _logger_levels().items():
            if level != saved_levels.get(logger_name, logging.NOTSET):
                logging.getLogger(logger_name or None).setLevel(saved_levels.get(logger_name, 0))
        os.chdir(saved_folder)
        for name in set(os.environ) - set(saved_environment):
            del os.environ[name]
        os.environ.update(saved_environment)
    return Ran(code, out.getvalue(), err.getvalue(), both.getvalue())


async def samu_in_thread(
    args: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None, stdin: str | Path = ""
) -> Ran:
    """`samu_in_process` from a test running in an event loop (which `asyncio.run` refuses),
    in a thread of its own; that loop goes on meanwhile (a running bot, a fake server)."""
    return await asyncio.to_thread(samu_in_process, args, cwd=cwd, env=env, stdin=stdin)


def _feed(write_end: int, data: bytes) -> None:
    """Write `data` into a pipe, then close it (end of input)."""
    with contextlib.suppress(BrokenPipeError), open(write_end, "wb") as pipe:
        pipe.write(data)


def _logger_levels() -> dict[str, int]:
    """The level of the root logger (named "") and of every logger created so far."""
    loggers = logging.Logger.manager.loggerDict
    levels = {
        name: logger.level for name, logger in loggers.items() if isinstance(logger, logging.Logger)
    }
    return {"": logging.getLogger().level, **levels}
