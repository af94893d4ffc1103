"""Questions the bot asks and whose free-text answer completes a command.

The state is persisted: if the bot restarts between the question and the answer, the answer
still completes the command.
"""

from __future__ import annotations

from bot.chat.context import Context
from bot.core import dialogs

AWAIT_TEXT = "await_text"


async def await_answer(ctx: Context, command: str, args_prefix: str = "") -> None:
    """Make the member's next free-text message the rest of `/command args_prefix …`."""
    await dialogs.open_dialog(
        ctx.services,
        ctx.me.id,
        AWAIT_TEXT,
        step=command,
        data={"args": args_prefix},
    )
