# ruff: noqa: E501  (the expected problem sentences are kept whole, one per line)
"""`imagegate:regions` read in process from values written here (no repository file): the first location,
the defaults of each region, and each problem in its sentence, alone, with the others still read."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from infra.config import ConfigError, load_stack_config
from infra.regions_config import MAX_REGIONS, declares_regions, first_location, implicit_region

TODAY = date(2026, 11, 25)
LOCATIONS = ("eastus2", "westus3", "swedencentral", "polandcentral")


def deployment(name: str = "gpt-image", capacity: int = 2) -> dict[str, Any]:
    return {
        "name": name,
        "model": "gpt-image-1.5",
        "version": "2025-12-16",
        "sku": "GlobalStandard",
        "capacity": capacity,
        "versionUpgradeOption": "NoAutoUpgrade",
    }


def stack(*locations: str, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "environment": "pool",
        "namePrefix": "imagegate-pool",
        "resourceGroup": {"name": "rg-imagegate-pool"},
        "regions": [{"location": loc, "deployments": [deployment()]} for loc in locations or LOCATIONS[:2]],
    }
    values.update(changes)
    return values


def problems(values: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, "pool", today=TODAY)
    return raised.value.problems


@pytest.mark.parametrize(
    ("values", "location"),
    [
        ({"regions": [{"location": "westus3"}, {"location": "eastus2"}]}, "westus3"),
        # Pulumi hands structured config to a program as JSON text
        ({"regions": json.dumps([{"location": "westus3"}])}, "westus3"),
        ({"regions": '  [{"location": "westus3"}]'}, "westus3"),
        ({"regions": "[not json"}, None),
        ({"regions": "westus3"}, None),
        ({"regions": []}, None),
        ({"regions": ["westus3"]}, None),
        ({"regions": [{"location": ""}]}, None),
        ({"regions": [{"location": 7}]}, None),
        ({"regions": [{}]}, None),
        ({}, None),
    ],
)
def test_the_first_regions_location(values: dict[str, Any], location: str | None) -> None:
    assert first_location(values) == location


@pytest.mark.parametrize(
    ("values", "declares"),
    [({"regions": []}, True), ({"regions": "[]"}, True), ({"regions": None}, False), ({}, False)],
)
def test_a_stack_declares_regions_when_the_key_has_a_value(values: dict[str, Any], declares: bool) -> None:
    assert declares_regions(values) is declares


def test_each_region_has_its_location_subdomain_and_deployments() -> None:
    config = load_stack_config(stack(*LOCATIONS[:3]), "pool", today=TODAY)
    assert [r.location for r in config.regions] == list(LOCATIONS[:3])
    assert [r.account.custom_subdomain for r in config.regions] == [
        "imagegate-pool",
        "imagegate-pool-westus3",
        "imagegate-pool-swedencentral",
    ]
    assert [[(d.name, d.capacity) for d in r.deployments] for r in config.regions] == [[("gpt-image", 2)]] * 3
    assert config.location == "eastus2"
    assert config.account == config.regions[0].account


def test_the_implicit_region_is_the_stacks_own_settings() -> None:
    config = load_stack_config(stack("eastus2"), "pool", today=TODAY)
    region = implicit_region(config.location, config.account, config.image_deployments)
    assert (region.location, region.account, region.deployments) == (
        config.location,
        config.account,
        config.image_deployments,
    )


def test_ten_regions_are_accepted_and_eleven_are_too_many() -> None:
    many = [f"region{i:02d}" for i in range(MAX_REGIONS + 1)]
    values = stack()
    values["regions"] = [{"location": loc, "deployments": []} for loc in many]
    found = problems(values)
    assert "imagegate:regions: '11 regions' is too many; accepted: at most 10 regions." in found
    values["regions"] = values["regions"][:MAX_REGIONS]
    assert not any("is too many" in p for p in problems(values))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda v: v.update(account={"customSubdomain": "x-top"}),
            ['imagegate:account: {"customSubdomain": "x-top"} cannot be combined with imagegate:regions; accepted: account inside each region of imagegate:regions.'],
        ),
        (
            lambda v: v.update(deployments=[]),
            ["imagegate:deployments: [] cannot be combined with imagegate:regions; accepted: deployments inside each region of imagegate:regions."],
        ),
        (
            lambda v: v["regions"][1].update(location="eastus2"),
            ["imagegate:regions[1].location: 'eastus2' is listed twice; accepted: each region once."],
        ),
        (
            lambda v: v["regions"][1].update(location="East US", deployments=[]),
            [
                "imagegate:regions[1].location: 'East US' is not valid; accepted: an Azure region name such as eastus2.",
                "imagegate:regions[1].deployments: [] is empty; accepted: a non-empty list of deployments.",
            ],
        ),
        (
            lambda v: v["regions"][1].update(account={"customSubdomain": "imagegate-pool"}),
            ["imagegate:regions[1].account.customSubdomain: 'imagegate-pool' is used by another region; accepted: a subdomain of its own for each region (it names the account)."],
        ),
        (
            lambda v: v["regions"][1].update(zone="1"),
            ["imagegate:regions[1].zone: '1' is not a known key; accepted: location, account, deployments, candidate."],
        ),
        (
            lambda v: v["regions"][1]["deployments"][0].update(capacity=0),
            ["imagegate:regions[1].deployments[0].capacity: 0 is out of range; accepted: an integer from 1 to 1000."],
        ),
    ],
)
def test_a_problem_of_regions_in_its_sentence(change: Any, expected: list[str]) -> None:
    values = copy.deepcopy(stack())
    change(values)
    assert problems(values) == expected


NO_LOCATION = "imagegate:location: (missing) is required; accepted: an Azure region name such as eastus2."
REGION_OBJECT = "accepted: an object with keys location, account, deployments, candidate."


@pytest.mark.parametrize(
    ("regions", "expected"),
    [
        ([], [NO_LOCATION, "imagegate:regions: [] is empty; accepted: a non-empty list of regions."]),
        ("eastus2", [NO_LOCATION, "imagegate:regions: 'eastus2' is not a list; accepted: a list of regions."]),
        (
            [None],
            [
                NO_LOCATION,
                f"imagegate:regions[0]: (missing) is required; {REGION_OBJECT}",
                "imagegate:regions[0].location: (missing) is required; accepted: an Azure region name such as eastus2.",
                "imagegate:regions[0].deployments: (missing) is required; accepted: a non-empty list of deployments.",
            ],
        ),
        (
            ["eastus2"],
            [
                NO_LOCATION,
                f"imagegate:regions[0]: 'eastus2' is not an object; {REGION_OBJECT}",
                "imagegate:regions[0].location: (missing) is required; accepted: an Azure region name such as eastus2.",
                "imagegate:regions[0].deployments: (missing) is required; accepted: a non-empty list of deployments.",
            ],
        ),
    ],
)
def test_regions_that_are_no_list_of_regions(regions: Any, expected: list[str]) -> None:
    assert problems(stack(regions=regions)) == expected


def test_a_candidate_belongs_to_a_stack_without_regions() -> None:
    assert problems(stack(candidate={"deployment": "gpt-image"})) == [
        'imagegate:candidate: {"deployment": "gpt-image"} cannot be combined with imagegate:regions; accepted: a candidate in a stack without imagegate:regions.'
    ]


def test_a_regions_deployments_are_checked_against_the_catalog_for_that_region() -> None:
    values = stack()
    values["regions"][1]["location"] = "centralus"
    assert problems(values) == [
        "imagegate:regions[1].deployments[0].sku: 'GlobalStandard' is not offered for gpt-image-1.5 in centralus; accepted: no SKU of gpt-image-1.5 in centralus; GlobalStandard is offered in eastus2, westus3, polandcentral, swedencentral, uaenorth."
    ]


def test_a_region_asking_for_more_than_its_default_quota_is_warned_about_by_its_location() -> None:
    values = stack()
    values["regions"][1]["deployments"] = [deployment("image-a", 5), deployment("image-b", 5)]
    config = load_stack_config(values, "pool", today=TODAY)
    assert config.warnings == (
        "deployments of gpt-image-1.5 (GlobalStandard) ask for capacity 10 in westus3, above the default quota "
        "of 9; check `usages` or request more quota before `pulumi up`.",
    )


def test_a_deployment_retiring_soon_is_warned_about_in_every_region() -> None:
    config = load_stack_config(stack(), "pool", today=date(2027, 5, 1))
    retiring = "gpt-image-1.5 2025-12-16 retires on 2027-06-16 (46 days); plan a rollout to a newer version."
    assert len(config.warnings) == 2
    assert all(w.endswith(f".version: {retiring}") for w in config.warnings)


def test_a_retiring_version_is_named_by_its_region() -> None:
    from datetime import date

    from infra.config import load_stack_config
    from tests.stacks.pool_variants import pool_full_values

    config = load_stack_config(pool_full_values(), "pool", today=date(2027, 4, 1))
    assert [w.split(" retires on ")[0] for w in config.warnings if " retires on " in w] == [
        "imagegate:regions[0].deployments[0].version: gpt-image-1.5 2025-12-16",
        "imagegate:regions[1].deployments[0].version: gpt-image-1.5 2025-12-16",
    ]
