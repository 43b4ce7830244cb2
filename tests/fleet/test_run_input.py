"""`imagegate fleet run` refuses what it cannot run before anything starts: exit 2, one sentence, no
report folder, no stack file touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from imagegate.cli import main
from tests.fleet.project import (
    SIX_STACKS,
    THREE_WAVES,
    catalog_with_new_version,
    project,
    stack_values,
    write_stack,
)

TARGET = "gpt-image-1.5@2026-03-10"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMAGEGATE_ARM_ENDPOINT", raising=False)
    monkeypatch.setenv(
        "IMAGEGATE_CATALOG", str(catalog_with_new_version(tmp_path.parent / "run-catalog.json"))
    )
    project(tmp_path, SIX_STACKS, THREE_WAVES)
    return tmp_path


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_without_the_emulator_nothing_runs(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(folder)
    assert main(["fleet", "run", "--to", TARGET]) == 2
    err = capsys.readouterr().err
    assert (
        'fleet run needs the emulator: pass --arm-endpoint URL (or `eval "$(imagegate emulator env)"`).'
        in err
    )
    assert files(folder) == before


def test_a_bad_fleet_is_refused_before_any_rollout(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_stack(folder, "qa", stack_values(namePrefix="fleet-qa"))
    before = files(folder)
    assert main(["fleet", "run", "--to", TARGET, "--arm-endpoint", "https://127.0.0.1:9/"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[1:] == [
        "  - fleet.yaml: stack 'qa' (Pulumi.qa.yaml) is in no wave; add it to one of the waves "
        "(dev, staging, production)."
    ]
    assert files(folder) == before


def test_the_target_is_required(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fleet", "run"]) == 2
    assert "Missing option '--to'" in capsys.readouterr().err
