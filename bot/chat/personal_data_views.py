"""The personal-data question: what was found in a text, and the author's three choices.

```
/demande TEXT (or a draft sent, or /msg N TEXT) with personal data
        │  stored, held: nobody sees it
        ▼
"I found: • a phone number: “06 …”"  [Hide and send] [Change] [Send as it is]
        │ /envoyer N masquer FP          │ /demande N modifier      │ /envoyer N telquel FP
        ▼                                ▼                          ▼
   sent, masked                 new text → asked again        sent unchanged
```
FP names the version of the text that was shown: an old button after a change asks again.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.context import Context
from bot.chat.i18n import N_
from bot.chat.request_views import PII_NAMES
from bot.chat.types import Action, Outgoing
from bot.core.guard import PiiChoice
from bot.core.pii import PiiFinding, PiiKind

MASK_LABELS = {
    PiiKind.PHONE: N_("[phone]"),
    PiiKind.EMAIL: N_("[e-mail]"),
    PiiKind.NIR: N_("[social security number]"),
    PiiKind.IBAN: N_("[IBAN]"),
    PiiKind.ADDRESS: N_("[address]"),
    PiiKind.NAME: N_("[name]"),
}

# The words after `/envoyer N` and `/transmettre N` that carry the author's choice.
CHOICE_WORDS = {
    "masquer": PiiChoice.MASK,
    "hide": PiiChoice.MASK,
    "telquel": PiiChoice.AS_IS,
    "asis": PiiChoice.AS_IS,
}
CHANGE_WORDS = frozenset({"modifier", "change", "edit"})


def mask_labels(ctx: Context) -> dict[PiiKind, str]:
    """The labels that replace masked personal data, in the author's language."""
    return {kind: ctx._(label) for kind, label in MASK_LABELS.items()}


def found_lines(ctx: Context, findings: Sequence[PiiFinding]) -> list[str]:
    """One line per piece of personal data found: what it looks like, and the words."""
    return [
        ctx._("• {what}: “{text}”").format(what=ctx._(PII_NAMES[found.kind]), text=found.text)
        for found in findings
    ]


def choice_lines(ctx: Context, findings: Sequence[PiiFinding]) -> list[str]:
    """What the three choices do."""
    example = ctx._(MASK_LABELS[findings[0].kind])
    return [
        ctx._("I can hide it (it becomes {label}), or you can change the text.").format(
            label=example
        ),
        ctx._("Avoid writing the personal data of the people you support."),
    ]


def request_choices(ctx: Context, request_id: int, seen: str) -> list[Action]:
    """The buttons of the question about a held request."""
    return [
        Action(ctx._("Hide and send"), f"/envoyer {request_id} masquer {seen}"),
        Action(ctx._("Change"), f"/demande {request_id} modifier"),
        Action(ctx._("Send as it is"), f"/envoyer {request_id} telquel {seen}"),
    ]


def request_question(
    ctx: Context, request_id: int, findings: Sequence[PiiFinding], seen: str
) -> Outgoing:
    """A request held before anyone sees it: what was found, and the three choices."""
    return ctx.reply(
        ctx._("Before I send request #{n}, check this: I found personal data.").format(
            n=request_id
        ),
        *found_lines(ctx, findings),
        *choice_lines(ctx, findings),
        ctx._("Nobody sees your request #{n} until you choose.").format(n=request_id),
        actions=request_choices(ctx, request_id, seen),
    )


def relay_question(
    ctx: Context, relay_id: int, request_id: int, findings: Sequence[PiiFinding], seen: str
) -> Outgoing:
    """A message to the other side held before it is passed on: what was found, the choices."""
    return ctx.reply(
        ctx._("Before I pass on your message about request #{n}: I found personal data.").format(
            n=request_id
        ),
        *found_lines(ctx, findings),
        *choice_lines(ctx, findings),
        ctx._("Your message is kept until you choose."),
        actions=[
            Action(ctx._("Hide and send"), f"/transmettre {relay_id} masquer {seen}"),
            Action(ctx._("Change"), f"/transmettre {relay_id} modifier"),
            Action(ctx._("Send as it is"), f"/transmettre {relay_id} telquel {seen}"),
        ],
    )
