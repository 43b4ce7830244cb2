from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from rollout.backoff import BackoffPolicy
from rollout.errors import UsageError
from rollout.journal import FAILED_BEFORE_CHANGE, NEEDS_ATTENTION, ROLLED_BACK, SUCCEEDED, Journal
from rollout.plan import Step, build_plan
from rollout.runner import Runner, outputs_mismatches
from rollout.target import ModelTarget
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import PROD_VALUES, FakeDriver, FakePreflight, FakeSmoker, outputs_for

UPGRADE = ModelTarget("gpt-image-1.5", NEW_VERSION)
NEW_MODEL = ModelTarget("gpt-image-2", "2026-04-21")


class Crash(BaseException):
    """Stands for the process dying between two steps."""


def start(tmp_path: Path, target: ModelTarget = UPGRADE, **plan_args: Any) -> Journal:
    return Journal.begin(tmp_path, build_plan(PROD_VALUES, "prod", target, "gpt-image", **plan_args))


def runner(
    journal: Journal,
    driver: FakeDriver,
    smoker: FakeSmoker | None = None,
    preflight: FakePreflight | None = None,
    **kwargs: Any,
) -> Runner:
    return Runner(
        journal,
        driver,
        smoker or FakeSmoker(),
        preflight or FakePreflight(),
        policy=BackoffPolicy(retries=3, initial_s=1),
        sleep=kwargs.pop("sleep", lambda s: None),
        log=lambda line: None,
        **kwargs,
    )


def steps(journal: Journal) -> list[tuple[str, str, str]]:
    return [(e["phase"], e["step"], e["status"]) for e in journal.events if e["status"] != "started"]


def versions(config: dict) -> tuple[str, ...]:
    return tuple(d["version"] for d in config["deployments"])


def test_version_upgrade_succeeds(tmp_path: Path) -> None:
    journal, driver, smoker = start(tmp_path), FakeDriver(PROD_VALUES), FakeSmoker()
    result = runner(journal, driver, smoker).run()
    assert (result.exit_code, result.status) == (0, SUCCEEDED)
    assert result.message == f"Stack 'prod' now serves gpt-image-1.5@{NEW_VERSION} as gpt-image."
    assert driver.applied == {
        **copy.deepcopy(PROD_VALUES),
        "deployments": [{**PROD_VALUES["deployments"][0], "version": NEW_VERSION}],
    }
    assert smoker.calls == [
        ("gpt-image-candidate", f"gpt-image-1.5@{NEW_VERSION}"),
        ("gpt-image", f"gpt-image-1.5@{NEW_VERSION}"),
    ]
    # The stable deployment exists in every state the stack passes through.
    assert all("gpt-image" in outputs_for(c)["deployments"] for c in driver.ups)
    assert Journal.load(tmp_path).status == SUCCEEDED


def test_candidate_smoke_failure_removes_candidate_and_leaves_prod_untouched(tmp_path: Path) -> None:
    journal, driver = start(tmp_path), FakeDriver(PROD_VALUES)
    smoker = FakeSmoker(lambda name, running: name == "gpt-image-candidate")
    result = runner(journal, driver, smoker).run()
    assert (result.exit_code, result.status) == (1, ROLLED_BACK)
    assert driver.applied == PROD_VALUES
    assert all(versions(c) == ("2025-12-16",) for c in driver.ups)
    assert journal.failed_step == "smoke-candidate"
    assert steps(journal)[-2:] == [
        ("forward", "smoke-candidate", "failed"),
        ("rollback", "rollback-remove-candidate", "succeeded"),
    ]


def test_promotion_conflict_is_retried_then_succeeds(tmp_path: Path) -> None:
    journal = start(tmp_path)
    driver = FakeDriver(
        PROD_VALUES, conflicts=2, conflict_when=lambda c: versions(c) == (NEW_VERSION,) and "candidate" in c
    )
    slept: list[float] = []
    result = runner(journal, driver, sleep=slept.append).run()
    assert result.exit_code == 0 and slept == [1, 2]
    retrying = [e for e in journal.events if e["status"] == "retrying"]
    assert [e["step"] for e in retrying] == ["promote", "promote"]
    assert (
        retrying[0]["detail"]
        == "RequestConflict: Another operation is being performed on the parent resource."
    )


