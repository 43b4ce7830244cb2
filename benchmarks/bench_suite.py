"""Prompt-suite figures on the emulator (printed, never asserted).

1. How long the example team suite (6 cases + keyless) takes per deployment, against the default suite
   (today's checks: one generate, one masked edit) measured in the same run as the baseline, for one and two
   deployments (the rollout gate runs it on two: stable and candidate side by side).
2. How large the HTML reports are, and how long rendering them takes: the smoke page for each run above, and
   the rollout comparison page built from the two-deployment run (the gate's stable vs candidate grid).

Run: .venv/bin/python benchmarks/bench_suite.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from emulator.testing import running_emulator
from smoke import ApiKeyAuth, SmokeOptions, case_grid, column_for
from smoke.reports.html import render_html
from smoke.suite import default_suite, load_suite, run_suite
from smoke.targets import Target

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench-suite-key"
MODEL = {"model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 1000}
CONFIG = {
    "accounts": [
        {
            "subdomain": "shop",
            "keys": [KEY],
            "blockTerms": ["CompetitorCo"],
            "deployments": [{"name": "gpt-image", **MODEL}, {"name": "gpt-image-candidate", **MODEL}],
        }
    ]
}
ROUNDS = 5


def timed(targets: list[Target], suite, options: SmokeOptions):
    times, report = [], None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        report = run_suite(targets, suite, options)
        times.append(time.perf_counter() - start)
    assert report is not None and report.passed, [c.failure for c in report.checks if c.failure]
    return statistics.median(times), report


def main() -> int:
    example, default = load_suite(ROOT / "examples" / "prompt-suite.yaml"), default_suite()
    with running_emulator(CONFIG) as emu:
        targets = [
            Target(
                emu.endpoint("shop"),
                name,
                model="gpt-image-1.5",
                version="2025-12-16",
                capacity=1000,
                source="shop",
                role=role,
            )
            for name, role in (("gpt-image", "stable"), ("gpt-image-candidate", "candidate"))
        ]
        options = SmokeOptions(auth=ApiKeyAuth(KEY, "KEY"), ca_bundle=Path(emu.ca_file), rpm=100_000)
        print(f"median of {ROUNDS} runs, emulator on loopback (HTTPS)")
        rows = []
        for count in (1, 2):
            base_s, _ = timed(targets[:count], default, options)
            suite_s, report = timed(targets[:count], example, options)
            rows.append((count, base_s, suite_s, report))
            cases = f"{len(example.cases)} vs {len(default.cases)} cases"
            print(
                f"  {count} deployment(s): default suite {base_s:.2f} s (baseline), example suite "
                f"{suite_s:.2f} s = {suite_s / base_s:.1f}x for {cases}"
            )
        for count, _, _, report in rows:
            start = time.perf_counter()
            html = render_html(report, suite_name=example.name)
            print(
                f"  smoke HTML, {count} deployment(s): {len(html.encode()):,} bytes, "
                f"rendered in {time.perf_counter() - start:.2f} s"
            )
        _, _, _, pair = rows[1]
        stable = [c for c in pair.checks if c.target.deployment == "gpt-image"]
        candidate = [c for c in pair.checks if c.target.deployment == "gpt-image-candidate"]
        grid = case_grid([column_for(stable[0].target, stable), column_for(candidate[0].target, candidate)])
        # Built from the same results, so the images are already encoded (cached): size only.
        print(f"  rollout comparison grid (stable | candidate): {len(grid.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
