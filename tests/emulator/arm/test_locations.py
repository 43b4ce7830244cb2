"""models.list, usages.list and modelCapacities agree with the catalog, the overrides and what is deployed."""

from __future__ import annotations

from emulator.testing import RunningEmulator
from tests.emulator.arm.conftest import LOCATION, NEXT_VERSION, create_account, create_deployment


def usage_map(mgmt, location: str) -> dict[str, tuple[int, int]]:
    return {u.name.value: (u.current_value, u.limit) for u in mgmt.usages.list(location)}


def test_models_list_offers_the_catalog_models_in_the_region(mgmt):
    offered = {(m.model.name, m.model.version): m for m in mgmt.models.list(LOCATION)}

    assert ("gpt-image-1.5", "2025-12-16") in offered
    assert ("gpt-image-2", "2026-04-21") in offered
    assert not any(name == "gpt-image-1" for name, _ in offered)  # retired
    skus = {s.name: s for s in offered[("gpt-image-1.5", "2025-12-16")].model.skus}
    assert set(skus) == {"GlobalStandard", "DataZoneStandard"}
    assert skus["GlobalStandard"].usage_name == "OpenAI.GlobalStandard.gpt-image-1.5"
    assert skus["GlobalStandard"].deprecation_date.date().isoformat() == "2027-06-16"
    # A version offered only through the config's availability override is listed too.
    assert offered[("gpt-image-1.5", NEXT_VERSION)].model.skus[0].name == "GlobalStandard"


def test_models_list_in_a_region_without_image_models_is_empty(mgmt):
    assert list(mgmt.models.list("brazilsouth")) == []


def test_usages_count_deployments_in_the_region_against_the_catalog_quota(mgmt):
    create_account(mgmt, "acct-use", "use-img")
    create_deployment(mgmt, "acct-use", "a", capacity=2)
    create_deployment(mgmt, "acct-use", "b", capacity=3)

    usages = usage_map(mgmt, LOCATION)
    assert usages["OpenAI.GlobalStandard.gpt-image-1.5"] == (5, 9)
    assert usages["OpenAI.DataZoneStandard.gpt-image-1.5"] == (0, 3)
    assert usages["OpenAI.GlobalStandard.gpt-image-2"] == (0, 6)
    # Deployments in eastus2 do not count in westus3; the config raised gpt-image-2's limit there.
    assert usage_map(mgmt, "westus3")["OpenAI.GlobalStandard.gpt-image-2"] == (0, 40)


def test_quota_can_be_changed_at_run_time(mgmt, arm_emu: RunningEmulator):
    arm_emu.admin("PUT", "arm/quota", {LOCATION: {"OpenAI.GlobalStandard.gpt-image-1.5": 30}})
    create_account(mgmt, "acct-big", "big-img")
    assert create_deployment(mgmt, "acct-big", "a", capacity=25).sku.capacity == 25
    assert usage_map(mgmt, LOCATION)["OpenAI.GlobalStandard.gpt-image-1.5"] == (25, 30)


def test_model_capacities_report_free_capacity_per_region_and_sku(mgmt):
    create_account(mgmt, "acct-cap", "cap-img")
    create_deployment(mgmt, "acct-cap", "a", capacity=4)

    items = mgmt.model_capacities.list(
        model_format="OpenAI", model_name="gpt-image-1.5", model_version="2025-12-16"
    )
    free = {(i.location, i.properties.sku_name): i.properties.available_capacity for i in items}
    assert free[(LOCATION, "GlobalStandard")] == 5
    assert free[("westus3", "GlobalStandard")] == 9
    assert free[("uaenorth", "GlobalStandard")] == 9
    assert ("uaenorth", "DataZoneStandard") not in free
