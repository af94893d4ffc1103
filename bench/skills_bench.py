"""The CPU a request's text costs before any database: skill detection and the personal-data
check, per text, over the 78 problems of the tutorial corpus (each timed `--runs` times).

Run: .venv/bin/python bench/skills_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import cpu_model, percentile
from bot.core.pii import find_personal_data
from skills import default_matcher

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "tutorial_corpus.toml"


def problems() -> list[str]:
    """The problem texts of the corpus (what members write in a request)."""
    data = tomllib.loads(CORPUS.read_text("utf-8"))
    return [
        entry["problem"]
        for entries in data.values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict) and "problem" in entry
    ]


def timed(work: Callable[[str], object], texts: list[str], runs: int) -> list[float]:
    """Milliseconds per call, every text `runs` times, after one warm-up pass."""
    for text in texts:
        work(text)
    times = []
    for _ in range(runs):
        for text in texts:
            start = time.perf_counter()
            work(text)
            times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    texts = problems()
    matcher = default_matcher()
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    print(f"machine: {platform.platform()}, {cpu_model()}, {os.cpu_count()} CPUs")
    print(f"python {platform.python_version()}; CPU affinity {affinity} (pin with taskset)")
    print(f"{len(texts)} texts × {args.runs} runs\n")
    print("| work | mean | p50 | p95 |")
    print("|---|---:|---:|---:|")
    for name, work in (
        ("skill detection (`SkillMatcher.extract`)", matcher.extract),
        ("personal data (`find_personal_data`)", find_personal_data),
    ):
        times = timed(work, texts, args.runs)
        print(
            f"| {name} | {sum(times) / len(times):.3f} ms | {percentile(times, 0.5):.3f} ms "
            f"| {percentile(times, 0.95):.3f} ms |"
        )


if __name__ == "__main__":
    main()
