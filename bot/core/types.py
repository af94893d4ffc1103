"""The records and enums the layers above use, re-exported so they never import `storage`."""

from __future__ import annotations

from storage.records import (
    DialogState,
    Identity,
    Invite,
    Member,
    MemberSkill,
    MemberStatus,
    ProposedSkill,
    Role,
    SkillRow,
    SkillSource,
    Structure,
)

__all__ = [
    "DialogState",
    "Identity",
    "Invite",
    "Member",
    "MemberSkill",
    "MemberStatus",
    "ProposedSkill",
    "Role",
    "SkillRow",
    "SkillSource",
    "Structure",
]
