"""`samu --help` stays light: the parser is built without the application behind it.

The heavy parts are loaded by the handler of the command that needs them; a module imported
at the top of bot/cli.py (or of a module it imports) shows up here. Only what is imported is
checked, never how long it takes (figures: bench/footprint_bench.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.chat.exports import ExportFormat as TutorialFormat
from bot.chat.i18n import translator
from bot.cli import build_parser
from bot.core.place_export import ExportFormat as PlaceFormat
from bot.core.place_files import FileFormat
from bot.core.types import Role
from tests.helpers import python_prints

SAMU = str(Path(sys.executable).parent / "samu")
# SQLAlchemy (its core alone costs more than the whole of `--help`), its ORM, the chat
# libraries, and what the application loads only when first needed.
HEAVY = (
    "bot.app",
    "sqlalchemy",
    "sqlalchemy.orm",
    "telegram",
    "nio",
    "httpx",
    "matplotlib",
    "phonenumbers",
    "stdnum",
    "babel.messages",
    "babel.dates",
    "simplemma",
    "Stemmer",
    "icalendar",
)


def _imported(*args: str, cwd: Path, expect: str = "usage: samu") -> set[str]:
    """The modules the `samu` process imports, from `python -X importtime`'s report."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMU_")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", SAMU, *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,  # `samu run`'s terminal: no input
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert expect in done.stdout
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("invite", "list", "--help"),
        ("lieux", "import", "--help"),
        ("tutorials", "export", "--help"),
        ("report", "--help"),
    ],
)
@pytest.mark.cli_subprocess
def test_help_imports_no_database_layer_transport_or_heavy_library(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    imported = _imported(*args, cwd=tmp_path)
    assert "bot.cli" in imported and "bot.config" in imported  # the report is read right
    assert sorted(name for name in HEAVY if name in imported) == []


# What only answering in a chat needs: the commands, the router, the renderers of notices,
# the transports, and the stemmers the skill matcher's indexes are built with.
CHAT_ONLY = (
    "Stemmer",
    "simplemma",
    "bot.chat.commands",
    "bot.chat.router",
    "bot.chat.notifications",
    "bot.delivery",
    "bot.transports.console",
    "telegram",
    "nio",
    "httpx",
    "matplotlib",
)


@pytest.fixture(scope="module")
def invite_list_imports(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """What `samu invite list` imports, on a fresh SQLite database."""
    folder = tmp_path_factory.mktemp("invite_list")
    config = folder / "samu.toml"
    config.write_text('[database]\nurl = "sqlite:///samu.db"\n', encoding="utf-8")
    _imported("--config", str(config), "db", "upgrade", cwd=folder, expect="")
    return _imported("--config", str(config), "invite", "list", cwd=folder, expect="invitation")


@pytest.mark.cli_subprocess
def test_a_command_line_action_on_the_database_loads_no_chat_layer(
    invite_list_imports: set[str],
) -> None:
    imported = invite_list_imports
    assert "bot.app" in imported and "sqlalchemy" in imported  # it did open the database
    assert sorted(name for name in CHAT_ONLY if name in imported) == []


# What only running the bot, or another command, needs: the use-cases of the periodic work,
# the members' (loaded when `[network] structures` are set), the skills' (the taxonomy is
# not synchronised for an invitation), the scheduler, the spool, and the repositories of
# what `invite list` does not touch (a unit of work makes each one on first use), and the ORM
# mappings: the invitations' repository reads its tables through SQLAlchemy Core.
NOT_FOR_LISTING_INVITES = (
    "storage.models",
    "apscheduler",
    "bot.scheduler",
    "bot.core.periodic",
    "bot.core.members",
    "bot.core.conversation",
    "bot.core.requests",
    "bot.core.matching",
    "bot.core.privacy",
    "bot.core.digest",
    "bot.core.sessions",
    "bot.core.attachments",
    "bot.core.skills",
    "bot.transports.spool",
    "storage.repositories.members",
    "storage.repositories.requests",
    "storage.repositories.offers",
    "storage.repositories.candidates",
    "storage.repositories.outbox",
    "storage.repositories.tutorials",
    "storage.repositories.stats",
    "storage.repositories.places",
    "storage.repositories.skills",
)


@pytest.mark.cli_subprocess
def test_listing_invitations_loads_only_the_use_cases_and_repositories_it_uses(
    invite_list_imports: set[str],
) -> None:
    imported = invite_list_imports
    assert "storage.repositories.invites" in imported  # the report is read right
    assert sorted(name for name in NOT_FOR_LISTING_INVITES if name in imported) == []


def _choices(parser: argparse.ArgumentParser, *path: str, option: str) -> list[str]:
    for name in path:
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = actions[0].choices[name]
    (action,) = (a for a in parser._actions if option in a.option_strings)
    assert action.choices is not None
    return list(action.choices)


def test_the_written_out_choices_are_the_values_of_the_enums() -> None:
    parser = build_parser(translator("fr"))
    assert _choices(parser, "invite", "create", option="--role") == [
        Role.MEMBER.value,
        Role.COORDINATOR.value,
    ]
    tutorial_formats = _choices(parser, "tutorials", "export", option="--format")
    assert tutorial_formats == [f.value for f in TutorialFormat]
    assert _choices(parser, "lieux", "import", option="--format") == [f.value for f in FileFormat]
    assert _choices(parser, "lieux", "export", option="--format") == [f.value for f in PlaceFormat]


BUILD_AND_COUNT_READS = """
from bot.app import App
from bot.config import load_config
from skills.places import default_catalog
from skills.taxonomy import load_taxonomy

App.build(load_config(None))
print(load_taxonomy.cache_info().misses, default_catalog.cache_info().misses)
"""


@pytest.mark.cli_subprocess
def test_building_the_application_reads_neither_the_taxonomy_nor_the_places_catalog(
    tmp_path: Path,
) -> None:
    """Every command builds the application; only those that need skills or places read
    their files (a few hundredths of a second of `samu invite list`)."""
    assert python_prints(BUILD_AND_COUNT_READS, tmp_path).split() == ["0", "0"]


# What `samu run` leaves for its first message (issue 20): the router and every command
# module (Telegram's menus come from a table: tests/transports/test_start.py), rapidfuzz
# (the first fuzzy skill match or typo fix), and the wording of the notices (the first one due).
FIRST_MESSAGE_ONLY = (
    "bot.chat.router",
    "bot.chat.notifications",
    "bot.chat.commands.requests",
    "bot.chat.commands.tutorials",
    "bot.chat.commands.places",
    "bot.chat.commands.coordination",
    "rapidfuzz",
)


@pytest.mark.cli_subprocess
def test_running_the_terminal_chat_loads_no_command_before_the_first_line(
    tmp_path: Path,
) -> None:
    config = tmp_path / "samu.toml"
    config.write_text(
        '[database]\nurl = "sqlite:///samu.db"\n[console]\nenabled = true\n', encoding="utf-8"
    )
    _imported("--config", str(config), "db", "upgrade", cwd=tmp_path, expect="")
    # The terminal's input is empty: the run starts, is ready, and ends.
    imported = _imported("--config", str(config), "run", cwd=tmp_path, expect="")
    assert "bot.transports.console" in imported and "bot.delivery" in imported  # it ran
    assert sorted(name for name in FIRST_MESSAGE_ONLY if name in imported) == []


COMMANDS_THEN_HOURS = """
import sys
from datetime import datetime, timezone

from bot.chat.commands import all_commands
from bot.core.place_hours import OpenState, hours_status

all_commands()
print("opening_hours" in sys.modules)
noon = datetime(2026, 12, 2, 11, 0, tzinfo=timezone.utc)  # a Wednesday, 12:00 in Paris
print(hours_status("Mo-Fr 09:00-17:00", noon).state is OpenState.OPEN)
print("opening_hours" in sys.modules)
"""


@pytest.mark.cli_subprocess
def test_the_commands_load_the_opening_hours_parser_only_for_a_place_with_hours(
    tmp_path: Path,
) -> None:
    """Every command loaded (by a first message) leaves the parser of opening hours (3.6 MB
    of compiled code) for the first place whose hours are read."""
    assert python_prints(COMMANDS_THEN_HOURS, tmp_path).split() == ["False", "True", "True"]
