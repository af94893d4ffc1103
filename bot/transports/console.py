"""The terminal: each line typed (or piped) is a message, replies go to standard output.

A person is a named console identity (`--as Amina`); `/as NAME` switches to another one, so
both sides of a flow can be tried in one terminal. Numbered actions are chosen by typing the
number (the bot knows which list is shown). A line starting with `>` replies to the last
message the bot showed this person (`> Merci, je vous appelle demain`), as a reply would on
Telegram or Matrix. Messages to other console personas are shown with their name.

`/fichier PATH [caption]` sends a file of this machine, as a photo or a document would be
sent on a chat network (a path with spaces goes in quotes); files the bot sends are shown as
`[image: name, size]` or `[file: name, size]`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import mimetypes
import os
import stat
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.chat.types import (
    Action,
    Attachment,
    FileKind,
    FileProblem,
    FileUnavailable,
    Incoming,
    IncomingFile,
    Outgoing,
)
from bot.transports.base import RETRY_FIRST, Delivered, Handle, PatientAnswers

log = logging.getLogger(__name__)

PLATFORM = "console"
QUIT_WORDS = frozenset({"/quit", "/exit", "/quitter"})
FILE_COMMANDS = ("/fichier", "/file")
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
    download_limit: int | None = None  # the terminal reads files of any size (up to the bot's)
    delivered: Delivered | None = None
    # The actions last shown to each persona, as numbered on screen (for a look in tests).
    _pending: dict[str, tuple[Action, ...]] = field(default_factory=dict)
    # The reference of the last message shown to each persona (what `>` replies to).
    _last: dict[str, str] = field(default_factory=dict)
    _sent: int = 0
    _answers: PatientAnswers | None = None

    @property
    def connected(self) -> bool:
        """A terminal is always there."""
        return True

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
        text, reply_to, file = line, None, None
        if stripped.startswith(REPLY_MARK):
            text, reply_to = stripped[len(REPLY_MARK) :].strip(), self._last.get(key)
        elif stripped.split(" ", 1)[0].lower() in FILE_COMMANDS:
            path, text = _path_and_caption(stripped.split(" ", 1)[1] if " " in stripped else "")
            if not path:
                self._write("/fichier PATH [caption]")
                return
            file = await _describe(path)
        incoming = Incoming(
            platform=self.platform,
            user_id=key,
            chat_id=key,
            text=text,
            display_name=self.persona,
            language=self.language,
            reply_to=reply_to,
            numbers_choose=True,
            file=file,
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
            try:
                await self.after_each()
            except Exception as error:  # e.g. the database is away: delivered at a later line
                log.warning("could not deliver the queued messages now: %s", error)

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
            self._write(f"📎 {describe_attachment(attachment)}")
        self._write("")
        if message.edit_of:
            return message.edit_of
        self._sent += 1
        ref = f"{chat_id}:{self._sent}"
        self._last[chat_id] = ref
        return ref

    async def fetch_file(self, file: IncomingFile, limit: int) -> bytes:
        """Read a file named with `/fichier` (at most `limit` bytes)."""
        return await asyncio.to_thread(_read, Path(file.ref), limit)

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


def _path_and_caption(rest: str) -> tuple[str, str]:
    """Split `PATH caption…` (or `"PATH with spaces" caption…`) after `/fichier`."""
    rest = rest.strip()
    if rest[:1] in ("'", '"'):
        closing = rest.find(rest[0], 1)
        if closing > 0:
            return rest[1:closing], rest[closing + 1 :].strip()
    path, _, caption = rest.partition(" ")
    return path, caption.strip()


async def _describe(raw_path: str) -> IncomingFile:
    """A file of this machine as a chat network would describe it (name, type, size)."""
    return await asyncio.to_thread(_describe_now, raw_path)


def _describe_now(raw_path: str) -> IncomingFile:
    path = Path(raw_path).expanduser().absolute()
    media_type = mimetypes.guess_type(path.name)[0] or ""
    try:
        size: int | None = path.stat().st_size
    except OSError:
        size = None  # reading it will say it cannot be read
    kind = FileKind.IMAGE if media_type.startswith("image/") else FileKind.FILE
    return IncomingFile(kind, path.name, media_type, size, str(path))


def _read(path: Path, limit: int) -> bytes:
    try:
        with path.open("rb") as file:
            content = file.read(limit + 1)
    except OSError as error:
        raise FileUnavailable(FileProblem.UNREADABLE) from error
    if len(content) > limit:
        raise FileUnavailable(FileProblem.TOO_BIG)
    return content


def describe_attachment(attachment: Attachment) -> str:
    """`[image: capture.png, 12 kB]` or `[file: echange.ics, 1 kB]`."""
    kind = "image" if attachment.is_image else "file"
    return f"[{kind}: {attachment.filename}, {_size(len(attachment.content))}]"


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, math.ceil(size / 1024))} kB"
    return f"{size / (1024 * 1024):.1f} MB"
