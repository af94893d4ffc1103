"""What a message that showed a request's buttons says once the request moved on.

The edit replaces the buttons with one line naming the request and what became of it, said
to the person who did it ("You took request #3.") or to the others ("Request #3: taken by
Karim."). An offer keeps the request it showed above that line. A request cancelled since is
said to be cancelled, whatever the change that closed the list was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.chat.context import Context
from bot.chat.i18n import N_
from bot.chat.request_views import number, offer_lines
from bot.chat.types import Outgoing
from bot.core.choices import Outcome
from bot.core.types import Choice, HelpRequest, RequestStatus


@dataclass(frozen=True, slots=True)
class Said:
    """An outcome said to the person who made it happen, and to everyone else."""

    you: str
    others: str


OUTCOME_LINES: Mapping[Outcome, Said] = MappingProxyType(
    {
        Outcome.SENT: Said(N_("Request {number} is sent."), N_("Request {number} is sent.")),
        Outcome.TAKEN: Said(
            N_("✔ You took request {number}."), N_("Request {number}: taken by {name}.")
        ),
        Outcome.ASSIGNED: Said(
            N_("Request {number}: the coordination gave it to you."),
            N_("Request {number}: given to {name} by the coordination."),
        ),
        Outcome.RELEASED: Said(
            N_("You gave request {number} back."), N_("Request {number}: given back by {name}.")
        ),
        Outcome.SOLVED: Said(
            N_("You said request {number} is solved."),
            N_("Request {number}: solved, says {name}."),
        ),
        Outcome.REJECTED: Said(
            N_("You said request {number} is not solved yet."),
            N_("Request {number}: not solved yet, says {name}."),
        ),
        Outcome.CLOSED: Said(N_("Request {number} is closed."), N_("Request {number} is closed.")),
        Outcome.CANCELLED: Said(
            N_("You cancelled request {number}."), N_("Request {number}: cancelled by {name}.")
        ),
        Outcome.REOPENED: Said(
            N_("Request {number} is open again."), N_("Request {number} is open again.")
        ),
        Outcome.DEFLECTED: Said(
            N_("Request {number}: closed, a tutorial answered it."),
            N_("Request {number}: closed, a tutorial answered it."),
        ),
        Outcome.DECLINED: Said(
            N_("You are not available for request {number}. Thank you for saying so."),
            N_("Request {number}: not available."),
        ),
    }
)

# What an edited message keeps above the outcome, by what first showed it.
Body = Callable[[Context, HelpRequest], list[str]]
BODIES: Mapping[str, Body] = MappingProxyType({"offer": offer_lines, "assigned": offer_lines})


def outcome_message(
    ctx: Context,
    choice: Choice,
    request: HelpRequest,
    outcome: Outcome,
    actor_id: int | None,
    actor_name: str | None,
) -> Outgoing:
    """The edit of `choice`'s message: its body, if it keeps one, and the outcome."""
    if request.status is RequestStatus.CANCELLED and outcome is not Outcome.CANCELLED:
        outcome, actor_id, actor_name = Outcome.CANCELLED, request.author_id, request.author_name
    said = OUTCOME_LINES[outcome]
    line = said.you if actor_id is not None and actor_id == ctx.me.id else said.others
    body = BODIES.get(choice.origin)
    lines = body(ctx, request) if body is not None else []
    lines.append(ctx._(line).format(number=number(request), name=actor_name or ctx._("someone")))
    return Outgoing(text="\n".join(lines), edit_of=choice.message_ref, about=request.id)
