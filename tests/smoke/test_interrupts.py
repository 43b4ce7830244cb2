"""Ctrl-C and SIGTERM on real ``imagegate smoke`` processes against the real emulator: the exit code,
the message, the reports of what finished, and nothing left running."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import pytest

from emulator.testing import running_emulator
from tests.lifecycle.procs import Lines, cleanup, connected_to, group_members, start, wait_until

pytestmark = pytest.mark.slow
KEY = "interrupt-key-8d2f4a6c1e"
MODEL = {"model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 1000}
SLOW = {"latencyMs": 60_000}  # an answer that would come long after the signal


@pytest.fixture(scope="module")
def emu():
    deployments = [{"name": "fast", **MODEL}, {"name": "slow", **MODEL, "faults": SLOW}]
    with running_emulator(
        {"accounts": [{"subdomain": "dev", "keys": [KEY], "deployments": deployments}]}
    ) as e:
        yield e


def outputs(emu, tmp_path: Path) -> Path:
    doc = {
        "environment": "dev",
        "endpoint": emu.endpoint("dev"),
        "apiVersion": "2025-04-01-preview",
        "localAuthDisabled": False,
        "deployments": {name: {"model": "gpt-image-1.5", "capacity": 1000} for name in ("fast", "slow")},
    }
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(doc))
    return path


def smoke(emu, *args: str) -> list[str]:
    auth = ["--auth", "key", "--api-key-env", "INTERRUPT_KEY", "--ca-bundle", emu.ca_file]
    return [sys.executable, "-m", "imagegate", "smoke", args[0], *auth, *args[1:]]


def port_of(emu) -> int:
    return int(emu.base_url.rstrip("/").rsplit(":", 1)[1])


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_smoke_run_stops_at_once_and_reports_what_finished(emu, tmp_path, signum):
    reports = tmp_path / "r"  # missing: created, as --save-images' folder is
    proc = start(
        smoke(
            emu,
            "run",
            "--outputs",
            str(outputs(emu, tmp_path)),
            "--json",
            str(reports / "x.json"),
            "--junit",
            str(reports / "x.xml"),
            "--html",
            str(reports / "x.html"),
        ),
        env={"INTERRUPT_KEY": KEY},
    )
    try:
        err = Lines(proc.stderr)
        # The fast deployment's last check is done; the slow one's first request is in flight.
        err.wait_for(lambda line: line.startswith("[dev/fast] keyless: "))
        wait_until(lambda: connected_to(proc.pid, port_of(emu)), 30, "a connection to the emulator")
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == 128 + signum
        name = signal.Signals(signum).name
        assert err.rest().splitlines()[-1] == (
            f"smoke run: interrupted by {name}: 3 of 6 checks finished, requests in flight were abandoned; "
            "the reports hold the finished ones."
        )
        report = json.loads((reports / "x.json").read_text())
        assert (report["interrupted"], report["plannedChecks"], report["passed"]) == (name, 6, False)
        assert [(c["target"]["deployment"], c["check"]) for c in report["checks"]] == [
            ("fast", "generate"),
            ("fast", "edit"),
            ("fast", "keyless"),
        ]
        assert f'name="interrupted" value="{name}"' in (reports / "x.xml").read_text()
        html = (reports / "x.html").read_text()
        assert f"<dt>interrupted</dt><dd>by {name}: 3 of 6 checks finished; only those are shown</dd>" in html
        assert group_members(proc.pid) == []
    finally:
        cleanup(proc)


def test_smoke_generate_stops_mid_request_and_writes_nothing(emu, tmp_path):
    out = tmp_path / "never.png"
    command = smoke(
        emu,
        "generate",
        "--outputs",
        str(outputs(emu, tmp_path)),
        "--deployment",
        "slow",
        "--prompt",
        "a lighthouse",
        "-o",
        str(out),
    )
    proc = start(command, env={"INTERRUPT_KEY": KEY})
    try:
        wait_until(lambda: connected_to(proc.pid, port_of(emu)), 30, "a connection to the emulator")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 143
        last = Lines(proc.stderr).rest().splitlines()[-1]
        assert last.startswith("smoke generate: interrupted by SIGTERM after ")
        assert last.endswith(f"(0 attempt(s) answered); {out} was not written.")
        assert not out.exists()
    finally:
        cleanup(proc)


def test_a_prompt_suite_run_stops_the_same_way(emu, tmp_path):
    report = tmp_path / "suite.json"
    command = smoke(
        emu, "run", "--outputs", str(outputs(emu, tmp_path)), "--suite", "default", "--json", str(report)
    )
    proc = start(command, env={"INTERRUPT_KEY": KEY})
    try:
        err = Lines(proc.stderr)
        err.wait_for(lambda line: line.startswith("[dev/fast] "))  # a case of the fast deployment is done
        wait_until(lambda: connected_to(proc.pid, port_of(emu)), 30, "a connection to the emulator")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 130
        assert "smoke run: interrupted by SIGINT: " in err.rest()
        doc = json.loads(report.read_text())
        assert doc["interrupted"] == "SIGINT" and doc["plannedChecks"] > len(doc["checks"]) >= 1
        assert {c["target"]["deployment"] for c in doc["checks"]} == {"fast"}
        assert group_members(proc.pid) == []
    finally:
        cleanup(proc)
