"""The records and enums the layers above use, re-exported so they never import `storage`."""

from __future__ import annotations

from storage.records import (
    DialogState,
    HelpRequest,
    Identity,
    Invite,
    Member,
    MemberSkill,
    MemberStatus,
    Offer,
    OfferState,
    OutboxMessage,
    ProposedSkill,
    RelayMessage,
    RequestStatus,
    Role,
    SkillRow,
    SkillSource,
    Structure,
    TutorialSummary,
    Urgency,
)

__all__ = [
    "DialogState",
    "HelpRequest",
    "Identity",
    "Invite",
    "Member",
    "MemberSkill",
    "MemberStatus",
    "Offer",
    "OfferState",
    "OutboxMessage",
    "ProposedSkill",
    "RelayMessage",
    "RequestStatus",
    "Role",
    "SkillRow",
    "SkillSource",
    "Structure",
    "TutorialSummary",
    "Urgency",
]
