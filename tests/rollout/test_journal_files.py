"""The journal on disk and the plan's reading of ``activeDeployment``: the file an operator opens after
a failed rollout (and the next run resumes from) must be complete, readable and written atomically; the
lock file must be readable by whoever wants to know who holds it."""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from rollout.errors import RolloutError
from rollout.journal import StackLock, write_json_atomic
from rollout.plan import build_plan
from rollout.target import ModelTarget
from tests.rollout.fakes import PROD_VALUES


def test_the_journal_file_is_indented_in_written_order_with_dates_as_text(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "journal.json"
    write_json_atomic(path, {"b": 1, "a": [date(2026, 1, 2)]})
    assert path.read_text("utf-8") == '{\n  "b": 1,\n  "a": [\n    "2026-01-02"\n  ]\n}\n'
    assert [p.name for p in path.parent.iterdir()] == ["journal.json"]  # no temporary file left behind


def test_a_journal_that_cannot_be_written_is_one_sentence_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "journal.json"
    target.mkdir()  # a folder where the file should be: the final rename fails
    with pytest.raises(RolloutError) as raised:
        write_json_atomic(target, {"a": 1})
    assert str(raised.value) == f"Cannot write the rollout journal {target}: Is a directory."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.json"]


def test_the_lock_file_is_made_with_its_folders_readable_and_names_its_holder(tmp_path: Path) -> None:
    lock = StackLock(tmp_path / "a" / "b", "prod").acquire()
    try:
        mode = stat.S_IMODE(os.stat(lock.path).st_mode)
        assert mode == 0o644 & ~_umask()
        assert lock.path.read_text("utf-8") == f"pid {os.getpid()}"
    finally:
        lock.release()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_a_new_model_keeps_the_active_deployment_until_it_is_switched() -> None:
    plan = build_plan(PROD_VALUES, "prod", ModelTarget("gpt-image-2", "2026-04-21"), "gpt-image")
    configs = {s.name: s.config for s in plan.steps if s.config is not None}
    first = next(iter(configs.values()))
    assert plan.step("create-deployment").active == "gpt-image"
    assert json.dumps(first, sort_keys=True) != json.dumps(PROD_VALUES, sort_keys=True)