def test_post_promotion_smoke_failure_restores_version_with_both_reports(tmp_path: Path) -> None:
    journal, driver = start(tmp_path), FakeDriver(PROD_VALUES)
    smoker = FakeSmoker(lambda name, running: name == "gpt-image" and running.endswith(NEW_VERSION))
    result = runner(journal, driver, smoker).run()
    assert (result.exit_code, result.status) == (1, ROLLED_BACK)
    assert driver.applied == PROD_VALUES
    assert steps(journal)[-4:] == [
        ("forward", "smoke-stable", "failed"),
        ("rollback", "rollback-restore-version", "succeeded"),
        ("rollback", "rollback-smoke-stable", "succeeded"),
        ("rollback", "rollback-remove-candidate", "succeeded"),
    ]
    reports = [e["smoke"] for e in journal.events if "smoke" in e]
    assert [(r["deployment"], r["passed"]) for r in reports] == [
        ("gpt-image-candidate", True),
        ("gpt-image", False),
        ("gpt-image", True),
    ]


def test_failed_rollback_smoke_needs_attention(tmp_path: Path) -> None:
    journal, driver = start(tmp_path), FakeDriver(PROD_VALUES)
    smoker = FakeSmoker(lambda name, running: name == "gpt-image")
    result = runner(journal, driver, smoker).run()
    assert (result.exit_code, result.status) == (3, NEEDS_ATTENTION)
    # The error was printed on the step's line; the closing message names the step, the journal keeps both.
    assert result.message == (
        "Rollback step 'rollback-smoke-stable' failed (see above) after 'smoke-stable' failed; "
        "check deployment gpt-image by hand, then re-run to continue the rollback."
    )
    assert journal.data["outcome"].startswith(
        "Rollback step 'rollback-smoke-stable' failed (smoke failed on gpt-image"
    )
    # The candidate, which passed its smoke, is kept while a human looks.
    assert "candidate" in driver.applied


def test_preflight_blocker_stops_before_any_change(tmp_path: Path) -> None:
    journal, driver = start(tmp_path), FakeDriver(PROD_VALUES)
    preflight = FakePreflight(["gpt-image-1.5/GlobalStandard: needs 1, 0 free"])
    result = runner(journal, driver, preflight=preflight).run()
    assert (result.exit_code, result.status) == (1, FAILED_BEFORE_CHANGE)
    assert result.message == "Preflight blocked the rollout before any change (its findings are above)."
    assert journal.data["outcome"] == "gpt-image-1.5/GlobalStandard: needs 1, 0 free"
    assert driver.ups == [] and driver.config == PROD_VALUES
    assert preflight.seen[0]["candidate"]["version"] == NEW_VERSION


def test_up_failure_at_candidate_rolls_back(tmp_path: Path) -> None:
    journal = start(tmp_path)
    driver = FakeDriver(PROD_VALUES, fail_up_when=lambda c: "candidate" in c)
    result = runner(journal, driver).run()
    assert result.exit_code == 1 and driver.applied == PROD_VALUES
    assert journal.data["failure"] == "InsufficientQuota: not enough quota."


@pytest.mark.parametrize("crash_after", ["create-candidate", "smoke-candidate", "promote", "smoke-stable"])
def test_crash_between_steps_then_rerun_resumes(tmp_path: Path, crash_after: str) -> None:
    journal, driver = start(tmp_path), FakeDriver(PROD_VALUES)

    def crash(step: Step) -> None:
        if step.name == crash_after:
            raise Crash()

    with pytest.raises(Crash):
        runner(journal, driver, after_step=crash).run()
    ups_before = len(driver.ups)
    resumed = Journal.load(tmp_path)
    result = runner(resumed, driver).run()
    assert result.exit_code == 0
    done = [s for p, s, st in steps(resumed) if st == "succeeded"]
    assert done.count(crash_after) == 1  # a finished step is never redone
    assert len(driver.ups) - ups_before == sum(
        1
        for s in ("create-candidate", "promote", "remove-candidate")
        if s not in done[: done.index(crash_after) + 1]
    )


