"""What a command handler gets: who is speaking, in which chat, and the means to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from bot.chat.i18n import Translator, translator
from bot.chat.types import Action, ChatType, Incoming, Outgoing
from bot.core.services import Services
from bot.core.types import Choice, Member


class UsageError(Exception):
    """The arguments do not fit the command: the router answers with its usage line."""


class NoSuchNumber(Exception):
    """A number too large to name anything (beyond what the database can store)."""

    def __init__(self, number: int) -> None:
        super().__init__(str(number))
        self.number = number


@dataclass(frozen=True, slots=True)
class Context:
    """One incoming message being handled.

    `files`: the files that came with it, kept and waiting for a place (a command that takes
    files, like `/demande` or `/msg`, gives them one).
    """

    incoming: Incoming
    member: Member | None
    services: Services
    t: Translator
    names: Callable[[str, str], str]
    commands: tuple[Command, ...] = ()
    files: tuple[int, ...] = ()
    choice: Choice | None = None
    """The shown list whose action this message is (a button, a reaction, a number)."""

    def _(self, message: str) -> str:
        """Translate a message into the person's language."""
        return self.t._(message)

    def ngettext(self, singular: str, plural: str, n: int, *, zero: str | None = None) -> str:
        """Translate a message that depends on a count (`zero`: what to say for none)."""
        return self.t.ngettext(singular, plural, n, zero=zero)

    def as_member(self, member: Member) -> Context:
        """The same message, now spoken by `member` (right after they joined)."""
        return replace(self, member=member, t=translator(member.locale))

    @property
    def me(self) -> Member:
        """The member speaking (handlers that require a role are never called for strangers)."""
        assert self.member is not None, "handler requires a member"
        return self.member

    @property
    def private(self) -> bool:
        """Whether the conversation is a private chat with the bot."""
        return self.incoming.chat_type is ChatType.PRIVATE

    def cmd(self, name: str, args: str = "") -> str:
        """How the person types a command, in their language and with their platform's prefix."""
        typed = self.incoming.command_prefix + self.names(name, self.t.locale)
        return f"{typed} {args}".rstrip()

    def reply(
        self, *lines: str, actions: Sequence[Action] = (), about: int | None = None
    ) -> Outgoing:
        """An answer in the same chat: one idea per line (`about`: the request it is about)."""
        return Outgoing(
            text="\n".join(line for line in lines if line), actions=tuple(actions), about=about
        )


Reply = list[Outgoing]
Handler = Callable[[Context, str], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Command:
    """A command declared once: names, help and usage (who may use it where: `permissions`).

    `name` is the French name (used in action payloads), `name_en` the English one; both
    always work, and help shows the one of the person's language.
    """

    name: str
    name_en: str
    handler: Handler
    summary: str
    usage: str
    in_help: bool = True
    example: str = ""
    """Arguments that work, shown under the usage line (a message id when they are words
    of a language, `N_`); a usage starting with `N` gets `12 …` without one."""
