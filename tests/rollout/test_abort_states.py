"""`imagegate rollout abort` from every journal state a rollout can leave behind: it finishes the rollback
and puts the stack file back byte for byte, or refuses in one sentence naming the journal and the way out.

The states are made the way they happen (a Ctrl-C between or inside steps, a SIGKILL that leaves a step
`started` with no end, a rollback step that failed, a clean-up that failed), with the real command, the
real stack file and writer, and the fakes for `up`, smoke and preflight."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from imagegate.cli import main as imagegate_main
from rollout import execute
from rollout.journal import JOURNAL_NAME, Journal
from rollout.plan import Step
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import FakeDriver, install_fakes

REPO = Path(__file__).resolve().parents[2]
TARGET = f"gpt-image-1.5@{NEW_VERSION}"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    shutil.copy(REPO / "tests" / "stacks" / "Pulumi.keyless.yaml", tmp_path)
    return tmp_path / "Pulumi.keyless.yaml"


def journal_path(config: Path) -> Path:
    return config.parent / ".imagegate" / "keyless" / JOURNAL_NAME


def rollout(*args: str) -> int:
    return imagegate_main(["rollout", *args])


def stop_after(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Ctrl-C once step ``name`` is journalled (the seam the pause hook uses)."""

    def hook(step: Step) -> None:
        if step.name == name:
            raise KeyboardInterrupt

    monkeypatch.setattr(execute, "_test_pause_hook", lambda: hook)


class InterruptedUp(FakeDriver):
    """Ctrl-C inside the ``up`` of the first write that ``when(config)`` matches."""

    when: Callable[[dict[str, Any]], bool] = staticmethod(lambda config: False)

    def up(self) -> dict[str, Any]:
        if type(self).when(self.config) and not getattr(type(self), "fired", False):
            type(self).fired = True
            raise KeyboardInterrupt
        return super().up()


def killed_in_last_step(config: Path) -> None:
    """Turn the journal of an interrupted run into the one a SIGKILL leaves: the step `started`, no end."""
    path = journal_path(config)
    data = json.loads(path.read_text())
    assert data["events"][-1]["status"] == "interrupted"
    data["events"].pop()
    for key in ("endedAt", "exitCode", "outcome", "interrupted"):
        data["runs"][-1].pop(key, None)
    path.write_text(json.dumps(data))


