"""Plain text and actions to a Matrix message: a `body` and an escaped HTML `formatted_body`."""

from __future__ import annotations

import html
from typing import Any

from bot.chat.types import Action

# Reactions a person can put on a message instead of typing the number of an action.
NUMBER_EMOJIS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣")
YES_EMOJIS = ("✅", "👍", "✔️")
NO_EMOJIS = ("❌", "👎", "✖️")
YES_COMMANDS = ("/prendre", "/confirmer", "/envoyer")
NO_COMMANDS = ("/decliner", "/pasresolu")
ACTIONS_KEY = "org.samu.actions"


def content(text: str, actions: tuple[Action, ...], *, notice: bool) -> dict[str, Any]:
    """The event content of a bot message: user words escaped, actions as a numbered list."""
    body = text
    formatted = html.escape(text, quote=False).replace("\n", "<br>")
    if actions:
        body += "\n" + "\n".join(f"{n}. {a.label}" for n, a in enumerate(actions, start=1))
        items = "".join(f"<li>{html.escape(a.label, quote=False)}</li>" for a in actions)
        formatted += f"<ol>{items}</ol>"
    return {
        "msgtype": "m.notice" if notice else "m.text",
        "body": body,
        "format": "org.matrix.custom.html",
        "formatted_body": formatted,
        "m.mentions": {},
        ACTIONS_KEY: [{"label": a.label, "payload": a.payload} for a in actions],
    }


def edit(original_event_id: str, new: dict[str, Any]) -> dict[str, Any]:
    """An `m.replace` edit of an earlier bot message."""
    fallback = {**new, "body": "* " + new["body"]}
    fallback["formatted_body"] = "* " + new["formatted_body"]
    return {
        **fallback,
        "m.new_content": new,
        "m.relates_to": {"rel_type": "m.replace", "event_id": original_event_id},
    }


def action_for_reaction(key: str, actions: list[dict[str, str]]) -> str | None:
    """The payload a reaction stands for: a number emoji, or ✅/❌ for yes/no actions."""
    payloads = [a.get("payload", "") for a in actions]
    if key in NUMBER_EMOJIS and NUMBER_EMOJIS.index(key) < len(payloads):
        return payloads[NUMBER_EMOJIS.index(key)]
    wanted = YES_COMMANDS if key in YES_EMOJIS else NO_COMMANDS if key in NO_EMOJIS else ()
    return next((p for p in payloads if p.startswith(wanted)), None) if wanted else None


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
