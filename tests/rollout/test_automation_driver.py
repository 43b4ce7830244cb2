"""The Automation API driver against a fake ``pulumi`` on PATH that records what it is asked to do."""

from __future__ import annotations

import json
import shutil
import stat
import sys
from pathlib import Path

import pytest
import yaml

from rollout.automation_driver import AutomationDriver
from rollout.backoff import BackoffPolicy
from rollout.errors import DriverError, PulumiMissingError
from rollout.journal import Journal
from rollout.plan import build_plan
from rollout.runner import Runner
from rollout.target import ModelTarget
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import FakePreflight, FakeSmoker

REPO = Path(__file__).resolve().parents[2]
FAKE = Path(__file__).with_name("fake_pulumi.py")


@pytest.fixture
def fake_pulumi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    work, bin_dir = tmp_path / "work", tmp_path / "bin"
    work.mkdir()
    bin_dir.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", work)
    shutil.copy(REPO / "tests" / "stacks" / "Pulumi.keyless.yaml", work)
    exe = bin_dir / "pulumi"
    exe.write_text(f"#!{sys.executable}\n" + FAKE.read_text())
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    log, conflicts = tmp_path / "calls.jsonl", tmp_path / "conflicts"
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_PULUMI_LOG", str(log))
    monkeypatch.setenv("FAKE_PULUMI_CONFLICTS", str(conflicts))
    return {"work": work, "log": log, "conflicts": conflicts}


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def stack_config(work: Path) -> dict:
    return yaml.safe_load((work / "Pulumi.keyless.yaml").read_text())["config"]


def test_select_reads_config_from_the_stack_file(fake_pulumi: dict[str, Path]) -> None:
    driver = AutomationDriver("keyless", fake_pulumi["work"], on_output=lambda line: None)
    assert driver.read_config()["deployments"][0]["version"] == "2025-12-16"
    assert calls(fake_pulumi["log"]) == [
        ["version"],
        ["--non-interactive", "stack", "select", "--stack", "keyless"],
    ]


def test_unknown_stack(fake_pulumi: dict[str, Path]) -> None:
    with pytest.raises(
        DriverError, match=r"^Pulumi has no stack 'staging' in .*; create it with `pulumi stack init"
    ):
        AutomationDriver("staging", fake_pulumi["work"])


def test_missing_cli_is_one_clear_sentence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PulumiMissingError, match=r"^The Pulumi CLI is not on PATH; install it"):
        AutomationDriver("keyless", REPO)


def test_version_rollout_through_the_automation_api(fake_pulumi: dict[str, Path], tmp_path: Path) -> None:
    work = fake_pulumi["work"]
    fake_pulumi["conflicts"].write_text("1")
    lines: list[str] = []
    driver = AutomationDriver("keyless", work, on_output=lines.append)
    plan = build_plan(driver.read_config(), "keyless", ModelTarget("gpt-image-1.5", NEW_VERSION), "gpt-image")
    journal = Journal.begin(tmp_path / "journal", plan)
    slept: list[float] = []
    result = Runner(
        journal,
        driver,
        FakeSmoker(),
        FakePreflight(),
        policy=BackoffPolicy(retries=2, initial_s=3),
        sleep=slept.append,
        log=lambda line: None,
    ).run()
    assert result.exit_code == 0, result.message
    assert slept == [3]  # the first `up` answered RequestConflict and was retried
    config = stack_config(work)
    assert config["imagegate:deployments"][0]["version"] == NEW_VERSION
    assert config["imagegate:deployments"][0]["capacity"] == 6
    assert "imagegate:candidate" not in config
    assert config["imagegate:account"]["ipRules"] == ["203.0.113.0/24", "198.51.100.17"]  # untouched
    recorded = calls(fake_pulumi["log"])
    assert [
        "--non-interactive",
        "config",
        "set-all",
        "--stack",
        "keyless",
        "--path",
        "--plaintext",
        "imagegate:candidate.deployment=gpt-image",
        "--plaintext",
        "imagegate:candidate.model=gpt-image-1.5",
        "--plaintext",
        f"imagegate:candidate.version={NEW_VERSION}",
        "--plaintext",
        "imagegate:candidate.capacity=1",
    ] in recorded
    assert [
        "--non-interactive",
        "config",
        "set-all",
        "--stack",
        "keyless",
        "--path",
        "--plaintext",
        f"imagegate:deployments[0].version={NEW_VERSION}",
    ] in recorded
    assert ["--non-interactive", "config", "rm", "imagegate:candidate", "--stack", "keyless"] in recorded
    ups = [c for c in recorded if "up" in c]
    assert len(ups) == 4 and all(
        c[1:4] == ["up", "--yes", "--skip-preview"] and c[-2:] == ["--stack", "keyless"] for c in ups
    )
    assert "Resources:" in lines


def test_up_failure_carries_the_azure_code(fake_pulumi: dict[str, Path]) -> None:
    fake_pulumi["conflicts"].write_text("1")
    driver = AutomationDriver("keyless", fake_pulumi["work"], on_output=lambda line: None)
    with pytest.raises(DriverError) as caught:
        driver.up()
    assert caught.value.code == "RequestConflict"
    assert str(caught.value).startswith("Pulumi failed while running `pulumi up`: error: azure-native:")


def test_a_rollback_through_the_automation_api_restores_the_file_byte_for_byte(
    fake_pulumi: dict[str, Path], tmp_path: Path
) -> None:
    work = fake_pulumi["work"]
    driver = AutomationDriver("keyless", work, on_output=lambda line: None)
    before = driver.read_text()
    plan = build_plan(
        driver.read_config(),
        "keyless",
        ModelTarget("gpt-image-1.5", NEW_VERSION),
        "gpt-image",
        original_text=before,
    )
    journal = Journal.begin(tmp_path / "journal", plan)
    # The stable deployment fails smoke after promotion: the longest rollback, ending in the restore.
    smoker = FakeSmoker(lambda name, running: name == "gpt-image" and running.endswith(NEW_VERSION))
    result = Runner(journal, driver, smoker, FakePreflight(), log=lambda line: None).run()
    assert result.exit_code == 1, result.message
    assert (work / "Pulumi.keyless.yaml").read_text() == before
    recorded = calls(fake_pulumi["log"])
    assert [c for c in recorded if "up" in c][-1][1:4] == ["up", "--yes", "--skip-preview"]
