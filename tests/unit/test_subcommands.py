"""One way to declare subcommands: the first word picks, folded; otherwise the default."""

from __future__ import annotations

from typing import cast

import pytest

from bot.chat.context import Context, Handler, Reply
from bot.chat.subcommands import Sub, Subcommands
from bot.chat.types import Outgoing


def _echo(name: str) -> Handler:
    async def handler(ctx: Context, text: str) -> Reply:
        return [Outgoing(text=f"{name}:{text}")]

    return handler


TABLE = Subcommands(
    Sub(("liste", "list"), _echo("list")),
    Sub(("révoquer", "revoke"), _echo("revoke")),
    otherwise=_echo("default"),
)
CTX = cast(Context, object())


@pytest.mark.parametrize(
    ("typed", "ran"),
    [
        ("liste", "list:"),
        ("LIST", "list:"),
        ("revoquer ABC-123", "revoke:ABC-123"),  # without the accent
        ("Révoquer   ABC-123  ", "revoke:ABC-123"),
        ("", "default:"),
        ("  coordinateur 3 ", "default:coordinateur 3"),
        ("listes", "default:listes"),  # a word that only starts like one is not it
    ],
)
async def test_the_first_word_picks_the_subcommand_the_default_gets_the_whole_text(
    typed: str, ran: str
) -> None:
    (answer,) = await TABLE.run(CTX, typed)
    assert answer.text == ran


def test_two_subcommands_may_not_share_a_word() -> None:
    with pytest.raises(ValueError, match="Revoke"):
        Subcommands(
            Sub(("revoquer", "revoke"), _echo("a")),
            Sub(("Revoke",), _echo("b")),
            otherwise=_echo("default"),
        )