def abort(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()  # what the run before printed
    code = rollout("abort", "--config", str(config))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_abort_between_forward_steps(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = config.read_bytes()
    install_fakes(monkeypatch)
    stop_after(monkeypatch, "promote")
    assert rollout("run", "--config", str(config), "--to", TARGET) == 3
    assert b"imagegate:candidate" in config.read_bytes()
    monkeypatch.setattr(execute, "_test_pause_hook", lambda: None)
    code, out = abort(config, capsys)
    assert code == 1, out
    assert "rollout: rolled-back - Rolled back at step 'promote' (aborted by the operator" in out
    assert config.read_bytes() == before


@pytest.mark.parametrize("killed", [False, True], ids=["ctrl-c-in-step", "sigkill-in-step"])
def test_abort_inside_a_forward_step(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], killed: bool
) -> None:
    before = config.read_bytes()

    class Driver(InterruptedUp):
        when = staticmethod(lambda config: "candidate" in config)

    install_fakes(monkeypatch, driver=lambda path, stack: Driver({}, path=path, stack=stack))
    assert rollout("run", "--config", str(config), "--to", TARGET) == 3
    if killed:
        killed_in_last_step(config)
    code, out = abort(config, capsys)
    assert code == 1, out
    assert "Rolled back at step 'create-candidate'" in out
    assert config.read_bytes() == before


def test_abort_of_an_interrupted_rollback_goes_on_with_it(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = config.read_bytes()

    class Driver(InterruptedUp):
        # The rollback's first write puts the old version back next to the candidate: stop inside its up.
        when = staticmethod(
            lambda config: (
                "candidate" in config
                and config["deployments"][0]["version"] == "2025-12-16"
                and getattr(Driver, "promoted", False)
            )
        )

        def write_config(self, values: Any) -> None:
            super().write_config(values)
            if values["deployments"][0]["version"] == NEW_VERSION:
                type(self).promoted = True

    install_fakes(
        monkeypatch,
        driver=lambda path, stack: Driver({}, path=path, stack=stack),
        fails=lambda name, running: name == "gpt-image" and running == TARGET,
    )
    assert rollout("run", "--config", str(config), "--to", TARGET) == 3
    journal = Journal.load(journal_path(config).parent)
    assert journal is not None and journal.status == "rolling-back"
    assert journal.events[-1]["step"] == "rollback-restore-version"
    code, out = abort(config, capsys)
    assert code == 1, out
    assert "Rolled back after step 'smoke-stable' failed" in out
    assert config.read_bytes() == before


def test_abort_after_a_failed_rollback_step_retries_it(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = config.read_bytes()
    install_fakes(
        monkeypatch,
        driver=lambda path, stack: FakeDriver(
            {}, path=path, stack=stack, fail_up_when=lambda config: "candidate" not in config
        ),
        fails=lambda name, running: name == "gpt-image-candidate",
    )
    assert rollout("run", "--config", str(config), "--to", TARGET) == 3
    assert Journal.load(journal_path(config).parent).status == "needs-attention"  # type: ignore[union-attr]
    install_fakes(monkeypatch)  # the quota problem is fixed
    code, out = abort(config, capsys)
    assert code == 1, out
    assert config.read_bytes() == before


def test_abort_when_only_clean_up_is_left_is_refused_naming_the_journal(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install_fakes(
        monkeypatch,
        driver=lambda path, stack: FakeDriver(
            {}, path=path, stack=stack, fail_up_when=lambda config: "candidate" not in config
        ),
    )
    assert rollout("run", "--config", str(config), "--to", TARGET) == 3
    code, out = abort(config, capsys)
    assert code == 2
    assert out.endswith(
        "\nError: The upgrade of stack 'keyless' already holds and only clean-up is left; re-run `imagegate "
        f"rollout run` without abort to finish it (journal {journal_path(config).resolve()}).\n"
    )


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data["plan"].pop("steps"),
        lambda data: data.pop("events"),
        lambda data: data["plan"].update(strategy="sideways"),
    ],
    ids=["plan-without-steps", "no-events", "unknown-strategy"],
)
def test_a_journal_abort_cannot_act_on_is_refused_naming_the_file_and_the_way_out(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], damage: Any
) -> None:
    install_fakes(monkeypatch)
    stop_after(monkeypatch, "create-candidate")
    assert rollout("run", "--config", str(config), "--to", TARGET) == 3
    path = journal_path(config)
    data = json.loads(path.read_text())
    damage(data)
    path.write_text(json.dumps(data))
    code, out = abort(config, capsys)
    assert code == 3
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: The rollout journal {path.resolve()} is damaged (")
    assert lines[0].endswith(
        "so imagegate cannot resume or roll it back; check the stack by hand (`imagegate local preview` or "
        "`pulumi preview`), put Pulumi.<stack>.yaml back from the journal's plan.originalText if a "
        "rollout changed it, then move the journal away to start over."
    )


@pytest.mark.parametrize("status", ["succeeded", "rolled-back", "failed-before-change"])
def test_abort_of_a_finished_rollout_says_there_is_none_to_abort(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], status: str
) -> None:
    install_fakes(monkeypatch)
    stop_after(monkeypatch, "create-candidate")
    assert rollout("run", "--config", str(config), "--to", TARGET) == 3
    path = journal_path(config)
    path.write_text(json.dumps({**json.loads(path.read_text()), "status": status}))
    code, out = abort(config, capsys)
    assert (code, out) == (2, "Error: Stack 'keyless' has no unfinished rollout to abort.\n")


def test_a_rollback_that_leaves_the_file_different_is_not_called_clean(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Careless(FakeDriver):
        """Puts the file back with one line more than it had (as a hand edit during the rollout would)."""

        def restore_text(self, text: str) -> None:
            super().restore_text(text + "# edited meanwhile\n")

    install_fakes(
        monkeypatch,
        driver=lambda path, stack: Careless({}, path=path, stack=stack),
        fails=lambda name, running: name == "gpt-image-candidate",
    )
    code = rollout("run", "--config", str(config), "--to", TARGET)
    out = capsys.readouterr().out
    assert code == 3, out
    assert (
        "rollout: needs-attention - Every rollback step after 'smoke-candidate' succeeded, but the stack "
        "file differs from before the rollout; check deployment gpt-image and the stack file by hand (the "
        "journal's plan.originalText holds the file as it was), then re-run to continue.\n"
    ) in out


def test_abort_does_not_overwrite_a_hand_edit_made_during_the_rollout(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install_fakes(monkeypatch)
    stop_after(monkeypatch, "create-candidate")
    assert rollout("run", "--config", str(config), "--to", TARGET) == 3
    edited = config.read_text().replace("capacity: 6", "capacity: 5")
    assert edited != config.read_text()
    config.write_text(edited)
    monkeypatch.setattr(execute, "_test_pause_hook", lambda: None)
    code, out = abort(config, capsys)
    assert code == 3, out
    assert (
        "[rollback 1/1] rollback-remove-candidate: FAILED - the stack file's imagegate: values were edited "
        "during the rollout (they match no step of its plan), and the rollout does not overwrite an edit: "
        "undo it (the journal's plan.originalText holds the file as it was) and re-run\n"
    ) in out
    assert "Rollback step 'rollback-remove-candidate' failed (see above)" in out
    assert config.read_text() == edited
