"""One default-version rule: a model whose catalog marks no default version gets the same one from the
catalog, the stack config (a deployment that names no version), the emulator's ARM (a deployment PUT
without a version, and models.list's isDefaultVersion) and smoke's capabilities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from catalog import DEFAULT_CATALOG_PATH, ModelVersion, default_version_of, parse_catalog
from emulator.arm.locations import LocationsProvider
from emulator.arm.offers import load_offers
from infra.config import load_stack_config
from smoke.suite import load_capabilities
from tests.emulator.test_rules_in_process import SUB, Arm
from tests.infra.conftest import TODAY

# Listed neither oldest first nor newest first, so "the first" and "the last" both give another answer.
UNMARKED = {
    "2026-01-01": {"retirementDate": None, "default": False},
    "2026-04-21": {"retirementDate": None, "default": False},
    "2026-02-02": {"retirementDate": None, "default": False},
}


@pytest.fixture
def catalog_file(tmp_path: Path) -> Path:
    raw: dict[str, Any] = json.loads(DEFAULT_CATALOG_PATH.read_text("utf-8"))
    raw["models"]["gpt-image-2"]["versions"] = UNMARKED
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(raw))
    return path


def test_a_catalog_without_a_marked_default_gives_the_same_default_everywhere(catalog_file: Path) -> None:
    catalog = parse_catalog(json.loads(catalog_file.read_text()))
    model = catalog.model("gpt-image-2")
    assert model is not None and model.default_version == "2026-04-21"

    config = load_stack_config(
        {"location": "eastus2", "deployments": [{"name": "img", "model": "gpt-image-2", "capacity": 1}]},
        "dev",
        today=TODAY,
        catalog=catalog,
    )
    assert config.deployments[0].version == "2026-04-21"

    arm = Arm()
    arm.state.offers = load_offers(catalog_file)
    arm.account()
    created = arm.put("img", model="gpt-image-2", version=None)
    assert created.body["properties"]["model"]["version"] == "2026-04-21"
    listed = LocationsProvider(arm.state).models(SUB, "eastus2").body
    assert listed is not None
    defaults = {
        item["model"]["version"]
        for item in listed["value"]
        if item["model"]["name"] == "gpt-image-2" and item["model"]["isDefaultVersion"]
    }
    assert defaults == {"2026-04-21"}

    capabilities = load_capabilities(str(catalog_file))("gpt-image-2")
    assert capabilities is not None and capabilities.default_version == "2026-04-21"


def test_a_marked_default_wins_and_the_first_marked_of_several() -> None:
    def v(version: str, default: bool = False) -> ModelVersion:
        return ModelVersion(version, None, default)

    assert default_version_of([v("2026-01-01"), v("2025-01-01", True), v("2026-06-01")]) == "2025-01-01"
    assert default_version_of([v("2025-01-01", True), v("2026-01-01", True)]) == "2025-01-01"
    assert default_version_of([v("2025-01-01"), v("2026-01-01")]) == "2026-01-01"
    assert default_version_of([]) is None
