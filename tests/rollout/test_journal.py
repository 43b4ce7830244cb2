from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from rollout.errors import JournalError, LockedError
from rollout.journal import (
    FORWARD,
    IN_PROGRESS,
    ROLLBACK,
    ROLLING_BACK,
    Journal,
    StackLock,
    default_journal_dir,
    write_json_atomic,
)
from rollout.plan import build_plan
from rollout.target import ModelTarget
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import PROD_VALUES


def plan():
    return build_plan(PROD_VALUES, "prod", ModelTarget("gpt-image-1.5", NEW_VERSION), "gpt-image")


def test_default_dir_is_next_to_the_stack_config(tmp_path: Path) -> None:
    assert (
        default_journal_dir(tmp_path / "Pulumi.prod.yaml", "prod")
        == tmp_path.resolve() / ".imagegate" / "prod"
    )


def test_journal_records_and_reloads(tmp_path: Path) -> None:
    clock = iter(range(100, 200)).__next__
    journal = Journal.begin(tmp_path, plan(), clock=clock)
    journal.record("preflight", "started")
    journal.record("preflight", "succeeded")
    journal.record("create-candidate", "started")
    loaded = Journal.load(tmp_path)
    assert loaded is not None
    assert (loaded.status, loaded.phase, loaded.plan) == (IN_PROGRESS, FORWARD, plan())
    assert loaded.completed(FORWARD) == {"preflight"}
    assert loaded.last_started(FORWARD) == "create-candidate"
    loaded.start_rollback("create-candidate", "quota")
    again = Journal.load(tmp_path)
    assert again is not None and (again.phase, again.status, again.failed_step) == (
        ROLLBACK,
        ROLLING_BACK,
        "create-candidate",
    )
    on_disk = json.loads((tmp_path / "rollout-journal.json").read_text())
    assert on_disk["target"] == f"gpt-image-1.5@{NEW_VERSION}" and on_disk["events"][0]["at"] == 102


def test_begin_archives_a_previous_journal(tmp_path: Path) -> None:
    Journal.begin(tmp_path, plan(), clock=lambda: 1.0)
    Journal.begin(tmp_path, plan(), clock=lambda: 2.0)
    assert sorted(p.name for p in tmp_path.glob("rollout-journal*.json")) == [
        "rollout-journal.1000.json",
        "rollout-journal.json",
    ]


def test_atomic_write_leaves_no_temp_files(tmp_path: Path) -> None:
    write_json_atomic(tmp_path / "a" / "j.json", {"x": 1})
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["j.json"]


@pytest.mark.parametrize(
    ("text", "message"), [("{", "cannot be read"), ('{"schemaVersion": 9}', "unknown format")]
)
def test_unreadable_journal(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "rollout-journal.json").write_text(text)
    with pytest.raises(JournalError, match=message):
        Journal.load(tmp_path)


def _try_lock(directory: str, queue: multiprocessing.Queue) -> None:
    try:
        StackLock(Path(directory), "prod").acquire()
        queue.put("acquired")
    except LockedError as exc:
        queue.put(str(exc))


def test_lock_refuses_a_second_rollout_and_frees_on_release(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    with StackLock(tmp_path, "prod"):
        queue = ctx.Queue()
        proc = ctx.Process(target=_try_lock, args=(str(tmp_path), queue))
        proc.start()
        proc.join(10)
        message = queue.get(timeout=5)
    assert message.startswith("A rollout for stack 'prod' is already in progress (pid ")
    assert message.endswith("); wait for it to finish.")
    queue = ctx.Queue()
    proc = ctx.Process(target=_try_lock, args=(str(tmp_path), queue))
    proc.start()
    proc.join(10)
    assert queue.get(timeout=5) == "acquired"
