"""The done-when of the fleet: six stacks in three waves (one dev, two staging, three production) rolled out
by `imagegate fleet run` against one emulator. A fault armed on one staging stack's candidate makes that
stack roll back; the other staging stack finishes; the production wave never starts; the summary (Markdown
as $GITHUB_STEP_SUMMARY gets it, and HTML) gives every stack its verdict."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from emulator.testing import RunningEmulator, running_emulator
from imagegate.cli import main
from tests.fleet.project import NEW, OLD, SIX_STACKS, THREE_WAVES, catalog_with_new_version, project

pytestmark = pytest.mark.slow
TARGET = f"gpt-image-1.5@{NEW}"
FAILING = "staging-us"  # its candidate answers 403 (blocked): not retried, so it fails at once


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningEmulator, Path]]:
    # A generous rate per capacity unit: smoke must not wait out a 3-RPM quota per capacity unit.
    catalog = catalog_with_new_version(tmp_path_factory.mktemp("catalog") / "catalog.json", 600)
    with running_emulator({"accounts": []}, catalog=catalog) as emu:
        yield emu, catalog


def test_a_failing_staging_stack_rolls_back_and_holds_the_production_wave(
    emulator: tuple[RunningEmulator, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu, catalog = emulator
    folder = tmp_path / "platform"
    project(folder, SIX_STACKS, THREE_WAVES)
    env = {
        **os.environ,
        "IMAGEGATE_CATALOG": str(catalog),
        "IMAGEGATE_CONFLICT_WAIT": "0.01",
        "SMOKE_RPM_PER_CAPACITY_UNIT": "600",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"),
    }
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(catalog))
    monkeypatch.setenv("IMAGEGATE_CONFLICT_WAIT", "0.01")
    monkeypatch.chdir(folder)
    for stack in SIX_STACKS:  # every stack as it runs before the rollout (in this process: no interpreter)
        assert (
            main(
                [
                    "local",
                    "up",
                    "--stack",
                    stack,
                    "--arm-endpoint",
                    emu.base_url,
                    "--ca-bundle",
                    str(emu.ca_file),
                    "--quiet",
                ]
            )
            == 0
        )
    before = {p.name: p.read_bytes() for p in folder.glob("Pulumi.*.yaml")}
    outputs_before = {s: outputs(folder, s) for s in SIX_STACKS}
    # Armed before the candidate exists, as an operator would (the emulator warns, and keeps it).
    armed = subprocess.run(
        [
            sys.executable,
            "-m",
            "imagegate",
            "emulator",
            "fault",
            "set",
            "fleet-stg-us/gpt-image-candidate",
            "--blocked",
            "--url",
            emu.base_url,
            "--ca-bundle",
            str(emu.ca_file),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert armed.returncode == 0, armed.stderr

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "imagegate",
            "fleet",
            "run",
            "--to",
            TARGET,
            "--arm-endpoint",
            emu.base_url,
            "--ca-bundle",
            str(emu.ca_file),
            "--skip-preflight",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        check=False,
    )
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    lines = out.splitlines()
    assert lines[0] == "wave 1 'dev': 1 stack(s), up to 1 at a time"
    assert "wave 2 'staging': 2 stack(s), up to 2 at a time" in lines
    assert "wave 3" not in out
    assert "wave 'staging' failed (staging-us): wave 'production' and later ones are not started." in lines

    # The stacks that rolled out serve the target; the failing one is as it was, byte for byte.
    for stack in ("dev", "staging-eu"):
        assert served(folder, stack) == f"gpt-image-1.5@{NEW}"
        assert set(outputs(folder, stack)["deployments"]) == {"gpt-image"}  # the candidate is gone
    # The rollback restores the file's original bytes (the journal keeps them).
    assert (folder / f"Pulumi.{FAILING}.yaml").read_bytes() == before[f"Pulumi.{FAILING}.yaml"]
    assert outputs(folder, FAILING) == outputs_before[FAILING]
    rollout = json.loads((folder / ".imagegate/fleet/fleet-stack-staging-us/rollout.json").read_text())
    assert (rollout["status"], rollout["failedStep"], rollout["exitCode"]) == (
        "rolled-back",
        "smoke-candidate",
        1,
    )
    for stack in ("prod-eu", "prod-us", "prod-asia"):  # never touched
        assert (folder / f"Pulumi.{stack}.yaml").read_bytes() == before[f"Pulumi.{stack}.yaml"]
        assert outputs(folder, stack) == outputs_before[stack]
        assert not (folder / f".imagegate/fleet/fleet-stack-{stack}").exists()

    # The summary: Markdown (the file and $GITHUB_STEP_SUMMARY) and HTML, one row per stack.
    markdown = (folder / ".imagegate/fleet/fleet-summary.md").read_text()
    assert (tmp_path / "step-summary.md").read_text() == markdown
    # Each stack's own commands wrote its job's page, as each job of the workflow has one.
    job_page = (folder / ".imagegate/fleet/fleet-stack-staging-us/job-summary.md").read_text()
    assert "imagegate rollout staging-us" in job_page
    rows = markdown_rows(markdown)
    assert [(r["stack"], r["wave"], r["before"], r["after"]) for r in rows] == [
        ("dev", "dev", f"gpt-image-1.5@{OLD}", f"gpt-image-1.5@{NEW}"),
        ("staging-eu", "staging", f"gpt-image-1.5@{OLD}", f"gpt-image-1.5@{NEW}"),
        ("staging-us", "staging", f"gpt-image-1.5@{OLD}", f"gpt-image-1.5@{OLD}"),
        ("prod-eu", "production", f"gpt-image-1.5@{OLD}", f"gpt-image-1.5@{OLD}"),
        ("prod-us", "production", f"gpt-image-1.5@{OLD}", f"gpt-image-1.5@{OLD}"),
        ("prod-asia", "production", f"gpt-image-1.5@{OLD}", f"gpt-image-1.5@{OLD}"),
    ]
    verdicts = {r["stack"]: r["verdict"] for r in rows}
    assert verdicts["dev"].startswith("succeeded: ") and verdicts["staging-eu"].startswith("succeeded: ")
    assert verdicts["staging-us"].startswith("**rolled back**: ")
    assert {verdicts[s] for s in ("prod-eu", "prod-us", "prod-asia")} == {
        "**not started**: an earlier wave failed, or the run was cancelled"
    }
    assert {r["smoke after"].split(" ")[0] for r in rows[:3]} == {"passed"}
    assert all(re.fullmatch(r"\d+ s|\d+ min \d+ s", r["time"]) for r in rows[:3])
    assert "6 stacks: 2 succeeded, 1 rolled back, 3 not started." in markdown

    page = (folder / ".imagegate/fleet/fleet-summary.html").read_text()
    html_verdicts = dict(
        re.findall(r'data-stack="([^"]+)">(?:<td>[^<]*</td>){5}<td><strong>([^<]+)</strong>', page)
    )
    assert {k: html.unescape(v) for k, v in html_verdicts.items()} == {
        "dev": "succeeded",
        "staging-eu": "succeeded",
        "staging-us": "rolled back",
        "prod-eu": "not started",
        "prod-us": "not started",
        "prod-asia": "not started",
    }


def outputs(folder: Path, stack: str) -> dict:
    return json.loads((folder / ".imagegate" / stack / "outputs.json").read_text())


def served(folder: Path, stack: str) -> str:
    config = yaml.safe_load((folder / f"Pulumi.{stack}.yaml").read_text())["config"]
    deployment = config["imagegate:deployments"][0]
    live = outputs(folder, stack)["deployments"]["gpt-image"]
    assert (live["model"], live["version"]) == (deployment["model"], deployment["version"])
    return f"{live['model']}@{live['version']}"


def markdown_rows(markdown: str) -> list[dict[str, str]]:
    table = [line for line in markdown.splitlines() if line.startswith("|")]
    header = [c.strip() for c in table[0].strip("|").split("|")]
    return [
        dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True)) for line in table[2:]
    ]


def test_ctrl_c_is_passed_on_to_the_running_rollout_which_journals_it(
    emulator: tuple[RunningEmulator, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal
    import time

    emu, catalog = emulator
    folder = tmp_path / "one"
    project(
        folder,
        {"solo": SIX_STACKS["dev"] | {"namePrefix": "fleet-solo"}},
        [{"name": "only", "stacks": ["solo"]}],
    )
    env = {
        **os.environ,
        "IMAGEGATE_CATALOG": str(catalog),
        "IMAGEGATE_CONFLICT_WAIT": "0.01",
        "IMAGEGATE_ROLLOUT_TEST_PAUSE_AFTER": "create-candidate",
    }
    env.pop("GITHUB_STEP_SUMMARY", None)
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(catalog))
    monkeypatch.chdir(folder)
    assert (
        main(
            [
                "local",
                "up",
                "--stack",
                "solo",
                "--arm-endpoint",
                emu.base_url,
                "--ca-bundle",
                str(emu.ca_file),
                "--quiet",
            ]
        )
        == 0
    )
    log = folder / ".imagegate/fleet/fleet-stack-solo/rollout.log"
    with open(tmp_path / "fleet.out", "w") as out:
        fleet = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "imagegate",
                "fleet",
                "run",
                "--to",
                TARGET,
                "--arm-endpoint",
                emu.base_url,
                "--ca-bundle",
                str(emu.ca_file),
                "--skip-preflight",
            ],
            cwd=folder,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(600):  # bounded: the rollout pauses after its first change
                if log.is_file() and "paused after step 'create-candidate'" in log.read_text():
                    break
                assert fleet.poll() is None, (tmp_path / "fleet.out").read_text()
                time.sleep(0.1)
            fleet.send_signal(signal.SIGINT)
            assert fleet.wait(timeout=120) == 130
        finally:
            if fleet.poll() is None:
                fleet.kill()
    folder_files = folder / ".imagegate/fleet/fleet-stack-solo"
    assert (folder_files / "rollout-exit-code").read_text() == "3\n"
    assert not (folder_files / "smoke.json").exists()  # nothing more starts after the interrupt
    journal = json.loads((folder / ".imagegate/solo/rollout-journal.json").read_text())
    assert journal["runs"][-1]["interrupted"] is True and "SIGINT" in journal["runs"][-1]["outcome"]
    assert journal["status"] == "in-progress"  # resumable: `imagegate rollout run` again
    assert (tmp_path / "fleet.out").read_text().splitlines()[-1] == (
        "fleet run: interrupted; each rollout it stopped journalled it: run `imagegate rollout run` for "
        "that stack again to resume it, or `imagegate rollout abort` to roll it back."
    )
    rows = markdown_rows((folder / ".imagegate/fleet/fleet-summary.md").read_text())
    assert [(r["stack"], r["verdict"].split(":")[0]) for r in rows] == [("solo", "**interrupted**")]
