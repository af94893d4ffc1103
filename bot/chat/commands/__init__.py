"""The commands, one module per area; `all_commands` is what the router is built from.

The areas are imported by `all_commands`, not by this package: a module that needs one
helper of an area (the notice renderers need `followup`'s digest) loads that area only, and
`samu run` loads every command when the router is built (a first message or menu).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.chat.context import Command


def all_commands() -> tuple[Command, ...]:
    """Every command of the bot, in the order help lists them."""
    from bot.chat.commands import (
        attach,
        coordination,
        followup,
        helping,
        onboarding,
        places,
        privacy,
        profile,
        report,
        requests,
        sessions,
        skills,
        solving,
        stats,
        tutorials,
    )

    return (
        *onboarding.COMMANDS,
        *requests.COMMANDS,
        *helping.COMMANDS,
        *solving.COMMANDS,
        *attach.COMMANDS,
        *tutorials.COMMANDS,
        *places.COMMANDS,
        *skills.COMMANDS,
        *sessions.COMMANDS,
        *profile.COMMANDS,
        *coordination.COMMANDS,
        *followup.COMMANDS,
        *stats.COMMANDS,
        *report.COMMANDS,
        *privacy.COMMANDS,
    )
