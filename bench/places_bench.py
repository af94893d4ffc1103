"""Places of digital mediation: importing 20,000 places, and `/orienter` at that size.

For each backend a fresh database is migrated, 20,000 places are generated over metropolitan
France (`tests/data/make_places.py`, `generate_spread`) into a CSV file, and the whole
import use-case runs on it (`import_places`: read, check every field against the schema,
upsert by batches with their checkpoints). Then `/orienter` is timed through the router
(`router.handle`, as a message from a member: the member's arrival, the need read through the
skills, the place found, the box search on the (latitude, longitude, services) index, the hours
evaluated and the answer written), for three kinds of origin: a postal code of the data, a
shared location, and the member's structure. Each query once after a warm-up; `--one-core`
(default) pins this process to CPU 0. `/aide` is timed the same way, as the floor of any
command on this machine at this moment; the query plan of the box search is printed too.

Run: .venv/bin/python bench/places_bench.py [--places 20000] [--queries 300]
     [--backends sqlite postgresql] [--postgres-url postgresql://postgres@127.0.0.1:5432/test]
     [--no-one-core]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from bench.common import database, one_core_option, percentile, pin_to_one_core, print_machine
from bot.app import App
from bot.chat.types import Incoming, Location
from bot.config import parse_config
from bot.core import invites
from bot.core.place_edits import EditField, edit_structure_entry
from bot.core.place_files import FileFormat
from bot.core.place_geo import box_around
from bot.core.place_import import import_places
from bot.core.types import Role, Structure
from storage.migrate import upgrade
from tests.data.make_places import generate_spread, write_csv

NEEDS = ["scanner", "démarches", "ameli", "impots", "ordinateur", "cv", "smartphone", "wifi"]


async def _member(app: App) -> None:
    """Amina, member of the Mission locale, whose entry is in Tours."""
    services = app.services
    invite = await invites.create_invite(
        services, role=Role.MEMBER, structure_name="Mission locale"
    )
    reply = await app.router.handle(
        Incoming("console", "amina", "amina", f"/start {invite.code}", display_name="Amina")
    )
    assert reply, "Amina could not join"
    await app.router.handle(Incoming("console", "amina", "amina", "/annuler"))
    async with services.uow() as uow:
        structure = await uow.structures.by_name("Mission locale")
    assert isinstance(structure, Structure)
    await edit_structure_entry(services, structure, EditField.COORDINATES, "47.3941, 0.6848")


async def _time(app: App, messages: list[Incoming]) -> tuple[list[float], list[float]]:
    """Wall and CPU (this process, all its threads) milliseconds of each message."""
    await app.router.handle(messages[0])  # warm-up
    wall, cpu = [], []
    for message in messages:
        start, start_cpu = time.perf_counter(), time.process_time()
        replies = await app.router.handle(message)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert replies and replies[0].text, message
    return wall, cpu


def _line(label: str, wall: list[float], cpu: list[float]) -> str:
    return (
        f"{label}, {len(wall)}: p50 {percentile(wall, 0.5):.2f} ms, p95 "
        f"{percentile(wall, 0.95):.2f} ms (CPU of this process p50 {percentile(cpu, 0.5):.2f}, "
        f"p95 {percentile(cpu, 0.95):.2f} ms)"
    )


async def _plan(app: App, backend: str) -> str:
    box = box_around(47.39, 0.68, 5)
    sql = (
        "SELECT id, latitude, longitude, services FROM places WHERE latitude BETWEEN "
        f"{box.south} AND {box.north} AND longitude BETWEEN {box.west} AND {box.east} "
        "AND (services & 1) != 0"
    )
    prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
    async with app.db.engine.connect() as connection:
        rows = (await connection.execute(text(prefix + sql))).all()
    return " | ".join(str(row[-1]) for row in rows)


async def run_backend(backend: str, args: argparse.Namespace, rnd: random.Random) -> None:
    async with database(backend, args.postgres_url) as url:
        config = parse_config(
            {"database": {"url": url}, "network": {"structures": ["Mission locale"]}},
            "bench",
            {},
        )
        app = App.build(config)
        try:
            await upgrade(app.db.engine)
            await app.prepare()
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "lieux.csv"
                generated = list(generate_spread(args.places, seed=args.seed))
                with path.open("w", encoding="utf-8", newline="") as out:
                    write_csv(generated, out)  # type: ignore[arg-type]
                services = app.services
                start, start_cpu = time.perf_counter(), time.process_time()
                report = await import_places(services, path, FileFormat.CSV)
                seconds = time.perf_counter() - start
                cpu_seconds = time.process_time() - start_cpu
                size = path.stat().st_size / 1e6
            print(
                f"{backend}: import of {report.read} places ({size:.1f} MB of CSV; "
                f"{report.accepted} kept, {report.rejected} rejected) in {seconds:.2f} s"
                f" = {report.read / seconds:,.0f} rows/s (CPU of this process {cpu_seconds:.2f} s)"
            )
            await _member(app)
            codes = [place["code_postal"] for place in generated]
            kinds = {
                "postal code": [
                    Incoming("console", "amina", "amina", f"/orienter {rnd.choice(NEEDS)} {code}")
                    for code in rnd.sample(codes, args.queries)
                ],
                "shared location": [
                    Incoming(
                        "console",
                        "amina",
                        "amina",
                        "",
                        location=Location(rnd.uniform(43.5, 50.5), rnd.uniform(-1.0, 7.0)),
                    )
                    for _ in range(args.queries)
                ],
                "member's structure": [
                    Incoming("console", "amina", "amina", f"/orienter {rnd.choice(NEEDS)}")
                    for _ in range(args.queries)
                ],
            }
            wall, cpu = await _time(
                app, [Incoming("console", "amina", "amina", "/aide")] * args.queries
            )
            print(_line(f"{backend}: /aide (the floor of any command here and now)", wall, cpu))
            all_wall: list[float] = []
            all_cpu: list[float] = []
            for kind, messages in kinds.items():
                wall, cpu = await _time(app, messages)
                all_wall += wall
                all_cpu += cpu
                print(_line(f"{backend}: /orienter from a {kind}", wall, cpu))
            print(_line(f"{backend}: /orienter, all", all_wall, all_cpu))
            print(f"{backend}: load average during the run: {os.getloadavg()[0]:.1f}")
            print(f"{backend}: plan of the box search: {await _plan(app, backend)}")
        finally:
            await app.close()


async def run(args: argparse.Namespace) -> None:
    versions = {"sqlite": sqlite3.sqlite_version}
    if "postgresql" in args.backends:
        versions["postgresql"] = "server"
    print_machine(versions, args.one_core)
    rnd = random.Random(args.seed)
    for backend in args.backends:
        await run_backend(backend, args, rnd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    one_core_option(parser)
    args = parser.parse_args()
    pin_to_one_core(args)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
