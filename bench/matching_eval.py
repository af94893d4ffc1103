"""Matching quality on the labelled evaluation set `tests/data/matching_eval.toml` (issue 21).

The network of the set is built through the real use-cases on a fresh database: each helper
declares their skills as typed (`bot.core.skills.declare`), then the requests are matched in
two modes:

* *independent*: each request alone, on a network nobody was offered anything in
  (`choose_helpers`, read only, the ten best);
* *sequential*: the requests one after another, an hour apart, through `/demande`'s
  use-case (`ask`): offers are recorded, so the load and the daily cap play, as in a week of
  the network's life. The helpers offered, in the order they were offered, are the ranking.

Figures: hit@1 (the first helper is acceptable), hit@3 (one of the first three is) and MRR
(mean of 1 / rank of the first acceptable helper, 0 when none is ranked). `--show` prints
every miss with the skills detected and the ranking.

Run: .venv/bin/python bench/matching_eval.py [--backend sqlite|postgresql] [--show]
     [--postgres-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from bot.app import App
from bot.config import parse_config
from bot.core.clock import FixedClock
from bot.core.matching import choose_helpers
from bot.core.requests import ask
from bot.core.skills import declare
from bot.core.types import Member, Role, Urgency

EVAL_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "matching_eval.toml"
START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # a Monday, 9:00 in Paris
INDEPENDENT_DEPTH = 10


@dataclass(frozen=True, slots=True)
class EvalRequest:
    """One labelled request: what the social worker typed and whom a coordinator accepts."""

    text: str
    acceptable: frozenset[str]


@dataclass(frozen=True, slots=True)
class EvalSet:
    """Helpers (name → skills as typed) and the labelled requests."""

    helpers: dict[str, str]
    requests: list[EvalRequest]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one request was matched: the helpers ranked (names, best first)."""

    request: EvalRequest
    ranked: list[str]
    detected: list[str]

    @property
    def rank(self) -> int | None:
        """The 1-based rank of the first acceptable helper, None if none was ranked."""
        return next(
            (i for i, name in enumerate(self.ranked, 1) if name in self.request.acceptable), None
        )


@dataclass(frozen=True, slots=True)
class Scores:
    """hit@1, hit@3 and MRR over a list of outcomes."""

    hit1: float
    hit3: float
    mrr: float
    count: int

    @classmethod
    def of(cls, outcomes: Sequence[Outcome]) -> Scores:
        ranks = [outcome.rank for outcome in outcomes]
        n = len(ranks) or 1
        return cls(
            hit1=sum(r == 1 for r in ranks) / n,
            hit3=sum(r is not None and r <= 3 for r in ranks) / n,
            mrr=sum(1 / r for r in ranks if r is not None) / n,
            count=len(ranks),
        )

    def line(self, mode: str) -> str:
        return (
            f"{mode:<12} hit@1 {self.hit1:6.1%}   hit@3 {self.hit3:6.1%}   "
            f"MRR {self.mrr:.3f}   ({self.count} requests)"
        )


def load_eval(path: Path = EVAL_SET) -> EvalSet:
    """Read the evaluation set; every acceptable name must be a helper of the set."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    helpers = {entry["name"]: entry["skills"] for entry in data["helper"]}
    requests = [
        EvalRequest(entry["text"], frozenset(entry["acceptable"])) for entry in data["request"]
    ]
    for request in requests:
        if unknown := request.acceptable - helpers.keys():
            raise ValueError(f"unknown helpers {sorted(unknown)} in {request.text!r}")
    return EvalSet(helpers, requests)


def eval_config(database_url: str) -> dict[str, object]:
    """The application configuration of the evaluation: quiet hours off."""
    return {
        "database": {"url": database_url},
        "requests": {"quiet_hours": "00:00-00:00", "quiet_weekends": False},
    }


async def build_network(app: App, evalset: EvalSet) -> tuple[dict[int, str], Member]:
    """Members for the helpers (skills declared as typed) and a social worker who asks;
    returns the helpers' names by member id, and the asker."""
    services = app.services
    now = services.clock.now()
    names: dict[int, str] = {}
    async with services.uow() as uow:
        asker = await uow.members.add(
            display_name="Travailleuse sociale",
            role=Role.MEMBER,
            locale="fr",
            structure_id=None,
            now=now,
        )
        members = {
            name: await uow.members.add(
                display_name=name, role=Role.MEMBER, locale="fr", structure_id=None, now=now
            )
            for name in evalset.helpers
        }
        await uow.commit()
    for name, member in members.items():
        await declare(services, member.id, evalset.helpers[name])
        names[member.id] = name
    return names, asker


