"""`imagegate preflight` (through its scripts/preflight.py shim) as a pipeline runs it: against the
emulator's ARM, exit codes, reports."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from emulator.testing import RunningEmulator, running_emulator
from engine import ArmClient, Identity, run_up
from infra.config import load_stack_config, read_stack_file

ROOT = Path(__file__).resolve().parents[2]
SUB = "00000000-0000-0000-0000-000000000000"
# prod asks for 6 units of gpt-image-1.5 GlobalStandard in westus3; leave 4.
TIGHT = {"arm": {"lroDelaySeconds": 0.02, "quota": {"westus3": {"OpenAI.GlobalStandard.gpt-image-1.5": 4}}}}


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(TIGHT) as running:
        yield running


def preflight(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "scripts" / "preflight.py"), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60)


def against(emu: RunningEmulator) -> list[str]:
    return ["--arm-endpoint", emu.base_url, "--ca-bundle", str(emu.ca_file)]


@pytest.mark.slow
def test_insufficient_quota_exits_1_with_a_table_of_blockers_and_reports(
    emu: RunningEmulator, tmp_path: Path
) -> None:
    emu.reset()
    report, junit = tmp_path / "preflight.json", tmp_path / "preflight.xml"
    result = preflight("--stack", "prod", *against(emu), "--json", str(report), "--junit", str(junit),
                       "--today", "2026-11-25")
    assert result.returncode == 1, result.stderr
    tail = result.stdout.split("\n\n")[-1].splitlines()
    # prod pools three regions: the blockers name theirs, and the table has a region column.
    assert tail[0] == (
        "1 blocker(s) (short of quota: westus3): `up` would fail. Fix these, then run preflight again:"
    )
    assert tail[1].split() == ["region", "deployment", "check", "verdict", "detail"]
    assert tail[2].split()[:4] == ["westus3", "gpt-image", "quota", "BLOCKER"]
    assert "OpenAI.GlobalStandard.gpt-image-1.5 in westus3: needs 6, free 4" in tail[2]
    data = json.loads(report.read_text())
    assert (data["canProceed"], data["blockers"], data["account"]) == (False, 1, "imagegate-prod-img")
    failures = ET.parse(junit).getroot().findall("testcase/failure")
    assert [f.get("type") for f in failures] == ["blocker"]


@pytest.mark.slow
def test_a_soft_deleted_account_holding_the_name_blocks_until_purged(emu: RunningEmulator) -> None:
    emu.reset()
    config = load_stack_config(read_stack_file(ROOT / "Pulumi.dev.yaml"), "dev")
    with ArmClient(emu.base_url, verify=str(emu.ca_file)) as arm:
        outputs = run_up(config, arm, identity=Identity(SUB)).outputs
        assert arm.delete(outputs["accountId"], "2025-06-01")
    result = preflight("--stack", "dev", *against(emu))
    assert result.returncode == 1
    assert (
        "(account)   soft-deleted  BLOCKER  The name imagegate-dev-img is held by a soft-deleted account "
        "in eastus2 (resource group rg-imagegate-dev)"
    ) in result.stdout


@pytest.mark.slow
def test_a_stack_that_fits_exits_0(emu: RunningEmulator, tmp_path: Path) -> None:
    emu.reset()
    report, junit = tmp_path / "ok.json", tmp_path / "ok.xml"
    result = preflight("--stack", "dev", *against(emu), "--json", str(report), "--junit", str(junit),
                       "--today", "2026-11-25")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "preflight: ok, `up` can go ahead (0 warning(s))."
    data = json.loads(report.read_text())
    assert (data["canProceed"], data["blockers"], data["warnings"]) == (True, 0, 0)
    assert {(f["deployment"], f["check"]) for f in data["findings"]} == {
        (None, "soft-deleted"),
        *(("gpt-image", check) for check in ("offered", "retirement", "quota", "change")),
    }
    root = ET.parse(junit).getroot()
    assert len(root.findall("testcase")) == len(data["findings"])
    assert root.findall("testcase/failure") == []


def test_an_unreachable_arm_endpoint_exits_2_in_one_sentence(tmp_path: Path) -> None:
    report = tmp_path / "preflight.json"
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once. --arm-retries 0
    # skips azure-core's retries (about 5 s of backoff for a refused connection).
    result = preflight("--stack", "dev", "--arm-endpoint", "https://127.0.0.1:9/", "--json", str(report),
                       "--arm-retries", "0")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("Error: Cannot reach Azure Resource Manager (")
    assert "Traceback" not in result.stderr
    assert not report.exists()  # no verdict was reached, so no report claims one


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Error: Name the stack with --stack NAME (or give --config Pulumi.<stack>.yaml)."),
        (
            ("--stack", "nosuch"),
            "Error: Pulumi.nosuch.yaml does not exist; run from the project folder or pass --config FILE.",
        ),
        (("--config", "nosuch.yaml"), "Error: nosuch.yaml does not exist; check the --config path."),
        (
            ("--config", "Pulumi.yaml"),  # the project file, not a stack's: no stack name to take from it
            "Error: Cannot tell the stack from Pulumi.yaml (stack files are Pulumi.<stack>.yaml); "
            "add --stack NAME.",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_sentence(args: tuple[str, ...], message: str) -> None:
    result = preflight(*args)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == message


def test_an_invalid_config_exits_2_listing_the_problem(tmp_path: Path) -> None:
    text = (ROOT / "Pulumi.dev.yaml").read_text().replace("capacity: 2", "capacity: -3")
    config = tmp_path / "Pulumi.dev.yaml"
    config.write_text(text)
    result = preflight("--config", str(config), "--arm-endpoint", "https://127.0.0.1:9/")
    assert result.returncode == 2
    assert "imagegate:deployments[0].capacity" in result.stderr
    assert "Traceback" not in result.stderr


def test_preflight_refuses_a_provider_location_other_than_the_stacks(tmp_path):
    text = (ROOT / "Pulumi.dev.yaml").read_text()
    config = tmp_path / "Pulumi.dev.yaml"
    config.write_text(text.replace("azure-native:location: eastus2", "azure-native:location: westus3"))
    result = preflight("--config", str(config), "--arm-endpoint", "https://127.0.0.1:9/")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "  - azure-native:location: 'westus3' is not the region of imagegate:location ('eastus2'); "
        "set both to the same region."
    )


def test_a_config_error_names_the_file_given_with_config(tmp_path: Path) -> None:
    config = tmp_path / "staging-config.yaml"
    config.write_text((ROOT / "Pulumi.dev.yaml").read_text().replace("capacity: 2", "capacity: -3"))
    result = preflight("--stack", "staging", "--config", str(config), "--arm-endpoint", "https://127.0.0.1:9/")
    assert result.returncode == 2
    assert f"stack 'staging' has 1 problem; fix them in {config}:" in result.stderr


def test_the_script_under_a_python_without_the_dependencies_says_so_in_one_sentence() -> None:
    # -S: no site-packages, so click (and the rest) cannot be imported.
    done = subprocess.run(
        [sys.executable, "-S", str(ROOT / "scripts" / "preflight.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    # The shim then runs the same command with the project's .venv: the stack's config is read.
    assert done.returncode == 0, done.stderr
    assert "Usage: imagegate preflight" in done.stdout
