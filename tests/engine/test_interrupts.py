"""`imagegate local up` and the demo under real signals: waits shown while ARM works, SIGINT/SIGTERM
stop them with the signal's exit code and one line, and the demo leaves no emulator behind."""

from __future__ import annotations

import shutil
import signal
import sys
from pathlib import Path

import pytest

from emulator.testing import running_emulator
from tests.lifecycle.procs import Lines, alive, child_running, cleanup, group_members, start, wait_until

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_local_up_shows_the_arm_wait_then_stops_on_a_signal(tmp_path: Path, signum: int) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    shutil.copy(ROOT / "Pulumi.dev.yaml", config)
    # Every ARM write takes a minute: `up` sits in a long-running operation, as against slow Azure.
    with running_emulator({"accounts": [], "arm": {"lroDelaySeconds": 60}}) as emu:
        proc = start(
            [
                sys.executable,
                "-m",
                "imagegate",
                "local",
                "up",
                "--config",
                str(config),
                "--arm-endpoint",
                emu.base_url,
                "--ca-bundle",
                str(emu.ca_file),
            ],
            cwd=str(tmp_path),
        )
        try:
            err = Lines(proc.stderr)
            line = err.wait_for(lambda text: text.startswith("up: waiting "))
            assert line.endswith(": ARM is creating or updating it (a long-running operation)\n")
            assert " of up to 600 s for " in line
            proc.send_signal(signum)
            assert proc.wait(timeout=10) == 128 + signum
            name = signal.Signals(signum).name
            last = err.rest().splitlines()[-1]
            assert last.startswith(f"local up: interrupted by {name} after ")
            assert last.endswith(
                "what was applied stays in ARM and no outputs were written; run it again to converge."
            )
            assert not (tmp_path / ".imagegate" / "dev" / "outputs.json").exists()
        finally:
            cleanup(proc)


def test_a_non_arm_endpoint_says_what_is_wrong_with_it(tmp_path: Path) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    shutil.copy(ROOT / "Pulumi.dev.yaml", config)
    with running_emulator({"accounts": []}) as emu:
        proc = start(
            [
                sys.executable,
                "-m",
                "imagegate",
                "local",
                "up",
                "--config",
                str(config),
                "--arm-endpoint",
                f"{emu.base_url}accounts/x/",
                "--ca-bundle",
                str(emu.ca_file),
            ],
            cwd=str(tmp_path),
        )
        try:
            assert proc.wait(timeout=120) == 2
            err = Lines(proc.stderr).rest()
            assert "answered 404 without an ARM error" in err
            assert "--arm-endpoint must be the emulator's base URL" in err and "404 404" not in err
        finally:
            cleanup(proc)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_demo_stops_its_emulator_on_a_signal(tmp_path: Path, signum: int) -> None:
    config = tmp_path / "Pulumi.dev.yaml"
    shutil.copy(ROOT / "Pulumi.dev.yaml", config)
    proc = start(
        [str(ROOT / "scripts" / "demo"), "--config", str(config), "--reports", str(tmp_path / "reports")],
        cwd=str(tmp_path),
    )
    try:
        out = Lines(proc.stdout)
        out.wait_for(lambda line: line.startswith("demo: emulator at "))
        emulator = child_running(proc.pid, "-m emulator")
        assert group_members(emulator) == [emulator]  # its own group: a terminal's Ctrl-C does not reach it
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == 128 + signum
        name = signal.Signals(signum).name
        last = Lines(proc.stderr).rest().splitlines()[-1]
        assert last.startswith(f"demo: interrupted by {name} while ")
        assert last.endswith("; the emulator and smoke were stopped.")
        wait_until(lambda: not alive(emulator), 5, "the emulator's exit")
        assert group_members(proc.pid) == []
    finally:
        cleanup(proc)
