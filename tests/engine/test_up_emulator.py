"""`imagegate local up` against the real emulator over HTTPS, as a developer or pipeline runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from emulator.testing import RunningEmulator, running_emulator
from engine import ArmClient, ArmError, Identity, run_up
from infra.config import load_stack_config, read_stack_file

ROOT = Path(__file__).resolve().parents[2]
SUB = "00000000-0000-0000-0000-000000000000"
# Quota for gpt-image-1.5 GlobalStandard in eastus2 (dev's region) below dev's capacity of 2.
TIGHT_QUOTA = {"arm": {"quota": {"eastus2": {"OpenAI.GlobalStandard.gpt-image-1.5": 1}}}}


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator({"arm": {"lroDelaySeconds": 0.02}}) as running:
        yield running


@pytest.fixture
def fresh(emu: RunningEmulator) -> RunningEmulator:
    emu.reset()
    return emu


def stack_config(stack: str):
    return load_stack_config(read_stack_file(ROOT / f"Pulumi.{stack}.yaml"), stack)


def apply(emu: RunningEmulator, config):
    with ArmClient(emu.base_url, verify=emu.ca_file or True) as arm:
        return run_up(config, arm, identity=Identity(SUB))


def cli_up(emu: RunningEmulator, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "imagegate", "local", "up", "--arm-endpoint", emu.base_url,
               "--ca-bundle", str(emu.ca_file), *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGEGATE_")}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)


def deployments_on(emu: RunningEmulator, account_id: str) -> list[str]:
    with ArmClient(emu.base_url, verify=emu.ca_file or True) as arm:
        return sorted(item["name"] for item in arm.list(f"{account_id}/deployments", "2025-06-01"))


@pytest.mark.slow
def test_up_twice_from_the_command_line_creates_then_changes_nothing(
    fresh: RunningEmulator, tmp_path: Path
) -> None:
    outputs = tmp_path / "dev-outputs.json"
    first = cli_up(fresh, "--stack", "dev", "--outputs", str(outputs))
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == f"up: stack dev -> {fresh.base_url} (local emulation of pulumi up)"
    assert "  + created   cognitiveservices:Deployment       gpt-image" in lines
    assert lines[-2] == "up: 14 created, 0 updated, 0 unchanged, 0 deleted"
    assert lines[-1] == f"outputs: {outputs}"
    written = json.loads(outputs.read_text())
    assert written["endpoint"] == fresh.endpoint("imagegate-dev-img")
    assert written["deployments"]["gpt-image"] == {
        "model": "gpt-image-1.5",
        "version": "2025-12-16",
        "sku": "GlobalStandard",
        "capacity": 2,
        "role": "stable",
    }

    seen = len(fresh.requests())
    second = cli_up(fresh, "--stack", "dev", "--outputs", str(outputs), "--quiet")
    assert second.returncode == 0, second.stderr
    assert writes_since(fresh, seen) == []  # no PUT, PATCH, POST or DELETE reached ARM
    assert second.stdout.splitlines()[-2] == "up: 0 created, 0 updated, 14 unchanged, 0 deleted"
    assert json.loads(outputs.read_text()) == written


@pytest.mark.slow
def test_a_deployment_created_by_up_is_served_by_the_data_plane(fresh: RunningEmulator) -> None:
    result = apply(fresh, stack_config("dev"))
    account_id = result.outputs["accountId"]
    with ArmClient(fresh.base_url, verify=fresh.ca_file or True) as arm:
        key = arm.post(f"{account_id}/listKeys", "2025-06-01")["key1"]
    url = f"{result.outputs['endpoint']}openai/deployments/gpt-image/images/generations"
    with httpx.Client(verify=fresh.verify, timeout=30) as client:
        answer = client.post(
            url,
            params={"api-version": result.outputs["apiVersion"]},
            headers={"api-key": key},
            json={"prompt": "a lighthouse", "size": "1024x1024", "quality": "low"},
        )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"][0]["b64_json"]


def writes_since(emu: RunningEmulator, seen: int) -> list[str]:
    """ARM calls after the first ``seen`` log entries that are not reads (the emulator's request log)."""
    return [f"{r['method']} {r['path']}" for r in emu.requests()[seen:] if r["method"] not in ("GET", "HEAD")]


def test_prod_applies_twice_with_nothing_changed_the_second_time(fresh: RunningEmulator) -> None:
    config = stack_config("prod")
    before_first = len(fresh.requests())
    first = apply(fresh, config)
    first_writes = writes_since(fresh, before_first)
    before_second = len(fresh.requests())
    second = apply(fresh, config)

    assert first.count("created") == len(first.changes)
    assert second.count("unchanged") == len(second.changes) == len(first.changes)
    assert second.outputs == first.outputs
    assert first.outputs["localAuthDisabled"] is True
    # Proven on the wire, not only by the engine's report: the second run sent no write at all...
    assert any(w.startswith("PUT ") and w.endswith("/deployments/gpt-image") for w in first_writes)
    assert writes_since(fresh, before_second) == []
    # ...and neither run asked for keys, which a keyless account refuses (as Azure does).
    assert not [r for r in fresh.requests()[before_first:] if r["path"].lower().endswith("/listkeys")]


@pytest.mark.slow
def test_prod_from_the_command_line(fresh: RunningEmulator, tmp_path: Path) -> None:
    outputs = tmp_path / "prod-outputs.json"
    first = cli_up(fresh, "--stack", "prod", "--outputs", str(outputs), "--quiet")
    assert first.returncode == 0, first.stderr
    assert json.loads(outputs.read_text())["localAuthDisabled"] is True
    seen = len(fresh.requests())
    second = cli_up(fresh, "--stack", "prod", "--outputs", str(outputs), "--quiet")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-2].startswith("up: 0 created, 0 updated, ")
    assert writes_since(fresh, seen) == []


