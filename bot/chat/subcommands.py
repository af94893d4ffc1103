"""Subcommands: the first word of a command's text picks what runs (`/tuto merci 3`,
`/competences retirer ameli`, `/invitation liste`), declared as one table per command.

Each subcommand is named by its words in both languages, compared folded (accents and case
do not matter); the text after that word is what its handler receives. When the first word
names no subcommand, the command's own default gets the whole text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.chat.context import Context, Handler, Reply
from skills import fold


@dataclass(frozen=True, slots=True)
class Sub:
    """One subcommand: the words that name it (French first) and its handler."""

    words: tuple[str, ...]
    handler: Handler


class Subcommands:
    """The subcommands of one command, and what runs when none is named."""

    def __init__(self, *subs: Sub, otherwise: Handler) -> None:
        by_word: dict[str, Handler] = {}
        for sub in subs:
            for word in sub.words:
                key = fold(word)
                if key in by_word:
                    raise ValueError(f"two subcommands are named {word!r}")
                by_word[key] = sub.handler
        self._by_word: Mapping[str, Handler] = by_word
        self._otherwise = otherwise

    def named(self, word: str) -> Handler | None:
        """The handler the word names, if it names one."""
        return self._by_word.get(fold(word))

    async def run(self, ctx: Context, args: str) -> Reply:
        """Run the subcommand the first word names with the rest of the text, or the default
        with the whole text."""
        head, _, rest = args.strip().partition(" ")
        handler = self.named(head) if head else None
        if handler is None:
            return await self._otherwise(ctx, args.strip())
        return await handler(ctx, rest.strip())
