# ruff: noqa: E501  (the expected messages are kept whole)
"""What the emulated ARM lists and renders, called in process: models.list per region with the config's
availability overrides (SKUs added or withdrawn, versions published), the ARM deployment body as Azure
renders it, and the exact errors a caller reads. Each answer is checked value for value."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from catalog import DEFAULT_CATALOG_PATH, ModelVersion
from emulator.arm.children import ChildrenProvider
from emulator.arm.deployments import parse_deployment
from emulator.arm.errors import ArmError
from emulator.arm.ids import parse_arm_path
from emulator.arm.locations import LocationsProvider
from emulator.arm.offers import (
    Release,
    ReleaseError,
    load_offers,
    parse_offers,
    parse_release,
    with_releases,
)
from emulator.arm.settings import AvailabilityOverride
from emulator.errors import ConfigError
from tests.emulator.test_rules_in_process import ACCOUNT, SUB, Arm

EXTRA_SKU = AvailabilityOverride("eastus2", "gpt-image-1.5", "ProvisionedManaged", True)
WITHDRAWN = AvailabilityOverride("eastus2", "gpt-image-2", "DataZoneStandard", False)
# A version the catalog does not know, published for two SKUs: listed once, not as the default.
NEW_MINI = (
    AvailabilityOverride("eastus2", "gpt-image-1-mini", "GlobalStandard", True, "2026-01-01"),
    AvailabilityOverride("eastus2", "gpt-image-1-mini", "DataZoneStandard", True, "2026-01-01"),
)


def listing(arm: Arm, location: str) -> dict[tuple[str, str], dict[str, Any]]:
    body = LocationsProvider(arm.state).models(SUB, location).body
    assert body is not None
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for item in body["value"]:
        model = item["model"]
        key = (model["name"], model["version"])
        assert key not in found, f"{key} listed twice"
        found[key] = model
    return found


def test_models_list_shows_the_catalog_and_the_overrides_of_that_region_only() -> None:
    arm = Arm(availability=(EXTRA_SKU, WITHDRAWN, *NEW_MINI))
    east = listing(arm, "East US 2")
    assert {key: [s["name"] for s in m["skus"]] for key, m in east.items()} == {
        ("gpt-image-1.5", "2025-12-16"): ["DataZoneStandard", "GlobalStandard", "ProvisionedManaged"],
        ("gpt-image-2", "2026-04-21"): ["GlobalStandard"],
        ("gpt-image-1-mini", "2025-10-06"): ["GlobalStandard"],
        ("gpt-image-1-mini", "2026-01-01"): ["DataZoneStandard", "GlobalStandard"],
    }
    assert {key: m["isDefaultVersion"] for key, m in east.items()} == {
        ("gpt-image-1.5", "2025-12-16"): True,
        ("gpt-image-2", "2026-04-21"): True,
        ("gpt-image-1-mini", "2025-10-06"): True,
        ("gpt-image-1-mini", "2026-01-01"): False,
    }
    gpt15 = east[("gpt-image-1.5", "2025-12-16")]
    assert (gpt15["format"], gpt15["capabilities"]) == (
        "OpenAI",
        {"imageEdit": "true", "imageGeneration": "true"},
    )
    assert gpt15["deprecation"] == {"inference": "2027-06-16T00:00:00Z"}
    assert east[("gpt-image-1-mini", "2026-01-01")]["deprecation"] == {}
    # The overrides are for eastus2: westus3 lists the catalog's offers alone.
    west = listing(arm, "westus3")
    assert {key: [s["name"] for s in m["skus"]] for key, m in west.items()} == {
        ("gpt-image-1.5", "2025-12-16"): ["DataZoneStandard", "GlobalStandard"],
        ("gpt-image-2", "2026-04-21"): ["DataZoneStandard", "GlobalStandard"],
        ("gpt-image-1-mini", "2025-10-06"): ["GlobalStandard"],
    }


def test_an_override_offers_a_sku_for_the_catalogs_versions_and_a_version_only_where_it_says() -> None:
    offers = load_offers(overrides=(EXTRA_SKU, WITHDRAWN, *NEW_MINI))
    assert offers.is_offered("gpt-image-1.5", "2025-12-16", "ProvisionedManaged", "EastUS2")
    # An override without a version offers the catalog's versions, not any version at all.
    assert not offers.is_offered("gpt-image-1.5", "2099-01-01", "ProvisionedManaged", "eastus2")
    assert offers.is_offered("gpt-image-1-mini", "2026-01-01", "DataZoneStandard", "eastus2")
    assert not offers.is_offered("gpt-image-1-mini", "2026-01-01", "DataZoneStandard", "westus3")
    assert not offers.is_offered("gpt-image-2", "2026-04-21", "DataZoneStandard", "eastus2")
    assert not offers.is_offered("no-such-model", "2025-12-16", "GlobalStandard", "eastus2")
    assert not offers.is_offered("gpt-image-1", "2025-04-15", "GlobalStandard", "eastus2")  # retired


def catalog_with(**versions: dict[str, Any]) -> dict[str, Any]:
    raw = json.loads(DEFAULT_CATALOG_PATH.read_text("utf-8"))
    for model, table in versions.items():
        raw["models"][model]["versions"] = table
    return raw


def test_a_model_without_a_default_version_defaults_to_its_newest_whatever_the_order() -> None:
    raw = catalog_with(
        **{
            "gpt-image-2": {
                "2026-01-01": {"retirementDate": None, "default": False},
                "2026-04-21": {"retirementDate": None, "default": False},
                "2026-02-02": {"retirementDate": None, "default": False},
            }
        }
    )
    offer = parse_offers(raw).model("gpt-image-2")
    assert offer is not None and offer.default_version == "2026-04-21"
    assert parse_offers(catalog_with()).model("gpt-image-2").default_version == "2026-04-21"  # type: ignore[union-attr]


def test_a_catalog_that_is_not_one_is_a_config_error_naming_its_source() -> None:
    raws: list[Any] = [[], {"models": "x"}]
    for raw in raws:
        with pytest.raises(ConfigError) as caught:
            parse_offers(raw, source="my-catalog.json")
        assert "my-catalog.json" in caught.value.message
    with pytest.raises(ConfigError) as default_source:
        parse_offers({"models": "x"})
    assert default_source.value.message == (
        "Model catalog catalog has no 'models' object; compare it with the packaged file."
    )
    overrides = (WITHDRAWN,)
    assert parse_offers(copy.deepcopy(catalog_with()), overrides).overrides == overrides


# -- the deployment body as ARM renders it ---------------------------------------------------------------
@pytest.fixture
def arm() -> Arm:
    arm = Arm()
    arm.account()
    return arm


def test_a_deployment_reads_back_with_its_id_type_extra_fields_and_the_servers_read_only_ones(
    arm: Arm,
) -> None:
    path = parse_arm_path(f"{ACCOUNT}/deployments/gpt-image")
    body = {
        "sku": {"name": "GlobalStandard", "capacity": 2, "tier": "Standard"},
        "tags": {"team": "images"},
        "properties": {
            "model": {"format": "OpenAI", "name": "gpt-image-1.5", "version": "2025-12-16"},
            "dynamicThrottlingEnabled": True,
            "raiPolicyName": "Microsoft.DefaultV2",
            "provisioningState": "Bogus",
            "currentCapacity": 99,
            "rateLimits": [],
            "capabilities": {},
        },
    }
    created = arm.deployments.create_or_update(path, body)
    # The LRO: started now in the account's region, answering with the finished deployment.
    assert created.operation is not None
    assert (created.operation.subscription, created.operation.location) == (SUB, "eastus2")
    assert created.operation.result is not None
    assert created.operation.result["properties"]["provisioningState"] == "Succeeded"
    assert created.operation.result["sku"]["capacity"] == 2
    listed = arm.deployments.list_deployments(parse_arm_path(ACCOUNT))
    assert listed.status == 200 and listed.body is not None
    assert listed.body["value"][0]["properties"]["provisioningState"] == "Creating"
    arm.settle()
    read = arm.deployments.get(path)
    got = read.body
    assert read.status == 200 and got is not None
    assert created.operation.result == got  # the LRO's final answer is the deployment as GET reads it
    assert (got["id"], got["name"], got["type"]) == (
        f"{ACCOUNT}/deployments/gpt-image",
        "gpt-image",
        "Microsoft.CognitiveServices/accounts/deployments",
    )
    assert got["sku"] == {"name": "GlobalStandard", "capacity": 2, "tier": "Standard"}
    assert got["tags"] == {"team": "images"}
    # What the caller sent is kept; the read-only fields are the server's own.
    assert got["properties"] == {
        "model": {"format": "OpenAI", "name": "gpt-image-1.5", "version": "2025-12-16"},
        "dynamicThrottlingEnabled": True,
        "versionUpgradeOption": "OnceNewDefaultVersionAvailable",
        "raiPolicyName": "Microsoft.DefaultV2",
        "provisioningState": "Succeeded",
        "currentCapacity": 2,
        "rateLimits": [{"key": "request", "renewalPeriod": 60, "count": 6}],
        "capabilities": {"imageGenerations": "true", "imageEdits": "true"},
    }
    assert arm.deployments.list_deployments(parse_arm_path(ACCOUNT)).body == {"value": [got]}


def test_the_rate_limit_is_capacity_times_the_rate_rounded_and_at_least_one(arm: Arm) -> None:
    path = parse_arm_path(f"{ACCOUNT}/deployments/a")
    arm.state.rpm_per_capacity_unit = 0.25
    arm.put("a", capacity=1)
    assert arm.deployments.get(path).body["properties"]["rateLimits"][0]["count"] == 1  # type: ignore[index]
    arm.put("a", capacity=8)
    assert arm.deployments.get(path).body["properties"]["rateLimits"][0]["count"] == 2  # type: ignore[index]


def test_a_missing_deployment_is_resource_not_found_naming_it_and_its_group(arm: Arm) -> None:
    message = (
        "The Resource 'Microsoft.CognitiveServices/accounts/deployments/acct/nope' under resource group "
        "'rg' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
    )
    path = parse_arm_path(f"{ACCOUNT}/deployments/nope")
    for call in (lambda: arm.deployments.get(path), lambda: arm.deployments.update(path, {})):
        with pytest.raises(ArmError) as caught:
            call()
        assert (caught.value.status, caught.value.code, caught.value.message) == (
            404,
            "ResourceNotFound",
            message,
        )


def test_a_deployment_without_its_account_names_the_missing_parent() -> None:
    error = Arm().refused("a")
    assert error.message == (
        f"Can not perform requested operation on nested resource. Parent resource '{ACCOUNT}' not found."
    )


def test_a_delete_leaves_the_data_plane_and_runs_as_an_operation(arm: Arm) -> None:
    arm.put("a")
    assert "a" in arm.state.registry.get("acct").deployments  # type: ignore[union-attr]
    deleted = arm.deployments.delete(parse_arm_path(f"{ACCOUNT}/deployments/a"))
    assert deleted.status == 202 and deleted.body is None and deleted.operation is not None
    assert (deleted.operation.subscription, deleted.operation.location) == (SUB, "eastus2")
    assert "a" not in arm.state.registry.get("acct").deployments  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"sku": {"name": "S"}, "properties": "x"}, "properties.model.name is required for a deployment."),
        (
            {"sku": {"name": "S"}, "properties": {"model": {"name": 5}}},
            "properties.model.name is required for a deployment.",
        ),
        (
            {"properties": {"model": {"name": "m"}}},
            "sku.name is required for a deployment (GlobalStandard or DataZoneStandard).",
        ),
        (
            {"sku": {"name": "S", "capacity": 0}, "properties": {"model": {"name": "m"}}},
            "The specified capacity '0' of account deployment should be at least 1 and no more than 1000000.",
        ),
        (
            {"sku": {"name": "S"}, "properties": {"model": {"name": "m"}, "versionUpgradeOption": "Never"}},
            "versionUpgradeOption 'Never' is not valid; use one of OnceNewDefaultVersionAvailable, "
            "OnceCurrentVersionExpired, NoAutoUpgrade.",
        ),
    ],
    ids=["properties-not-object", "name-not-string", "no-sku", "capacity-0", "bad-upgrade-option"],
)
def test_a_malformed_deployment_body_says_what_is_wrong(body: dict[str, Any], error: str) -> None:
    with pytest.raises(ArmError) as caught:
        parse_deployment("d", body, "2025-12-16")
    assert caught.value.message == error


def test_parse_deployment_keeps_the_format_and_leaves_an_unknown_default_version_empty() -> None:
    body = {"sku": {"name": "S"}, "properties": {"model": {"name": "m", "format": "Custom"}}}
    request = parse_deployment("d", body, None)
    assert (request.format, request.version) == ("Custom", "")


# -- releases (`imagegate emulator release MODEL@VERSION`) ------------------------------------------------
SHAPE = 'send {"model": "gpt-image-1.5", "version": "2026-03-10"} (optional "retirementDate", "default")'


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], f"The release body is not valid; {SHAPE}."),
        (
            {"model": "gpt-image-1.5", "version": "2026-03-10", "extra": 1},
            f"The release body is not valid; {SHAPE}.",
        ),
        ({"version": "2026-03-10"}, f"model and version are required strings; {SHAPE}."),
        ({"model": "", "version": "2026-03-10"}, f"model and version are required strings; {SHAPE}."),
        (
            {"model": "gpt-image-1.5", "version": 20260310},
            f"model and version are required strings; {SHAPE}.",
        ),
        ({"model": "gpt-image-1.5", "version": ""}, f"model and version are required strings; {SHAPE}."),
        (
            {"model": "dall-e-3", "version": "2026-03-10"},
            "Model 'dall-e-3' is not in the emulator's catalog, which holds the facts ARM does not give (sizes, "
            "SKUs, regions); release a version of one of: gpt-image-1.5, gpt-image-2, gpt-image-1-mini.",
        ),
        (
            {"model": "GPT-IMAGE-1", "version": "2026-03-10"},
            "Model 'gpt-image-1' is retired; release a version of a live model.",
        ),
        (
            {"model": "gpt-image-1.5", "version": "20260310"},
            "Version '20260310' is not a date such as 2026-03-10, as Azure's versions are.",
        ),
        (
            {"model": "gpt-image-1.5", "version": "2026-13-01"},
            "Version '2026-13-01' is not a date such as 2026-03-10, as Azure's versions are.",
        ),
        (
            {"model": "gpt-image-1.5", "version": "2026-03-10", "retirementDate": 5},
            "retirementDate 5 is not a date such as 2027-09-10 (or null).",
        ),
        (
            {"model": "gpt-image-1.5", "version": "2026-03-10", "retirementDate": "soon"},
            "retirementDate 'soon' is not a date such as 2027-09-10 (or null).",
        ),
        (
            {"model": "gpt-image-1.5", "version": "2026-03-10", "default": "yes"},
            "default must be true or false, not 'yes'.",
        ),
    ],
    ids=[
        "not-object",
        "unknown-key",
        "no-model",
        "empty-model",
        "version-not-string",
        "empty-version",
        "unknown-model",
        "retired-model",
        "version-not-dashed",
        "version-not-a-day",
        "retirement-not-string",
        "retirement-not-a-day",
        "default-not-boolean",
    ],
)
def test_a_release_the_emulator_cannot_publish_says_what_to_send(raw: Any, message: str) -> None:
    with pytest.raises(ReleaseError) as caught:
        parse_release(raw, load_offers())
    assert str(caught.value) == message


def test_a_release_names_the_catalogs_model_and_reads_back_as_sent() -> None:
    raw = {"model": "GPT-IMAGE-2", "version": "2026-06-01", "retirementDate": "2027-06-01", "default": True}
    release = parse_release(raw, load_offers())
    assert release == Release("gpt-image-2", "2026-06-01", "2027-06-01", True)
    assert release.to_json() == {
        "model": "gpt-image-2",
        "version": "2026-06-01",
        "retirementDate": "2027-06-01",
        "default": True,
    }
    assert parse_release({"model": "gpt-image-2", "version": "2026-06-01"}, load_offers()) == Release(
        "gpt-image-2", "2026-06-01", None, False
    )


def test_released_versions_join_the_model_and_a_default_release_takes_the_default() -> None:
    base = load_offers()
    offers = with_releases(
        base,
        (
            Release("GPT-Image-1.5", "2026-03-10", "2027-09-10", default=True),
            Release("gpt-image-2", "2026-04-21", "2027-04-21"),  # a version the catalog has: new facts
            Release("gpt-image-2", "2026-06-01"),
        ),
    )
    gpt15, gpt2 = offers.model("gpt-image-1.5"), offers.model("gpt-image-2")
    assert gpt15 is not None and gpt2 is not None
    assert list(gpt15.versions.values()) == [
        ModelVersion("2025-12-16", date(2027, 6, 16), False),
        ModelVersion("2026-03-10", date(2027, 9, 10), True),
    ]
    assert gpt15.default_version == "2026-03-10"
    assert list(gpt2.versions.values()) == [
        ModelVersion("2026-04-21", date(2027, 4, 21), False),
        ModelVersion("2026-06-01", None, False),
    ]
    assert offers.model("gpt-image-1-mini") == base.model("gpt-image-1-mini")
    assert offers.is_offered("gpt-image-2", "2026-06-01", "GlobalStandard", "eastus2")
    assert with_releases(base, ()) == base


def test_a_model_the_catalog_does_not_know_is_not_supported(arm: Arm) -> None:
    error = arm.refused("a", model="dall-e-3", version=None)
    assert (error.status, error.code) == (400, "DeploymentModelNotSupported")
    assert error.message.startswith("The model 'Format:OpenAI,Name:dall-e-3,Version:' of account deployment")


@pytest.mark.parametrize(
    "properties",
    ["x", {"model": "x"}, {"model": {"name": 5}}, {}],
    ids=["properties-string", "model-string", "name-number", "no-model"],
)
def test_a_deployment_put_of_the_wrong_shape_is_a_400_not_a_crash(arm: Arm, properties: Any) -> None:
    path = parse_arm_path(f"{ACCOUNT}/deployments/d")
    with pytest.raises(ArmError) as caught:
        arm.deployments.create_or_update(path, {"sku": {"name": "GlobalStandard"}, "properties": properties})
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        400,
        "InvalidRequestContent",
        "properties.model.name is required for a deployment.",
    )


def test_a_custom_rai_policy_is_found_whatever_the_case_of_its_name(arm: Arm) -> None:
    ChildrenProvider(arm.state).put_rai_policy(
        parse_arm_path(f"{ACCOUNT}/raiPolicies/Strict-Images"), {"properties": {}}
    )
    assert arm.put("a", raiPolicyName="strict-images").status == 201
    assert arm.put("b", raiPolicyName="STRICT-IMAGES").status == 201


def test_a_retired_model_is_not_offered_even_where_its_skus_are_listed_and_no_version_has_no_default() -> (
    None
):
    raw = json.loads(DEFAULT_CATALOG_PATH.read_text("utf-8"))
    raw["models"]["gpt-image-1"]["skus"] = raw["models"]["gpt-image-2"]["skus"]
    raw["models"]["gpt-image-2"]["versions"] = {}
    offers = parse_offers(raw)
    assert not offers.is_offered("gpt-image-1", "2025-04-15", "GlobalStandard", "eastus2")
    assert offers.model("gpt-image-2").default_version is None  # type: ignore[union-attr]
