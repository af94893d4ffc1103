"""What every notice's wording module declares: the wording of each of its kinds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.chat.context import Context
from bot.chat.types import Outgoing
from bot.core.notices import Notice, NoticeError
from bot.core.types import HelpRequest

P = TypeVar("P", bound=Notice)


@dataclass(frozen=True, slots=True)
class Wording(Generic[P]):
    """How the notices of a kind are worded: for their payload type, by `word`."""

    payload: type[P]
    word: Callable[[Context, P, HelpRequest | None], Awaitable[Outgoing | None]]

    async def __call__(
        self, ctx: Context, notice: Notice, request: HelpRequest | None
    ) -> Outgoing | None:
        """Word `notice` (NoticeError if it is not of this kind's payload type)."""
        if not isinstance(notice, self.payload):
            raise NoticeError(f"{notice.kind} notice: a {type(notice).__name__} is not worded")
        return await self.word(ctx, notice, request)
