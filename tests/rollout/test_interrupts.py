"""A real `imagegate rollout run` process with its real `local up` child, stopped by signals: the engine's
waits reach the rollout's output, Ctrl-C/SIGTERM stop both within the bounded wait and the journal says
where, and a SIGKILLed rollout does not leave its `up` child running (issue 12, finding 7)."""

from __future__ import annotations

import json
import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.testing import running_emulator
from rollout.journal import Journal
from tests.lifecycle.procs import Lines, alive, child_running, cleanup, group_members, start, wait_until
from tests.rollout.conftest import NEW_VERSION, override_catalog_data

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def stalled(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A stack whose `up` sits in ARM's long-running operations (every write takes two minutes), as
    against a slow Azure: the rollout's first `up` is still running when the test acts."""
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({**override_catalog_data(), "rpmPerCapacityUnit": 600}))
    shutil.copy(REPO / "Pulumi.yaml", tmp_path)
    shutil.copy(REPO / "Pulumi.dev.yaml", tmp_path)
    with running_emulator({"accounts": [], "arm": {"lroDelaySeconds": 120}}, catalog=catalog) as emu:
        yield {
            "emu": emu,
            "catalog": catalog,
            "config": tmp_path / "Pulumi.dev.yaml",
            "dir": tmp_path / ".imagegate" / "dev",
        }


def start_rollout(stack: dict[str, Any]) -> tuple[Any, Lines, int]:
    """The rollout, once its `up` child runs and has said it is waiting; returns (process, stdout, child)."""
    emu = stack["emu"]
    proc = start(
        [
            sys.executable,
            "-m",
            "imagegate",
            "rollout",
            "run",
            "--config",
            str(stack["config"]),
            "--driver",
            "local",
            "--arm-endpoint",
            emu.base_url,
            "--ca-bundle",
            emu.ca_file,
            "--skip-preflight",
            "--to",
            f"gpt-image-1.5@{NEW_VERSION}",
        ],
        env={"IMAGEGATE_CATALOG": str(stack["catalog"])},
    )
    out = Lines(proc.stdout)
    line = out.wait_for(lambda text: text.startswith("  up: waiting "))
    assert line.endswith(": ARM is creating or updating it (a long-running operation)\n")
    return proc, out, child_running(proc.pid, "local up")


def test_a_sigkilled_rollout_does_not_leave_its_up_child_running(stalled: dict[str, Any]) -> None:
    proc, _, child = start_rollout(stalled)
    try:
        assert group_members(child) == [child]  # the child has a group of its own
        proc.kill()  # SIGKILL: the rollout runs no handler at all
        proc.wait(timeout=10)
        # The kernel's parent-death signal (SIGTERM) stops `up` at its next safe point.
        wait_until(lambda: not alive(child), 10, "the `up` child's exit")
        journal = Journal.load(stalled["dir"])
        assert journal is not None and journal.status == "in-progress"
        assert (journal.events[-1]["step"], journal.events[-1]["status"]) == ("create-candidate", "started")
        assert "endedAt" not in journal.data["runs"][-1]  # truthful: that run never ended
    finally:
        cleanup(proc)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_signal_stops_the_rollout_and_its_child_and_the_journal_says_where(
    stalled: dict[str, Any], signum: int
) -> None:
    proc, out, child = start_rollout(stalled)
    try:
        proc.send_signal(signum)
        assert proc.wait(timeout=10) == 3
        name = signal.Signals(signum).name
        assert (
            f"rollout: in-progress - Interrupted by {name} during step 'create-candidate'; run the same "
            "command again to resume, or `imagegate rollout abort` to roll back." in out.rest()
        )
        assert not alive(child) and group_members(child) == []
        journal = Journal.load(stalled["dir"])
        assert journal is not None
        last = journal.events[-1]
        assert (last["step"], last["status"], last["detail"]) == ("create-candidate", "interrupted", name)
        assert journal.data["runs"][-1]["interrupted"] is True and journal.data["runs"][-1]["exitCode"] == 3
    finally:
        cleanup(proc)
