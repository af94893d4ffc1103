"""Rules of the layers that import-linter cannot see: the conversation layer, the command line
and the other top-level modules reach the database only through the use-cases of `bot/core`,
never by opening a unit of work."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
CHAT = BOT / "chat"


def _units_of_work_opened(source: str) -> list[int]:
    """Lines where a `with`/`async with` opens something called `uow` (a unit of work)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name) and "uow" in item.optional_vars.id:
                    lines.append(node.lineno)
    return lines


def test_the_rule_sees_a_unit_of_work_opened() -> None:
    code = "async def f(s):\n    async with s.uow() as uow:\n        await uow.requests.get(1)\n"
    assert _units_of_work_opened(code) == [2]


def test_the_conversation_layer_opens_no_unit_of_work() -> None:
    found = {
        str(path.relative_to(CHAT)): lines
        for path in sorted(CHAT.rglob("*.py"))
        if (lines := _units_of_work_opened(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "bot/chat reads the database itself; use a use-case of bot/core"


def test_the_command_line_and_the_wiring_open_no_unit_of_work() -> None:
    """`bot/cli.py`, the `*_cli.py` modules, the doctor, the application's wiring: a command
    that needs the database calls a use-case (which opens and closes its own)."""
    found = {
        path.name: lines
        for path in sorted(BOT.glob("*.py"))
        if (lines := _units_of_work_opened(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "a top-level module reads the database itself; use a use-case"
