"""Members' data rights and retention: everything about one member, erasure, expiry.

Three jobs, all SQL: collect every row about a member (the export), erase a member (delete
what identifies them, blank the texts they wrote or received, keep anonymous counts), and
blank the texts of requests closed long ago. The rules of *what* to erase live in the use-case
(`bot/core/privacy.py`); this module only knows where the data is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.records import RequestStatus, SkillSource, TutorialStatus
from storage.models import (
    AttachmentModel,
    DialogStateModel,
    HelpRequestModel,
    IdentityModel,
    JoinAttemptModel,
    MemberModel,
    MemberSkillModel,
    OfferModel,
    OutboxModel,
    RelayMessageModel,
    RsvpModel,
    SkillModel,
    TutorialFeedbackModel,
    TutorialModel,
    TutorialRevisionModel,
)
from storage.repositories.personal_data import (
    PersonalData,
    held_ids,
    their_file_ids,
    their_messages,
)
from storage.search import forget_index

_FINISHED = (RequestStatus.CLOSED.value, RequestStatus.CANCELLED.value)
_UNPUBLISHED = (TutorialStatus.DRAFT.value, TutorialStatus.REVIEW.value)
# Parameters of a notice that hold a member's display name, as it was when it was queued.
_NAME_KEYS = frozenset({"sender", "helper"})


@dataclass(frozen=True, slots=True)
class ErasedCounts:
    """What erasing a member changed (for the log and the coordinator's CLI)."""

    requests: int
    messages: int
    notices: int
    drafts: int
    files: int = 0


class PrivacyRepository:
    """Collect, erase and expire personal data."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def personal_data(self, member_id: int) -> dict[str, Any] | None:
        """Every row about the member, as plain values (None if there is no such member)."""
        return await PersonalData(self._session).collect(member_id)

    async def unfinished_requests(self, member_id: int) -> tuple[list[int], list[int]]:
        """Requests the member asked that are not closed or cancelled, and those they hold."""
        asked = await self._session.scalars(
            select(HelpRequestModel.id)
            .where(
                HelpRequestModel.author_id == member_id,
                HelpRequestModel.status.not_in(_FINISHED),
            )
            .order_by(HelpRequestModel.id)
        )
        held = await self._session.scalars(
            select(HelpRequestModel.id)
            .where(
                HelpRequestModel.helper_id == member_id,
                HelpRequestModel.status == RequestStatus.CLAIMED.value,
            )
            .order_by(HelpRequestModel.id)
        )
        return list(asked), list(held)

    # --- erasure -------------------------------------------------------------------------

    async def erase_member(self, member_id: int) -> ErasedCounts | None:
        """Erase a member: their rows go, their texts are blanked, anonymous counts stay.

        Request and message rows are kept with their text set to NULL (the statistics and
        the other side's thread keep their shape); the foreign keys set `author_id`,
        `helper_id`, `sender_id` and the tutorials' credits to NULL when the member row goes.
        """
        name = await self._session.scalar(
            select(MemberModel.display_name).where(MemberModel.id == member_id)
        )
        if name is None:
            return None
        message_ids = list(
            await self._session.scalars(
                select(RelayMessageModel.id)
                .join(HelpRequestModel, HelpRequestModel.id == RelayMessageModel.request_id)
                .where(their_messages(member_id))
            )
        )
        messages = await self._blank(
            update(RelayMessageModel).where(
                RelayMessageModel.id.in_(message_ids), RelayMessageModel.text.is_not(None)
            )
        )
        requests = await self._blank(
            update(HelpRequestModel).where(
                HelpRequestModel.author_id == member_id, HelpRequestModel.text.is_not(None)
            )
        )
        files = await self._count(
            delete(AttachmentModel).where(AttachmentModel.id.in_(their_file_ids(member_id)))
        )
        involved = set(
            await self._session.scalars(
                select(HelpRequestModel.id).where(HelpRequestModel.author_id == member_id)
            )
        )
        involved.update(await self._session.scalars(held_ids(member_id)))
        notices = await self._scrub_outbox(member_id, name, set(message_ids), involved)
        drafts = await self._unpublished_about(member_id)
        for tutorial_id in drafts:
            await forget_index(self._session, tutorial_id)
        await self._session.execute(delete(TutorialModel).where(TutorialModel.id.in_(drafts)))
        await self._forget_join_attempts(member_id)
        for model, column in (
            (TutorialRevisionModel, TutorialRevisionModel.author_id),
            (OutboxModel, OutboxModel.recipient_id),
            (OfferModel, OfferModel.helper_id),
            (RsvpModel, RsvpModel.member_id),
            (TutorialFeedbackModel, TutorialFeedbackModel.member_id),
            (DialogStateModel, DialogStateModel.member_id),
            (MemberSkillModel, MemberSkillModel.member_id),
            (IdentityModel, IdentityModel.member_id),
        ):
            await self._session.execute(delete(model).where(column == member_id))
        await self._drop_own_proposed_skills(member_id)
        await self._session.execute(delete(MemberModel).where(MemberModel.id == member_id))
        return ErasedCounts(requests, messages, notices, len(drafts), files)

    async def _forget_join_attempts(self, member_id: int) -> None:
        """The tries of invitation codes counted for the member's chat accounts."""
        accounts = (
            await self._session.execute(
                select(IdentityModel.platform, IdentityModel.platform_user_id).where(
                    IdentityModel.member_id == member_id
                )
            )
        ).all()
        for platform, user_id in accounts:
            await self._session.execute(
                delete(JoinAttemptModel).where(
                    JoinAttemptModel.platform == platform, JoinAttemptModel.user_id == user_id
                )
            )

    async def _unpublished_about(self, member_id: int) -> list[int]:
        """Tutorials not public yet (drafts, awaiting review) that the member wrote, or that
        someone is writing from the member's request (they may quote it)."""
        rows = await self._session.scalars(
            select(TutorialModel.id).where(
                TutorialModel.status.in_(_UNPUBLISHED),
                or_(
                    TutorialModel.author_id == member_id,
                    TutorialModel.request_id.in_(
                        select(HelpRequestModel.id).where(HelpRequestModel.author_id == member_id)
                    ),
                ),
            )
        )
        return list(rows)

    async def _drop_own_proposed_skills(self, member_id: int) -> None:
        """Skills the member typed that the taxonomy did not know, unless others hold them
        too (then they are the network's: they stay, proposed by nobody); so do those a
        coordinator replaced (nobody holds them). Validated ones are the network's: they stay."""
        held_by_others = select(MemberSkillModel.skill_id).where(
            MemberSkillModel.member_id != member_id
        )
        await self._session.execute(
            delete(SkillModel).where(
                SkillModel.proposed_by == member_id,
                SkillModel.source.in_([SkillSource.PROPOSED.value, SkillSource.REPLACED.value]),
                SkillModel.id.not_in(held_by_others),
            )
        )

    async def _blank(self, statement: Any) -> int:
        return await self._count(statement.values(text=None))

    async def _count(self, statement: Any) -> int:
        """Run an UPDATE or DELETE; how many rows it changed."""
        result = await self._session.execute(statement)
        assert isinstance(result, CursorResult)
        return result.rowcount

    async def _scrub_outbox(
        self, member_id: int, name: str, message_ids: set[int], involved: set[int]
    ) -> int:
        """Other people's notices: drop undelivered ones about erased messages or about the
        member, and remove the member's name and id from the parameters of the others.

        A name stored in a notice may be one the member has since changed: about a request
        the member asked or held, every name a notice carries (`sender`, `helper`) goes.
        """
        rows = await self._session.execute(
            select(OutboxModel.id, OutboxModel.params, OutboxModel.sent_at, OutboxModel.failed_at)
            .where(or_(OutboxModel.recipient_id.is_(None), OutboxModel.recipient_id != member_id))
            .order_by(OutboxModel.id)
        )
        changed = 0
        for row_id, params, sent_at, failed_at in rows:
            mentions = {
                key
                for key, value in params.items()
                if value == name
                or (key == "member_id" and value == member_id)
                or (key in _NAME_KEYS and params.get("request_id") in involved)
            }
            about_erased = params.get("relay_id") in message_ids
            if not mentions and not about_erased:
                continue
            changed += 1
            if sent_at is None and failed_at is None:
                await self._session.execute(delete(OutboxModel).where(OutboxModel.id == row_id))
                continue
            kept = {key: value for key, value in params.items() if key not in mentions}
            await self._session.execute(
                update(OutboxModel).where(OutboxModel.id == row_id).values(params=kept)
            )
        return changed

    # --- retention -----------------------------------------------------------------------

    async def erase_texts_finished_before(
        self, cutoff: datetime, statuses: Collection[RequestStatus] | None = None
    ) -> tuple[int, int, int]:
        """Blank the texts of requests closed or cancelled before `cutoff`, and of their
        threads, and delete their files; the request and message rows stay. Returns
        (requests, messages, files) actually erased.
        """
        wanted: Iterable[str] = (
            [status.value for status in statuses] if statuses is not None else _FINISHED
        )
        expired = select(HelpRequestModel.id).where(
            HelpRequestModel.status.in_(list(wanted)),
            func.coalesce(HelpRequestModel.closed_at, HelpRequestModel.updated_at) <= cutoff,
        )
        messages = await self._blank(
            update(RelayMessageModel).where(
                RelayMessageModel.request_id.in_(expired), RelayMessageModel.text.is_not(None)
            )
        )
        requests = await self._blank(
            update(HelpRequestModel).where(
                HelpRequestModel.id.in_(expired), HelpRequestModel.text.is_not(None)
            )
        )
        files = await self._count(
            delete(AttachmentModel).where(AttachmentModel.request_id.in_(expired))
        )
        return requests, messages, files

    async def delete_messages_sent_before(self, cutoff: datetime) -> int:
        """Drop outbox rows delivered (or given up) before `cutoff`: their parameters may
        name people (e.g. who sent a relayed message). Returns how many were dropped.
        """
        result = await self._session.execute(
            delete(OutboxModel).where(
                or_(OutboxModel.sent_at <= cutoff, OutboxModel.failed_at <= cutoff)
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
