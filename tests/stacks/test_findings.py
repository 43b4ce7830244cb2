"""Issue 19's findings 1 and 2, as a user meets them: a stack written from docs/config.md that leaves `sku`
or `version` to its documented default, planned and rolled out with the real command. The driver, smoke
and preflight are the rollout tests' fakes; the stack file is real and written by the rollout's own writer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imagegate.cli import main as imagegate_main
from rollout.journal import Journal
from tests.rollout.fakes import FakeDriver, install_fakes
from tests.stacks.variants import (
    MODEL_TARGET,
    NEW_VERSION,
    STACK,
    catalog_with_new_version,
    full_values,
    without,
    write_stack,
)

TARGET = f"gpt-image-1.5@{NEW_VERSION}"


@pytest.fixture(autouse=True)
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog_with_new_version()), encoding="utf-8")
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(path))


def stack(tmp_path: Path, *left_out: str) -> Path:
    return write_stack(tmp_path, without(full_values(), *left_out))


def rollout(*args: str) -> int:
    return imagegate_main(["rollout", *args])


@pytest.mark.parametrize("left_out", ["deployments[].sku", "deployments[].version"])
def test_a_stack_leaving_sku_or_version_out_plans_both_kinds_of_rollout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], left_out: str
) -> None:
    config = stack(tmp_path, left_out)
    assert rollout("plan", "--config", str(config), "--to", TARGET) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    # The documented defaults, resolved: the catalog's default version and GlobalStandard.
    assert "  current    : gpt-image-1.5@2025-12-16 (GlobalStandard, capacity 2)\n" in out
    assert f"  target     : {TARGET} as gpt-image (GlobalStandard, capacity 2)\n" in out
    assert rollout("plan", "--config", str(config), "--to", MODEL_TARGET) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert f"  target     : {MODEL_TARGET} as gpt-image-2 (GlobalStandard, capacity 2)\n" in out
    assert "None" not in out


def test_a_target_equal_to_the_defaulted_version_is_the_documented_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = stack(tmp_path, "deployments[].version", "deployments[].sku")
    assert rollout("plan", "--config", str(config), "--to", "gpt-image-1.5@2025-12-16") == 2
    assert capsys.readouterr().err == (
        "Error: Deployment 'gpt-image' already runs gpt-image-1.5@2025-12-16; nothing to roll out.\n"
    )


def test_a_stack_leaving_version_out_rolls_out_and_keeps_its_comments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = stack(tmp_path, "deployments[].version")
    before = config.read_text()
    install_fakes(monkeypatch)
    assert rollout("run", "--config", str(config), "--to", TARGET) == 0, capsys.readouterr()
    after = config.read_text()
    assert "    - name: gpt-image   # stable name, never renamed\n" in after
    # The one key the upgrade must write, quoted (unquoted, YAML would read it back as a date).
    assert f"      version: '{NEW_VERSION}'\n" in after
    assert "imagegate:candidate" not in after
    # Nothing else moved: the new file is the old one plus the version line.
    assert [line for line in after.splitlines() if "version:" not in line] == [
        line for line in before.splitlines() if "version:" not in line
    ]


def test_a_failed_rollout_of_such_a_stack_puts_the_file_back_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = stack(tmp_path, "deployments[].version", "deployments[].sku")
    before = config.read_bytes()
    # The stable deployment fails after promotion: the longest rollback (restore, smoke, remove).
    install_fakes(monkeypatch, fails=lambda name, running: running == TARGET and name == "gpt-image")
    assert rollout("run", "--config", str(config), "--to", TARGET) == 1
    out = capsys.readouterr().out
    assert "rollout: rolled-back - Rolled back after step 'smoke-stable' failed; gpt-image serves " in out
    assert config.read_bytes() == before


class ExplodingDriver(FakeDriver):
    """A driver with a bug: the first ``up`` after the candidate is written raises KeyError."""

    def up(self) -> dict[str, Any]:
        if "candidate" in self.config and not getattr(self, "exploded", False):
            self.exploded = True
            raise KeyError("version")
        return super().up()


def test_an_unexpected_error_in_a_step_is_its_failure_and_the_rollback_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = stack(tmp_path, "deployments[].version")
    before = config.read_bytes()
    install_fakes(monkeypatch, driver=lambda path, name: ExplodingDriver({}, path=path, stack=name))
    assert rollout("run", "--config", str(config), "--to", TARGET) == 1
    out = capsys.readouterr().out
    assert "[1/5] create-candidate: FAILED - unexpected KeyError: 'version'\n" in out
    assert "Traceback" not in out
    assert "rollout: rolled-back - Rolled back after step 'create-candidate' failed;" in out
    journal = Journal.load(tmp_path / ".imagegate" / STACK)
    assert journal is not None
    failed = [e for e in journal.events if e["status"] == "failed"]
    assert [(e["step"], e["detail"]) for e in failed] == [
        ("create-candidate", "unexpected KeyError: 'version'")
    ]
    assert config.read_bytes() == before
