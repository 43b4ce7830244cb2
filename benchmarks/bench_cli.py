"""Time `imagegate <command> --help` for every subcommand (target: < 100 ms each) and, with --suite, the
whole test suite (target: < 60 s on 2 cores).

Touches nothing: starts `.venv/bin/imagegate ... --help` as a user would (a new process each time) and,
with --suite, `scripts/test -q`. The baseline, measured in the same run, is a bare `python -c pass`
start; each command is printed with its median wall time and the ratio to that baseline.

    .venv/bin/python benchmarks/bench_cli.py [--repeat 7] [--suite [--suite-runs 5]]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_HELP_S = 0.100
TARGET_SUITE_S = 60.0
COMMANDS = [
    (),
    ("smoke",),
    ("smoke", "run"),
    ("smoke", "generate"),
    ("smoke", "edit"),
    ("preflight",),
    ("rollout",),
    ("rollout", "plan"),
    ("rollout", "run"),
    ("rollout", "abort"),
    ("rollout", "status"),
    ("emulator",),
    ("emulator", "serve"),
    ("local",),
    ("local", "up"),
    ("local", "preview"),
    ("local", "destroy"),
    ("demo",),
]


def median_seconds(command: list[str], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=REPO, timeout=60)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def time_suite(run: int) -> None:
    """One run of scripts/test: wall time, the CPU time of every process it started, and its last line.

    CPU seconds / cores is the least wall time any scheduling could reach on this machine; the load
    average before the run says whether other work shared the cores."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([str(REPO / "scripts" / "test"), "-q"], cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cores = os.cpu_count() or 1
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "(no output)"
    verdict = "ok" if wall < TARGET_SUITE_S and done.returncode == 0 else "OVER TARGET or FAILED"
    print(
        f"test suite run {run}: {wall:.1f} s wall (target < {TARGET_SUITE_S:.0f} s), {cpu:.0f} CPU s "
        f"= {cpu / cores:.0f} s on {cores} cores at best, load {load:.1f} before; exit {done.returncode}: "
        f"{last}: {verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=7, help="runs per command; the median is shown (default 7)"
    )
    parser.add_argument(
        "--suite", action="store_true", help="also time the whole test suite (scripts/test -q)"
    )
    parser.add_argument(
        "--suite-runs",
        type=int,
        default=1,
        help="with --suite: run the suite this many times in a row (flaky tests show up; default 1)",
    )
    args = parser.parse_args()

    imagegate = str(Path(sys.executable).with_name("imagegate"))
    baseline = median_seconds([sys.executable, "-c", "pass"], args.repeat)
    print(f"baseline `python -c pass`: {baseline * 1000:.0f} ms")
    worst = 0.0
    for words in COMMANDS:
        seconds = median_seconds([imagegate, *words, "--help"], args.repeat)
        worst = max(worst, seconds)
        label = " ".join(("imagegate", *words, "--help"))
        print(f"{label:<38} {seconds * 1000:6.0f} ms  {seconds / baseline:4.1f}x baseline")
    verdict = "ok" if worst < TARGET_HELP_S else "OVER TARGET"
    print(f"slowest --help: {worst * 1000:.0f} ms (target < {TARGET_HELP_S * 1000:.0f} ms): {verdict}")
    if args.suite:
        for run in range(1, args.suite_runs + 1):
            time_suite(run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
