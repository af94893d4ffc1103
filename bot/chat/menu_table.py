"""The commands Telegram's menus list, in the order of help: written from the
commands' declarations (`python -m tests.chat.test_menu_table`), so that the menus are
set at start without loading every command; `tests/chat/test_menu_table.py` checks it.
"""

from bot.chat.menus import MenuEntry

MENU_ENTRIES = (
    MenuEntry("aide", "help", "what you can do"),
    MenuEntry("demande", "request", "ask the network for help"),
    MenuEntry("mesdemandes", "myrequests", "your requests and the ones you help with"),
    MenuEntry("assigner", "assign", "give a request to a member"),
    MenuEntry("tuto", "tutorial", "find tutorials"),
    MenuEntry("orienter", "places", "find a place near you for a need (scanner, ameli…)"),
    MenuEntry("lieu", "venue", "your structure's entry among the places"),
    MenuEntry("competences", "skills", "see and declare your skills"),
    MenuEntry("agenda", "sessions", "the next exchange sessions"),
    MenuEntry("session", "meeting", "plan, change or cancel a session"),
    MenuEntry("profil", "profile", "your name, structure and language"),
    MenuEntry("pourquoi", "why", "why a request went to whom"),
    MenuEntry("invitation", "invite", "create, list or cancel invitation codes"),
    MenuEntry("membres", "members", "the members, by structure"),
    MenuEntry("suivi", "followup", "the week's figures and what is waiting"),
    MenuEntry("stats", "stats", "evaluation indicators, compared with the previous period"),
    MenuEntry(
        "rapport", "report", "the report of the last month, quarter or year, with charts (ZIP)"
    ),
    MenuEntry("confidentialite", "privacy", "what the bot keeps about you, and your rights"),
)
