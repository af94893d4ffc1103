"""Plain text and actions to a Matrix message: a `body` and an escaped HTML `formatted_body`."""

from __future__ import annotations

import html
from typing import Any

from bot.chat.types import Action, Answer

# Reactions a person can put on a message instead of typing the number of an action.
NUMBER_EMOJIS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣")
# Reactions that choose the action meaning that answer (the first one, when several do).
ANSWER_EMOJIS = {
    Answer.YES: ("✅", "👍", "✔️", "✔"),
    Answer.NO: ("❌", "👎", "✖️", "✖"),
    Answer.MAYBE: ("🤔",),
}
ACTIONS_KEY = "org.samu.actions"


def content(
    text: str, actions: tuple[Action, ...], *, notice: bool, first: int = 1
) -> dict[str, Any]:
    """The event content of a bot message: user words escaped, actions as a list numbered
    from `first` (the lists of one answer number on from each other)."""
    body = text
    formatted = html.escape(text, quote=False).replace("\n", "<br>")
    if actions:
        body += "\n" + "\n".join(f"{n}. {a.label}" for n, a in enumerate(actions, start=first))
        items = "".join(f"<li>{html.escape(a.label, quote=False)}</li>" for a in actions)
        start = f' start="{first}"' if first != 1 else ""
        formatted += f"<ol{start}>{items}</ol>"
    return {
        "msgtype": "m.notice" if notice else "m.text",
        "body": body,
        "format": "org.matrix.custom.html",
        "formatted_body": formatted,
        "m.mentions": {},
        ACTIONS_KEY: [_action(a, n) for n, a in enumerate(actions, start=first)],
    }


def _action(action: Action, number: int) -> dict[str, Any]:
    """An action as kept in the event, with its number on screen (read back when someone
    reacts to it)."""
    kept: dict[str, Any] = {"label": action.label, "payload": action.payload, "number": number}
    if action.answer is not None:
        kept["answer"] = action.answer.value
    return kept


def edit(original_event_id: str, new: dict[str, Any]) -> dict[str, Any]:
    """An `m.replace` edit of an earlier bot message."""
    fallback = {**new, "body": "* " + new["body"]}
    fallback["formatted_body"] = "* " + new["formatted_body"]
    return {
        **fallback,
        "m.new_content": new,
        "m.relates_to": {"rel_type": "m.replace", "event_id": original_event_id},
    }


def action_for_reaction(key: str, actions: list[dict[str, Any]]) -> str | None:
    """The payload a reaction stands for: the number emoji of an action as it was shown,
    or ✅/❌/🤔 for the action that means yes/no/maybe."""
    if key in NUMBER_EMOJIS:
        wanted = NUMBER_EMOJIS.index(key) + 1
        for index, action in enumerate(actions):
            if action.get("number", index + 1) == wanted:
                return str(action.get("payload", ""))
        return None
    answer = next((a for a, emojis in ANSWER_EMOJIS.items() if key in emojis), None)
    if answer is None:
        return None
    return next((str(a["payload"]) for a in actions if a.get("answer") == answer.value), None)


def reply_target(source: dict[str, Any]) -> str | None:
    """The event a message replies to (`m.in_reply_to`), if any."""
    relates = source.get("content", {}).get("m.relates_to", {})
    reply = relates.get("m.in_reply_to") if isinstance(relates, dict) else None
    return reply.get("event_id") if isinstance(reply, dict) else None


def strip_reply_fallback(body: str) -> str:
    """Remove the quoted lines (`> …`) clients put before the text of a reply."""
    lines = body.split("\n")
    while lines and lines[0].startswith(">"):
        lines.pop(0)
    return "\n".join(lines).strip()
