"""A rollout to a version Azure offers that the model catalog lacks: ARM's models.list (the emulator) is
asked, the merged catalog is used and said, and a version nobody offers is one sentence, exit 2."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from catalog import DEFAULT_CATALOG_PATH, OfferedVersion, load_catalog, with_offered_versions
from emulator.testing import RunningEmulator, running_emulator
from imagegate.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_offered_versions_join_known_models_only() -> None:
    raw = json.loads(DEFAULT_CATALOG_PATH.read_text())
    offered = [
        OfferedVersion("gpt-image-1.5", "2026-03-10", date(2027, 9, 10), "eastus2"),
        OfferedVersion("gpt-image-1.5", "2025-12-16", None, "eastus2"),  # known: its facts are kept
        OfferedVersion("dall-e-3", "3.0", None, "eastus2"),  # unknown model: no facts to validate it by
    ]
    merged, added = with_offered_versions(raw, offered, date(2026, 11, 26))
    assert added == offered[:1]
    version = merged["models"]["gpt-image-1.5"]["versions"]["2026-03-10"]
    assert version == {
        "retirementDate": "2027-09-10",
        "default": False,
        "$source": "ARM models.list in eastus2 on 2026-11-26",
    }
    assert merged["models"]["gpt-image-1.5"]["versions"]["2025-12-16"]["retirementDate"] == "2027-06-16"
    assert (
        "dall-e-3" not in merged["models"] and "2026-03-10" not in raw["models"]["gpt-image-1.5"]["versions"]
    )


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, RunningEmulator]]:
    shutil.copy(REPO / "Pulumi.dev.yaml", tmp_path / "Pulumi.dev.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMAGEGATE_CATALOG", raising=False)
    with running_emulator({"accounts": []}) as emu:
        monkeypatch.setenv("IMAGEGATE_ARM_ENDPOINT", emu.base_url)
        monkeypatch.setenv("IMAGEGATE_CA_BUNDLE", str(emu.ca_file))
        yield tmp_path, emu


def test_a_version_only_arm_offers_is_planned_with_the_merged_catalog(
    stack: tuple[Path, RunningEmulator], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, emu = stack
    assert main(["rollout", "plan", "--stack", "dev", "--to", "gpt-image-1.5@2030-01-01"]) == 2
    assert capsys.readouterr().err == (
        "Error: Version '2030-01-01' of gpt-image-1.5 is neither in the model catalog (2025-12-16) nor "
        "offered by ARM in eastus2 (2025-12-16); pick one of those.\n"
    )
    emu.admin("POST", "arm/releases", {"model": "gpt-image-1.5", "version": "2030-01-01"})
    assert main(["rollout", "plan", "--stack", "dev", "--to", "gpt-image-1.5@2030-01-01"]) == 0
    out = capsys.readouterr().out
    merged = folder / ".imagegate" / "dev" / "catalog.json"
    assert out.startswith(
        f"gpt-image-1.5@2030-01-01 is offered by ARM in eastus2 but not in the model catalog "
        f"({DEFAULT_CATALOG_PATH}); using {merged} (the catalog plus 1 version(s) from models.list)."
    )
    assert "target     : gpt-image-1.5@2030-01-01" in out and "Dry run: nothing was changed." in out
    assert load_catalog(merged).is_version_known("gpt-image-1.5", "2030-01-01")
    assert "IMAGEGATE_CATALOG" not in os.environ  # an in-process run gives the environment back


def test_without_a_way_to_ask_arm_the_catalog_decides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(REPO / "Pulumi.dev.yaml", tmp_path / "Pulumi.dev.yaml")
    monkeypatch.chdir(tmp_path)
    for name in ("IMAGEGATE_ARM_ENDPOINT", "AZURE_SUBSCRIPTION_ID", "IMAGEGATE_CATALOG"):
        monkeypatch.delenv(name, raising=False)
    assert main(["rollout", "plan", "--stack", "dev", "--to", "gpt-image-1.5@2030-01-01"]) == 2
    assert capsys.readouterr().err == (
        "Error: Version '2030-01-01' of gpt-image-1.5 is not in the model catalog; known versions: "
        "2025-12-16. For a version Azure offers that the catalog lacks, pass --subscription-id (or "
        "--arm-endpoint for the emulator) so ARM's models.list is asked.\n"
    )
    assert not (tmp_path / ".imagegate" / "dev" / "catalog.json").exists()
