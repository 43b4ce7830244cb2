"""`imagegate local preview` changes nothing; `imagegate local destroy` removes what `up` made, last first."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.testing import RunningEmulator, running_emulator

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator({"arm": {"lroDelaySeconds": 0.02}}) as running:
        yield running


def local(emu: RunningEmulator, verb: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "imagegate",
        "local",
        verb,
        "--stack",
        "dev",
        "--arm-endpoint",
        emu.base_url,
        "--ca-bundle",
        str(emu.ca_file),
    ]
    if verb == "up":
        command += ["--outputs", str(tmp_path / "outputs.json")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGEGATE_")}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)


def writes(emu: RunningEmulator) -> list[str]:
    return [f"{r['method']} {r['path']}" for r in emu.requests() if r["method"] != "GET"]


def test_preview_then_up_then_destroy_then_up_again(emu: RunningEmulator, tmp_path: Path) -> None:
    emu.reset()
    preview = local(emu, "preview", tmp_path)
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout.splitlines()[-1] == (
        "preview: 14 created, 0 updated, 0 unchanged, 0 deleted (nothing was changed)"
    )
    assert writes(emu) == []

    assert local(emu, "up", tmp_path).returncode == 0
    again = local(emu, "preview", tmp_path)
    assert again.stdout.splitlines()[-1] == (
        "preview: 0 created, 0 updated, 14 unchanged, 0 deleted (nothing was changed)"
    )

    before = len(writes(emu))
    destroyed = local(emu, "destroy", tmp_path)
    assert destroyed.returncode == 0, destroyed.stderr
    assert destroyed.stdout.splitlines()[-1] == "destroy: 14 deleted"
    deletes = [w for w in writes(emu)[before:] if w.startswith("DELETE")]
    # Reverse dependency order: the deployment before its account, the account before its resource group.
    order = [d.split("?")[0] for d in deletes]
    deployment = next(i for i, p in enumerate(order) if "/deployments/" in p)
    account = next(i for i, p in enumerate(order) if p.endswith("/accounts/imagegate-dev-img"))
    group = next(i for i, p in enumerate(order) if p.rstrip("/").count("/") == 4)
    assert deployment < account < group

    # Purged, so the same names can be created again.
    reapplied = local(emu, "up", tmp_path)
    assert reapplied.returncode == 0, reapplied.stderr
    assert "14 created" in reapplied.stdout


def test_a_second_destroy_reports_only_what_it_deleted(emu: RunningEmulator, tmp_path: Path) -> None:
    emu.reset()
    assert local(emu, "up", tmp_path).returncode == 0
    first = local(emu, "destroy", tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "destroy: 14 deleted"

    again = local(emu, "destroy", tmp_path)
    assert again.returncode == 0, again.stderr
    # Everything, the resource group included, is already gone: nothing is reported deleted.
    assert [line for line in again.stdout.splitlines() if "deleted" in line] == ["destroy: 0 deleted"]
