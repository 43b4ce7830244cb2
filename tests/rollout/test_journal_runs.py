"""The journal as the operator reads it (docs/rollout.md "Journal and lock"): the header fields, one entry per
run (pid, resumed, end, exit code, outcome, interrupted), the outcome note, and the lock's holder."""

from __future__ import annotations

import fcntl
import json
import os
import resource
from pathlib import Path
from typing import Any

import pytest

from rollout.errors import JournalError, LockedError
from rollout.journal import FORWARD, ROLLBACK, Journal, StackLock, write_json_atomic
from tests.rollout.test_journal import plan


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def on_disk(directory: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((directory / "rollout-journal.json").read_text("utf-8"))
    return data


def test_a_new_journal_names_the_stack_deployment_and_strategy_with_no_failure_yet(tmp_path: Path) -> None:
    Journal.begin(tmp_path, plan(), clock=Clock())
    data = on_disk(tmp_path)
    assert {k: v for k, v in data.items() if k != "plan"} == {
        "schemaVersion": 1,
        "stack": "prod",
        "target": "gpt-image-1.5@2026-03-10",
        "deployment": "gpt-image",
        "strategy": "in-place-version",
        "status": "in-progress",
        "phase": "forward",
        "failedStep": None,
        "failure": None,
        "startedAt": 101.0,
        "updatedAt": 102.0,  # saved after it was started
        "runs": [],
        "events": [],
    }


def test_each_run_is_journalled_and_closed_with_its_exit_code_and_outcome(tmp_path: Path) -> None:
    journal = Journal.begin(tmp_path, plan(), clock=Clock())
    journal.end_run(3, "nothing to close")  # no run yet: nothing is written as a run
    assert on_disk(tmp_path)["runs"] == []
    journal.note_run(resumed=False)
    journal.end_run(3, "rollout: in-progress - interrupted", interrupted=True)
    journal.note_run(resumed=True)
    journal.end_run(1, "rollout: rolled-back")
    journal.note_run(resumed=True)  # killed: never closed
    pid = os.getpid()
    assert on_disk(tmp_path)["runs"] == [
        {
            "pid": pid,
            "startedAt": 105.0,
            "resumed": False,
            "endedAt": 107.0,
            "exitCode": 3,
            "outcome": "rollout: in-progress - interrupted",
            "interrupted": True,
        },
        {
            "pid": pid,
            "startedAt": 109.0,
            "resumed": True,
            "endedAt": 111.0,
            "exitCode": 1,
            "outcome": "rollout: rolled-back",
        },
        {"pid": pid, "startedAt": 113.0, "resumed": True},
    ]
    assert on_disk(tmp_path)["updatedAt"] == 114.0


def test_finish_records_the_outcome_only_when_there_is_one(tmp_path: Path) -> None:
    journal = Journal.begin(tmp_path, plan(), clock=Clock())
    journal.finish("in-progress")
    assert "outcome" not in on_disk(tmp_path)
    journal.finish("succeeded", "gpt-image now serves gpt-image-1.5@2026-03-10")
    data = on_disk(tmp_path)
    assert (data["status"], data["outcome"]) == ("succeeded", "gpt-image now serves gpt-image-1.5@2026-03-10")


def test_the_last_started_step_is_per_phase(tmp_path: Path) -> None:
    journal = Journal.begin(tmp_path, plan(), clock=Clock())
    assert journal.last_started(FORWARD) is None
    journal.record("preflight", "started")
    journal.record("preflight", "succeeded")
    journal.record("apply-version", "started")
    journal.start_rollback("apply-version", "quota")
    journal.record("rollback-restore", "started")
    journal.record("rollback-restore", "failed")
    assert journal.last_started(FORWARD) == "apply-version"
    assert journal.last_started(ROLLBACK) == "rollback-restore"


def test_an_unreadable_journal_says_why_and_what_to_do(tmp_path: Path) -> None:
    directory = tmp_path / ("long-" * 20)  # so the OS's reason runs past the 120 characters kept
    path = directory / "rollout-journal.json"
    path.mkdir(parents=True)
    with pytest.raises(JournalError) as caught:
        Journal.load(directory)
    reason = f"[Errno 21] Is a directory: '{path}'"[:120]
    assert len(f"[Errno 21] Is a directory: '{path}'") > 120
    assert str(caught.value) == (
        f"The rollout journal {path} cannot be read ({reason}); inspect it, then move it away to start over."
    )


def test_a_journal_nested_too_deeply_for_the_json_reader_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "rollout-journal.json"
    path.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    with pytest.raises(JournalError) as caught:
        Journal.load(tmp_path)
    assert str(caught.value) == (
        f"The rollout journal {path} is nested too deeply to be a journal; move it away."
    )


@pytest.mark.parametrize(
    "document",
    [{"schemaVersion": 1}, {"schemaVersion": 2, "plan": {}}, ["plan"]],
    ids=["no-plan", "other-schema", "not-an-object"],
)
def test_a_journal_of_another_format_is_refused(tmp_path: Path, document: Any) -> None:
    (tmp_path / "rollout-journal.json").write_text(json.dumps(document), "utf-8")
    with pytest.raises(JournalError) as caught:
        Journal.load(tmp_path)
    assert str(caught.value) == (
        f"The rollout journal {tmp_path / 'rollout-journal.json'} has an unknown format, so imagegate "
        "cannot resume or roll it back; check the stack by hand (`imagegate local preview` or "
        "`pulumi preview`), put Pulumi.<stack>.yaml back from the journal's plan.originalText if a rollout "
        "changed it, then move the journal away to start over."
    )


def test_a_lock_held_by_a_writer_that_has_not_named_itself_is_another_process(tmp_path: Path) -> None:
    # flock locks belong to open files, so a second open of the lock file in this process contends too.
    fd = os.open(tmp_path / "rollout.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(LockedError) as caught:
            StackLock(tmp_path, "prod").acquire()
    finally:
        os.close(fd)
    assert str(caught.value) == (
        "A rollout for stack 'prod' is already in progress (another process); wait for it to finish."
    )


def test_a_lock_names_its_holder_and_releasing_it_twice_or_never_taken_is_harmless(tmp_path: Path) -> None:
    StackLock(tmp_path, "prod").release()
    (tmp_path / "rollout.lock").write_text("pid 99999999999 from an older run", "utf-8")
    lock = StackLock(tmp_path, "prod").acquire()
    assert (tmp_path / "rollout.lock").read_text("utf-8") == f"pid {os.getpid()}"
    lock.release()
    lock.release()
    StackLock(tmp_path, "prod").acquire().release()


def test_a_journal_that_cannot_even_be_opened_is_a_journal_error_and_leaves_nothing(tmp_path: Path) -> None:
    # Out of file descriptors: open() fails before the temp file exists (as root, permissions cannot).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (3, hard))
    try:
        with pytest.raises(JournalError) as caught:
            write_json_atomic(tmp_path / "rollout-journal.json", {"x": 1})
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert str(caught.value) == (
        f"Cannot write the rollout journal {tmp_path / 'rollout-journal.json'}: Too many open files."
    )
    assert list(tmp_path.iterdir()) == []
