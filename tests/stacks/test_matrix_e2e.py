"""Every documented default works everywhere, the expensive half: the minimal stack and the variants issue
19 found broken (each leaving one key out of the full stack), each against its own emulator
through the README's whole flow with real processes: preflight, `local up`, `smoke run`, a version rollout
killed after its first change and aborted (the stack file comes back byte for byte and `local preview`
reads it), the version rollout run to the end, then a model-name rollout."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from emulator.testing import RunningEmulator, running_emulator
from rollout.execute import TEST_PAUSE_ENV
from tests.stacks.variants import (
    MODEL_TARGET,
    NEW_VERSION,
    STACK,
    VARIANTS,
    catalog_with_new_version,
    write_stack,
)

pytestmark = pytest.mark.slow
RPM = 600  # per capacity unit: smoke must not wait out a 2-unit quota


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[tuple[RunningEmulator, Path]]:
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_with_new_version(RPM)), encoding="utf-8")
    with running_emulator({"accounts": []}, catalog=catalog) as emu:
        yield emu, catalog


def imagegate(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imagegate", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


def paused_then_killed(args: list[str], env: dict[str, str], cwd: Path, after: str) -> None:
    """The rollout as a real process, SIGKILLed once step ``after`` is journalled (no handler runs)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "imagegate", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**env, TEST_PAUSE_ENV: after, "PYTHONUNBUFFERED": "1"},
        cwd=cwd,
    )
    seen = []
    assert proc.stdout is not None
    try:
        for line in proc.stdout:  # ends at EOF if the process exits without pausing
            seen.append(line)
            if line.startswith(f"paused after step '{after}'"):
                proc.kill()
                break
        proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGKILL, "".join(seen)


def outputs_of(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


# The minimal stack leaves every optional key out; the two variants are issue 19's findings 1 and 2 alone.
@pytest.mark.parametrize("variant", ["minimal", "without-deployments[].version", "without-deployments[].sku"])
def test_the_readme_flow_on_a_stack_that_leaves_defaults_out(
    variant: str, emulator: tuple[RunningEmulator, Path], tmp_path: Path
) -> None:
    emu, catalog = emulator
    env = {
        **os.environ,
        "IMAGEGATE_CATALOG": str(catalog),
        "SMOKE_RPM_PER_CAPACITY_UNIT": str(RPM),
        "IMAGEGATE_CONFLICT_WAIT": "0.01",
    }
    config = write_stack(tmp_path, VARIANTS[variant])
    outputs = tmp_path / ".imagegate" / STACK / "outputs.json"
    stack = ["--stack", STACK, "--config", str(config)]
    arm = ["--arm-endpoint", emu.base_url, "--ca-bundle", str(emu.ca_file)]
    local = ["--driver", "local", *arm]

    def ok(*args: str) -> str:
        done = imagegate(*args, env=env, cwd=tmp_path)
        assert done.returncode == 0, f"imagegate {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    ok("preflight", *stack, *arm)
    ok("local", "up", *stack, *arm, "--outputs", str(outputs), "--quiet")
    up = outputs_of(outputs)
    assert up["deployments"]["gpt-image"]["version"] == "2025-12-16"  # the catalog's default, if left out
    assert up["activeDeployment"] == "gpt-image"
    ok("smoke", "run", "--outputs", str(outputs), "--auth", "emulator", "--ca-bundle", str(emu.ca_file))

    # Killed after its first change, then aborted: the file comes back as the user wrote it.
    before = config.read_bytes()
    version = ["rollout", "run", *stack, "--to", f"gpt-image-1.5@{NEW_VERSION}", *local]
    paused_then_killed(version, env, tmp_path, after="create-candidate")
    assert b"imagegate:candidate" in config.read_bytes()
    aborted = imagegate("rollout", "abort", *stack, *local, env=env, cwd=tmp_path)
    assert aborted.returncode == 1, aborted.stdout + aborted.stderr
    assert "rollout: rolled-back - Rolled back at step 'create-candidate'" in aborted.stdout
    assert config.read_bytes() == before
    ok("local", "preview", *stack, *arm)
    assert set(outputs_of(outputs)["deployments"]) == {"gpt-image"}

    out = ok(*version)
    assert "current    : gpt-image-1.5@2025-12-16 (GlobalStandard, capacity 2)" in out
    assert f"rollout: succeeded - Stack '{STACK}' now serves gpt-image-1.5@{NEW_VERSION} as gpt-image." in out
    written = yaml.safe_load(config.read_text())["config"]
    assert written["imagegate:deployments"][0]["version"] == NEW_VERSION
    assert "imagegate:candidate" not in written
    assert "# stable name, never renamed" in config.read_text()  # comments kept

    out = ok("rollout", "run", *stack, "--to", MODEL_TARGET, "--skip-preflight", *local)
    assert f"rollout: succeeded - Stack '{STACK}' now serves {MODEL_TARGET} as gpt-image-2." in out
    final = outputs_of(outputs)
    assert final["activeDeployment"] == "gpt-image-2"
    assert final["deployments"]["gpt-image-2"]["model"] == "gpt-image-2"
    assert final["deployments"]["gpt-image"]["version"] == NEW_VERSION
