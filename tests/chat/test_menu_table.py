"""`bot/chat/menu_table.py` is the commands' declarations as the menus list them.

Telegram's menus are set when `samu run` starts; reading them from that table rather than
from the command modules keeps every command (2.3 MB) out of the start. This test fails when
a command is added, renamed, reworded or hidden from help without the table: run
`python -m tests.chat.test_menu_table` to write the table again (then `ruff format` it).
"""

from __future__ import annotations

from pathlib import Path

from bot.chat.commands import all_commands
from bot.chat.menus import MenuEntry, menu_entries

TABLE = Path(__file__).resolve().parents[2] / "bot" / "chat" / "menu_table.py"


def table_source(entries: tuple[MenuEntry, ...]) -> str:
    """The text of `bot/chat/menu_table.py` for these entries."""
    rows = "".join(
        f"    MenuEntry({entry.name!r}, {entry.name_en!r}, {entry.summary!r}),\n"
        for entry in entries
    )
    return (
        '"""The commands Telegram\'s menus list, in the order of help: written from the\n'
        "commands' declarations (`python -m tests.chat.test_menu_table`), so that the menus are\n"
        "set at start without loading every command; `tests/chat/test_menu_table.py` checks it.\n"
        '"""\n\n'
        "from bot.chat.menus import MenuEntry\n\n"
        f"MENU_ENTRIES = (\n{rows})\n"
    )


def test_the_table_lists_the_commands_of_help_as_declared() -> None:
    from bot.chat.menu_table import MENU_ENTRIES  # here: `__main__` below writes it

    assert menu_entries(all_commands()) == MENU_ENTRIES, (
        "bot/chat/menu_table.py is out of date: python -m tests.chat.test_menu_table"
    )
    hidden = {command.name for command in all_commands() if not command.in_help}
    assert "start" in hidden and not hidden & {entry.name for entry in MENU_ENTRIES}


if __name__ == "__main__":
    TABLE.write_text(table_source(menu_entries(all_commands())), encoding="utf-8")
    print(f"written: {TABLE}")
