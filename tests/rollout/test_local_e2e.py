"""End to end with the local driver: the real rollout code, the local engine applying the real program to
the emulator, the real smoke library and preflight script. Failures are injected with emulator faults."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from emulator.testing import RunningEmulator, running_emulator
from imagegate.cli import main as imagegate_main
from rollout.backoff import BackoffPolicy
from rollout.errors import DriverError
from rollout.execute import TEST_PAUSE_ENV
from rollout.gates import LibrarySmoker
from rollout.journal import ROLLED_BACK, Journal
from rollout.local_driver import LocalDriver
from rollout.plan import Step, build_plan
from rollout.ports import NoPreflight
from rollout.runner import Runner
from rollout.target import ModelTarget
from tests.rollout.conftest import NEW_VERSION, up_in_this_process

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
SUBDOMAIN = "imagegate-dev-img"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningEmulator, Path]]:
    from tests.rollout.conftest import override_catalog_data

    catalog = tmp_path_factory.mktemp("catalog") / "catalog.json"
    # A generous rate per capacity unit: the prober and smoke must not wait out a 2-RPM dev quota.
    catalog.write_text(json.dumps({**override_catalog_data(), "rpmPerCapacityUnit": 600}))
    with running_emulator({"accounts": []}, catalog=catalog) as emu:
        yield emu, catalog


@pytest.fixture
def stack(
    emulator: tuple[RunningEmulator, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    emu, catalog = emulator
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(catalog))
    # The local engine's 409 backoff starts at 0.2 s and doubles; these tests need the retries, not the wait.
    monkeypatch.setenv("IMAGEGATE_CONFLICT_WAIT", "0.01")
    emu.clear_faults()
    shutil.copy(REPO / "Pulumi.yaml", tmp_path)
    shutil.copy(REPO / "Pulumi.dev.yaml", tmp_path)
    config = tmp_path / "Pulumi.dev.yaml"
    driver = LocalDriver("dev", config, emu.base_url, ca_bundle=emu.ca_file, on_output=lambda line: None)
    up_in_this_process(driver)  # the stack before the rollout (also resets what earlier tests left)
    return {"emu": emu, "config": config, "driver": driver, "dir": tmp_path / ".imagegate" / "dev"}


def smoker(emu: RunningEmulator) -> LibrarySmoker:
    from smoke import EntraAuth, SmokeOptions
    from smoke.local_credential import LocalTokenCredential

    return LibrarySmoker(
        SmokeOptions(
            auth=EntraAuth(credential=LocalTokenCredential()),
            ca_bundle=Path(emu.ca_file),
            rpm_per_capacity_unit=600,
        )
    )


def served(emu: RunningEmulator, deployment: str) -> int:
    from smoke.local_credential import local_token

    url = (
        f"{emu.endpoint(SUBDOMAIN)}openai/deployments/{deployment}/images/generations"
        "?api-version=2025-04-01-preview"
    )
    token = local_token("https://cognitiveservices.azure.com")
    with httpx.Client(verify=emu.verify, timeout=30) as client:
        response = client.post(
            url,
            json={"prompt": "a red dot", "quality": "low", "size": "1024x1024"},
            headers={"Authorization": f"Bearer {token}"},
        )
    return response.status_code


class Prober:
    """Calls the deployment apps use - the stack's ``activeDeployment``, re-read before every call - in a
    loop while a rollout runs, recording each answer's status and the name it called."""

    def __init__(self, emu: RunningEmulator, driver: LocalDriver) -> None:
        self.emu, self.driver = emu, driver
        self.stop = threading.Event()
        self.calls: list[tuple[str, int]] = []
        self.called = threading.Condition()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def statuses(self) -> list[int]:
        return [status for _, status in self.calls]

    def _active(self, last: str) -> str:
        try:
            return str(self.driver.outputs()["activeDeployment"])
        except (DriverError, KeyError):
            return last  # the outputs file is being rewritten; apps would still hold the last name

    def _run(self) -> None:
        name = self._active("gpt-image")
        for _ in range(2000):  # bounded
            if self.stop.is_set():
                return
            name = self._active(name)
            status = served(self.emu, name)
            with self.called:
                self.calls.append((name, status))
                self.called.notify_all()
            # 5 calls/s stays well under the deployment's 1200 RPM, so smoke's own calls are never throttled.
            self.stop.wait(0.2)

    def wait_for_call(self, name: str) -> None:
        """Block until the prober has called ``name`` (so a switch at the very end is still probed)."""
        with self.called:
            assert self.called.wait_for(lambda: any(n == name for n, _ in self.calls), timeout=30)

    def __enter__(self) -> Prober:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(30)


