"""Smoke-suite performance figures (printed, never asserted).

1. Concurrency: 3 stacks x 4 deployments, each request delayed 1 s by the emulator's latency fault.
   The whole run should take under 1.2x the longest single deployment's check chain (target < 1.2x).
   Besides the ratio it prints where the time beyond the injected latency goes: the emulator's own
   image work (its request log's durationMs; it shares the 2 cores and one GIL with nothing else of
   ours), the client side (latency seen by smoke minus the emulator's time), the verdict work after
   the last response, and both processes' CPU.
2. Start-up: `smoke --help` as a subprocess (target < 0.3 s; it must not import pulumi or azure-mgmt).

Run: .venv/bin/python benchmarks/bench_smoke.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

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


def _process_cpu_s(pid: int) -> float:
    """utime + stime of another process (Linux /proc), to see the emulator's share of the 2 cores."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _overheads(report, emu, since: float) -> tuple[list[float], list[float]]:
    """Per request: (server time - injected latency, client latency - server time), from the request log."""
    served = {}
    for r in emu.requests():
        if r["time"] >= since:
            # smoke records the service's request id (apim-request-id) when there is one, else its own.
            for rid in (r["requestId"], r["clientRequestId"]):
                served[rid] = r["durationMs"] / 1000
    server, client = [], []
    for check in report.checks:
        for attempt in check.attempts:
            duration = served.get(attempt.request_id)
            if duration is None:
                continue
            server.append(duration - LATENCY_MS / 1000)
            client.append(attempt.latency_s - duration)
    return server, client


def _timed_run(emu, targets, concurrency: int):
    auth, ca = ApiKeyAuth(KEY, "BENCH"), Path(emu.ca_file)
    since, emu_cpu, cpu = time.time(), _process_cpu_s(emu.process.pid), time.process_time()
    start = time.perf_counter()
    report = run_smoke(targets, SmokeOptions(auth=auth, ca_bundle=ca, concurrency=concurrency))
    total = time.perf_counter() - start
    assert report.passed, [c.failure for c in report.failed]
    last = max(a.started_at + a.latency_s for c in report.checks for a in c.attempts)
    return SimpleNamespace(
        total=total,
        tail=since + total - last,  # client-side verdict work after the last response arrived
        emulator_cpu=_process_cpu_s(emu.process.pid) - emu_cpu,
        smoke_cpu=time.process_time() - cpu,
        overheads=_overheads(report, emu, since),
    )


def bench_concurrency(repeats: int = 3) -> None:
    print(f"load average before: {os.getloadavg()[0]:.2f} (figures are only meaningful below ~1 on 2 cores)")
    with running_emulator(config()) as emu:
        singles = [_timed_run(emu, targets_for(emu, s)[:1], 1) for s in range(STACKS)]
        longest = max(r.total for r in singles)
        print(
            f"single deployment chain (generate + edit, {LATENCY_MS} ms injected latency each): "
            f"longest {longest:.2f} s of {', '.join(f'{r.total:.2f}' for r in singles)}"
        )
        # What `smoke run --outputs a.json --outputs b.json --outputs c.json` does (--concurrency >= 12).
        targets = [t for s in range(STACKS) for t in targets_for(emu, s)]
        for i in range(repeats):
            run = _timed_run(emu, targets, len(targets))
            server, client = run.overheads
            # The first run also pays the emulator's cold image cache for 9 new deployments.
            label = "cold" if i == 0 else "warm"
            print(
                f"{STACKS} stacks x {DEPLOYMENTS} deployments, run {i + 1} ({label}): {run.total:.2f} s = "
                f"{run.total / longest:.2f}x (target < 1.2x); per request: emulator time beyond the "
                f"injected latency mean {statistics.mean(server) * 1000:.0f} ms / max "
                f"{max(server) * 1000:.0f} ms, client-side mean {statistics.mean(client) * 1000:.0f} ms; "
                f"tail after the last response {run.tail * 1000:.0f} ms; CPU emulator "
                f"{run.emulator_cpu:.2f} s, smoke {run.smoke_cpu:.2f} s"
            )


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
