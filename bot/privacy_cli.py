"""`samu member forget NAME|ID`: a coordinator erases a member who left the network.

Kept apart from `bot/cli.py` so the erasure rules stay testable on the `app` fixture; the CLI
prints the line this returns.
"""

from __future__ import annotations

from bot.app import App
from bot.chat.i18n import N_, translator
from bot.core import privacy


async def forget_by_name_or_id(app: App, who: str) -> tuple[bool, str]:
    """Erase the member named `who` (a display name, or a member number such as 12 or #12).

    Returns whether it was done, and the line to print. Refuses, without erasing anything,
    when nobody or several members have that name.
    """
    t = translator(app.config.bot.default_locale)
    services = app.services
    found = await privacy.members_matching(services, who)
    if not found:
        return False, t._("No member is called {who}.").format(who=who.strip())
    if len(found) > 1:
        numbers = ", ".join(f"#{member.id}" for member in sorted(found, key=lambda m: m.id))
        return False, t._(
            "Several members are called {who} ({numbers}): give the number instead."
        ).format(who=who.strip(), numbers=numbers)
    report = await privacy.forget(services, found[0].id)
    if report is None:
        return False, t._("No member is called {who}.").format(who=who.strip())
    return True, t._("Member #{id} ({name}) forgotten: {requests} and {messages} erased.").format(
        id=report.member_id,
        name=report.display_name,
        requests=t.ngettext(
            "{n} request text", "{n} request texts", report.requests, zero=N_("no request text")
        ).format(n=report.requests),
        messages=t.ngettext(
            "{n} message", "{n} messages", report.messages, zero=N_("no message")
        ).format(n=report.messages),
    )
