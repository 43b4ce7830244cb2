"""What a rollout leaves in its journal and prints at each end (docs/rollout.md): the status while it runs
and after a crash, the outcome note with the failure, the closing line, resume within a rollback, and
what preflight and smoke are given."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from rollout.backoff import BackoffPolicy
from rollout.errors import UsageError
from rollout.journal import FAILED_BEFORE_CHANGE, NEEDS_ATTENTION, ROLLED_BACK, SUCCEEDED, Journal
from rollout.plan import Step
from rollout.ports import PreflightOutcome
from rollout.runner import Runner
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import PROD_VALUES, FakeDriver, FakeSmoker
from tests.rollout.test_runner import NEW_MODEL, Crash, runner, start, versions

TARGET = f"gpt-image-1.5@{NEW_VERSION}"


class Preflight:
    """Answers with ``outcome`` and remembers the stack it was asked about."""

    def __init__(self, outcome: PreflightOutcome) -> None:
        self.outcome = outcome
        self.stacks: list[str] = []

    def check(self, values: Mapping[str, Any], stack: str) -> PreflightOutcome:
        self.stacks.append(stack)
        return self.outcome


def events(tmp_path: Path) -> list[dict[str, Any]]:
    journal = Journal.load(tmp_path)
    assert journal is not None
    return journal.events


def test_a_success_journals_the_closing_line_as_its_outcome(tmp_path: Path) -> None:
    result = runner(start(tmp_path), FakeDriver(PROD_VALUES)).run()
    journal = Journal.load(tmp_path)
    assert journal is not None
    assert (journal.status, journal.data["outcome"]) == (SUCCEEDED, result.message)
    assert journal.data["outcome"] == f"Stack 'prod' now serves {TARGET} as gpt-image."


@pytest.mark.parametrize(
    ("outcome", "error"),
    [
        (
            PreflightOutcome(ok=False, blockers=("no quota in eastus2", "name taken")),
            "no quota in eastus2; name taken",
        ),
        (PreflightOutcome(ok=False), "preflight failed"),
    ],
    ids=["blockers", "no-reason"],
)
def test_a_blocking_preflight_journals_its_findings_and_changes_nothing(
    tmp_path: Path, outcome: PreflightOutcome, error: str
) -> None:
    preflight = Preflight(outcome)
    driver = FakeDriver(PROD_VALUES)
    result = runner(start(tmp_path), driver, preflight=preflight).run()
    assert (result.status, result.exit_code) == (FAILED_BEFORE_CHANGE, 1)
    assert preflight.stacks == ["prod"]
    journal = Journal.load(tmp_path)
    assert journal is not None
    assert (journal.status, journal.data["outcome"]) == (FAILED_BEFORE_CHANGE, error)
    failed = journal.events[-1]
    assert (failed["step"], failed["status"], failed["detail"]) == ("preflight", "failed", error)
    assert failed["preflight"] == {"ok": False, "blockers": list(outcome.blockers), "report": {}}
    assert driver.ups == []


def test_a_skipped_preflight_is_journalled_as_skipped(tmp_path: Path) -> None:
    preflight = Preflight(PreflightOutcome(ok=True, report={"skipped": True}))
    runner(start(tmp_path), FakeDriver(PROD_VALUES), preflight=preflight).run()
    first = events(tmp_path)[1]
    assert (first["step"], first["status"], first["detail"]) == (
        "preflight",
        "succeeded",
        "skipped (--skip-preflight)",
    )
    Path(tmp_path / "two").mkdir()
    runner(
        start(tmp_path / "two"), FakeDriver(PROD_VALUES), preflight=Preflight(PreflightOutcome(ok=True))
    ).run()
    assert "detail" not in events(tmp_path / "two")[1]


def test_a_failed_clean_up_journals_the_error_and_says_to_re_run(tmp_path: Path) -> None:
    driver = FakeDriver(
        PROD_VALUES, fail_up_when=lambda c: "candidate" not in c and versions(c) == (NEW_VERSION,)
    )
    result = runner(start(tmp_path), driver).run()
    note = f"{TARGET} is live but clean-up step 'remove-candidate' failed"
    assert result.message == note + " (see above); re-run the command to finish."
    journal = Journal.load(tmp_path)
    assert journal is not None
    assert (journal.status, journal.data["outcome"]) == (
        NEEDS_ATTENTION,
        f"{note}: InsufficientQuota: not enough quota.",
    )
    with pytest.raises(UsageError) as refused:
        runner(journal, driver).abort()
    assert str(refused.value) == (
        "The upgrade of stack 'prod' already holds and only clean-up is left; "
        "re-run without --abort to finish it."
    )


def test_a_failed_rollback_step_journals_its_error_and_says_to_re_run(tmp_path: Path) -> None:
    smoker = FakeSmoker(lambda name, running: name == "gpt-image")
    result = runner(start(tmp_path), FakeDriver(PROD_VALUES), smoker).run()
    note = (
        "Rollback step 'rollback-smoke-stable' failed (see above) after 'smoke-stable' failed; "
        "check deployment gpt-image by hand, then re-run to continue the rollback."
    )
    assert (result.status, result.message) == (NEEDS_ATTENTION, note)
    journal = Journal.load(tmp_path)
    assert journal is not None
    assert journal.status == NEEDS_ATTENTION
    assert journal.data["outcome"] == note.replace(
        "(see above)", "(smoke failed on gpt-image: 1/2 checks failed)"
    )


def test_a_rollback_journals_why_and_what_serves_now(tmp_path: Path) -> None:
    smoker = FakeSmoker(lambda name, running: name == "gpt-image-candidate")
    result = runner(start(tmp_path), FakeDriver(PROD_VALUES), smoker).run()
    journal = Journal.load(tmp_path)
    assert journal is not None
    assert (journal.status, result.status) == (ROLLED_BACK, ROLLED_BACK)
    assert journal.data["outcome"] == (
        "Rolled back after step 'smoke-candidate' failed (smoke failed on gpt-image-candidate: 1/2 checks "
        "failed); gpt-image serves gpt-image-1.5@2025-12-16."
    )


def test_while_it_runs_the_journal_says_in_progress_then_rolling_back(tmp_path: Path) -> None:
    driver = FakeDriver(
        PROD_VALUES, fail_up_when=lambda c: "candidate" not in c and versions(c) == (NEW_VERSION,)
    )
    runner(start(tmp_path), driver).run()  # ends needing attention
    driver.fail_up_when = None

    def crash(step: Step) -> None:
        raise Crash()

    with pytest.raises(Crash):
        runner(Journal.load(tmp_path), driver, after_step=crash).run()  # type: ignore[arg-type]
    assert Journal.load(tmp_path).status == "in-progress"  # type: ignore[union-attr]

    def crash_in_rollback(step: Step) -> None:
        if step.name.startswith("rollback-"):
            raise Crash()

    smoker = FakeSmoker(lambda name, running: name == "gpt-image")
    with pytest.raises(Crash):
        runner(start(tmp_path / "b"), FakeDriver(PROD_VALUES), smoker, after_step=crash_in_rollback).run()
    assert Journal.load(tmp_path / "b").status == "rolling-back"  # type: ignore[union-attr]


def test_a_rollback_resumed_after_a_crash_does_not_repeat_its_finished_steps(tmp_path: Path) -> None:
    smoker = FakeSmoker(lambda name, running: name == "gpt-image" and running == TARGET)

    def crash(step: Step) -> None:
        if step.name == "rollback-restore-version":
            raise Crash()

    with pytest.raises(Crash):
        runner(start(tmp_path), FakeDriver(PROD_VALUES), smoker, after_step=crash).run()
    driver = FakeDriver(PROD_VALUES)
    result = runner(Journal.load(tmp_path), driver, smoker).run()  # type: ignore[arg-type]
    assert result.status == ROLLED_BACK
    rollback = [e["step"] for e in events(tmp_path) if e["phase"] == "rollback" and e["status"] == "started"]
    assert rollback == ["rollback-restore-version", "rollback-smoke-stable", "rollback-remove-candidate"]


def test_an_abort_before_any_step_started_rolls_back_from_preflight(tmp_path: Path) -> None:
    journal = start(tmp_path)
    again = runner(journal, FakeDriver(PROD_VALUES))
    again.abort()
    assert Journal.load(tmp_path).failed_step == "preflight"  # type: ignore[union-attr]
    result = again.run()
    assert result.message == (
        "Rolled back at step 'preflight' (aborted by the operator (--abort)); gpt-image serves "
        "gpt-image-1.5@2025-12-16."
    )


def test_smoke_compares_the_new_deployment_with_the_current_one(tmp_path: Path) -> None:
    smoker = FakeSmoker()
    runner(start(tmp_path, NEW_MODEL), FakeDriver(PROD_VALUES), smoker).run()
    assert smoker.baselines[0] == "gpt-image"


def test_each_conflict_retry_is_logged_with_its_wait(tmp_path: Path) -> None:
    lines: list[str] = []
    driver = FakeDriver(PROD_VALUES, conflicts=1)
    journal = start(tmp_path)
    Runner(
        journal,
        driver,
        FakeSmoker(),
        Preflight(PreflightOutcome(ok=True)),
        policy=BackoffPolicy(retries=3, initial_s=1),
        sleep=lambda s: None,
        log=lines.append,
    ).run()
    assert "  RequestConflict: retrying in 1 s (retry 1 of 3)" in lines