def main(argv: list[str]) -> int:
    """The old one-command spelling, run through `imagegate rollout plan|run|abort` (same behaviour)."""
    words = ["plan"] if "--dry-run" in argv else ["abort"] if "--abort" in argv else ["run"]
    return imagegate_main(["rollout", *words, *(a for a in argv if a not in ("--dry-run", "--abort"))])


def file_config(config: Path) -> dict[str, Any]:
    return yaml.safe_load(config.read_text())["config"]


def run_cli(stack: dict[str, Any], *args: str) -> int:
    emu = stack["emu"]
    return main(
        [
            "--config",
            str(stack["config"]),
            "--driver",
            "local",
            "--arm-endpoint",
            emu.base_url,
            "--ca-bundle",
            emu.ca_file,
            "--conflict-wait",
            "0.1",
            *args,
        ]
    )


def test_version_upgrade_end_to_end(stack: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    report = stack["dir"].parent / "report.json"
    with Prober(stack["emu"], stack["driver"]) as prober:
        # Through preflight (scripts/preflight.py against the emulator's ARM) as step zero.
        code = run_cli(stack, "--to", f"gpt-image-1.5@{NEW_VERSION}", "--json", str(report))
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.index("Rollout plan for stack 'dev'") < out.index("[0/5] preflight")
    assert "[0/5] preflight: ok" in out
    assert f"rollout: succeeded - Stack 'dev' now serves gpt-image-1.5@{NEW_VERSION} as gpt-image." in out
    assert file_config(stack["config"])["imagegate:deployments"][0]["version"] == NEW_VERSION
    outputs = stack["driver"].outputs()
    assert set(outputs["deployments"]) == {"gpt-image"}
    assert outputs["deployments"]["gpt-image"]["version"] == NEW_VERSION
    assert prober.statuses and 404 not in prober.statuses
    data = json.loads(report.read_text())
    preflight = next(e for e in data["events"] if e["step"] == "preflight" and e["status"] == "succeeded")
    assert preflight["preflight"]["ok"] is True and "detail" not in preflight  # ran, not skipped
    assert any(f["check"] == "quota" for f in preflight["preflight"]["report"]["findings"])
    assert [s["step"] for s in data["steps"]] == [
        "preflight",
        "create-candidate",
        "smoke-candidate",
        "promote",
        "smoke-stable",
        "remove-candidate",
    ]
    assert served(stack["emu"], "gpt-image") == 200


def test_model_name_upgrade_end_to_end(stack: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    with Prober(stack["emu"], stack["driver"]) as prober:
        code = run_cli(stack, "--to", "gpt-image-2@2026-04-21", "--skip-preflight")
        prober.wait_for_call("gpt-image-2")
    assert code == 0, capsys.readouterr().out
    outputs = stack["driver"].outputs()
    assert outputs["activeDeployment"] == "gpt-image-2"
    assert outputs["deployments"]["gpt-image-2"]["model"] == "gpt-image-2"
    assert outputs["deployments"]["gpt-image"]["model"] == "gpt-image-1.5"  # kept until --retire-old
    assert 404 not in prober.statuses
    assert {name for name, _ in prober.calls} == {"gpt-image", "gpt-image-2"}  # it followed the switch
    assert served(stack["emu"], "gpt-image-2") == 200


def test_usage_error_changes_nothing(stack: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    before = stack["config"].read_text()
    assert run_cli(stack, "--to", "gpt-image-1.5@2025-12-16") == 2
    assert capsys.readouterr().err == (
        "Error: Deployment 'gpt-image' already runs gpt-image-1.5@2025-12-16; nothing to roll out.\n"
    )
    assert stack["config"].read_text() == before


def runner(stack: dict[str, Any], plan_target: ModelTarget, after_step: Any = None) -> Runner:
    plan = build_plan(stack["driver"].read_config(), "dev", plan_target, "gpt-image")
    journal = Journal.begin(stack["dir"], plan)
    return Runner(
        journal,
        stack["driver"],
        smoker(stack["emu"]),
        NoPreflight(),
        policy=BackoffPolicy(retries=2, initial_s=0.1),
        log=lambda line: None,
        after_step=after_step,
    )


def test_candidate_smoke_failure_leaves_prod_untouched(stack: dict[str, Any]) -> None:
    stack["emu"].set_fault(SUBDOMAIN, "gpt-image-candidate", blocked=True)
    result = runner(stack, ModelTarget("gpt-image-1.5", NEW_VERSION)).run()
    assert (result.exit_code, result.status) == (1, ROLLED_BACK)
    journal = Journal.load(stack["dir"])
    assert journal.failed_step == "smoke-candidate"
    outputs = stack["driver"].outputs()
    assert set(outputs["deployments"]) == {"gpt-image"}
    assert outputs["deployments"]["gpt-image"]["version"] == "2025-12-16"
    assert served(stack["emu"], "gpt-image") == 200


def test_post_promotion_smoke_failure_restores_previous_version(stack: dict[str, Any]) -> None:
    emu = stack["emu"]

    def inject(step: Step) -> None:
        if step.name == "promote":
            emu.set_fault(SUBDOMAIN, "gpt-image", blocked=True)
        if step.name == "smoke-stable":
            emu.clear_faults(SUBDOMAIN, "gpt-image")  # the previous version serves again

    result = runner(stack, ModelTarget("gpt-image-1.5", NEW_VERSION), inject).run()
    assert result.exit_code == 1
    journal = Journal.load(stack["dir"])
    smokes = [(e["step"], e["smoke"]["passed"]) for e in journal.events if "smoke" in e]
    assert smokes == [("smoke-candidate", True), ("smoke-stable", False), ("rollback-smoke-stable", True)]
    assert stack["driver"].outputs()["deployments"]["gpt-image"]["version"] == "2025-12-16"
    assert "imagegate:candidate" not in file_config(stack["config"])


def cli_args(stack: dict[str, Any], *args: str) -> list[str]:
    emu = stack["emu"]
    return [
        "--config",
        str(stack["config"]),
        "--driver",
        "local",
        "--arm-endpoint",
        emu.base_url,
        "--ca-bundle",
        emu.ca_file,
        "--skip-preflight",
        *args,
    ]


def start_paused(stack: dict[str, Any], pause_after: str, *args: str) -> subprocess.Popen[str]:
    """``scripts/rollout.py`` as a real process, stopped (by the test-only hook) once ``pause_after`` is
    journalled; returns when it is paused there."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", TEST_PAUSE_ENV: pause_after}
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "rollout.py"), *cli_args(stack, *args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    seen = []
    assert proc.stdout is not None
    for line in proc.stdout:  # ends at EOF if the process exits without pausing
        seen.append(line)
        if line.startswith(f"paused after step '{pause_after}'"):
            return proc
    proc.wait(30)
    raise AssertionError("the rollout never paused:\n" + "".join(seen))


def test_process_killed_between_steps_then_rerun_resumes(
    stack: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    target = f"gpt-image-1.5@{NEW_VERSION}"
    with Prober(stack["emu"], stack["driver"]) as prober:
        proc = start_paused(stack, "promote", "--to", target)
        proc.kill()  # SIGKILL: no handler runs, as when a CI runner is torn down
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        killed = Journal.load(stack["dir"])
        assert killed.status == "in-progress"
        assert "endedAt" not in killed.data["runs"][0]  # the journal shows that run never ended
        # The same command again: the lock died with the process, the rollout resumes after 'promote'.
        assert main(cli_args(stack, "--to", target)) == 0
    out = capsys.readouterr().out
    assert "Resuming the unfinished rollout of stack 'dev' (in-progress)" in out
    journal = Journal.load(stack["dir"])
    assert [(r["resumed"], r.get("exitCode")) for r in journal.data["runs"]] == [(False, None), (True, 0)]
    assert [e["step"] for e in journal.events if e["status"] == "succeeded"] == [
        "preflight",
        "create-candidate",
        "smoke-candidate",
        "promote",
        "smoke-stable",
        "remove-candidate",
    ]
    assert set(stack["driver"].outputs()["deployments"]) == {"gpt-image"}
    assert 404 not in prober.statuses
    assert served(stack["emu"], "gpt-image") == 200


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_between_steps_then_abort_rolls_back(
    stack: dict[str, Any], capsys: pytest.CaptureFixture[str], signum: int
) -> None:
    target = f"gpt-image-1.5@{NEW_VERSION}"
    proc = start_paused(stack, "create-candidate", "--to", target)
    try:
        proc.send_signal(signum)
        rest, _ = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 3, rest
    assert (
        f"rollout: in-progress - Interrupted by {signal.Signals(signum).name} after step 'create-candidate'; "
        "run the same command again to resume, or `imagegate rollout abort`" in rest
    )
    interrupted = Journal.load(stack["dir"])
    assert interrupted.data["runs"][0]["interrupted"] is True
    assert interrupted.data["runs"][0]["exitCode"] == 3
    assert stack["driver"].outputs()["deployments"]["gpt-image-candidate"]["role"] == "candidate"
    assert main(cli_args(stack, "--to", target, "--abort")) == 1
    out = capsys.readouterr().out
    assert "rollout: rolled-back - Rolled back at step 'create-candidate' (aborted by the" in out
    journal = Journal.load(stack["dir"])
    assert [(e["step"], e["status"]) for e in journal.events if e["phase"] == "rollback"] == [
        ("rollback-remove-candidate", "started"),
        ("rollback-remove-candidate", "succeeded"),
    ]
    outputs = stack["driver"].outputs()
    assert set(outputs["deployments"]) == {"gpt-image"}
    assert outputs["deployments"]["gpt-image"]["version"] == "2025-12-16"
    assert "imagegate:candidate" not in file_config(stack["config"])
    assert served(stack["emu"], "gpt-image") == 200


def quota(emu: RunningEmulator, limit: int) -> None:
    emu.admin("PUT", "arm/quota", {"eastus2": {"OpenAI.GlobalStandard.gpt-image-1.5": limit}})


def test_preflight_blocker_stops_before_any_change(
    stack: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    emu = stack["emu"]
    before = stack["config"].read_text()
    arm_before = emu.admin("GET", "arm/resources").json()
    # dev holds 2 units; the candidate needs 1 more, which a limit of 2 leaves no room for.
    quota(emu, 2)
    try:
        code = run_cli(stack, "--to", f"gpt-image-1.5@{NEW_VERSION}")
    finally:
        quota(emu, 9)  # the catalog's defaultQuota, as the other tests expect
    out = capsys.readouterr().out
    assert code == 1, out
    needs = (
        "gpt-image-candidate: OpenAI.GlobalStandard.gpt-image-1.5 in eastus2: needs 3 (with gpt-image, "
        "gpt-image-candidate), free 2 (limit 2, in use 2, of which this stack holds 2); "
        "lower capacity or request more quota (InsufficientQuota)."
    )
    assert "[0/5] preflight: FAILED - " in out and needs in out
    assert (
        "rollout: failed-before-change - Preflight blocked the rollout before any change "
        "(its findings are above)." in out
    )
    assert out.count(needs) == 1  # each error said once
    assert "create-candidate" not in [e["step"] for e in Journal.load(stack["dir"]).events]
    assert stack["config"].read_text() == before
    assert emu.admin("GET", "arm/resources").json() == arm_before
    journal = Journal.load(stack["dir"])
    blocked = journal.events[-1]
    assert (blocked["step"], blocked["status"]) == ("preflight", "failed")
    assert needs in blocked["detail"]
    assert blocked["preflight"]["ok"] is False


def test_promotion_request_conflict_is_retried_then_succeeds(stack: dict[str, Any]) -> None:
    emu = stack["emu"]

    def conflict(step: Step) -> None:
        if step.name == "smoke-candidate":
            # The local engine retries a 409 five times itself, so six make its `up` fail with
            # RequestConflict (as `pulumi up` fails on Azure); the rollout's own retry then goes through.
            emu.admin("PUT", "arm/faults", {"account": SUBDOMAIN, "requestConflicts": 6})

    result = runner(stack, ModelTarget("gpt-image-1.5", NEW_VERSION), conflict).run()
    assert result.exit_code == 0, result.message
    journal = Journal.load(stack["dir"])
    promote = [e for e in journal.events if e["step"] == "promote"]
    assert [e["status"] for e in promote] == ["started", "retrying", "succeeded"]
    assert promote[1]["detail"].startswith("RequestConflict: ")
    assert emu.admin("GET", "arm/faults").json()["requestConflicts"].get(SUBDOMAIN, 0) == 0
    assert stack["driver"].outputs()["deployments"]["gpt-image"]["version"] == NEW_VERSION
    assert served(stack["emu"], "gpt-image") == 200


def test_a_failed_candidate_is_said_once(stack: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    stack["emu"].set_fault(SUBDOMAIN, "gpt-image-candidate", blocked=True)
    code = run_cli(stack, "--to", f"gpt-image-1.5@{NEW_VERSION}", "--skip-preflight")
    out = capsys.readouterr().out
    assert code == 1, out
    failed = next(line for line in out.splitlines() if line.startswith("[2/5] smoke-candidate: FAILED - "))
    error = failed.removeprefix("[2/5] smoke-candidate: FAILED - ")
    assert error.startswith("smoke failed on gpt-image-candidate: FAILED: 3 checks, 0 passed, 2 failed")
    assert out.count(error) == 1  # not again in the rollback line, the smoke lines or the closing line
    assert "Step 'smoke-candidate' failed; rolling back." in out
    assert "smoke gpt-image-candidate: FAILED - FAILED: 3 checks, 0 passed, 2 failed, 1 skipped\n" in out
    assert "rollout: rolled-back - Rolled back after step 'smoke-candidate' failed; gpt-image serves" in out
