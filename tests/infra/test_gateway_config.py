# ruff: noqa: E501  (the expected problem sentences are kept whole, one per line)
"""`imagegate:regions` and `imagegate:gateway` as the validator reads them: the pool example parses to
exactly its typed config, defaults are what docs/config.md promises, every problem is reported at once in
its sentence, and a stack without either is one implicit region with no gateway."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from infra.config import ConfigError, load_stack_config, read_stack_file
from infra.gateway_config import (
    AliasConfig,
    CircuitBreakerConfig,
    ClientAuthConfig,
    EntraClientConfig,
    PoolMember,
    StatusRange,
)
from infra.regions_config import RegionConfig

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 25)
POOL = read_stack_file(ROOT / "examples" / "stacks" / "Pulumi.pool.yaml")


def pool(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(POOL)
    values.update(changes)
    return values


def test_the_pool_example_is_three_regions_behind_one_alias() -> None:
    config = load_stack_config(POOL, "pool", today=TODAY)
    assert config.warnings == ()
    assert config.location == "eastus2"  # the first region's, by default
    assert [
        (r.location, r.account.custom_subdomain, [(d.name, d.capacity) for d in r.deployments])
        for r in config.regions
    ] == [
        ("eastus2", "imagegate-pool-eus2", [("gpt-image", 2)]),
        ("westus3", "imagegate-pool-wus3", [("gpt-image", 2)]),
        ("swedencentral", "imagegate-pool-swc", [("gpt-image", 2)]),
    ]
    # The first region fills the single-account fields.
    assert config.account == config.regions[0].account
    assert config.deployments == config.regions[0].deployments
    assert config.active_deployment == "gpt-image"
    gateway = config.gateway
    assert gateway is not None
    assert (gateway.name, gateway.sku, gateway.capacity) == ("imagegate-pool-gw", "BasicV2", 1)
    assert (gateway.publisher_name, gateway.publisher_email) == ("Platform team", "platform-team@example.com")
    assert gateway.clients == ClientAuthConfig(subscription_key=True, entra=None)
    assert gateway.aliases == (
        AliasConfig(
            name="gpt-image",
            model="gpt-image-1.5",
            version="2025-12-16",
            members=(
                PoolMember("eastus2", "gpt-image", 1, 1),
                PoolMember("westus3", "gpt-image", 1, 1),
                PoolMember("swedencentral", "gpt-image", 2, 1),
            ),
            circuit_breaker=CircuitBreakerConfig(
                status_ranges=(StatusRange(429, 429), StatusRange(500, 599)),
                failure_count=1,
                interval_seconds=60,
                trip_duration_seconds=60,
                accept_retry_after=True,
            ),
            retry_count=2,
            timeout_seconds=120,
        ),
    )


def test_a_stack_without_regions_is_its_one_implicit_region_with_no_gateway() -> None:
    config = load_stack_config(read_stack_file(ROOT / "Pulumi.dev.yaml"), "dev", today=TODAY)
    assert config.declared_regions == ()
    assert config.gateway is None
    assert config.regions == (RegionConfig(config.location, config.account, config.image_deployments),)


def test_the_defaults_of_an_alias_and_of_later_regions() -> None:
    values = pool()
    for region in values["regions"]:
        del region["account"]
    values["gateway"] = {
        "publisherName": "P",
        "publisherEmail": "p@example.com",
        "aliases": [{"name": "img", "members": [{"region": "westus3", "deployment": "gpt-image"}]}],
    }
    config = load_stack_config(values, "pool", today=TODAY)
    # The first region keeps the single-region default subdomain; the others add their location.
    assert [r.account.custom_subdomain for r in config.regions] == [
        "imagegate-pool",
        "imagegate-pool-westus3",
        "imagegate-pool-swedencentral",
    ]
    assert config.gateway is not None
    (alias,) = config.gateway.aliases
    assert alias.members == (PoolMember("westus3", "gpt-image", 1, 1),)
    assert alias.circuit_breaker == CircuitBreakerConfig(
        (StatusRange(429, 429), StatusRange(500, 599)), 1, 60, 60, True
    )
    assert (alias.retry_count, alias.timeout_seconds) == (2, 120)
    assert config.gateway.sku == "BasicV2"


def test_a_single_region_stack_may_have_a_gateway_over_its_deployments() -> None:
    values = read_stack_file(ROOT / "Pulumi.dev.yaml")
    values["gateway"] = {
        "publisherName": "P",
        "publisherEmail": "p@example.com",
        "clients": {"subscriptionKey": False, "entra": {"tenantId": "11111111-2222-3333-4444-555555555555"}},
        "aliases": [{"name": "images", "members": [{"region": "eastus2", "deployment": "gpt-image"}]}],
    }
    config = load_stack_config(values, "dev", today=TODAY)
    assert config.gateway is not None
    assert config.gateway.clients == ClientAuthConfig(
        False,
        EntraClientConfig("11111111-2222-3333-4444-555555555555", ("https://cognitiveservices.azure.com",)),
    )
    assert config.gateway.aliases[0].model == "gpt-image-1.5"


@pytest.mark.parametrize("sku", ["Developer", "Basic", "Standard", "Premium"])
def test_a_classic_tier_is_accepted_with_a_warning_about_its_provisioning_time(sku: str) -> None:
    values = pool()
    values["gateway"] = {**values["gateway"], "sku": sku}
    config = load_stack_config(values, "pool", today=TODAY)
    assert config.warnings == (
        f"imagegate:gateway.sku is {sku}: a classic tier takes about 45-75 minutes to provision "
        "(BasicV2 and StandardV2 take minutes).",
    )


def test_every_problem_of_regions_and_gateway_at_once_in_its_sentence() -> None:
    values = pool(account={"customSubdomain": "x-top"}, candidate={"deployment": "gpt-image"})
    values["regions"][1]["account"]["customSubdomain"] = "imagegate-pool-eus2"
    values["regions"][2]["location"] = "westus3"
    values["regions"][0]["deployments"][0]["capacity"] = 0
    gw = values["gateway"]
    gw.update(sku="Consumption", publisherEmail="nobody", clients={"subscriptionKey": False})
    alias = gw["aliases"][0]
    alias.update(timeoutSeconds=300, retryCount=11, retryAfterCapSeconds=86401)
    alias["circuitBreaker"]["statusCodeRanges"] = [429, "500-399", "abc"]
    alias["members"][0]["region"] = "centralus"
    alias["members"][1]["deployment"] = "nope"
    alias["members"][2]["weight"] = 0
    gw["aliases"].append({"name": "gpt-image", "members": []})
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, "pool", today=TODAY)
    assert raised.value.problems == [
        'imagegate:account: {"customSubdomain": "x-top"} cannot be combined with imagegate:regions; accepted: account inside each region of imagegate:regions.',
        'imagegate:candidate: {"deployment": "gpt-image"} cannot be combined with imagegate:regions; accepted: a candidate in a stack without imagegate:regions.',
        "imagegate:regions[0].deployments[0].capacity: 0 is out of range; accepted: an integer from 1 to 1000.",
        "imagegate:regions[1].account.customSubdomain: 'imagegate-pool-eus2' is used by another region; accepted: a subdomain of its own for each region (it names the account).",
        "imagegate:regions[2].location: 'westus3' is listed twice; accepted: each region once.",
        "imagegate:gateway.sku: 'Consumption' has no circuit breaker, which the pools need; accepted: BasicV2, StandardV2, Developer, Basic, Standard, Premium.",
        "imagegate:gateway.publisherEmail: 'nobody' is not valid; accepted: an email address.",
        'imagegate:gateway.clients: {"subscriptionKey": false} lets no client in; accepted: subscriptionKey: true, an entra section, or both.',
        "imagegate:gateway.aliases[0].members[0].region: 'centralus' is not a region of the stack; accepted: eastus2, westus3.",
        "imagegate:gateway.aliases[0].members[1].deployment: 'nope' is not a deployment in westus3; accepted: gpt-image.",
        "imagegate:gateway.aliases[0].members[2].region: 'swedencentral' is not a region of the stack; accepted: eastus2, westus3.",
        "imagegate:gateway.aliases[0].members[2].weight: 0 is out of range; accepted: an integer from 1 to 1000.",
        "imagegate:gateway.aliases[0].circuitBreaker.statusCodeRanges[1]: '500-399' is not a status code range; accepted: status codes or ranges from 400 to 599 such as 429 or \"500-599\".",
        "imagegate:gateway.aliases[0].circuitBreaker.statusCodeRanges[2]: 'abc' is not a status code range; accepted: status codes or ranges from 400 to 599 such as 429 or \"500-599\".",
        "imagegate:gateway.aliases[0].retryCount: 11 is out of range; accepted: an integer from 0 to 10.",
        "imagegate:gateway.aliases[0].timeoutSeconds: 300 is above 240 seconds, which API Management may not honor (Learn, forward-request); accepted: an integer from 1 to 240; stream or lower the quality of slow images.",
        "imagegate:gateway.aliases[0].retryAfterCapSeconds: 86401 is out of range; accepted: an integer from 1 to 86400.",
        "imagegate:gateway.aliases[1].name: 'gpt-image' is used by another alias; accepted: a name of its own for each alias.",
        "imagegate:gateway.aliases[1].members: [] is empty; accepted: a non-empty list of pool members (region, deployment).",
    ]


def test_an_alias_mixing_models_is_refused() -> None:
    values = pool()
    values["regions"][1]["deployments"][0].update(model="gpt-image-2", version="2026-04-21")
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, "pool", today=TODAY)
    assert raised.value.problems == [
        'imagegate:gateway.aliases[0].members: ["gpt-image-1.5@2025-12-16", "gpt-image-2@2026-04-21"] mix models; accepted: members that deploy one model (an alias answers as one model; versions may differ while a rollout shifts traffic).',
    ]


def test_regions_and_gateway_as_pulumi_config_get_returns_them() -> None:
    # A program reads structured config as JSON text; it means the same as the parsed YAML.
    as_text = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in POOL.items()}
    assert load_stack_config(as_text, "pool", today=TODAY) == load_stack_config(POOL, "pool", today=TODAY)
