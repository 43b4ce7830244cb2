"""Smoke-suite performance figures (printed, never asserted).

1. Concurrency: 3 stacks x 4 deployments, each request delayed 1 s by the emulator's latency fault.
   The whole run should take under 1.2x the longest single deployment's check chain (target < 1.2x).
2. Start-up: `smoke --help` as a subprocess (target < 0.3 s; it must not import pulumi or azure-mgmt).

Run: .venv/bin/python benchmarks/bench_smoke.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emulator.testing import running_emulator  # noqa: E402
from smoke import ApiKeyAuth, SmokeOptions, run_smoke  # noqa: E402
from smoke.targets import targets_from_outputs  # noqa: E402

STACKS, DEPLOYMENTS, LATENCY_MS = 3, 4, 1000
KEY = "bench-key"
MODEL = {"model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 1000}


def config() -> dict:
    return {
        "accounts": [
            {
                "subdomain": f"stack{s}",
                "keys": [KEY],
                "deployments": [
                    {"name": f"gpt-image-{d}", **MODEL, "faults": {"latencyMs": LATENCY_MS}}
                    for d in range(DEPLOYMENTS)
                ],
            }
            for s in range(STACKS)
        ]
    }


def targets_for(emu, stack: int) -> list:
    outputs = {
        "environment": f"stack{stack}",
        "endpoint": emu.endpoint(f"stack{stack}"),
        "apiVersion": "2025-04-01-preview",
        "localAuthDisabled": False,
        "deployments": {f"gpt-image-{d}": {"capacity": 1000} for d in range(DEPLOYMENTS)},
    }
    return targets_from_outputs(outputs, f"stack{stack}")


def bench_concurrency() -> None:
    with running_emulator(config()) as emu:
        ca = Path(emu.ca_file)
        auth = ApiKeyAuth(KEY, "BENCH")
        single_times = []
        for s in range(STACKS):
            target = targets_for(emu, s)[0]
            start = time.perf_counter()
            report = run_smoke([target], SmokeOptions(auth=auth, ca_bundle=ca, concurrency=1))
            single_times.append(time.perf_counter() - start)
            assert report.passed, [c.failure for c in report.checks]
        longest = max(single_times)
        # What `smoke run --outputs a.json --outputs b.json --outputs c.json --concurrency 12` does.
        targets = [t for s in range(STACKS) for t in targets_for(emu, s)]
        start, cpu = time.perf_counter(), time.process_time()
        report = run_smoke(targets, SmokeOptions(auth=auth, ca_bundle=ca, concurrency=len(targets)))
        total, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert report.passed, [c.failure for c in report.failed]
        latencies = [a.latency_s for c in report.checks for a in c.attempts]
        print(
            f"single deployment chain (generate + edit, {LATENCY_MS} ms latency): "
            f"longest {longest:.2f} s of {', '.join(f'{t:.2f}' for t in single_times)}"
        )
        print(
            f"{STACKS} stacks x {DEPLOYMENTS} deployments ({len(report.checks)} checks, "
            f"concurrency {len(targets)}): {total:.2f} s; "
            f"request latency mean {statistics.mean(latencies):.2f} s, "
            f"max {max(latencies):.2f} s; smoke process CPU {cpu:.2f} s"
        )
        print(f"ratio: {total / longest:.2f}x (target < 1.2x)")


def bench_help(runs: int = 7) -> None:
    exe = Path(sys.executable).with_name("smoke")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(exe), "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    base = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, capture_output=True)
        base.append(time.perf_counter() - start)
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, smoke.cli; "
            "print(sorted(m for m in ('pulumi', 'azure.mgmt', 'azure.identity', 'httpx', 'rich', 'PIL') "
            "if m in sys.modules))",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(
        f"`smoke --help`: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
        f"(target < 300 ms; bare interpreter {statistics.median(base) * 1000:.0f} ms)"
    )
    print(f"heavy modules loaded by `import smoke.cli`: {heavy}")


if __name__ == "__main__":
    bench_help()
    bench_concurrency()
