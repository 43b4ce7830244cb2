"""Retries by time budget, interrupts and fast failure: figures for issue 10 (printed, never asserted).

1. False failures under a flaky but healthy deployment: every attempt has a 30 % chance of a 429 and a
   20 % chance of hanging past the request timeout (the emulator's ``throttleRate`` / ``hangRate``
   faults, set through its admin API). 100 smoke runs (generate + edit) with the time budget, and the
   same 100 with the old fixed cap of 4 attempts as the baseline, measured in the same run. Time is
   scaled down: a 1 s request timeout and a 5 s check budget keep the default's ratio (600 s budget =
   5 x the 120 s request timeout). Goal: 0-1 false failures with the budget.
2. Signal to exit: ``smoke run`` and ``scripts/rollout.py`` sent SIGINT / SIGTERM while a request (smoke)
   or an ARM operation (rollout, ``up`` child) is in flight; seconds from the signal to the exit, and
   whether any child was left. Goal < 2 s, nothing left.
3. Rollout wall time with a failing candidate (the candidate's account blocked, a 403 that cannot heal),
   next to the wall time of a passing rollout of the same stack measured in the same run.
4. Fail fast: ``smoke run`` without the emulator's CA (a TLS error), seconds to the verdict.

Run: .venv/bin/python benchmarks/bench_retry.py [--runs 100] [--skip-signals] [--skip-rollout]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emulator.testing import RunningEmulator, running_emulator  # noqa: E402
from smoke import ApiKeyAuth, RetryPolicy, SmokeOptions, run_smoke  # noqa: E402
from smoke.targets import endpoint_targets  # noqa: E402

KEY = "bench-key"
SUB, DEPLOYMENT = "flaky", "gpt-image"
MIX = {"throttleRate": 0.3, "hangRate": 0.2, "hangSeconds": 5, "throttle": {"count": 0, "retryAfterMs": 100}}
REQUEST_TIMEOUT_S = 1.0
BUDGET_S = 5 * REQUEST_TIMEOUT_S  # the default's ratio: 600 s = 5 x 120 s
PARALLEL = 8  # runs at a time; each run is one deployment's generate + edit


def emulator_config() -> dict:
    model = {"model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 100_000}
    return {"accounts": [{"subdomain": SUB, "keys": [KEY], "deployments": [{"name": DEPLOYMENT, **model}]}]}


def one_run(emu: RunningEmulator, policy: RetryPolicy) -> tuple[bool, float, int]:
    targets = endpoint_targets(emu.endpoint(SUB), [DEPLOYMENT], None, None)
    options = SmokeOptions(
        checks=("generate", "edit"),
        auth=ApiKeyAuth(KEY, "BENCH_KEY"),
        ca_bundle=Path(emu.ca_file) if emu.ca_file else None,
        request_timeout_s=REQUEST_TIMEOUT_S,
        retry=policy,
        rpm=1e6,
        concurrency=1,
    )
    report = run_smoke(targets, options)
    attempts = sum(len(c.attempts) for c in report.checks)
    return report.passed, report.finished_at - report.started_at, attempts


def false_failures(runs: int) -> None:
    policies = {
        "time budget (new)": RetryPolicy(deadline_s=BUDGET_S),
        "4 attempts (old)": RetryPolicy(max_attempts=4, deadline_s=300 / 120 * REQUEST_TIMEOUT_S),
    }
    print(f"1. {runs} runs x (generate + edit) under 30 % 429 + 20 % timeouts per attempt")
    print(f"   request timeout {REQUEST_TIMEOUT_S:g} s, check budget {BUDGET_S:g} s, {PARALLEL} runs at a time")
    with running_emulator(emulator_config()) as emu:
        emu.set_fault(SUB, DEPLOYMENT, **MIX)
        for name, policy in policies.items():
            started = time.monotonic()
            with ThreadPoolExecutor(PARALLEL) as pool:
                results = list(pool.map(lambda _: one_run(emu, policy), range(runs)))
            wall = time.monotonic() - started
            failed = sum(1 for ok, _, _ in results if not ok)
            times = [t for _, t, _ in results]
            attempts = [a for _, _, a in results]
            print(
                f"   {name:<18} false failures {failed:>3}/{runs}; per run median {statistics.median(times):.2f} s, "
                f"p95 {sorted(times)[int(0.95 * len(times)) - 1]:.2f} s, max {max(times):.2f} s; "
                f"attempts per run mean {statistics.mean(attempts):.1f}; wall {wall:.0f} s"
            )
