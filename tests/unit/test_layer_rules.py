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


CORE = BOT / "core"
# The command menus' keeper (`bot/command_menus.py`) is built before the services exist and
# holds only the factory of units of work: its two member lookups take it.
TAKE_THE_FACTORY = {"members.identities", "members.coordinators_on"}


def _use_cases_taking_the_factory(source: str, module: str) -> list[str]:
    """Public top-level functions whose first parameter is `uows`, or that take a parameter
    annotated `UowFactory`, as `module.function`."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name.startswith(
            "_"
        ):
            continue
        arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
        first = (node.args.posonlyargs + node.args.args)[:1]
        annotated = any(
            argument.annotation is not None and "UowFactory" in ast.unparse(argument.annotation)
            for argument in arguments
        )
        if annotated or any(argument.arg == "uows" for argument in first):
            found.append(f"{module}.{node.name}")
    return found


def test_the_rule_sees_a_use_case_taking_the_factory() -> None:
    code = (
        "async def a(uows, x): ...\n"
        "def b(s, f: UowFactory): ...\n"
        "async def c(services: Services, uows: int): ...\n"
        "async def _d(uows: UowFactory): ...\n"
    )
    assert _use_cases_taking_the_factory(code, "m") == ["m.a", "m.b"]


def test_the_use_cases_of_the_core_take_the_services_first() -> None:
    """Every public use-case of `bot/core` takes `services: Services` first, not the bare
    factory of units of work (except the two lookups of the menus' keeper)."""
    found = {
        name
        for path in sorted(CORE.rglob("*.py"))
        for name in _use_cases_taking_the_factory(
            path.read_text(encoding="utf-8"),
            ".".join(path.relative_to(CORE).with_suffix("").parts),
        )
    }
    assert found == TAKE_THE_FACTORY, "a use-case of bot/core takes `services: Services` first"
