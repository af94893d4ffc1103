"""The command someone most likely meant when they mistyped one ("/demnde" → "/demande").

Only commands the person may run in this chat are suggested (a member is never pointed to a
coordinators' command), in either language; a guess must be close (difflib's ratio), else
there is none and the person is pointed to the help.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from bot.chat.context import Command
from bot.chat.permissions import Decision, decide
from bot.chat.types import ChatType
from bot.core.types import Role

CLOSE_ENOUGH = 0.75
"""The least similarity (0 to 1) for a guess: "demnde"/"demande" is 0.92, "aide"/"agenda" 0.6."""

MAX_PAYLOAD_BYTES = 64
"""A button carries at most this (Telegram's callback data): longer, it runs the bare command."""


def closest_command(
    typed: str, commands: Sequence[Command], role: Role | None, chat_type: ChatType
) -> tuple[Command, str] | None:
    """The command (and the name, in the language it was typed in) closest to `typed`."""
    best: tuple[float, Command, str] | None = None
    for command in commands:
        if not command.in_help or decide(command.name, role, chat_type) is not Decision.RUN:
            continue
        for name in (command.name, command.name_en):
            ratio = SequenceMatcher(None, typed, name).ratio()
            if ratio >= CLOSE_ENOUGH and (best is None or ratio > best[0]):
                best = (ratio, command, name)
    return (best[1], best[2]) if best is not None else None


def retyped(command_name: str, args: str) -> str:
    """The payload of the suggestion's button: the same arguments when they fit."""
    whole = f"/{command_name} {args}".rstrip()
    return whole if len(whole.encode("utf-8")) <= MAX_PAYLOAD_BYTES else f"/{command_name}"
