"""What the request commands share: reading a request's number, and the answers to a request
that is not there, not in the right state, too long, or just matched."""

from __future__ import annotations

from bot.chat.context import Context, NoSuchNumber, UsageError
from bot.chat.types import Outgoing
from bot.chat.wording import STATUS_NAMES
from bot.core.errors import RequestNotFound
from bot.core.guard import TooLong
from bot.core.matching import Progress, Step
from bot.core.numbers import ascii_number, is_record_number
from bot.core.request_states import IllegalTransition
from bot.core.types import RequestStatus


def not_found(ctx: Context, request_id: int | str) -> Outgoing:
    """The same answer for a missing request and one the person may not see."""
    return ctx.reply(
        ctx._("I find no request #{n} for you.").format(n=request_id),
        ctx._("Your requests: {command}").format(command=ctx.cmd("mesdemandes")),
    )


def wrong_state(ctx: Context, request_id: int, status: RequestStatus) -> Outgoing:
    """Refusal of an action the request's state does not allow."""
    return ctx.reply(
        ctx._("Request #{n} is {status}: this is not possible now.").format(
            n=request_id, status=ctx._(STATUS_NAMES[status])
        ),
        ctx._("Your requests: {command}").format(command=ctx.cmd("mesdemandes")),
    )


def refusal(ctx: Context, refused: RequestNotFound | IllegalTransition) -> Outgoing:
    """The answer to an action on a request that is not there (or not visible to the person)
    or not in a state that allows it: the router gives it for every handler that does not
    answer otherwise."""
    if isinstance(refused, RequestNotFound):
        return not_found(ctx, refused.request_id)
    return wrong_state(ctx, refused.request_id, refused.status)


def request_number(text: str) -> tuple[int, str]:
    """Split `12 rest` (or `#12 rest`) into the number and the rest: UsageError when it does
    not start with ASCII digits, NoSuchNumber when the number is too large to name anything."""
    head, _, rest = text.strip().partition(" ")
    number = ascii_number(head)
    if number is None:
        raise UsageError
    if not is_record_number(number):
        raise NoSuchNumber(number)
    return number, rest.strip()


def progress_lines(ctx: Context, progress: Progress | None) -> list[str]:
    """What matching did, told to the author."""
    if progress is None:
        return []
    if progress.step is Step.OFFERED:
        return [
            ctx.ngettext(
                "I am sending it to {n} person who knows this.",
                "I am sending it to {n} people who know this.",
                progress.offered,
            ).format(n=progress.offered),
            ctx._("I will tell you as soon as someone takes it."),
        ]
    if progress.step is Step.DEFERRED:
        return [
            ctx._(
                "It is outside working hours: I will offer it at the start of the next working day."
            ),
            ctx._("If it is urgent, choose “today” below."),
        ]
    if progress.step is Step.NO_HELPER:
        return [
            ctx._("Nobody in the network has declared these skills yet."),
            ctx._("I told the coordination; your request stays open."),
        ]
    return []


def too_long(ctx: Context, error: TooLong) -> Outgoing:
    """Refusal of a text over the length of a request or a message."""
    return ctx.reply(
        ctx._("This is too long: {limit} characters at most (yours: {length}).").format(
            limit=f"{error.limit:,}".replace(",", "\u202f"), length=error.length
        ),
        ctx._("Please keep to the essential: the helper will ask for details."),
    )
