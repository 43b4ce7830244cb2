"""What a rollout leaves in its journal and prints at each end (docs/rollout.md): the status while it runs
and after a crash, the outcome note with the failure, the closing line, resume within a rollback, and
what preflight and smoke are given."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from lifecycle.interrupts import Interrupted
from rollout.backoff import BackoffPolicy
from rollout.errors import DriverError, UsageError
from rollout.journal import FAILED_BEFORE_CHANGE, NEEDS_ATTENTION, ROLLED_BACK, SUCCEEDED, Journal
from rollout.plan import Step
from rollout.ports import PreflightOutcome
from rollout.runner import RolloutResult, Runner, interrupted_result
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import PROD_VALUES, FakeDriver, FakePreflight, FakeSmoker
from tests.rollout.test_runner import NEW_MODEL, Crash, runner, start, versions

TARGET = f"gpt-image-1.5@{NEW_VERSION}"


class Preflight(FakePreflight):
    """Answers with ``outcome`` and remembers the stack it was asked about."""

    def __init__(self, outcome: PreflightOutcome) -> None:
        super().__init__()
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


class OutputsUnreadable(FakeDriver):
    """A stack whose ``up`` works but whose outputs cannot be read back (the backend went away)."""

    def outputs(self) -> dict[str, Any]:
        raise DriverError("Pulumi failed while reading the stack outputs: error: the backend is unreachable.")


def test_stack_outputs_that_cannot_be_read_fail_the_smoke_step_with_the_drivers_sentence(
    tmp_path: Path,
) -> None:
    lines: list[str] = []
    driver = OutputsUnreadable(PROD_VALUES)
    result = Runner(
        start(tmp_path), driver, FakeSmoker(), FakePreflight(), sleep=lambda s: None, log=lines.append
    ).run()
    reason = "Pulumi failed while reading the stack outputs: error: the backend is unreachable."
    assert "[2/5] smoke-candidate: FAILED - " + reason in lines
    assert result.message == (
        "Rolled back after step 'smoke-candidate' failed; gpt-image serves gpt-image-1.5@2025-12-16."
    )
    journal = Journal.load(tmp_path)
    assert journal is not None
    assert journal.data["failure"] == reason
    assert driver.live == {"gpt-image": ("gpt-image-1.5", "2025-12-16", "GlobalStandard", 6)}


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
        f"re-run `imagegate rollout run` without abort to finish it (journal {journal.path})."
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


class Waits:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, float | None]] = []

    @contextlib.contextmanager
    def waiting(self, what: str, why: str, limit_s: float | None = None) -> Iterator[None]:
        self.seen.append((what, why, limit_s))
        yield


def test_a_conflict_wait_is_announced_with_the_step_the_reason_and_the_wait(tmp_path: Path) -> None:
    waits = Waits()
    runner(start(tmp_path), FakeDriver(PROD_VALUES, conflicts=1), waits=waits).run()
    assert waits.seen == [
        ("step create-candidate", "409 RequestConflict: another operation on the account is running", 1)
    ]


class Interrupting(FakeDriver):
    def up(self) -> dict[str, Any]:
        raise Interrupted(signal.SIGTERM)


def test_an_interrupted_step_is_journalled_with_its_signal_and_named_in_the_last_line(
    tmp_path: Path,
) -> None:
    journal = start(tmp_path)
    fresh = runner(journal, Interrupting(PROD_VALUES))
    assert fresh.current_step is None
    assert interrupted_result(journal, fresh.current_step, Interrupted(signal.SIGINT)) == RolloutResult(
        "in-progress",
        3,
        "Interrupted by SIGINT; run the same command again to resume, "
        "or `imagegate rollout abort` to roll back.",
    )
    with pytest.raises(Interrupted) as caught:
        fresh.run()
    assert fresh.current_step == "create-candidate"
    last = journal.events[-1]
    assert (last["step"], last["status"], last["detail"]) == ("create-candidate", "interrupted", "SIGTERM")
    assert interrupted_result(journal, fresh.current_step, caught.value).message == (
        "Interrupted by SIGTERM during step 'create-candidate'; run the same command again to resume, "
        "or `imagegate rollout abort` to roll back."
    )


def test_an_interruption_between_steps_names_the_step_it_came_after(tmp_path: Path) -> None:
    journal = start(tmp_path)

    def stop(step: Step) -> None:
        if step.name == "create-candidate":
            raise Interrupted(signal.SIGINT)

    again = runner(journal, FakeDriver(PROD_VALUES), after_step=stop)
    with pytest.raises(Interrupted) as caught:
        again.run()
    assert interrupted_result(journal, again.current_step, caught.value).message.startswith(
        "Interrupted by SIGINT after step 'create-candidate'; "
    )


class Misreporting(FakeDriver):
    """An ``up`` that succeeds but whose outputs describe other versions than the config asked for."""

    def up(self) -> dict[str, Any]:
        outputs = super().up()
        return {**outputs, "deployments": {"gpt-image": {"model": "gpt-image-1.5", "version": "2020-01-01"}}}


def test_outputs_that_disagree_with_the_config_fail_the_step_with_every_difference(tmp_path: Path) -> None:
    runner(start(tmp_path), Misreporting(PROD_VALUES)).run()
    failed = next(e for e in events(tmp_path) if e["status"] == "failed")
    assert (failed["step"], failed["detail"]) == (
        "create-candidate",
        "deployment gpt-image runs gpt-image-1.5@2020-01-01, not gpt-image-1.5@2025-12-16; "
        "deployment gpt-image-candidate is missing from the stack outputs",
    )
