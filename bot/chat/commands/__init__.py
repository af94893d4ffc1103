"""The commands, one module per area; `all_commands` is what the router is built from."""

from __future__ import annotations

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
from bot.chat.context import Command


def all_commands() -> tuple[Command, ...]:
    """Every command of the bot, in the order help lists them."""
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
