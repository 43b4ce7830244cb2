# ruff: noqa: E501  (the expected problem sentences are kept whole, one per line)
"""The config validator as a whole, value for value: one config with every key set parses to exactly
the typed config, the defaults are what the docs promise, and a config with every key wrong reports
every problem, in order, in the documented sentence. Pinned literally so a changed default, key name or
message fails here instead of changing what `pulumi up` does."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from infra.config import ConfigError, load_stack_config

TODAY = date(2026, 11, 25)
NET = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/net/providers/Microsoft.Network"
FULL = {
    "environment": "prod", "location": "swedencentral", "namePrefix": "contoso-img",
    "resourceGroup": {"name": "rg-contoso", "existing": True}, "protect": False,
    "account": {"customSubdomain": "contoso-img-prod", "disableLocalAuth": True, "publicNetworkAccess": "Disabled",
                "ipRules": ["203.0.113.0/24", "198.51.100.17"],
                "privateEndpoint": {"subnetId": f"{NET}/virtualNetworks/vnet/subnets/pe",
                                    "privateDnsZoneId": f"{NET}/privateDnsZones/privatelink.openai.azure.com"}},
    "contentFilter": {"basePolicyName": "Microsoft.Default", "severityThreshold": "High", "blockTerms": ["forbidden thing", "other"]},
    "deployments": [
        {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "sku": "DataZoneStandard", "capacity": 3, "versionUpgradeOption": "NoAutoUpgrade"},
        {"name": "img2", "model": "gpt-image-2", "version": "2026-04-21", "sku": "GlobalStandard", "capacity": 2, "versionUpgradeOption": "OnceCurrentVersionExpired"},
    ],
    "candidate": {"deployment": "img2", "model": "gpt-image-2", "version": "2026-04-21", "capacity": 1, "sku": "GlobalStandard"},
    "activeDeployment": "img2",
    "monitoring": {"retentionInDays": 60, "alertEmails": ["ops@example.com"],
                   "thresholds": {"throttledRequests": 7, "serverErrors": 3, "availabilityPercent": 99.5, "latencyMs": 45000, "contentFilterRejections": 12},
                   "budget": {"amount": 250, "startDate": "2026-12-01", "contactEmails": ["finops@example.com"], "thresholds": [50, 90, 100]}},
    "access": {"openAiUsers": [{"name": "image-api", "principalId": "22222222-2222-2222-2222-222222222222", "principalType": "ServicePrincipal"},
                               {"name": "alice", "principalId": "33333333-3333-3333-3333-333333333333", "principalType": "User"}]},
    "tags": {"costCenter": "platform", "owner": "team"},
}

MINIMAL = {
    "location": "eastus2",
    "deployments": [
        {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "sku": "GlobalStandard",
         "capacity": 1},
    ],
}

EVERY_KEY_WRONG: dict[str, Any] = {
    "environment": "Prod!", "location": "East US", "namePrefix": "1bad",
    "resourceGroup": {"name": "rg.", "existing": "maybe", "extra": 1}, "protect": "sometimes",
    "account": {"customSubdomain": "-bad-", "disableLocalAuth": "yes", "publicNetworkAccess": "Open",
                "ipRules": ["10.0.0.0/8", "203.0.113.7/32", "2001:db8::/32", "nonsense", 7, "203.0.113.1/24"],
                "privateEndpoint": {"subnetId": "subnet-1", "privateDnsZoneId": "zone", "other": True}, "kind": "x"},
    "contentFilter": {"basePolicyName": "Microsoft.Strict", "severityThreshold": "Extreme", "blockTerms": ["", "x" * 101, 3], "mode": 1},
    "deployments": [{"name": "Bad Name", "model": "gpt-image-1.5", "version": "2025-12-16", "sku": "Standard", "capacity": 0, "versionUpgradeOption": "Sometimes", "color": "red"}],
    "candidate": {"deployment": "nosuch", "model": "gpt-image-2", "version": "2026-04-21", "capacity": -1, "sku": "GlobalStandard", "x": 1},
    "activeDeployment": "nosuch",
    "monitoring": {"retentionInDays": 5000, "alertEmails": ["not-an-email", 5], "thresholds": {"throttledRequests": -1, "serverErrors": "many", "availabilityPercent": 101, "latencyMs": 0, "contentFilterRejections": 1.5, "other": 1},
                   "budget": {"amount": 0, "startDate": "2026-12-15", "contactEmails": [], "thresholds": [0, 120, "x"], "extra": 1}, "more": 1},
    "access": {"openAiUsers": [{"name": "Bad_Name", "principalId": "not-a-guid", "principalType": "Robot", "x": 1}, "alice"], "other": 1},
    "tags": {"ok": "fine", "bad": 5, "": "empty"},
    "unknownKey": 1,
 }

WRONG_TYPES: dict[str, Any] = {
    "location": 5, "resourceGroup": "rg", "account": ["x"], "contentFilter": "strict", "deployments": {"a": 1},
    "monitoring": 7, "access": "everyone", "tags": ["a"], "protect": 1,
 }

EVERY_KEY_WRONG_PROBLEMS = [
    'imagegate:unknownKey: 1 is not a known key; accepted: environment, location, namePrefix, resourceGroup, protect, account, contentFilter, deployments, candidate, activeDeployment, monitoring, access, tags, regions, gateway.',
    "imagegate:environment: 'Prod!' is not valid; accepted: 1-16 lowercase letters, digits or hyphens, starting with a letter.",
    "imagegate:location: 'East US' is not valid; accepted: an Azure region name such as eastus2.",
    "imagegate:namePrefix: '1bad' is not valid; accepted: 3-40 lowercase letters, digits or hyphens, starting with a letter.",
    'imagegate:resourceGroup.extra: 1 is not a known key; accepted: name, existing.',
    "imagegate:resourceGroup.name: 'rg.' is not valid; accepted: 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'.",
    "imagegate:resourceGroup.existing: 'maybe' is not a boolean; accepted: true or false.",
    "imagegate:protect: 'sometimes' is not a boolean; accepted: true or false.",
    "imagegate:account.kind: 'x' is not a known key; accepted: customSubdomain, disableLocalAuth, publicNetworkAccess, ipRules, privateEndpoint.",
    "imagegate:account.customSubdomain: '-bad-' is not valid; accepted: 2-64 lowercase letters, digits or hyphens, not starting or ending with a hyphen.",
    'imagegate:account.privateEndpoint.other: true is not a known key; accepted: subnetId, privateDnsZoneId.',
    "imagegate:account.privateEndpoint.subnetId: 'subnet-1' is not valid; accepted: a subnet resource id /subscriptions/.../virtualNetworks/<vnet>/subnets/<subnet>.",
    "imagegate:account.privateEndpoint.privateDnsZoneId: 'zone' is not valid; accepted: a private DNS zone resource id /subscriptions/.../privateDnsZones/<zone>.",
    "imagegate:account.disableLocalAuth: 'yes' is not a boolean; accepted: true or false.",
    "imagegate:account.publicNetworkAccess: 'Open' is not a valid choice; accepted: Enabled, Disabled.",
    "imagegate:account.ipRules[1]: '203.0.113.7/32' is not accepted by Azure IP rules; accepted: a public IPv4 address or CIDR range with a prefix of /30 or shorter, e.g. 203.0.113.0/24.",
    "imagegate:account.ipRules[2]: '2001:db8::/32' is not accepted by Azure IP rules; accepted: a public IPv4 address or CIDR range with a prefix of /30 or shorter, e.g. 203.0.113.0/24.",
    "imagegate:account.ipRules[3]: 'nonsense' is not an IPv4 address or CIDR range; accepted: a public IPv4 address or CIDR range with a prefix of /30 or shorter, e.g. 203.0.113.0/24.",
    'imagegate:account.ipRules[4]: 7 is not a string; accepted: a public IPv4 address or CIDR range with a prefix of /30 or shorter, e.g. 203.0.113.0/24.',
    "imagegate:account.ipRules[5]: '203.0.113.1/24' is not an IPv4 address or CIDR range; accepted: a public IPv4 address or CIDR range with a prefix of /30 or shorter, e.g. 203.0.113.0/24.",
    'imagegate:contentFilter.mode: 1 is not a known key; accepted: basePolicyName, severityThreshold, blockTerms.',
    "imagegate:contentFilter.basePolicyName: 'Microsoft.Strict' is not a valid choice; accepted: Microsoft.DefaultV2, Microsoft.Default.",
    "imagegate:contentFilter.severityThreshold: 'Extreme' is not a valid choice; accepted: Low, Medium, High.",
    "imagegate:contentFilter.blockTerms[0]: '' is not a non-empty string; accepted: a term of 1-100 characters.",
    "imagegate:contentFilter.blockTerms[1]: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is not valid; accepted: a term of 1-100 characters.",
    'imagegate:contentFilter.blockTerms[2]: 3 is not a non-empty string; accepted: a term of 1-100 characters.',
    "imagegate:deployments[0].color: 'red' is not a known key; accepted: name, model, version, sku, capacity, versionUpgradeOption.",
    "imagegate:deployments[0].name: 'Bad Name' is not valid; accepted: 2-64 letters, digits, '_', '.' or '-', starting with a letter or digit.",
    'imagegate:deployments[0].capacity: 0 is out of range; accepted: an integer from 1 to 1000.',
    "imagegate:deployments[0].sku: 'Standard' is not a valid choice; accepted: GlobalStandard, DataZoneStandard.",
    "imagegate:deployments[0].versionUpgradeOption: 'Sometimes' is not a valid choice; accepted: OnceNewDefaultVersionAvailable, OnceCurrentVersionExpired, NoAutoUpgrade.",
    'imagegate:candidate.x: 1 is not a known key; accepted: deployment, model, version, sku, capacity.',
    "imagegate:candidate.deployment: 'nosuch' is not the name of a deployment in imagegate:deployments; accepted: Bad Name.",
    "imagegate:activeDeployment: 'nosuch' is not the name of a deployment; accepted: Bad Name.",
    'imagegate:monitoring.more: 1 is not a known key; accepted: retentionInDays, alertEmails, thresholds, budget.',
    'imagegate:monitoring.thresholds.other: 1 is not a known key; accepted: throttledRequests, serverErrors, availabilityPercent, latencyMs, contentFilterRejections.',
    'imagegate:monitoring.thresholds.throttledRequests: -1 is out of range; accepted: an integer from 1 to 100000.',
    "imagegate:monitoring.thresholds.serverErrors: 'many' is not an integer; accepted: an integer from 1 to 100000.",
    'imagegate:monitoring.thresholds.availabilityPercent: 101 is out of range; accepted: a number above 0 up to 100.',
    'imagegate:monitoring.thresholds.latencyMs: 0 is out of range; accepted: an integer from 1000 to 600000.',
    'imagegate:monitoring.thresholds.contentFilterRejections: 1.5 is not an integer; accepted: an integer from 1 to 100000.',
    'imagegate:monitoring.retentionInDays: 5000 is out of range; accepted: an integer from 30 to 730.',
    "imagegate:monitoring.alertEmails[0]: 'not-an-email' is not valid; accepted: an email address such as ops@example.com.",
    'imagegate:monitoring.alertEmails[1]: 5 is not a non-empty string; accepted: an email address such as ops@example.com.',
    'imagegate:monitoring.budget.extra: 1 is not a known key; accepted: amount, startDate, contactEmails, thresholds.',
    'imagegate:monitoring.budget.contactEmails: [] is empty; accepted: a non-empty list of email addresses.',
    'imagegate:monitoring.budget.amount: 0 is out of range; accepted: a number above 0 up to 10000000.',
    "imagegate:monitoring.budget.startDate: '2026-12-15' is not valid; accepted: the first day of a month as YYYY-MM-01, from 2017-06-01 to 2027-11-01.",
    'imagegate:monitoring.budget.thresholds[0]: 0 is out of range; accepted: a number above 0 up to 1000.',
    "imagegate:monitoring.budget.thresholds[2]: 'x' is not a number; accepted: a number above 0 up to 1000.",
    'imagegate:access.other: 1 is not a known key; accepted: openAiUsers.',
    'imagegate:access.openAiUsers[0].x: 1 is not a known key; accepted: name, principalId, principalType.',
    "imagegate:access.openAiUsers[0].name: 'Bad_Name' is not valid; accepted: 1-40 lowercase letters, digits or hyphens.",
    "imagegate:access.openAiUsers[0].principalId: 'not-a-guid' is not valid; accepted: an Entra object id (a GUID).",
    "imagegate:access.openAiUsers[0].principalType: 'Robot' is not a valid choice; accepted: ServicePrincipal, User, Group, ForeignGroup, Device.",
    "imagegate:access.openAiUsers[1]: 'alice' is not an object; accepted: an object with keys name, principalId, principalType.",
    'imagegate:access.openAiUsers[1].name: (missing) is required; accepted: 1-40 lowercase letters, digits or hyphens.',
    'imagegate:access.openAiUsers[1].principalId: (missing) is required; accepted: an Entra object id (a GUID).',
    "imagegate:tags.: '' is not a valid tag name; accepted: 1-512 characters without < > % & \\ ? /.",
]
WRONG_TYPES_PROBLEMS = [
    'imagegate:location: 5 is not a non-empty string; accepted: an Azure region name such as eastus2.',
    "imagegate:resourceGroup: 'rg' is not an object; accepted: an object with keys name, existing.",
    'imagegate:protect: 1 is not a boolean; accepted: true or false.',
    'imagegate:account: ["x"] is not an object; accepted: an object with keys customSubdomain, disableLocalAuth, publicNetworkAccess, ipRules, privateEndpoint.',
    "imagegate:contentFilter: 'strict' is not an object; accepted: an object with keys basePolicyName, severityThreshold, blockTerms.",
    'imagegate:deployments: {"a": 1} is not a list; accepted: a list of deployments.',
    'imagegate:monitoring: 7 is not an object; accepted: an object with keys retentionInDays, alertEmails, thresholds, budget.',
    "imagegate:access: 'everyone' is not an object; accepted: an object with keys openAiUsers.",
    'imagegate:tags: ["a"] is not an object; accepted: an object of tag name -> string value.',
]


def test_a_config_with_every_key_parses_to_exactly_this() -> None:
    config = load_stack_config(FULL, "prod", today=TODAY)
    assert dataclasses.asdict(config) == {
        "stack": "prod",
        "environment": "prod",
        "location": "swedencentral",
        "name_prefix": "contoso-img",
        "resource_group": {"name": "rg-contoso", "existing": True},
        "protect": False,
        "account": {
            "custom_subdomain": "contoso-img-prod",
            "disable_local_auth": True,
            "public_network_access": "Disabled",
            "ip_rules": ("203.0.113.0/24", "198.51.100.17"),
            "private_endpoint": {
                "subnet_id": f"{NET}/virtualNetworks/vnet/subnets/pe",
                "private_dns_zone_id": f"{NET}/privateDnsZones/privatelink.openai.azure.com",
            },
        },
        "content_filter": {
            "base_policy_name": "Microsoft.Default",
            "severity_threshold": "High",
            "block_terms": ("forbidden thing", "other"),
        },
        "deployments": (
            {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "sku": "DataZoneStandard",
             "capacity": 3, "version_upgrade_option": "NoAutoUpgrade", "role": "stable"},
            {"name": "img2", "model": "gpt-image-2", "version": "2026-04-21", "sku": "GlobalStandard",
             "capacity": 2, "version_upgrade_option": "OnceCurrentVersionExpired", "role": "stable"},
        ),
        "candidate": {"deployment": "img2", "model": "gpt-image-2", "version": "2026-04-21",
                      "sku": "GlobalStandard", "capacity": 1},
        "active_deployment": "img2",
        "monitoring": {
            "retention_in_days": 60,
            "alert_emails": ("ops@example.com",),
            "thresholds": {"throttled_requests": 7, "server_errors": 3, "availability_percent": 99.5,
                           "latency_ms": 45000, "content_filter_rejections": 12},
            "budget": {"amount": 250, "start_date": date(2026, 12, 1), "contact_emails": ("finops@example.com",),
                       "thresholds": (50, 90, 100)},
        },
        "access": {
            "open_ai_users": (
                {"name": "image-api", "principal_id": "22222222-2222-2222-2222-222222222222",
                 "principal_type": "ServicePrincipal"},
                {"name": "alice", "principal_id": "33333333-3333-3333-3333-333333333333",
                 "principal_type": "User"},
            )
        },
        "tags": {"costCenter": "platform", "owner": "team"},
        "warnings": (
            "imagegate:candidate deploys gpt-image-2@2026-04-21, the version 'img2' already runs; the "
            "rollout will compare a version with itself.",
        ),
        "declared_regions": (),
        "gateway": None,
    }


def test_the_defaults_of_a_minimal_config() -> None:
    config = load_stack_config(MINIMAL, "dev", today=TODAY)
    assert dataclasses.asdict(config) == {
        "stack": "dev",
        "environment": "dev",
        "location": "eastus2",
        "name_prefix": "imagegate-dev",
        "resource_group": {"name": "rg-imagegate-dev", "existing": False},
        "protect": False,
        "account": {"custom_subdomain": "imagegate-dev", "disable_local_auth": True,
                    "public_network_access": "Enabled", "ip_rules": (), "private_endpoint": None},
        "content_filter": {"base_policy_name": "Microsoft.DefaultV2", "severity_threshold": "Medium",
                           "block_terms": ()},
        "deployments": (
            {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "sku": "GlobalStandard",
             "capacity": 1, "version_upgrade_option": "OnceNewDefaultVersionAvailable", "role": "stable"},
        ),
        "candidate": None,
        "active_deployment": "gpt-image",
        "monitoring": {
            "retention_in_days": 30,
            "alert_emails": (),
            "thresholds": {"throttled_requests": 20, "server_errors": 10, "availability_percent": 99.0,
                           "latency_ms": 60000, "content_filter_rejections": 50},
            "budget": None,
        },
        "access": {"open_ai_users": ()},
        "tags": {},
        "warnings": (),
        "declared_regions": (),
        "gateway": None,
    }
    # prod protects its resources unless told otherwise; every other environment does not.
    assert load_stack_config({**MINIMAL, "environment": "prod"}, "x", today=TODAY).protect is True


@pytest.mark.parametrize(
    ("values", "problems"),
    [(EVERY_KEY_WRONG, EVERY_KEY_WRONG_PROBLEMS), (WRONG_TYPES, WRONG_TYPES_PROBLEMS)],
    ids=["every-key-wrong", "wrong-types"],
)
def test_every_problem_is_reported_in_order_in_its_sentence(values: dict[str, Any], problems: list[str]) -> None:
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, "dev", today=TODAY)
    assert raised.value.problems == problems


def test_values_as_pulumi_config_get_returns_them_are_read_as_parsed_yaml() -> None:
    # `pulumi.Config.get` hands objects and lists over as JSON text and booleans and numbers as strings.
    config = load_stack_config(
        {
            "location": "eastus2",
            "protect": "true",
            "resourceGroup": '{"name": "rg-x", "existing": "false"}',
            "deployments": '[{"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", '
            '"sku": "GlobalStandard", "capacity": "2"}]',
            "monitoring": '{"retentionInDays": "45", "thresholds": {"availabilityPercent": "99.9"}}',
        },
        "dev",
        today=TODAY,
    )
    assert (config.protect, config.resource_group.name, config.resource_group.existing) == (True, "rg-x", False)
    assert config.deployments[0].capacity == 2
    assert (config.monitoring.retention_in_days, config.monitoring.thresholds.availability_percent) == (45, 99.9)
    with pytest.raises(ConfigError) as raised:
        load_stack_config({**MINIMAL, "account": "{not json"}, "dev", today=TODAY)
    assert raised.value.problems == [
        "imagegate:account: '{not json' is not an object; accepted: an object with keys customSubdomain, "
        "disableLocalAuth, publicNetworkAccess, ipRules, privateEndpoint."
    ]
