"""What the runner tells the operator and the journal, line for line: the log a pipeline shows while a
rollout runs, the journal entry of a step a Ctrl-C interrupted, the record of a skipped preflight, and
the sentences for stack outputs that do not match the config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rollout.backoff import BackoffPolicy
from rollout.journal import Journal
from rollout.plan import build_plan
from rollout.ports import NoPreflight, SmokeOutcome
from rollout.runner import Runner, outputs_mismatches
from rollout.target import ModelTarget
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import PROD_VALUES, FakeDriver, FakePreflight, FakeSmoker, outputs_for

UPGRADE = ModelTarget("gpt-image-1.5", NEW_VERSION)
FORWARD = [
    "[0/5] preflight: check quota, region, model and version before any change ...",
    "[0/5] preflight: {preflight}",
    f"[1/5] create-candidate: deploy gpt-image-candidate at gpt-image-1.5@{NEW_VERSION} with capacity 1 ...",
    "[1/5] create-candidate: ok",
    "[2/5] smoke-candidate: smoke gpt-image-candidate ...",
    "[2/5] smoke-candidate: ok",
    f"[3/5] promote: update gpt-image in place from version 2025-12-16 to {NEW_VERSION} "
    "(capacity stays 6) ...",
    "[3/5] promote: ok",
    f"[4/5] smoke-stable: smoke gpt-image at {NEW_VERSION} ...",
]


def run(tmp_path: Path, smoker: Any, preflight: Any = None) -> tuple[list[str], Journal]:
    journal = Journal.begin(tmp_path, build_plan(PROD_VALUES, "prod", UPGRADE, "gpt-image"))
    lines: list[str] = []
    Runner(
        journal,
        FakeDriver(PROD_VALUES),
        smoker,
        preflight or FakePreflight(),
        policy=BackoffPolicy(retries=3, initial_s=1),
        sleep=lambda s: None,
        log=lines.append,
    ).run()
    return lines, journal


def test_a_successful_rollout_logs_every_step_numbered(tmp_path: Path) -> None:
    lines, _ = run(tmp_path, FakeSmoker())
    assert lines == [
        *(line.format(preflight="ok") for line in FORWARD),
        "[4/5] smoke-stable: ok",
        "[5/5] remove-candidate: remove gpt-image-candidate ...",
        "[5/5] remove-candidate: ok",
    ]


def test_a_rolled_back_rollout_logs_the_failure_and_each_rollback_step(tmp_path: Path) -> None:
    smoker = FakeSmoker(lambda name, running: name == "gpt-image" and running.endswith(NEW_VERSION))
    lines, journal = run(tmp_path, smoker, NoPreflight())
    assert lines == [
        *(line.format(preflight="skipped") for line in FORWARD),
        "[4/5] smoke-stable: FAILED - smoke failed on gpt-image: 1/2 checks failed",
        "Step 'smoke-stable' failed; rolling back.",
        "[rollback 1/3] rollback-restore-version: put gpt-image back to version 2025-12-16 ...",
        "[rollback 1/3] rollback-restore-version: ok",
        "[rollback 2/3] rollback-smoke-stable: smoke gpt-image at 2025-12-16 again ...",
        "[rollback 2/3] rollback-smoke-stable: ok",
        "[rollback 3/3] rollback-remove-candidate: remove gpt-image-candidate; gpt-image stays at "
        "2025-12-16 ...",
        "[rollback 3/3] rollback-remove-candidate: ok",
    ]
    preflight = [e for e in journal.events if e["step"] == "preflight" and e["status"] == "succeeded"]
    assert preflight[0]["detail"] == "skipped (--skip-preflight)"
    assert preflight[0]["preflight"] == {"ok": True, "blockers": [], "report": {"skipped": True}}
    failed = [e for e in journal.events if e["status"] == "failed"]
    assert [(e["step"], e["detail"]) for e in failed] == [
        ("smoke-stable", "smoke failed on gpt-image: 1/2 checks failed")
    ]
    assert failed[0]["smoke"]["deployment"] == "gpt-image"


class Interrupting(FakeSmoker):
    def smoke(self, outputs: Any, deployment: str, **kwargs: Any) -> SmokeOutcome:
        raise KeyboardInterrupt


def test_a_step_interrupted_by_ctrl_c_is_journalled_as_interrupted(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path, Interrupting())
    events = [(e["step"], e["status"]) for e in Journal.load(tmp_path).events]
    assert events[-2:] == [("smoke-candidate", "started"), ("smoke-candidate", "interrupted")]


def test_outputs_that_do_not_match_the_config_are_named_one_by_one() -> None:
    config = {**PROD_VALUES, "activeDeployment": "gpt-image"}
    outputs = outputs_for(config)
    expects = {"gpt-image": ("gpt-image-1.5", "2025-12-16")}
    assert outputs_mismatches(outputs, expects, "gpt-image") == []
    wrong = {
        **outputs,
        "deployments": {"gpt-image": {**outputs["deployments"]["gpt-image"], "version": "2024-01-01"}},
        "activeDeployment": "other",
    }
    assert outputs_mismatches(wrong, expects, "gpt-image") == [
        "deployment gpt-image runs gpt-image-1.5@2024-01-01, not gpt-image-1.5@2025-12-16",
        "activeDeployment is other, not gpt-image",
    ]
    # Outputs that do not report an active deployment (older stacks) are not held to one.
    unreported = {k: v for k, v in outputs.items() if k != "activeDeployment"}
    assert outputs_mismatches(unreported, expects, "gpt-image") == []
    assert outputs_mismatches({**outputs, "deployments": []}, expects, "gpt-image") == [
        "deployment gpt-image is missing from the stack outputs"
    ]
