"""What the benchmark scripts share: percentiles, a throwaway database, the machine's CPU."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, text
from sqlalchemy.engine import make_url

from storage.db import create_engine, create_sqlite_file
from storage.models import Base


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """`items` in slices of `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@asynccontextmanager
async def database(backend: str, postgres_url: str) -> AsyncIterator[str]:
    """A throwaway database: a temporary SQLite file, or a PostgreSQL database dropped after."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.db"
            # The application never creates a missing database file (see `create_engine`).
            create_sqlite_file(url)
            yield url
        return
    name = f"samu_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def cpu_model() -> str:
    """The CPU's model name, as the kernel reports it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def table(model: type[Base]) -> Table:
    """The Core table of a model, for bulk inserts."""
    return cast(Table, model.__table__)


def print_machine(versions: dict[str, str], one_core: bool, event_loop: str = "asyncio") -> None:
    """The lines every benchmark prints first: machine, versions, CPU pinning, event loop."""
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    print()
    print(f"machine: {platform.platform()}, {cpu_model()}, {os.cpu_count()} CPUs")
    print(
        f"python {platform.python_version()}, SQLite {versions['sqlite']}"
        + (f", PostgreSQL {versions['postgresql']}" if "postgresql" in versions else "")
    )
    print(
        f"CPU affinity of this process: {affinity} "
        f"({'pinned by --one-core' if one_core else 'not pinned'}; "
        "the PostgreSQL server runs in its own processes, not pinned)"
    )
    print(f"event loop: {event_loop}")


def one_core_option(parser: argparse.ArgumentParser) -> None:
    """`--one-core` (the default) / `--no-one-core`: whether `pin_to_one_core` pins."""
    parser.add_argument(
        "--one-core",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="pin this process to CPU 0 before anything starts a thread",
    )


def event_loop_option(parser: argparse.ArgumentParser) -> None:
    """`--event-loop asyncio|uvloop`: the loop `run_on_loop` runs the bench on."""
    parser.add_argument(
        "--event-loop",
        choices=["asyncio", "uvloop"],
        default="asyncio",
        help="the event loop of the run; uvloop is not a dependency of the bot (pip install "
        "uvloop): it was measured against asyncio's own loop for issue 20",
    )


def run_on_loop(main: Coroutine[Any, Any, None], args: argparse.Namespace) -> None:
    """Run `main` to the end on the event loop `--event-loop` names."""
    if args.event_loop == "uvloop":
        try:
            import uvloop  # only for that comparison; not installed with the bot
        except ImportError:
            main.close()
            raise SystemExit("--event-loop uvloop needs uvloop: pip install uvloop") from None
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            runner.run(main)
    else:
        asyncio.run(main)


def pin_to_one_core(args: argparse.Namespace) -> None:
    """Pin this process to CPU 0 if `--one-core` asked for it (before any thread starts)."""
    if args.one_core and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