async def _stored_request(app: App, asker: Member, body: str) -> int:
    services = app.services
    async with services.uow() as uow:
        found = [m.skill.slug for m in services.matcher.extract(body)][:8]
        rows = await uow.skills.by_slugs(found)
        request_id = await uow.requests.add(
            author_id=asker.id,
            text=body,
            urgency=Urgency.WEEK,
            now=services.clock.now(),
            skill_ids=[rows[s].id for s in found if s in rows],
        )
        await uow.commit()
    return request_id


async def independent(
    app: App, evalset: EvalSet, names: dict[int, str], asker: Member
) -> list[Outcome]:
    """Each request alone: the ten best helpers, nobody offered anything yet."""
    services = app.services
    outcomes: list[Outcome] = []
    for request in evalset.requests:
        request_id = await _stored_request(app, asker, request.text)
        async with services.uow() as uow:
            stored = await uow.requests.get(request_id)
            assert stored is not None
            choice = await choose_helpers(
                uow,
                stored,
                services.clock.now() - services.requests.recent_window,
                INDEPENDENT_DEPTH,
            )
        detected = [skill.slug for skill in stored.skills]
        outcomes.append(Outcome(request, [names[m] for m in choice.helpers], detected))
    return outcomes


async def sequential(
    app: App, clock: FixedClock, evalset: EvalSet, names: dict[int, str], asker: Member
) -> list[Outcome]:
    """The requests one after another, an hour apart, through `/demande`'s use-case."""
    services = app.services
    outcomes: list[Outcome] = []
    for request in evalset.requests:
        clock.advance(timedelta(hours=1))
        submitted = await ask(services, asker, request.text)
        request_id = submitted.request.id
        async with services.uow() as uow:
            rows = await uow.session.scalars(
                text("SELECT helper_id FROM offers WHERE request_id = :r ORDER BY id"),
                {"r": request_id},
            )
            offered = list(rows)
        detected = [skill.slug for skill in submitted.request.skills]
        outcomes.append(Outcome(request, [names[m] for m in offered], detected))
    return outcomes


async def evaluate(
    database_url: str, *, mode: str, evalset: EvalSet | None = None
) -> list[Outcome]:
    """Build the network on a fresh database and match the set in `mode`
    ("independent" or "sequential")."""
    evalset = evalset or load_eval()
    clock = FixedClock(START)
    app = App.build(parse_config(eval_config(database_url), "eval", {}), clock=clock)
    try:
        await app.prepare(migrate=True)
        names, asker = await build_network(app, evalset)
        if mode == "independent":
            return await independent(app, evalset, names, asker)
        return await sequential(app, clock, evalset, names, asker)
    finally:
        await app.close()


def show_misses(outcomes: Sequence[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.rank != 1:
            print(f"  [{outcome.rank or '-'}] {outcome.request.text}")
            print(f"      detected {outcome.detected}")
            print(
                f"      ranked   {outcome.ranked[:5]}  wanted {sorted(outcome.request.acceptable)}"
            )


async def run(args: argparse.Namespace) -> None:
    from bench.common import database

    evalset = load_eval()
    print(f"{len(evalset.helpers)} helpers, {len(evalset.requests)} requests ({args.backend})")
    for mode in ("independent", "sequential"):
        async with database(args.backend, args.postgres_url) as url:
            outcomes = await evaluate(url, mode=mode, evalset=evalset)
        print(Scores.of(outcomes).line(mode), flush=True)
        if args.show:
            show_misses(outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--show", action="store_true", help="print every request not hit at 1")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
