"""What ends something asks first, naming the request: cancelling, releasing, closing.

```
ending     command            who may be asked    the request must allow   yes adds
CANCEL     /annuler N         its author          cancel                   oui
RELEASE    /lacher N          its helper          release                  oui
CLOSE      /resolu N          author or helper    resolve                  oui
DEFLECT    /tuto aide T N     its author          deflect                  oui
```
Whatever the path (typed, a button, a number, a reaction), the command runs only with the
yes word, which only the question's own button adds (or a person who types it). The question
quotes the start of the request, so that no one ends the wrong one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from bot.chat.context import Context
from bot.chat.i18n import N_
from bot.chat.request_views import number, quoted
from bot.chat.text import shorten
from bot.chat.types import Action, Answer, Outgoing
from bot.core import requests
from bot.core.errors import RequestNotFound
from bot.core.request_states import IllegalTransition, Transition, sources
from skills import fold

YES = "oui"
YES_WORDS = frozenset({"oui", "yes", "confirmer", "confirm"})
# The "no" of every question: stop here, nothing changes.
NO_PAYLOAD = "/annuler"
PREVIEW_LENGTH = 80


class Ending(StrEnum):
    """An action that ends something about a request."""

    CANCEL = "cancel"
    RELEASE = "release"
    CLOSE = "close"
    DEFLECT = "deflect"


class Side(StrEnum):
    """A person's part in a request."""

    AUTHOR = "author"
    HELPER = "helper"


@dataclass(frozen=True, slots=True)
class Question:
    """How an ending is asked, who may be asked, and the transition it will make."""

    ask: str
    yes: str
    no: str
    sides: frozenset[Side]
    transition: Transition


QUESTIONS: Mapping[Ending, Question] = MappingProxyType(
    {
        Ending.CANCEL: Question(
            N_("Cancel request {number}?"),
            N_("Yes, cancel {number}"),
            N_("No, keep it"),
            frozenset({Side.AUTHOR}),
            Transition.CANCEL,
        ),
        Ending.RELEASE: Question(
            N_("Give request {number} back, for someone else to take it?"),
            N_("Yes, give {number} back"),
            N_("No, I keep it"),
            frozenset({Side.HELPER}),
            Transition.RELEASE,
        ),
        Ending.CLOSE: Question(
            N_("Is request {number} solved?"),
            N_("Yes, {number} is solved"),
            N_("Not yet"),
            frozenset({Side.AUTHOR, Side.HELPER}),
            Transition.RESOLVE,
        ),
        Ending.DEFLECT: Question(
            N_("Did tutorial #{tutorial} answer your request {number}? It will not be posted."),
            N_("Yes, close {number}"),
            N_("No"),
            frozenset({Side.AUTHOR}),
            Transition.DEFLECT,
        ),
    }
)


def confirmed(rest: str) -> bool:
    """Whether a command's arguments end with the yes word."""
    words = rest.split()
    return bool(words) and fold(words[-1]) in YES_WORDS


async def ask(
    ctx: Context, ending: Ending, request_id: int, command: str, tutorial: int | None = None
) -> Outgoing:
    """The question before an ending; [yes] runs `command` with the yes word.

    Raises RequestNotFound when the person has no such part in the request, and
    IllegalTransition when the request's state does not allow the ending (the caller words
    both, as for the command itself).
    """
    question = QUESTIONS[ending]
    request = await requests.visible(ctx.services, request_id, ctx.me)
    sides = {
        side
        for side, member_id in ((Side.AUTHOR, request.author_id), (Side.HELPER, request.helper_id))
        if member_id == ctx.me.id
    }
    if not sides & question.sides:
        raise RequestNotFound(request_id)
    if request.status not in sources(question.transition):
        raise IllegalTransition(request.status, question.transition, request.id)
    named = number(request)
    return ctx.reply(
        ctx._(question.ask).format(number=named, tutorial=tutorial),
        quoted(shorten((request.text or "").replace("\n", " "), PREVIEW_LENGTH) or None),
        actions=[
            Action(ctx._(question.yes).format(number=named), f"{command} {YES}", Answer.YES),
            Action(ctx._(question.no), NO_PAYLOAD, Answer.NO),
        ],
        about=request.id,
    )
