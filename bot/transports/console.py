"""The terminal: each line typed (or piped) is a message, replies go to standard output.

A person is a named console identity (`--as Amina`); `/as NAME` switches to another one, so
both sides of a flow can be tried in one terminal. Numbered actions are chosen by typing the
number (the bot knows which list is shown). A line starting with `>` replies to the last
message the bot showed this person (`> Merci, je vous appelle demain`), as a reply would on
Telegram or Matrix. Messages to other console personas are shown with their name.
"""

from __future__ import annotations

import asyncio
import os
import stat
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from bot.chat.types import Action, Incoming, Outgoing
from bot.transports.base import RETRY_FIRST, Delivered, Handle, PatientAnswers

PLATFORM = "console"
QUIT_WORDS = frozenset({"/quit", "/exit", "/quitter"})
REPLY_MARK = ">"


def persona_key(name: str) -> str:
    """The console identity of a persona name (case and spacing do not matter)."""
    return " ".join(name.split()).lower()


@dataclass
class ConsoleTransport:
    """Terminal chat for one person at a time, switchable with `/as NAME`."""

    handle: Handle
    persona: str
    output: TextIO = field(default_factory=lambda: sys.stdout)
    interactive: bool = False
    language: str | None = None
    after_each: Callable[[], Awaitable[object]] | None = None
    lines: asyncio.StreamReader | None = None
    platform: str = PLATFORM
    command_prefix: str = "/"
    parallel_sends: int = 1  # one terminal: messages print in the order they were queued
    retry_first: float = RETRY_FIRST  # first wait before a kept message is handed over again
    delivered: Delivered | None = None
    # The actions last shown to each persona, as numbered on screen (for a look in tests).
    _pending: dict[str, tuple[Action, ...]] = field(default_factory=dict)
    # The reference of the last message shown to each persona (what `>` replies to).
    _last: dict[str, str] = field(default_factory=dict)
    _sent: int = 0
    _answers: PatientAnswers | None = None

    async def run(self) -> None:
        """Read lines (standard input unless `lines` is given) until their end or `/quit`."""
        reader = self.lines or await self._stdin_reader()
        self._prompt()
        while True:
            raw = await reader.readline()
            if not raw:
                break
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if not self.interactive:
                self._write(f"{self.persona}> {line}")
            if line.strip().lower() in QUIT_WORDS:
                break
            await self.receive(line)
            self._prompt()

    async def receive(self, line: str) -> None:
        """Handle one typed line as the current persona."""
        stripped = line.strip()
        if stripped.lower().startswith("/as ") or stripped.lower() == "/as":
            self._switch(stripped[3:].strip())
            return
        key = persona_key(self.persona)
        text, reply_to = line, None
        if stripped.startswith(REPLY_MARK):
            text, reply_to = stripped[len(REPLY_MARK) :].strip(), self._last.get(key)
        incoming = Incoming(
            platform=self.platform,
            user_id=key,
            chat_id=key,
            text=text,
            display_name=self.persona,
            language=self.language,
            reply_to=reply_to,
            numbers_choose=True,
        )
        await self.answer(incoming)

    async def answer(self, incoming: Incoming) -> None:
        """Hand one message to the conversation, print its answers, then what it queued."""
        if self._answers is None:
            self._answers = PatientAnswers(
                self.handle, self.send, retry_first=self.retry_first, delivered=self.delivered
            )
        await self._answers.answer(incoming)
        if self.after_each is not None:
            await self.after_each()

    async def settle(self) -> None:
        """Wait until the lines kept during a database outage are all handled."""
        if self._answers is not None:
            await self._answers.settle()

    async def close(self) -> None:
        """Stop handing kept lines over again (those still kept are logged as lost)."""
        if self._answers is not None:
            await self._answers.close()

    async def send(self, chat_id: str, message: Outgoing, *, key: str | None = None) -> str:
        """Print a message; one addressed to another persona is headed with their name.

        An edit is printed again, marked ↻, and keeps the reference of the message it edits.
        """
        if chat_id != persona_key(self.persona):
            self._write(f"— {chat_id} —")
        self._write(("↻ " if message.edit_of else "") + message.text)
        self._render_actions(chat_id, message.actions, message.first_number)
        for attachment in message.attachments:
            self._write(f"📎 {attachment.filename}")
        self._write("")
        if message.edit_of:
            return message.edit_of
        self._sent += 1
        ref = f"{chat_id}:{self._sent}"
        self._last[chat_id] = ref
        return ref

    def _render_actions(self, chat_id: str, actions: Sequence[Action], first: int) -> None:
        if actions:
            self._pending[chat_id] = tuple(actions)
        for number, action in enumerate(actions, start=first):
            self._write(f"  [{number}] {action.label}")

    def _switch(self, name: str) -> None:
        if not name:
            self._write(f"/as NAME  ({self.persona})")
            return
        self.persona = " ".join(name.split())
        self._write(f"({self.persona})")
        self._write("")

    def _prompt(self) -> None:
        if self.interactive:
            self.output.write(f"{self.persona}> ")
            self.output.flush()

    def _write(self, text: str) -> None:
        self.output.write(text + "\n")
        self.output.flush()

    @staticmethod
    async def _stdin_reader() -> asyncio.StreamReader:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        mode = os.fstat(sys.stdin.fileno()).st_mode
        if stat.S_ISREG(mode) or (stat.S_ISCHR(mode) and not sys.stdin.isatty()):
            # A regular file or /dev/null (e.g. under systemd) cannot be watched: read it whole.
            reader.feed_data(await asyncio.to_thread(sys.stdin.buffer.read))
            reader.feed_eof()
            return reader
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        return reader