def test_a_deployment_dropped_from_the_config_is_deleted(fresh: RunningEmulator) -> None:
    config = stack_config("dev")
    extra = replace(config.deployments[0], name="gpt-image-old", capacity=1)
    first = apply(fresh, replace(config, deployments=(*config.deployments, extra)))
    account_id = first.outputs["accountId"]
    assert deployments_on(fresh, account_id) == ["gpt-image", "gpt-image-old"]

    second = apply(fresh, config)
    assert [(c.action, c.name) for c in second.changes if c.action != "unchanged"] == [
        ("deleted", "gpt-image-old")
    ]
    assert deployments_on(fresh, account_id) == ["gpt-image"]


@pytest.mark.slow
def test_insufficient_quota_stops_up_with_arms_message_and_keeps_what_was_applied(tmp_path: Path) -> None:
    with running_emulator(TIGHT_QUOTA) as emu:
        outputs = tmp_path / "outputs.json"
        failed = cli_up(emu, "--stack", "dev", "--outputs", str(outputs))
        assert failed.returncode == 1
        error = failed.stderr.strip().splitlines()
        assert len(error) == 1
        assert error[0].startswith("Error: cognitiveservices:Deployment gpt-image: ARM answered ")
        assert "InsufficientQuota" in error[0]
        assert "Traceback" not in failed.stderr
        assert not outputs.exists()
        account = (
            f"/subscriptions/{SUB}/resourceGroups/rg-imagegate-dev"
            "/providers/Microsoft.CognitiveServices/accounts/imagegate-dev-img"
        )
        with ArmClient(emu.base_url, verify=emu.ca_file or True) as arm:
            assert arm.get(account, "2025-06-01") is not None
            assert arm.get(f"{account}/raiPolicies/imagegate_dev_image_filter", "2025-06-01") is not None
            assert arm.get(f"{account}/deployments/gpt-image", "2025-06-01") is None


def test_run_up_raises_the_arm_error_itself(emu: RunningEmulator) -> None:
    emu.reset()
    config = stack_config("dev")
    too_big = replace(config, deployments=(replace(config.deployments[0], capacity=500),))
    with pytest.raises(ArmError) as caught:
        apply(emu, too_big)
    assert caught.value.code == "InsufficientQuota"
    assert caught.value.resource == "cognitiveservices:Deployment gpt-image"


def test_request_conflicts_from_arm_are_waited_out(fresh: RunningEmulator) -> None:
    config = stack_config("dev")
    apply(fresh, config)
    fresh.admin("PUT", "arm/faults", {"account": "imagegate-dev-img", "requestConflicts": 2})
    bigger = replace(config, deployments=(replace(config.deployments[0], capacity=3),))
    waits: list[float] = []
    with ArmClient(fresh.base_url, verify=fresh.ca_file or True, sleep=waits.append) as arm:
        result = run_up(bigger, arm, identity=Identity(SUB))
    changed = [(c.action, c.name) for c in result.changes if c.action != "unchanged"]
    assert changed == [("updated", "gpt-image")]
    assert waits[:2] == [0.2, 0.4]  # two refused PUTs, backed off, then the third went through
    assert result.outputs["deployments"]["gpt-image"]["capacity"] == 3


def test_conflicts_beyond_the_retries_fail_up_with_arms_409_and_the_wait_is_an_option(
    fresh: RunningEmulator,
) -> None:
    config = stack_config("dev")
    # Applied with another capacity, so the command line's `up` has a deployment to write.
    apply(fresh, replace(config, deployments=(replace(config.deployments[0], capacity=3),)))
    fresh.admin("PUT", "arm/faults", {"account": "imagegate-dev-img", "requestConflicts": 6})
    # --conflict-wait shortens the doubling backoff (0.2 s first: 6.2 s for the five retries).
    failed = cli_up(fresh, "--stack", "dev", "--quiet", "--conflict-wait", "0.01")
    assert failed.returncode == 1, failed.stderr
    assert "ARM answered 409 RequestConflict" in failed.stderr.splitlines()[-1]
    assert fresh.admin("GET", "arm/faults").json()["requestConflicts"].get("imagegate-dev-img", 0) == 0


def test_a_negative_conflict_wait_is_a_usage_error(fresh: RunningEmulator) -> None:
    refused = cli_up(fresh, "--stack", "dev", "--conflict-wait", "-1")
    assert refused.returncode == 2
    assert (
        "Invalid value for '--conflict-wait' (env var: 'IMAGEGATE_CONFLICT_WAIT'): "
        "-1.0 is not in the range x>=0." in refused.stderr
    )


@pytest.mark.slow
def test_a_failure_early_in_the_program_is_one_line_with_no_traceback(fresh: RunningEmulator) -> None:
    """Every resource after the first failure fails too; none of those echoes may reach the terminal."""
    other = f"/subscriptions/{SUB}/resourceGroups/rg-other"
    with ArmClient(fresh.base_url, verify=fresh.ca_file or True) as arm:
        arm.put(other, "2024-03-01", {"location": "eastus2"})
        arm.put(f"{other}/providers/Microsoft.CognitiveServices/accounts/squatter", "2025-06-01",
                {"location": "eastus2", "kind": "AIServices", "sku": {"name": "S0"},
                 "properties": {"customSubDomainName": "imagegate-dev-img"}})
    failed = cli_up(fresh, "--stack", "dev", "--quiet")
    assert failed.returncode == 1
    assert failed.stderr.startswith("Error: cognitiveservices:Account imagegate-dev-img: ARM answered 409 ")
    assert failed.stderr.count("\n") == 1, failed.stderr

