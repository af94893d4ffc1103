"""What the bot says when something happens to a chat: it joined a person's direct chat, or
someone else came into a member's private chat (no private content is said there)."""

from __future__ import annotations

from bot.chat.context import Context, Reply
from bot.chat.types import RoomEvent
from bot.chat.wording import help_hint, join_explanation
from bot.core import routes


async def on_room_event(ctx: Context, event: RoomEvent) -> Reply:
    """The answer to a room event, in the room where it happened."""
    if event is RoomEvent.JOINED:
        return greet(ctx)
    return await _shared(ctx)


def greet(ctx: Context) -> Reply:
    """Hello in a direct chat the bot just joined: a member is pointed to the help, anyone
    else is told how to join (`!start CODE`)."""
    if ctx.member is None:
        explanation = join_explanation(ctx)
        hello = ctx._("Hello, I am the bot of the Samu numérique network.")
        return [ctx.reply(hello, explanation.text)]
    return [
        ctx.reply(
            ctx._("Hello {name}, I am here.").format(name=ctx.member.display_name),
            help_hint(ctx),
        )
    ]


async def _shared(ctx: Context) -> Reply:
    """A member's private chat now has someone else in it: their messages go elsewhere."""
    incoming = ctx.incoming
    services = ctx.services
    moved = await routes.chat_shared(
        services,
        incoming.platform,
        incoming.user_id,
        incoming.chat_id,
        incoming.event_id or "",
    )
    if not moved:
        return []
    return [
        ctx.reply(
            ctx._("Someone else is now in this conversation."),
            ctx._("So that your messages stay private, I no longer send them here."),
            ctx._("I write to you in another private conversation."),
        )
    ]
