"""Files people send: fetched from their platform, kept, then placed where their sender says.

```
file ─▶ stranger, or a group ─────────▶ handled as its caption alone (join, silence…)
     ─▶ voice note, sticker, location ─▶ a defined answer; nothing fetched nor kept
     ─▶ too big (declared or fetched),
        unreadable, undecryptable ─────▶ says why and what to do; nothing kept
     ─▶ kept, waiting ─▶ its caption or its context gives it a place: `/demande …` (a new
                          request), `/msg N …`, a reply to a request's thread, the `/msg N`
                          prompt, a sentence that becomes a draft
                      ─▶ still waiting once handled: "what shall I do with it?" [buttons]
```
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.chat.context import Context, Reply
from bot.chat.dialogs import AWAIT_TEXT
from bot.chat.file_views import choices, kept_for_request, problem, refusal
from bot.chat.types import FileKind, FileProblem, FileSource, FileUnavailable, IncomingFile
from bot.chat.wording import join_explanation
from bot.core import attachments, dialogs, requests
from bot.core.attachments import FileTooBig, NewFile
from bot.core.types import RequestStatus

log = logging.getLogger(__name__)

# What a file's sender can pass on (the rest gets `refusal`).
KEPT_KINDS = frozenset({FileKind.IMAGE, FileKind.FILE})
THREAD_STATES = (RequestStatus.CLAIMED, RequestStatus.RESOLVED)


@dataclass(frozen=True, slots=True)
class Received:
    """What became of a file: an `answer` that ends the handling of its message, or the
    `files` kept (empty: go on with the caption alone)."""

    answer: Reply | None = None
    files: tuple[int, ...] = ()


@dataclass
class FileDesk:
    """Receives files for the router, from the transports that can fetch them."""

    sources: dict[str, FileSource] = field(default_factory=dict)

    def accept_from(self, source: FileSource) -> None:
        """Fetch the files of `source.platform` through this transport."""
        self.sources[source.platform] = source

    async def receive(self, ctx: Context, file: IncomingFile, text: str) -> Received:
        """Fetch and keep a file a member sent in a private chat; answer what cannot be."""
        if ctx.member is None or not ctx.private:
            if text.startswith(("/", ctx.incoming.command_prefix)):
                return Received()  # the caption is a command: it gets its usual answer
            return Received(answer=[join_explanation(ctx)] if ctx.private else [])
        if file.kind not in KEPT_KINDS:
            return Received(answer=[refusal(ctx, file.kind)])
        limit = self._limit(ctx)
        if file.size is not None and file.size > limit:
            return Received(answer=[problem(ctx, FileProblem.TOO_BIG, limit)])
        source = self.sources.get(ctx.incoming.platform)
        try:
            if source is None:
                raise FileUnavailable(FileProblem.UNREADABLE)
            content = await source.fetch_file(file, limit)
            kept = await attachments.keep(
                ctx.services,
                ctx.me,
                NewFile(file.filename, file.media_type, content),
            )
        except FileUnavailable as unavailable:
            log.info("file from %s not taken: %s", ctx.incoming.platform, unavailable.problem)
            return Received(answer=[problem(ctx, unavailable.problem, limit)])
        except FileTooBig:
            return Received(answer=[problem(ctx, FileProblem.TOO_BIG, limit)])
        return Received(files=(kept.id,))

    def _limit(self, ctx: Context) -> int:
        """The largest file taken from this person's platform."""
        limit = ctx.services.files.max_bytes
        source = self.sources.get(ctx.incoming.platform)
        if source is not None and source.download_limit is not None:
            limit = min(limit, source.download_limit)
        return limit

    async def left_over(self, ctx: Context) -> Reply:
        """Once a message is handled: its files still waiting get the question of where they
        go (or, while the bot waits for a new request's description, a word that they will
        go with it)."""
        if not ctx.files or ctx.member is None:
            return []
        services = ctx.services
        waiting = await attachments.waiting(services, ctx.me, ctx.files)
        if not waiting:
            return []
        dialog = await dialogs.current(services, ctx.me.id)
        if (
            dialog is not None
            and dialog.kind == AWAIT_TEXT
            and dialog.step == "demande"
            and not dialog.data.get("args")
        ):
            return [kept_for_request(ctx, waiting)]
        threads = [
            request
            for request in await requests.mine(services, ctx.me)
            if request.status in THREAD_STATES
        ]
        return [choices(ctx, waiting, threads)]
