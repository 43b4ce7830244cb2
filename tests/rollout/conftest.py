from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog import DEFAULT_CATALOG_PATH, Catalog, parse_catalog
from imagegate.cli import main as imagegate_main
from rollout.local_driver import LocalDriver

NEW_VERSION = "2026-03-10"


def override_catalog_data() -> dict:
    """The packaged catalog plus a newer gpt-image-1.5 version, as a rollout needs something to roll to."""
    data = json.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))
    data["models"]["gpt-image-1.5"]["versions"][NEW_VERSION] = {"retirementDate": None, "default": False}
    return data


@pytest.fixture
def catalog() -> Catalog:
    return parse_catalog(override_catalog_data(), source="override")


@pytest.fixture(autouse=True)
def catalog_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every rollout test reads the catalog with the newer version (a test may point elsewhere itself)."""
    path = tmp_path_factory.mktemp("catalog") / "catalog.json"
    path.write_text(json.dumps(override_catalog_data()), encoding="utf-8")
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(path))
    return path


def up_in_this_process(driver: LocalDriver) -> None:
    """What ``driver.up()`` runs, in the test's process: the stack before a test is applied without
    starting an interpreter (the rollouts under test still run the engine as their child)."""
    assert imagegate_main(driver.engine_arguments()) == 0
