"""Who may use which command, and where: the one permission table of the bot.

Each row names the lowest role that may use a command (`None`: anyone, even a stranger who
has not been invited) and the kinds of chat where it works. The router asks `decide` before
running any command; help and the platforms' command menus read `allowed` to list only what
a person may use. Reading another member's request is decided by the use-cases (author,
helper, or offered it): a command being allowed does not show what belongs to others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.chat.types import ChatType
from bot.core.types import Role

PRIVATE = frozenset({ChatType.PRIVATE})
ANYWHERE = frozenset(ChatType)


@dataclass(frozen=True, slots=True)
class Rule:
    """The lowest role allowed (None: anyone) and the chats where a command works."""

    role: Role | None
    chats: frozenset[ChatType] = PRIVATE


MEMBER = Rule(Role.MEMBER)
COORDINATOR = Rule(Role.COORDINATOR)

PERMISSIONS: Mapping[str, Rule] = MappingProxyType(
    {
        # joining, help, the privacy notice: before any invitation
        "start": Rule(None),
        "aide": Rule(None, ANYWHERE),
        "confidentialite": Rule(None, ANYWHERE),
        # asking, helping, solving: members, in a private chat (texts are personal)
        "demande": MEMBER,
        "envoyer": MEMBER,
        "annuler": MEMBER,
        "mesdemandes": MEMBER,
        "prendre": MEMBER,
        "decliner": MEMBER,
        "lacher": MEMBER,
        "relancer": MEMBER,
        "msg": MEMBER,
        "joindre": MEMBER,
        "transmettre": MEMBER,
        "resolu": MEMBER,
        "confirmer": MEMBER,
        "pasresolu": MEMBER,
        "rediger": MEMBER,
        "tuto": MEMBER,
        # places of digital mediation: finding one (or sharing a location) is for members;
        # completing their structure's entry, for its coordinators
        "orienter": MEMBER,
        "lieu": COORDINATOR,
        # one's own profile and data
        "competences": MEMBER,
        "profil": MEMBER,
        "nom": MEMBER,
        "structure": MEMBER,
        "langue": MEMBER,
        "mesdonnees": MEMBER,
        "oublier": MEMBER,
        # exchange sessions
        "agenda": MEMBER,
        "rsvp": MEMBER,
        "session": COORDINATOR,
        # coordination
        "assigner": COORDINATOR,
        "invitation": COORDINATOR,
        "membres": COORDINATOR,
        "pourquoi": COORDINATOR,
        "suivi": COORDINATOR,
        "stats": COORDINATOR,
        "rapport": COORDINATOR,
    }
)


SUBCOMMANDS: Mapping[tuple[str, str], Role] = MappingProxyType(
    {
        # the network's own skills: reviewing what members proposed is for coordinators
        ("competences", "proposed"): Role.COORDINATOR,
        ("competences", "validate"): Role.COORDINATOR,
        ("competences", "merge"): Role.COORDINATOR,
    }
)
"""Subcommands that need a higher role than their command (checked by the command itself,
which says why it refuses)."""


def sub_allowed(command: str, sub: str, role: Role | None) -> bool:
    """Whether someone of `role` may use this subcommand of a command they may use."""
    needed = SUBCOMMANDS.get((command, sub))
    return needed is None or (role is not None and role.allows(needed))


class Decision(StrEnum):
    """What the router does with a command, for a person, in a chat."""

    RUN = "run"
    JOIN_FIRST = "join_first"  # a stranger in a private chat: how to join
    SILENT = "silent"  # a stranger in a group: no answer at all
    COORDINATORS_ONLY = "coordinators_only"
    PRIVATE_ONLY = "private_only"


def allowed(command: str, role: Role | None) -> bool:
    """Whether someone of `role` (None: a stranger) may use the command somewhere."""
    rule = PERMISSIONS[command]
    return rule.role is None or (role is not None and role.allows(rule.role))


def decide(command: str, role: Role | None, chat: ChatType) -> Decision:
    """What happens when someone of `role` (None: a stranger) sends the command in `chat`."""
    rule = PERMISSIONS[command]
    if rule.role is not None and role is None:
        return Decision.JOIN_FIRST if chat is ChatType.PRIVATE else Decision.SILENT
    if not allowed(command, role):
        return Decision.COORDINATORS_ONLY
    if chat not in rule.chats:
        return Decision.PRIVATE_ONLY
    return Decision.RUN
