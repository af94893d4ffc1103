"""The export of a member's data: every row about them, as plain values.

Used by `PrivacyRepository.personal_data`; `held_ids` and `their_messages` also tell the
erasure which requests and messages were the member's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from domain.records import OfferState
from storage.models import (
    AttachmentModel,
    DialogStateModel,
    ExchangeSessionModel,
    HelpRequestModel,
    IdentityModel,
    InviteModel,
    MemberModel,
    MemberSkillModel,
    OfferModel,
    OutboxModel,
    RelayMessageModel,
    RequestSkillModel,
    RsvpModel,
    SkillModel,
    StructureModel,
    TutorialFeedbackModel,
    TutorialModel,
)

# An offer in one of these states means the member held the request at some point.
HELD = (OfferState.ACCEPTED.value, OfferState.RELEASED.value)


def held_ids(member_id: int) -> Any:
    """Requests the member holds, or held before giving them back (a subquery)."""
    return union(
        select(HelpRequestModel.id).where(HelpRequestModel.helper_id == member_id),
        select(OfferModel.request_id).where(
            OfferModel.helper_id == member_id, OfferModel.state.in_(HELD)
        ),
    )


def their_messages(member_id: int) -> ColumnElement[bool]:
    """Relay messages the member sent or received (join with the request to use it).

    Received: every message of a request they asked (they are one side of it), and the
    author's messages in a request they held.
    """
    return or_(
        RelayMessageModel.sender_id == member_id,
        HelpRequestModel.author_id == member_id,
        and_(
            RelayMessageModel.request_id.in_(held_ids(member_id)),
            RelayMessageModel.sender_id == HelpRequestModel.author_id,
        ),
    )


def their_files(member_id: int) -> ColumnElement[bool]:
    """Files the member sent, or received (join with the request to use it): those sent with
    a request they asked or in its thread, and the author's files in a request they held.
    """
    return or_(
        AttachmentModel.sender_id == member_id,
        HelpRequestModel.author_id == member_id,
        and_(
            AttachmentModel.relay_id.is_not(None),
            AttachmentModel.request_id.in_(held_ids(member_id)),
            AttachmentModel.sender_id == HelpRequestModel.author_id,
        ),
    )


def their_file_ids(member_id: int) -> Any:
    """The ids of `their_files` (a subquery)."""
    return (
        select(AttachmentModel.id)
        .outerjoin(HelpRequestModel, HelpRequestModel.id == AttachmentModel.request_id)
        .where(their_files(member_id))
    )


class PersonalData:
    """The queries of the export."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _dicts(self, query: Executable) -> list[dict[str, Any]]:
        return [dict(row._mapping) for row in await self._session.execute(query)]

    async def _first(self, query: Executable) -> dict[str, Any] | None:
        rows = await self._dicts(query)
        return rows[0] if rows else None

    async def collect(self, member_id: int) -> dict[str, Any] | None:
        """Every row about the member, as plain values (None if there is no such member)."""
        profile = await self._first(
            select(
                MemberModel.id,
                MemberModel.display_name,
                MemberModel.role,
                MemberModel.locale,
                MemberModel.status,
                StructureModel.name.label("structure"),
                MemberModel.created_at,
                MemberModel.updated_at,
            )
            .outerjoin(StructureModel, StructureModel.id == MemberModel.structure_id)
            .where(MemberModel.id == member_id)
        )
        if profile is None:
            return None
        return {
            "profile": profile,
            "identities": await self._identities(member_id),
            "skills": await self._skills(member_id),
            "skills_proposed": await self._dicts(
                select(SkillModel.slug, SkillModel.label_fr, SkillModel.label_en)
                .where(SkillModel.proposed_by == member_id)
                .order_by(SkillModel.slug)
            ),
            "requests_asked": await self._with_shown_to(
                await self._requests(HelpRequestModel.author_id == member_id, with_text=True)
            ),
            "requests_helped": await self._requests(
                HelpRequestModel.id.in_(held_ids(member_id)), with_text=False
            ),
            "messages": await self._messages(member_id),
            "files": await self._files(member_id),
            "offers": await self._dicts(
                select(
                    OfferModel.request_id,
                    OfferModel.round,
                    OfferModel.state,
                    OfferModel.offered_at,
                    OfferModel.answered_at,
                )
                .where(OfferModel.helper_id == member_id)
                .order_by(OfferModel.id)
            ),
            "tutorials": await self._tutorials(member_id),
            "tutorial_feedback": await self._dicts(
                select(
                    TutorialFeedbackModel.tutorial_id,
                    TutorialFeedbackModel.kind,
                    TutorialFeedbackModel.created_at,
                )
                .where(TutorialFeedbackModel.member_id == member_id)
                .order_by(TutorialFeedbackModel.tutorial_id, TutorialFeedbackModel.kind)
            ),
            "rsvps": await self._dicts(
                select(
                    RsvpModel.session_id,
                    ExchangeSessionModel.starts_at,
                    ExchangeSessionModel.place,
                    RsvpModel.answer,
                    RsvpModel.updated_at,
                )
                .join(ExchangeSessionModel, ExchangeSessionModel.id == RsvpModel.session_id)
                .where(RsvpModel.member_id == member_id)
                .order_by(RsvpModel.session_id)
            ),
            "dialog": await self._first(
                select(
                    DialogStateModel.kind,
                    DialogStateModel.step,
                    DialogStateModel.data,
                    DialogStateModel.updated_at,
                ).where(DialogStateModel.member_id == member_id)
            ),
            "invites_created": await self._dicts(
                select(
                    InviteModel.id,
                    InviteModel.role,
                    InviteModel.max_uses,
                    InviteModel.uses,
                    InviteModel.created_at,
                    InviteModel.expires_at,
                    InviteModel.revoked_at,
                )
                .where(InviteModel.created_by == member_id)
                .order_by(InviteModel.id)
            ),
            "notifications": await self._dicts(
                select(
                    OutboxModel.id,
                    OutboxModel.kind,
                    OutboxModel.params,
                    OutboxModel.created_at,
                    OutboxModel.sent_at,
                    OutboxModel.failed_at,
                    OutboxModel.platform,
                )
                .where(OutboxModel.recipient_id == member_id)
                .order_by(OutboxModel.id)
            ),
        }

    async def _identities(self, member_id: int) -> list[dict[str, Any]]:
        return await self._dicts(
            select(
                IdentityModel.platform,
                IdentityModel.platform_user_id,
                IdentityModel.chat_id,
                IdentityModel.preferred,
                IdentityModel.created_at,
            )
            .where(IdentityModel.member_id == member_id)
            .order_by(IdentityModel.id)
        )

    async def _skills(self, member_id: int) -> list[dict[str, Any]]:
        return await self._dicts(
            select(
                SkillModel.slug,
                SkillModel.label_fr,
                SkillModel.label_en,
                MemberSkillModel.level,
                MemberSkillModel.created_at,
                MemberSkillModel.updated_at,
            )
            .join(SkillModel, SkillModel.id == MemberSkillModel.skill_id)
            .where(MemberSkillModel.member_id == member_id)
            .order_by(SkillModel.slug)
        )

    async def _requests(
        self, condition: ColumnElement[bool], *, with_text: bool
    ) -> list[dict[str, Any]]:
        columns = [
            HelpRequestModel.id,
            HelpRequestModel.urgency,
            HelpRequestModel.status,
            HelpRequestModel.created_at,
            HelpRequestModel.claimed_at,
            HelpRequestModel.resolved_at,
            HelpRequestModel.closed_at,
            HelpRequestModel.thanked,
        ]
        if with_text:
            columns.append(HelpRequestModel.text)
        rows = await self._dicts(select(*columns).where(condition).order_by(HelpRequestModel.id))
        slugs = await self._session.execute(
            select(RequestSkillModel.request_id, SkillModel.slug)
            .join(SkillModel, SkillModel.id == RequestSkillModel.skill_id)
            .where(RequestSkillModel.request_id.in_([row["id"] for row in rows]))
            .order_by(SkillModel.slug)
        )
        skills: dict[int, list[str]] = {}
        for request_id, slug in slugs:
            skills.setdefault(request_id, []).append(slug)
        return [{**row, "skills": skills.get(row["id"], [])} for row in rows]

    async def _with_shown_to(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each request with the members it was shown to (offered), and what they answered."""
        rows = await self._session.execute(
            select(
                OfferModel.request_id,
                MemberModel.display_name,
                OfferModel.state,
                OfferModel.offered_at,
            )
            .join(MemberModel, MemberModel.id == OfferModel.helper_id)
            .where(OfferModel.request_id.in_([row["id"] for row in requests]))
            .order_by(OfferModel.offered_at, OfferModel.id)
        )
        shown: dict[int, list[dict[str, Any]]] = {}
        for request_id, name, state, offered_at in rows:
            shown.setdefault(request_id, []).append(
                {"name": name, "state": state, "offered_at": offered_at}
            )
        return [{**row, "shown_to": shown.get(row["id"], [])} for row in requests]

    async def _messages(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self._session.execute(
            select(
                RelayMessageModel.id,
                RelayMessageModel.request_id,
                RelayMessageModel.sender_id,
                RelayMessageModel.text,
                RelayMessageModel.created_at,
            )
            .join(HelpRequestModel, HelpRequestModel.id == RelayMessageModel.request_id)
            .where(their_messages(member_id))
            .order_by(RelayMessageModel.id)
        )
        return [
            {
                "id": row.id,
                "request_id": row.request_id,
                "direction": "sent" if row.sender_id == member_id else "received",
                "text": row.text,
                "created_at": row.created_at,
            }
            for row in rows
        ]

    async def _files(self, member_id: int) -> list[dict[str, Any]]:
        """The files they sent or received: what they are, never their bytes."""
        rows = await self._session.execute(
            select(
                AttachmentModel.id,
                AttachmentModel.request_id,
                AttachmentModel.relay_id,
                AttachmentModel.sender_id,
                AttachmentModel.filename,
                AttachmentModel.media_type,
                AttachmentModel.size,
                AttachmentModel.created_at,
            )
            .where(AttachmentModel.id.in_(their_file_ids(member_id)))
            .order_by(AttachmentModel.id)
        )
        return [
            {
                "id": row.id,
                "request_id": row.request_id,
                "message_id": row.relay_id,
                "direction": "sent" if row.sender_id == member_id else "received",
                "filename": row.filename,
                "media_type": row.media_type,
                "size": row.size,
                "created_at": row.created_at,
            }
            for row in rows
        ]

    async def _tutorials(self, member_id: int) -> list[dict[str, Any]]:
        rows = await self._dicts(
            select(
                TutorialModel.id,
                TutorialModel.request_id,
                TutorialModel.author_id,
                TutorialModel.title,
                TutorialModel.problem,
                TutorialModel.solution,
                TutorialModel.status,
                TutorialModel.language,
                TutorialModel.licence,
                TutorialModel.created_at,
                TutorialModel.updated_at,
                TutorialModel.published_at,
            )
            .where(or_(TutorialModel.author_id == member_id, TutorialModel.asker_id == member_id))
            .order_by(TutorialModel.id)
        )
        for row in rows:
            row["credited_as"] = "author" if row.pop("author_id") == member_id else "asker"
        return rows