def test_abort_rolls_back_an_interrupted_rollout(tmp_path: Path) -> None:
    journal, driver = start(tmp_path), FakeDriver(PROD_VALUES)

    def crash(step: Step) -> None:
        if step.name == "promote":
            raise Crash()

    with pytest.raises(Crash):
        runner(journal, driver, after_step=crash).run()
    resumed = Journal.load(tmp_path)
    again = runner(resumed, driver)
    again.abort()
    result = again.run()
    assert (result.exit_code, result.status) == (1, ROLLED_BACK)
    assert driver.applied == PROD_VALUES
    assert resumed.data["failure"] == "aborted by the operator (--abort)"
    assert result.message.startswith("Rolled back at step 'promote' (aborted by the operator (--abort)); ")


def test_cleanup_failure_needs_attention_then_rerun_finishes(tmp_path: Path) -> None:
    journal = start(tmp_path)
    driver = FakeDriver(
        PROD_VALUES, fail_up_when=lambda c: "candidate" not in c and versions(c) == (NEW_VERSION,)
    )
    result = runner(journal, driver).run()
    assert (result.exit_code, result.status) == (3, NEEDS_ATTENTION)
    assert result.message.startswith(
        f"gpt-image-1.5@{NEW_VERSION} is live but clean-up step 'remove-candidate'"
    )
    with pytest.raises(UsageError, match="already holds and only clean-up is left"):
        runner(Journal.load(tmp_path), driver).abort()
    driver.fail_up_when = None
    assert runner(Journal.load(tmp_path), driver).run().exit_code == 0
    assert "candidate" not in driver.applied


def test_model_name_upgrade_switches_active_and_keeps_old(tmp_path: Path) -> None:
    journal, driver, smoker = start(tmp_path, NEW_MODEL), FakeDriver(PROD_VALUES), FakeSmoker()
    assert runner(journal, driver, smoker).run().exit_code == 0
    assert driver.outputs()["activeDeployment"] == "gpt-image-2"
    assert set(driver.outputs()["deployments"]) == {"gpt-image", "gpt-image-2"}
    # The name apps read always points at a deployment that exists.
    for config in driver.ups:
        out = outputs_for(config)
        assert out["activeDeployment"] in out["deployments"]


def test_model_name_upgrade_rollback_after_switch(tmp_path: Path) -> None:
    journal, driver = start(tmp_path, NEW_MODEL, retire_old=True), FakeDriver(PROD_VALUES)
    calls = {"n": 0}

    def fails(name: str, running: str) -> bool:
        calls["n"] += 1
        return name == "gpt-image-2" and calls["n"] > 1  # passes as a candidate, fails once active

    result = runner(journal, driver, FakeSmoker(fails)).run()
    assert result.exit_code == 1
    assert driver.applied == PROD_VALUES
    assert [s for p, s, st in steps(journal)][-4:] == [
        "smoke-active",
        "rollback-switch-back",
        "rollback-smoke-old",
        "rollback-remove-deployment",
    ]


def test_outputs_mismatch_is_a_failure() -> None:
    plan = build_plan(PROD_VALUES, "prod", UPGRADE, "gpt-image")
    create, remove = plan.step("create-candidate"), plan.step("rollback-remove-candidate")
    assert create.expects is not None and remove.expects is not None
    config = create.config
    assert outputs_mismatches(outputs_for(config), create.expects, create.active) == []
    assert outputs_mismatches(outputs_for(PROD_VALUES), create.expects, create.active) == [
        "deployment gpt-image-candidate is missing from the stack outputs"
    ]
    assert outputs_mismatches(outputs_for(config), remove.expects, remove.active) == [
        "deployment gpt-image-candidate is still in the stack outputs"
    ]
