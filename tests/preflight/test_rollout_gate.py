"""Preflight as rollout's gate calls it (``rollout.gates.CommandPreflight``) against the emulator.

Reproduces the reported ``DeserializationError`` on ``models.list``: the emulator once sent catalog days
(``2027-06-16``) where the SDK parses ISO date-times. The catalog here is rollout's: an extra gpt-image-1.5
version with no retirement date, which the emulator lists with ``deprecation.inference`` null.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog import DEFAULT_CATALOG_PATH
from emulator.testing import RunningEmulator, running_emulator
from infra.config import read_stack_file

ROOT = Path(__file__).resolve().parents[2]
NEW_VERSION = "2026-03-10"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    data["models"]["gpt-image-1.5"]["versions"][NEW_VERSION] = {"retirementDate": None, "default": False}
    path = tmp_path_factory.mktemp("catalog") / "catalog.json"
    path.write_text(json.dumps({**data, "rpmPerCapacityUnit": 600}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def emu(catalog: Path) -> Iterator[RunningEmulator]:
    with running_emulator({"accounts": []}, catalog=catalog) as running:
        yield running


@pytest.mark.slow
def test_rollouts_gate_reads_the_emulators_models_and_judges_a_candidate(
    emu: RunningEmulator, catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rollout.gates import CommandPreflight

    monkeypatch.setenv("IMAGEGATE_CATALOG", str(catalog))
    values = dict(read_stack_file(ROOT / "Pulumi.dev.yaml"))
    values["candidate"] = {"deployment": "gpt-image", "model": "gpt-image-1.5", "version": NEW_VERSION,
                           "capacity": 2, "sku": "GlobalStandard"}
    gate = CommandPreflight(ROOT / "Pulumi.dev.yaml", arm_endpoint=emu.base_url, ca_bundle=str(emu.ca_file))

    outcome = gate.check(values, "dev")

    assert outcome.ok, outcome.blockers
    offered = {f["deployment"]: f["message"] for f in outcome.report["findings"] if f["check"] == "offered"}
    assert offered["gpt-image-candidate"] == (
        f"gpt-image-1.5 {NEW_VERSION} is offered in eastus2 as GlobalStandard."
    )


@pytest.mark.slow
def test_rollouts_gate_reports_a_blocker_it_can_name(
    emu: RunningEmulator, catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rollout.gates import CommandPreflight

    monkeypatch.setenv("IMAGEGATE_CATALOG", str(catalog))
    values = dict(read_stack_file(ROOT / "Pulumi.dev.yaml"))
    values["candidate"] = {"deployment": "gpt-image", "model": "gpt-image-1.5", "version": NEW_VERSION,
                           "capacity": 8, "sku": "GlobalStandard"}  # 2 + 8 > the default quota of 9
    gate = CommandPreflight(ROOT / "Pulumi.dev.yaml", arm_endpoint=emu.base_url, ca_bundle=str(emu.ca_file))

    outcome = gate.check(values, "dev")

    assert not outcome.ok
    assert [b.split(": ", 1)[0] for b in outcome.blockers] == ["gpt-image", "gpt-image-candidate"]
    assert all(
        "needs 10 (with gpt-image, gpt-image-candidate), free 9" in b and b.endswith("(InsufficientQuota).")
        for b in outcome.blockers
    ), outcome.blockers
