"""Fleet projects written as a user would: a folder with Pulumi.yaml, one Pulumi.<stack>.yaml per stack and
a fleet.yaml. Shared by the fleet tests (helpers only, no tests)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
OLD, NEW = "2025-12-16", "2026-03-10"


def catalog_with_new_version(path: Path, rpm_per_capacity_unit: float | None = None) -> Path:
    """The packaged model catalog plus gpt-image-1.5@NEW, as Azure would publish it (a rollout target)."""
    from catalog import DEFAULT_CATALOG_PATH

    data = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    data["models"]["gpt-image-1.5"]["versions"][NEW] = {"retirementDate": None, "default": False}
    if rpm_per_capacity_unit is not None:
        data["rpmPerCapacityUnit"] = rpm_per_capacity_unit
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def stack_values(
    *,
    location: str = "eastus2",
    version: str = OLD,
    model: str = "gpt-image-1.5",
    capacity: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    """A single-region stack: one deployment, everything else left to its documented default."""
    return {
        "location": location,
        "deployments": [
            {
                "name": "gpt-image",
                "model": model,
                "version": version,
                "sku": "GlobalStandard",
                "capacity": capacity,
            }
        ],
        **extra,
    }


def write_stack(folder: Path, stack: str, values: dict[str, Any]) -> Path:
    path = folder / f"Pulumi.{stack}.yaml"
    config = {f"imagegate:{key}": value for key, value in values.items()}
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False), encoding="utf-8")
    return path


def write_fleet(folder: Path, waves: list[dict[str, Any]] | Any) -> Path:
    path = folder / "fleet.yaml"
    document = {"waves": waves} if isinstance(waves, list) else waves
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def project(folder: Path, stacks: dict[str, dict[str, Any]], waves: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "Pulumi.yaml", folder)
    for name, values in stacks.items():
        write_stack(folder, name, values)
    return write_fleet(folder, waves)


THREE_WAVES: list[dict[str, Any]] = [
    {"name": "dev", "environment": "dev", "stacks": ["dev"]},
    {"name": "staging", "environment": "staging", "maxParallel": 2, "stacks": ["staging-eu", "staging-us"]},
    {
        "name": "production",
        "environment": "production",
        "maxParallel": 2,
        "stacks": ["prod-eu", {"stack": "prod-us", "environment": "production-us"}, "prod-asia"],
    },
]
SIX_STACKS = {
    "dev": stack_values(namePrefix="fleet-dev"),
    "staging-eu": stack_values(location="swedencentral", namePrefix="fleet-stg-eu"),
    "staging-us": stack_values(location="westus3", environment="staging", namePrefix="fleet-stg-us"),
    "prod-eu": stack_values(location="swedencentral", environment="prod", namePrefix="fleet-prod-eu"),
    "prod-us": stack_values(location="eastus2", environment="prod", namePrefix="fleet-prod-us", capacity=2),
    "prod-asia": stack_values(location="westus3", environment="prod", namePrefix="fleet-prod-asia"),
}
