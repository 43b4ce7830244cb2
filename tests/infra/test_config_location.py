"""Where a stack lives: an unknown region is a problem of `location`, the provider's `azure-native:location`
must name the same region, and keys written without the `imagegate:` prefix get a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.config import ConfigError, load_stack_config, load_stack_file, read_stack_document, read_stack_file
from tests.infra.conftest import REPO, TODAY, stack_values

KNOWN = "eastus2, polandcentral, swedencentral, uaenorth, westus3"


def _problems(values: dict, **kwargs) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, "dev", today=TODAY, **kwargs)
    return raised.value.problems


@pytest.mark.parametrize("region", ["westus9", "northeurope"])
def test_a_region_the_catalog_does_not_know_is_one_problem_of_location_naming_the_known_ones(region):
    values = stack_values("dev")
    values["location"] = region
    values["candidate"] = {"deployment": "gpt-image", "version": "2025-12-16"}
    assert _problems(values) == [
        f"imagegate:location: '{region}' is not a region where the model catalog offers an image model; "
        f"accepted: {KNOWN}."
    ]


def test_a_malformed_location_is_reported_once_by_its_pattern():
    values = stack_values("dev")
    values["location"] = "East US"
    assert _problems(values) == [
        "imagegate:location: 'East US' is not valid; accepted: an Azure region name such as eastus2."
    ]


def _stack_file(tmp_path: Path, replace: tuple[str, str] | None = None, name: str = "dev") -> Path:
    text = (REPO / "Pulumi.dev.yaml").read_text()
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(text)
    return path


def test_a_provider_location_other_than_the_stacks_is_a_problem(tmp_path):
    path = _stack_file(tmp_path, ("azure-native:location: eastus2", "azure-native:location: westus3"))
    with pytest.raises(ConfigError) as raised:
        load_stack_file(path, "dev", today=TODAY)
    assert raised.value.problems == [
        "azure-native:location: 'westus3' is not the region of imagegate:location ('eastus2'); "
        "set both to the same region."
    ]


@pytest.mark.parametrize("written", ["eastus2", "East US 2", "EastUS2"])
def test_the_provider_location_may_be_written_as_arm_accepts_it(written):
    config = load_stack_config(
        stack_values("dev"), "dev", today=TODAY, outside={"azure-native:location": written}
    )
    assert config.location == "eastus2"


def test_a_provider_location_that_is_not_a_string_is_a_problem():
    assert _problems(stack_values("dev"), outside={"azure-native:location": ["eastus2"]}) == [
        "azure-native:location: [\"eastus2\"] is not the region of imagegate:location ('eastus2'); "
        "set both to the same region."
    ]


def test_the_shipped_stacks_agree_with_their_provider_location():
    for stack in ("dev", "prod"):
        document = read_stack_document(REPO / f"Pulumi.{stack}.yaml")
        assert document.outside["azure-native:location"] == document.values["location"]
        assert load_stack_file(REPO / f"Pulumi.{stack}.yaml", stack, today=TODAY).stack == stack


def test_read_stack_file_still_gives_only_the_imagegate_values(tmp_path):
    path = _stack_file(tmp_path)
    assert read_stack_file(path) == dict(read_stack_document(path).values)
    assert "azure-native:location" not in read_stack_file(path)


def test_keys_without_the_prefix_get_a_hint_instead_of_required(tmp_path):
    text = (REPO / "Pulumi.dev.yaml").read_text()
    text = text.replace("  imagegate:location: eastus2", "  location: eastus2")
    text = text.replace("  imagegate:deployments:", "  deployments:")
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_stack_file(path, "dev", today=TODAY)
    assert raised.value.problems == [
        "location is written without the 'imagegate:' prefix; write imagegate:location.",
        "deployments is written without the 'imagegate:' prefix; write imagegate:deployments.",
    ]


def test_a_misplaced_value_is_still_judged_in_the_same_pass():
    values = stack_values("dev")
    del values["location"]
    assert _problems(values, outside={"location": "westus9"}) == [
        "location is written without the 'imagegate:' prefix; write imagegate:location.",
        "imagegate:location: 'westus9' is not a region where the model catalog offers an image model; "
        f"accepted: {KNOWN}.",
    ]


def test_a_bare_key_beside_its_prefixed_twin_is_still_reported():
    assert _problems(stack_values("dev"), outside={"protect": True}) == [
        "protect is written without the 'imagegate:' prefix; write imagegate:protect."
    ]


def test_other_keys_outside_the_namespace_are_left_alone():
    config = load_stack_config(
        stack_values("dev"),
        "dev",
        today=TODAY,
        outside={"azure-native:subscriptionId": "x", "aws:region": "us-east-1", "typo": 1},
    )
    assert config.location == "eastus2"


def test_without_a_location_the_provider_location_is_not_compared():
    values = stack_values("dev")
    del values["location"]
    assert _problems(values, outside={"azure-native:location": "westus3"}) == [
        "imagegate:location: (missing) is required; accepted: an Azure region name such as eastus2."
    ]
    assert load_stack_config(
        stack_values("dev"), "dev", today=TODAY, outside={"azure-native:location": None}
    ).location == "eastus2"


def test_load_stack_file_judges_with_the_given_catalog_and_day(tmp_path):
    from dataclasses import replace

    from catalog import load_catalog

    path = _stack_file(tmp_path)
    base = load_catalog()
    gpt15 = base.models["gpt-image-1.5"]
    only_west = replace(gpt15, skus={k: replace(v, regions=("westus3",)) for k, v in gpt15.skus.items()})
    narrow = replace(base, models={"gpt-image-1.5": only_west})
    with pytest.raises(ConfigError) as raised:
        load_stack_file(path, "dev", today=TODAY, catalog=narrow)
    assert raised.value.problems == [
        "imagegate:location: 'eastus2' is not a region where the model catalog offers an image model; "
        "accepted: westus3."
    ]
    retired = gpt15.versions["2025-12-16"].retirement_date
    assert retired is not None
    with pytest.raises(ConfigError) as late:
        load_stack_file(path, "dev", today=retired)
    assert late.value.problems[0].startswith(
        "imagegate:deployments[0].version: '2025-12-16' of gpt-image-1.5 retired"
    )
