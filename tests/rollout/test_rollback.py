"""Rollbacks at unit speed, against a fake stack that fails the way Pulumi and the local engine fail:
an ``up`` that stops at a refused write keeps every write before it. So a rollback that is skipped, or
that restores the wrong thing, leaves a deployment behind in ``driver.live`` (what ARM holds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rollout.journal import NEEDS_ATTENTION, ROLLED_BACK
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import PROD_VALUES, FakeDriver, FakeSmoker, live_deployments
from tests.rollout.test_runner import NEW_MODEL, runner, start, steps, versions

PROD_LIVE = {"gpt-image": ("gpt-image-1.5", "2025-12-16", "GlobalStandard", 6)}
CANDIDATE = ("gpt-image-1.5", NEW_VERSION, "GlobalStandard", 1)


def test_the_fake_keeps_the_writes_before_a_failure_like_the_real_stack() -> None:
    candidate = {
        "deployment": "gpt-image",
        "model": "gpt-image-1.5",
        "version": NEW_VERSION,
        "capacity": 1,
        "sku": "GlobalStandard",
    }
    with_candidate = {**PROD_VALUES, "candidate": candidate}
    later = FakeDriver(PROD_VALUES, fail_up_when=lambda c: True)
    later.write_config(with_candidate)
    with pytest.raises(Exception, match="InsufficientQuota"):
        later.up()
    # Written, then a later resource failed: the candidate stays.
    assert later.live == {**PROD_LIVE, "gpt-image-candidate": CANDIDATE}
    assert later.outputs()["deployments"].keys() == {"gpt-image"}  # outputs stay those of the last good up
    at = FakeDriver(PROD_VALUES, fail_up_when=lambda c: True, fail_at="gpt-image-candidate")
    at.write_config(with_candidate)
    with pytest.raises(Exception, match="not enough quota for gpt-image-candidate"):
        at.up()
    assert at.live == PROD_LIVE
    assert live_deployments(PROD_VALUES) == PROD_LIVE


def test_a_candidate_created_by_a_failed_up_is_removed_by_the_rollback(tmp_path: Path) -> None:
    # The candidate deployment is written, then a later resource fails: `up` fails with the candidate live.
    journal = start(tmp_path)
    driver = FakeDriver(PROD_VALUES, fail_up_when=lambda c: "candidate" in c)
    result = runner(journal, driver).run()
    assert (result.exit_code, result.status) == (1, ROLLED_BACK)
    assert driver.live == PROD_LIVE
    assert steps(journal)[-2:] == [
        ("forward", "create-candidate", "failed"),
        ("rollback", "rollback-remove-candidate", "succeeded"),
    ]
    assert result.message == (
        "Rolled back after step 'create-candidate' failed; gpt-image serves gpt-image-1.5@2025-12-16."
    )
    assert journal.data["failure"] == "InsufficientQuota: not enough quota."


def test_a_candidate_refused_by_arm_leaves_nothing_and_the_rollback_still_runs(tmp_path: Path) -> None:
    journal = start(tmp_path)
    driver = FakeDriver(PROD_VALUES, fail_up_when=lambda c: "candidate" in c, fail_at="gpt-image-candidate")
    result = runner(journal, driver).run()
    assert (result.exit_code, result.status) == (1, ROLLED_BACK)
    assert driver.live == PROD_LIVE
    assert journal.data["failure"] == "InsufficientQuota: not enough quota for gpt-image-candidate."


def test_a_promotion_that_fails_after_the_version_changed_is_put_back(tmp_path: Path) -> None:
    # ARM took the new version of the stable deployment, then `up` failed: the rollback restores the version
    # and removes the candidate, and smokes the stable deployment at its old version in between.
    journal = start(tmp_path)
    driver = FakeDriver(
        PROD_VALUES, fail_up_when=lambda c: "candidate" in c and versions(c) == (NEW_VERSION,)
    )
    smoker = FakeSmoker()
    result = runner(journal, driver, smoker).run()
    assert (result.exit_code, result.status) == (1, ROLLED_BACK)
    assert driver.live == PROD_LIVE
    assert [s for _, s, _ in steps(journal)][-4:] == [
        "promote",
        "rollback-restore-version",
        "rollback-smoke-stable",
        "rollback-remove-candidate",
    ]
    assert smoker.calls[-1] == ("gpt-image", "gpt-image-1.5@2025-12-16")


def test_a_rollback_that_arm_refuses_needs_attention_and_leaves_the_candidate(tmp_path: Path) -> None:
    journal = start(tmp_path)
    driver = FakeDriver(
        PROD_VALUES, fail_up_when=lambda c: "candidate" not in c, fail_at="gpt-image-candidate"
    )
    smoker = FakeSmoker(lambda name, running: name == "gpt-image-candidate")
    result = runner(journal, driver, smoker).run()
    assert (result.exit_code, result.status) == (3, NEEDS_ATTENTION)
    assert result.message == (
        "Rollback step 'rollback-remove-candidate' failed (see above) after 'smoke-candidate' failed; check "
        "deployment gpt-image by hand, then re-run to continue the rollback."
    )
    failed = [e for e in journal.events if e["status"] == "failed"]
    assert failed[-1]["detail"] == "InsufficientQuota: not enough quota for gpt-image-candidate."
    assert driver.live == {**PROD_LIVE, "gpt-image-candidate": CANDIDATE}


def test_a_new_model_that_fails_after_its_deployment_was_written_is_removed(tmp_path: Path) -> None:
    journal = start(tmp_path, NEW_MODEL)
    driver = FakeDriver(PROD_VALUES, fail_up_when=lambda c: len(c["deployments"]) == 2)
    result = runner(journal, driver).run()
    assert (result.exit_code, result.status) == (1, ROLLED_BACK)
    assert driver.live == PROD_LIVE
    assert driver.outputs()["activeDeployment"] == "gpt-image"
