"""Retries by time budget, interrupts and fast failure: figures for issue 10 (printed, never asserted).

1. False failures under a flaky but healthy deployment: every attempt has a 30 % chance of a 429 and a
   20 % chance of hanging past the request timeout (the emulator's ``throttleRate`` / ``hangRate``
   faults, set through its admin API). 100 smoke runs (generate + edit) with the time budget, and the
   same 100 with the old fixed cap of 4 attempts as the baseline, measured in the same run. Time is
   scaled down by 2/120: a 2 s request timeout, a 10 s check budget and the backoff keep the defaults'
   proportions (720 s budget = 6 x the 120 s request timeout). Goal: 0-1 false failures with the budget.
2. Signal to exit: ``smoke run`` and ``scripts/rollout.py`` sent SIGINT / SIGTERM while a request (smoke)
   or an ARM operation (rollout, ``up`` child) is in flight; seconds from the signal to the exit, and
   whether any child was left; and an idle ``python -m emulator`` (whose stop every test start pays).
   Goal < 2 s, nothing left.
3. Rollout wall time with a failing candidate (the candidate's account blocked, a 403 that cannot heal),
   next to the wall time of a passing rollout of the same stack measured in the same run.
4. Fail fast: ``smoke run`` without the emulator's CA (a TLS error), seconds to the verdict.

Run: .venv/bin/python benchmarks/bench_retry.py [--runs 100] [--skip-signals] [--skip-rollout]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
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
REQUEST_TIMEOUT_S = 2.0
# Every time constant of the policy scaled by the same factor as the request timeout (120 s -> 2 s), so
# the budget (720 s = 6 request timeouts) and the backoff (0.5 s doubling to 8 s) keep their proportions.
SCALE = REQUEST_TIMEOUT_S / 120
BUDGET_S = 720 * SCALE
PARALLEL = 6  # runs at a time; each run is one deployment's generate + edit


def emulator_config() -> dict:
    model = {"model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 100_000}
    return {"accounts": [{"subdomain": SUB, "keys": [KEY], "deployments": [{"name": DEPLOYMENT, **model}]}]}


def one_run(emu: RunningEmulator, policy: RetryPolicy, _: int = 0) -> tuple[bool, float, int]:
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
    backoff = {"backoff_initial_s": 0.5 * SCALE, "backoff_max_s": 8 * SCALE}
    policies = {
        "budget 720 s (new)": RetryPolicy(deadline_s=BUDGET_S, **backoff),
        "budget 600 s": RetryPolicy(deadline_s=600 * SCALE, **backoff),
        "4 attempts (old)": RetryPolicy(max_attempts=4, deadline_s=300 * SCALE, **backoff),
    }
    print(f"1. {runs} runs x (generate + edit) under 30 % 429 + 20 % timeouts per attempt")
    print(f"   request timeout {REQUEST_TIMEOUT_S:g} s, check budget {BUDGET_S:g} s, {PARALLEL} runs at once")
    with running_emulator(emulator_config()) as emu:
        emu.set_fault(SUB, DEPLOYMENT, **MIX)
        for name, policy in policies.items():
            started = time.monotonic()
            with ThreadPoolExecutor(PARALLEL) as pool:
                results = list(pool.map(functools.partial(one_run, emu, policy), range(runs)))
            wall = time.monotonic() - started
            failed = sum(1 for ok, _, _ in results if not ok)
            times = sorted(t for _, t, _ in results)
            attempts = [a for _, _, a in results]
            print(
                f"   {name:<19} false failures {failed:>3}/{runs}; per run median "
                f"{statistics.median(times):.2f} s, p95 {times[int(0.95 * len(times)) - 1]:.2f} s, "
                f"max {times[-1]:.2f} s; attempts per run {statistics.mean(attempts):.1f}; wall {wall:.0f} s"
            )


# -- 2. signal to exit -----------------------------------------------------------------------------------


def _connected(pid: int, port: int) -> bool:
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    except OSError:
        return False
    want = f"0100007F:{port:04X}"
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return any(r.split()[2] == want and r.split()[3] == "01" and r.split()[9] in inodes for r in rows)


def _group_left(pgid: int) -> int:
    left = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError):
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                left += int(fields[2]) == pgid and fields[0] != "Z"
    return left


def _until(fact, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not fact():
        if time.monotonic() > deadline:
            raise SystemExit("benchmark: a process never reached the point to interrupt it")
        time.sleep(0.02)


def _signal_and_time(proc: subprocess.Popen, signum: int, groups: list[int]) -> tuple[float, int, int]:
    sent = time.monotonic()
    proc.send_signal(signum)
    code = proc.wait(timeout=30)
    took = time.monotonic() - sent
    time.sleep(0.2)  # give the kernel a moment to reap what a killed group leader left
    return took, code, sum(_group_left(g) for g in groups)


def signal_to_exit(repeats: int) -> None:
    print(f"2. signal to exit ({repeats} of each; median, max; processes left afterwards)")
    slow = {
        "name": "slow",
        "model": "gpt-image-1.5",
        "version": "2025-12-16",
        "capacity": 1000,
        "faults": {"latencyMs": 60_000},
    }
    config = {"accounts": [{"subdomain": "dev", "keys": [KEY], "deployments": [slow]}]}
    with running_emulator(config) as emu, tempfile.TemporaryDirectory() as scratch:
        port = int(emu.base_url.rstrip("/").rsplit(":", 1)[1])
        for signum in (signal.SIGINT, signal.SIGTERM):
            figures = []
            for n in range(repeats):
                command = [
                    sys.executable,
                    "-m",
                    "imagegate",
                    "smoke",
                    "run",
                    "--endpoint",
                    emu.endpoint("dev"),
                    "--deployment",
                    "slow",
                    "--auth",
                    "key",
                    "--api-key-env",
                    "BENCH_KEY",
                    "--ca-bundle",
                    emu.ca_file,
                    "--json",
                    f"{scratch}/smoke-{signum}-{n}.json",
                ]
                proc = subprocess.Popen(
                    command,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                    env={**os.environ, "BENCH_KEY": KEY},
                )
                _until(functools.partial(_connected, proc.pid, port), 60)  # a request is in flight
                figures.append(_signal_and_time(proc, signum, [proc.pid]))
            _print_signal("smoke run", signum, figures)
    for signum in (signal.SIGINT, signal.SIGTERM):
        figures = []
        for _ in range(repeats):
            with _stalled_stack() as (emu, config_file, catalog):  # a fresh emulator: `up` starts from zero
                proc = subprocess.Popen(
                    _rollout_command(emu, config_file),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                    start_new_session=True,
                    env={**os.environ, "IMAGEGATE_CATALOG": str(catalog), "PYTHONUNBUFFERED": "1"},
                )
                assert proc.stdout is not None
                for line in proc.stdout:  # the `up` child is in an ARM operation once it says it waits
                    if line.startswith("  up: waiting "):
                        break
                child = _child_of(proc.pid)
                figures.append(_signal_and_time(proc, signum, [proc.pid, child]))
        _print_signal("rollout run (up child)", signum, figures)
    for signum in (signal.SIGINT, signal.SIGTERM):
        figures = []
        for _ in range(repeats):
            with running_emulator({"accounts": []}) as idle:  # uvicorn alone polls for a stop every 0.1 s
                figures.append(_signal_and_time(idle.process, signum, [idle.process.pid]))
        _print_signal("emulator serve (idle)", signum, figures)


def _rollout_command(emu: RunningEmulator, config_file: Path) -> list[str]:
    """`imagegate rollout run` of the dev stack to the test version, on the local driver."""
    return [
        *(sys.executable, "-m", "imagegate", "rollout", "run", "--config", str(config_file)),
        *("--driver", "local", "--arm-endpoint", emu.base_url, "--ca-bundle", str(emu.ca_file)),
        *("--skip-preflight", "--to", "gpt-image-1.5@2026-03-10"),
    ]


def _print_signal(what: str, signum: int, figures: list[tuple[float, int, int]]) -> None:
    times = [t for t, _, _ in figures]
    codes = sorted({c for _, c, _ in figures})
    left = sum(n for _, _, n in figures)
    print(
        f"   {what:<24} {signal.Signals(signum).name}: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s; exit {codes}; processes left {left}"
    )


def _child_of(pid: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError, IndexError):
                    fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                    if int(fields[1]) == pid:
                        return int(entry)
        time.sleep(0.02)
    raise SystemExit("benchmark: the rollout never started its `up` child")


def _reset_journal(config_file: Path) -> None:
    shutil.rmtree(config_file.parent / ".imagegate", ignore_errors=True)


@contextmanager
def _stalled_stack(lro_s: float = 120) -> Iterator[tuple[RunningEmulator, Path, Path]]:
    """The dev stack against an emulator whose ARM writes take ``lro_s``: `up` is busy when signalled."""
    catalog_data = json.loads((ROOT / "catalog" / "model_catalog.json").read_text())
    catalog_data["models"]["gpt-image-1.5"]["versions"]["2026-03-10"] = {
        "retirementDate": None,
        "default": False,
    }
    catalog_data["rpmPerCapacityUnit"] = 600
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        catalog = folder / "catalog.json"
        catalog.write_text(json.dumps(catalog_data))
        shutil.copy(ROOT / "Pulumi.yaml", folder)
        shutil.copy(ROOT / "Pulumi.dev.yaml", folder)
        with running_emulator({"accounts": [], "arm": {"lroDelaySeconds": lro_s}}, catalog=catalog) as emu:
            yield emu, folder / "Pulumi.dev.yaml", catalog


# -- 3. rollout wall time with a failing candidate -------------------------------------------------------


def rollout_wall_time() -> None:
    print("3. rollout wall time (local driver, --skip-preflight), same emulator, same run")
    with _stalled_stack(lro_s=0.05) as (emu, config_file, catalog):
        env = {**os.environ, "IMAGEGATE_CATALOG": str(catalog)}
        base = _rollout_command(emu, config_file)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "imagegate",
                "local",
                "up",
                "--config",
                str(config_file),
                "--arm-endpoint",
                emu.base_url,
                "--ca-bundle",
                emu.ca_file,
                "--quiet",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        emu.set_fault("imagegate-dev-img", "gpt-image-candidate", blocked=True)
        blocked = _timed(base, env)
        _fresh(config_file)
        emu.set_fault("imagegate-dev-img", "gpt-image-candidate", errorRate=1.0, errorStatus=503)
        budget = 30
        flaky = _timed(base, {**env, "IMAGEGATE_CHECK_TIMEOUT": str(budget)})
        emu.clear_faults()
        _fresh(config_file)
        passing = _timed(base, env)
        print(
            f"   candidate blocked (403, cannot heal):   {blocked[0]:6.1f} s, exit {blocked[1]}, "
            f"its error printed {blocked[2]} time(s)"
        )
        print(
            f"   candidate 503 on every request:         {flaky[0]:6.1f} s, exit {flaky[1]} "
            f"(IMAGEGATE_CHECK_TIMEOUT={budget}: generate and edit each spend the budget)"
        )
        print(
            f"   passing rollout (baseline, same run):   {passing[0]:6.1f} s, exit {passing[1]}; "
            f"blocked/passing {blocked[0] / passing[0]:.2f}"
        )


def _fresh(config_file: Path) -> None:
    _reset_journal(config_file)
    shutil.copy(ROOT / "Pulumi.dev.yaml", config_file.parent)


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    took = time.monotonic() - started
    failed = [line for line in done.stdout.splitlines() if ": FAILED - " in line]
    error = failed[0].split(": FAILED - ", 1)[1] if failed else None
    return took, done.returncode, done.stdout.count(error) if error else 0


# -- 4. fail fast ------------------------------------------------------------------------------------------


def fail_fast() -> None:
    print("4. fail fast: smoke run without the emulator's CA (a TLS error), default budget of 720 s")
    with running_emulator(emulator_config()) as emu:
        started = time.monotonic()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "imagegate",
                "smoke",
                "run",
                "--endpoint",
                emu.endpoint(SUB),
                "--deployment",
                DEPLOYMENT,
                "--auth",
                "key",
                "--api-key-env",
                "BENCH_KEY",
                "--check",
                "generate",
            ],
            env={
                **{
                    k: v
                    for k, v in os.environ.items()
                    if k not in ("SSL_CERT_FILE", "IMAGEGATE_CA_BUNDLE", "SMOKE_CA_BUNDLE")
                },
                "BENCH_KEY": KEY,
            },
            capture_output=True,
            text=True,
            timeout=900,
        )
        took = time.monotonic() - started
        verdict = next((line for line in done.stdout.splitlines() if "tls_error" in line), "?")
        print(
            f"   exit {done.returncode} after {took:.2f} s (process start included): {verdict.strip()[:90]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3, help="signals sent per command and signal")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["budget", "signals", "rollout", "tls"]
    )
    args = parser.parse_args()
    if "budget" not in args.skip:
        false_failures(args.runs)
    if "signals" not in args.skip:
        signal_to_exit(args.repeats)
    if "rollout" not in args.skip:
        rollout_wall_time()
    if "tls" not in args.skip:
        fail_fast()


if __name__ == "__main__":
    main()
