import json
from datetime import date

import pytest

from catalog import CatalogError, load_catalog, parse_catalog


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_gpt_image_15_facts(catalog):
    assert catalog.is_version_known("gpt-image-1.5", "2025-12-16")
    assert not catalog.is_version_known("gpt-image-1.5", "2024-01-01")
    assert catalog.model("gpt-image-1.5").limited_access is True
    assert catalog.model("gpt-image-1.5").default_version == "2025-12-16"
    assert catalog.regions_for("gpt-image-1.5", "DataZoneStandard") == (
        "eastus2",
        "westus3",
        "polandcentral",
        "swedencentral",
    )
    assert catalog.skus_in_region("gpt-image-1.5", "uaenorth") == ("GlobalStandard",)
    assert catalog.default_quota("gpt-image-1.5", "GlobalStandard") == 9
    assert catalog.default_quota("gpt-image-1.5", "DataZoneStandard") == 3
    assert catalog.sizes("gpt-image-1.5") == ("1024x1024", "1536x1024", "1024x1536", "auto")


def test_retirement(catalog):
    assert catalog.is_retired("gpt-image-1", "2025-04-15", date(2026, 11, 25))
    assert not catalog.is_retired("gpt-image-1.5", "2025-12-16", date(2027, 6, 15))
    assert catalog.is_retired("gpt-image-1.5", "2025-12-16", date(2027, 6, 16))
    assert catalog.retiring_within("gpt-image-1.5", "2025-12-16", 90, date(2027, 3, 18)) == date(2027, 6, 16)
    assert catalog.retiring_within("gpt-image-1.5", "2025-12-16", 90, date(2027, 3, 17)) is None
    assert catalog.retiring_within("gpt-image-2", "2026-04-21", 90, date(2026, 11, 25)) is None


def test_override_path_from_environment(tmp_path, monkeypatch):
    custom = {
        "models": {
            "m": {
                "versions": {"1": {"retirementDate": None, "default": True}},
                "skus": {"GlobalStandard": {"regions": ["r1"], "defaultQuota": 4}},
            }
        }
    }
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(custom))
    monkeypatch.setenv("IMAGEGATE_CATALOG", str(path))
    catalog = load_catalog()
    assert catalog.model_names() == ("m",)
    assert catalog.regions_for("m", "GlobalStandard") == ("r1",)
    assert catalog.source == str(path)


def test_missing_and_malformed_catalog(tmp_path):
    with pytest.raises(CatalogError, match="does not exist"):
        load_catalog(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(CatalogError, match="is not valid JSON"):
        load_catalog(bad)
    with pytest.raises(CatalogError, match="is malformed"):
        parse_catalog({"models": {"m": {"versions": {"1": {"retirementDate": "soon"}}}}})
