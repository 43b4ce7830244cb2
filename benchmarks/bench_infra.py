"""Time the Pulumi program for the dev and prod stacks under the mock runtime (target: < 2 s per stack).

Touches nothing outside this process: reads Pulumi.<stack>.yaml and the model catalog, evaluates the
program with engine.recording's mocks (preview=False) and prints seconds per stack.

    .venv/bin/python benchmarks/bench_infra.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="evaluations per stack (default 5)")
    args = parser.parse_args()

    started = time.perf_counter()
    from engine.recording import run_program
    from infra.config import load_stack_config, read_stack_file

    print(f"import infra + pulumi + azure-native: {time.perf_counter() - started:.3f} s")
    worst = 0.0
    for stack in ("dev", "prod"):
        timings = []
        resources = 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            config = load_stack_config(read_stack_file(REPO / f"Pulumi.{stack}.yaml"), stack)
            run = run_program(config)
            timings.append(time.perf_counter() - t0)
            resources = len(run.resources)
        worst = max(worst, max(timings))
        print(
            f"{stack:5s} {resources:3d} resources  first {timings[0]:.3f} s  "
            f"median {statistics.median(timings):.3f} s  max {max(timings):.3f} s"
        )
    verdict = "within" if worst < TARGET_SECONDS else "OVER"
    print(f"slowest evaluation {worst:.3f} s: {verdict} the {TARGET_SECONDS:.0f} s target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
