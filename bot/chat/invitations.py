"""How a newcomer finds the bot: the invitation code, and on Matrix the bot's address.

Matrix clients take a leading `/` for their own commands, so commands there begin with `!`.
"""

from __future__ import annotations

from urllib.parse import quote

from bot.chat.i18n import Translator

MATRIX_PREFIX = "!"


def matrix_link(user_id: str) -> str:
    """The matrix.to link that opens a chat with an account in any Matrix client."""
    return f"https://matrix.to/#/{quote(user_id, safe='@:')}"


def matrix_line(t: Translator, code: str, bot_user_id: str) -> str:
    """Where and what to write on Matrix to join with `code`."""
    return t._("On Matrix: open a chat with {user} ({link}) and write: {command}").format(
        user=bot_user_id,
        link=matrix_link(bot_user_id),
        command=f"{MATRIX_PREFIX}start {code}",
    )
