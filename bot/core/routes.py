"""Where a member's messages go: the chat recorded with each of their accounts, and what
changes it (a chat that stopped being private with them)."""

from __future__ import annotations

from bot.core.notices import NoticeKind, PrivateChatMoved
from bot.core.outbox import notify
from bot.core.services import Services
from bot.core.types import Identity, MemberStatus

# The notice that opens a member's new private chat (worded by the conversation layer).
NEW_PRIVATE_CHAT = NoticeKind.PRIVATE_CHAT_MOVED


async def move_chat(services: Services, identity: Identity, chat_id: str) -> bool:
    """From now on, reach this account in `chat_id` (false if its chat changed meanwhile)."""
    async with services.uow() as uow:
        moved = await uow.members.move_chat(
            identity.id, old_chat=identity.chat_id, new_chat=chat_id
        )
        await uow.commit()
    return moved


async def chat_shared(
    services: Services, platform: str, user_id: str, chat_id: str, event_id: str
) -> bool:
    """Someone else came into the chat where a member is reached: queue the notice that opens
    their new private chat (the dispatcher finds or opens that chat, and records it).

    False when the account is not a member's, or is reached elsewhere already.
    """
    now = services.clock.now()
    async with services.uow() as uow:
        member = await uow.members.by_identity(platform, user_id)
        if member is None or member.status is MemberStatus.LEFT:
            return False
        identity = next(
            (
                i
                for i in await uow.members.identities(member.id)
                if i.platform == platform and i.platform_user_id == user_id
            ),
            None,
        )
        if identity is None or identity.chat_id != chat_id:
            return False
        await notify(
            uow,
            now,
            member.id,
            PrivateChatMoved(platform, chat_id),
            dedup_key=f"shared:{platform}:{event_id}",
        )
        await uow.commit()
    return True


async def is_member(services: Services, platform: str, user_id: str) -> bool:
    """Whether this account belongs to a member still in the network."""
    async with services.uow() as uow:
        member = await uow.members.by_identity(platform, user_id)
    return member is not None and member.status is not MemberStatus.LEFT
