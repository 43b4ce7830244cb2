"""The stack config: real stack files load, every rule produces its documented message, all problems
are reported at once, and Pulumi's string/JSON form of the values is accepted."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from infra.config import ConfigError, load_stack_config, read_stack_file, stack_name_of
from tests.infra.conftest import REPO, TODAY, stack_values


def test_dev_and_prod_files_load():
    dev = load_stack_config(stack_values("dev"), "dev", today=TODAY)
    prod = load_stack_config(stack_values("prod"), "prod", today=TODAY)
    assert (dev.location, dev.account.disable_local_auth, dev.protect) == ("eastus2", False, False)
    assert (prod.location, prod.account.disable_local_auth, prod.protect) == ("westus3", True, True)
    assert [
        (d.name, d.model, d.version, d.sku, d.capacity, d.version_upgrade_option) for d in prod.deployments
    ] == [("gpt-image", "gpt-image-1.5", "2025-12-16", "GlobalStandard", 6, "NoAutoUpgrade")]
    assert prod.monitoring.budget is not None and prod.monitoring.budget.amount == 1500
    assert dev.monitoring.budget is None
    assert dev.warnings == () and prod.warnings == ()


def test_read_stack_file_strips_namespace_and_ignores_other_providers():
    values = read_stack_file(REPO / "Pulumi.prod.yaml")
    assert "azure-native:location" not in values and "location" in values
    assert values["regions"][0]["deployments"][0]["capacity"] == 6


def test_read_stack_file_missing(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        read_stack_file(tmp_path / "Pulumi.nope.yaml")


def test_read_stack_file_invalid_yaml_is_one_line_with_the_position(tmp_path):
    bad = tmp_path / "Pulumi.qa.yaml"
    bad.write_text("config:\n  imagegate:location: eastus2\nnot yaml here\n  - x: [\n")
    with pytest.raises(ConfigError) as caught:
        read_stack_file(bad)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{bad} is not valid YAML (line ")
    assert problem.endswith("); fix the file.") and "\n" not in problem
    assert f"fix them in {bad}:" in str(caught.value)


def test_stack_name_of_reads_only_stack_file_names():
    assert stack_name_of("some/dir/Pulumi.prod.yaml") == "prod"
    assert stack_name_of("Pulumi.dev.yml") == "dev"
    assert stack_name_of("Pulumi.yaml") is None
    assert stack_name_of("config.yaml") is None
    assert stack_name_of("Pulumi.team.prod.yaml") == "team.prod"  # Pulumi allows dots in stack names


def test_values_as_pulumi_passes_them_json_strings_and_string_booleans():
    """`pulumi.Config.get` returns objects as JSON text and booleans as 'true'; both must load."""
    as_strings = {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in stack_values("prod").items()
    }
    assert as_strings["protect"] == "true"
    config = load_stack_config(as_strings, "prod", today=TODAY)
    assert config.protect is True
    assert config.deployments[0].capacity == 6
    assert [r.location for r in config.regions] == ["westus3", "eastus2", "swedencentral"]
    assert config.gateway is not None and config.gateway.aliases[0].members[2].priority == 2


def test_defaults_fill_optional_keys():
    config = load_stack_config(
        {
            "location": "eastus2",
            "deployments": [{"name": "gpt-image", "model": "gpt-image-1.5", "capacity": 1}],
        },
        "dev",
        today=TODAY,
    )
    assert config.environment == "dev"
    assert config.name_prefix == "imagegate-dev"
    assert config.resource_group.name == "rg-imagegate-dev"
    assert config.account.custom_subdomain == "imagegate-dev"
    assert config.account.disable_local_auth is True  # keyless unless a stack opts in to keys
    d = config.deployments[0]
    assert (d.version, d.sku, d.version_upgrade_option) == (
        "2025-12-16",
        "GlobalStandard",
        "OnceNewDefaultVersionAvailable",
    )
    assert config.active_deployment == "gpt-image"
    assert config.content_filter.base_policy_name == "Microsoft.DefaultV2"


def test_prod_protects_by_default():
    values = stack_values("prod")
    del values["protect"]
    assert load_stack_config(values, "prod", today=TODAY).protect is True


def _with(path: str, value: Any) -> dict[str, Any]:
    """dev's values with one dotted path (list indexes as numbers) set; DELETE removes it."""
    values = stack_values("dev")
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    target: Any = values
    for key in keys[:-1]:
        if isinstance(target, dict):
            target = target.setdefault(key, {})
        else:
            target = target[key]
    if value is DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return values


class _Delete:
    """Marks a key to remove; its repr keeps test ids stable (pytest-xdist compares them across workers)."""

    def __repr__(self) -> str:
        return "<deleted>"


DELETE = _Delete()
D0 = "imagegate:deployments[0]"

INVALID = [
    (
        "deployments.0.model",
        "gpt-image-9",
        f"{D0}.model: 'gpt-image-9' is not a known model; accepted: gpt-image-1.5, gpt-image-2, "
        "gpt-image-1-mini.",
    ),
    (
        "deployments.0.model",
        "gpt-image-1",
        f"{D0}.model: 'gpt-image-1' is retired and can no longer be deployed; "
        "accepted: gpt-image-1.5, gpt-image-2, gpt-image-1-mini.",
    ),
    (
        "deployments.0.version",
        "2024-01-01",
        f"{D0}.version: '2024-01-01' is not a known version of gpt-image-1.5; accepted: 2025-12-16.",
    ),
    (
        "deployments.0.sku",
        "Standard",
        f"{D0}.sku: 'Standard' is not a valid choice; accepted: GlobalStandard, DataZoneStandard.",
    ),
    ("deployments.0.capacity", 0, f"{D0}.capacity: 0 is out of range; accepted: an integer from 1 to 1000."),
    (
        "deployments.0.capacity",
        5000,
        f"{D0}.capacity: 5000 is out of range; accepted: an integer from 1 to 1000.",
    ),
    (
        "deployments.0.capacity",
        2.5,
        f"{D0}.capacity: 2.5 is not an integer; accepted: an integer from 1 to 1000.",
    ),
    (
        "deployments.0.capacity",
        True,
        f"{D0}.capacity: true is not an integer; accepted: an integer from 1 to 1000.",
    ),
    (
        "deployments.0.capacity",
        DELETE,
        f"{D0}.capacity: (missing) is required; accepted: an integer from 1 to 1000.",
    ),
    (
        "deployments.0.name",
        "bad name!",
        (
            f"{D0}.name: 'bad name!' is not valid; accepted: 2-64 letters, digits, '_', '.' or '-', "
            "starting with a letter or digit.",
            # activeDeployment still names the old deployment: reported too, in the same run.
            "imagegate:activeDeployment: 'gpt-image' is not the name of a deployment; accepted: bad name!.",
        ),
    ),
    (
        "deployments.0.name",
        "gpt-image-candidate",
        (
            f"{D0}.name: 'gpt-image-candidate' ends with '-candidate', which is kept for rollout candidates; "
            "accepted: 2-64 letters, digits, '_', '.' or '-', starting with a letter or digit, not ending in "
            "'-candidate'.",
            "imagegate:activeDeployment: 'gpt-image' is not the name of a deployment; accepted: "
            "gpt-image-candidate.",
        ),
    ),
    (
        "deployments.0.versionUpgradeOption",
        "Always",
        f"{D0}.versionUpgradeOption: 'Always' is not a valid choice; "
        "accepted: OnceNewDefaultVersionAvailable, OnceCurrentVersionExpired, NoAutoUpgrade.",
    ),
    (
        "deployments.0.region",
        "eastus2",
        f"{D0}.region: 'eastus2' is not a known key; accepted: name, model, version, sku, capacity, "
        "versionUpgradeOption.",
    ),
    (
        "account.customSubdomain",
        "Imagegate_Dev",
        "imagegate:account.customSubdomain: 'Imagegate_Dev' is not valid; accepted: 2-64 lowercase "
        "letters, digits or "
        "hyphens, not starting or ending with a hyphen.",
    ),
    (
        "account.customSubdomain",
        "x",
        "imagegate:account.customSubdomain: 'x' is not valid; accepted: 2-64 lowercase letters, digits or "
        "hyphens, not starting or ending with a hyphen.",
    ),
    (
        "account.customSubdomain",
        "a" * 65,
        f"imagegate:account.customSubdomain: '{'a' * 65}' is not valid; accepted: 2-64 lowercase letters, "
        "digits or "
        "hyphens, not starting or ending with a hyphen.",
    ),
    (
        "account.disableLocalAuth",
        "maybe",
        "imagegate:account.disableLocalAuth: 'maybe' is not a boolean; accepted: true or false.",
    ),
    (
        "account.ipRules",
        ["10.0.0.300"],
        "imagegate:account.ipRules[0]: '10.0.0.300' is not an IPv4 address or CIDR range; accepted: a "
        "public IPv4 "
        "address or CIDR range with a prefix of /30 or shorter, e.g. 203.0.113.0/24.",
    ),
    (
        "candidate",
        {"deployment": "missing", "version": "2025-12-16"},
        "imagegate:candidate.deployment: 'missing' is not the name of a deployment in imagegate:deployments; "
        "accepted: gpt-image.",
    ),
    (
        "candidate",
        {"deployment": "gpt-image"},
        "imagegate:candidate.version: (missing) is required; accepted: a version of gpt-image-1.5: "
        "2025-12-16.",
    ),
    (
        "activeDeployment",
        "other",
        "imagegate:activeDeployment: 'other' is not the name of a deployment; accepted: gpt-image.",
    ),
    (
        "location",
        DELETE,
        "imagegate:location: (missing) is required; accepted: an Azure region name such as eastus2.",
    ),
    ("deployments", [], "imagegate:deployments: [] is empty; accepted: a non-empty list of deployments."),
    (
        "monitoring.thresholds.availabilityPercent",
        0,
        "imagegate:monitoring.thresholds.availabilityPercent: 0 is out of range; accepted: a number "
        "above 0 up to 100.",
    ),
    (
        "monitoring.alertEmails",
        ["not-an-email"],
        "imagegate:monitoring.alertEmails[0]: 'not-an-email' is not valid; "
        "accepted: an email address such as ops@example.com.",
    ),
    (
        "monitoring.budget",
        {"amount": 100, "startDate": "2026-12-15", "contactEmails": ["a@example.com"]},
        "imagegate:monitoring.budget.startDate: '2026-12-15' is not valid; "
        "accepted: the first day of a month as YYYY-MM-01, from 2017-06-01 to 2027-11-01.",
    ),
    (
        "monitoring.budget",
        {"amount": 100, "startDate": "2028-01-01", "contactEmails": ["a@example.com"]},
        "imagegate:monitoring.budget.startDate: '2028-01-01' is out of range; "
        "accepted: the first day of a month as YYYY-MM-01, from 2017-06-01 to 2027-11-01.",
    ),
    (
        "monitoring.budget",
        {
            "amount": 100,
            "startDate": "2026-12-01",
            "contactEmails": ["a@example.com"],
            "thresholds": [80, 80],
        },
        "imagegate:monitoring.budget.thresholds[1]: 80 is listed twice; accepted: each percentage once.",
    ),
    (
        "access.openAiUsers.0.principalId",
        "not-a-guid",
        "imagegate:access.openAiUsers[0].principalId: 'not-a-guid' is not valid; accepted: an Entra "
        "object id (a GUID).",
    ),
    (
        "access.openAiUsers.0.principalType",
        "Robot",
        "imagegate:access.openAiUsers[0].principalType: 'Robot' is not a valid choice; "
        "accepted: ServicePrincipal, User, Group, ForeignGroup, Device.",
    ),
    (
        "contentFilter.severityThreshold",
        "Extreme",
        "imagegate:contentFilter.severityThreshold: 'Extreme' is not a valid choice; accepted: Low, "
        "Medium, High.",
    ),
    (
        "contentFilter.blockTerms",
        ["spam", "spam"],
        "imagegate:contentFilter.blockTerms[1]: 'spam' is listed twice; accepted: each term once.",
    ),
    (
        "namePrefix",
        "Bad Prefix",
        "imagegate:namePrefix: 'Bad Prefix' is not valid; accepted: 3-40 lowercase letters, digits or "
        "hyphens, "
        "starting with a letter.",
    ),
    (
        "deploymentz",
        [],
        "imagegate:deploymentz: [] is not a known key; accepted: environment, location, namePrefix, "
        "resourceGroup, "
        "protect, account, contentFilter, deployments, candidate, activeDeployment, monitoring, access, "
        "tags, regions, gateway.",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "message"), INVALID, ids=[f"{p}={v!r}"[:60] for p, v, _ in INVALID]
)
def test_invalid_config_reports_the_documented_message(path, value, message):
    with pytest.raises(ConfigError) as raised:
        load_stack_config(_with(path, value), "dev", today=TODAY)
    expected = list(message) if isinstance(message, tuple) else [message]
    assert raised.value.problems == expected
    assert all(m in str(raised.value) for m in expected)


def test_sku_not_offered_in_region():
    values = _with("location", "uaenorth")
    values["deployments"][0]["sku"] = "DataZoneStandard"
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, "dev", today=TODAY)
    assert raised.value.problems == [
        f"{D0}.sku: 'DataZoneStandard' is not offered for gpt-image-1.5 in uaenorth; accepted: "
        "GlobalStandard in "
        "uaenorth; DataZoneStandard is offered in eastus2, westus3, polandcentral, swedencentral."
    ]


def test_a_region_the_catalog_knows_but_the_model_is_not_offered_in_names_where_it_is():
    """uaenorth offers gpt-image-1.5; a catalog whose other model is offered only in northeurope makes
    northeurope a known region where gpt-image-1.5 has no SKU at all."""
    from catalog import load_catalog

    base = load_catalog()
    other = base.models["gpt-image-2"]
    only_north = replace(
        other, skus={"GlobalStandard": replace(other.skus["GlobalStandard"], regions=("northeurope",))}
    )
    catalog = replace(base, models={**base.models, "gpt-image-2": only_north})
    with pytest.raises(ConfigError) as raised:
        load_stack_config(_with("location", "northeurope"), "dev", today=TODAY, catalog=catalog)
    assert raised.value.problems == [
        f"{D0}.sku: 'GlobalStandard' is not offered for gpt-image-1.5 in northeurope; accepted: no SKU of "
        "gpt-image-1.5 in northeurope; GlobalStandard is offered in eastus2, westus3, polandcentral, "
        "swedencentral, "
        "uaenorth."
    ]


def test_duplicate_deployment_names():
    values = stack_values("dev")
    values["deployments"].append(dict(values["deployments"][0], name="GPT-Image"))
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, "dev", today=TODAY)
    assert raised.value.problems == [
        "imagegate:deployments[1].name: 'GPT-Image' is used by another deployment; "
        "accepted: a name unique within the account."
    ]


def test_version_retired_by_date():
    with pytest.raises(ConfigError) as raised:
        load_stack_config(stack_values("dev"), "dev", today=date(2027, 6, 16))
    assert raised.value.problems == [
        f"{D0}.version: '2025-12-16' of gpt-image-1.5 retired on 2027-06-16; "
        "accepted: a live version of another model: gpt-image-2 2026-04-21, gpt-image-1-mini 2025-10-06."
    ]


def test_candidate_name_must_fit_azure_limit():
    values = stack_values("dev")
    long_name = "g" * 60
    values["deployments"][0]["name"] = long_name
    values["activeDeployment"] = long_name
    values["candidate"] = {"deployment": long_name, "version": "2025-12-16"}
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, "dev", today=TODAY)
    assert raised.value.problems == [
        f"imagegate:candidate.deployment: '{long_name}' gives the candidate name '{long_name}-candidate', "
        "longer than 64 characters; accepted: a deployment whose name has at most 54 characters."
    ]


def test_warning_for_model_retiring_within_90_days():
    config = load_stack_config(stack_values("dev"), "dev", today=date(2027, 4, 1))
    assert config.warnings == (
        f"{D0}.version: gpt-image-1.5 2025-12-16 retires on 2027-06-16 (76 days); "
        "plan a rollout to a newer version.",
    )


def test_warning_when_capacity_exceeds_default_quota():
    values = _with("deployments.0.capacity", 10)
    config = load_stack_config(values, "dev", today=TODAY)
    assert config.warnings == (
        "deployments of gpt-image-1.5 (GlobalStandard) ask for capacity 10 in eastus2, above the default "
        "quota of 9; "
        "check `usages` or request more quota before `pulumi up`.",
    )


def test_every_problem_reported_at_once():
    values = _with("deployments.0.capacity", -1)
    values["account"]["customSubdomain"] = "-x-"
    values["location"] = 7
    values["monitoring"]["retentionInDays"] = 5
    with pytest.raises(ConfigError) as raised:
        load_stack_config(values, "dev", today=TODAY)
    keys = [p.split(":")[1].split(" ")[0] for p in raised.value.problems]
    assert sorted(keys) == sorted(
        [
            "location",
            "account.customSubdomain",
            "deployments[0].capacity",
            "monitoring.retentionInDays",
        ]
    )
    assert str(raised.value).startswith(
        "The imagegate config of stack 'dev' has 4 problems; fix them in Pulumi.dev.yaml:"
    )


def test_candidate_inherits_from_its_deployment():
    values = stack_values("keyless")
    values["candidate"] = {"deployment": "gpt-image", "model": "gpt-image-2", "version": "2026-04-21"}
    config = load_stack_config(values, "keyless", today=TODAY)
    assert config.candidate is not None
    assert config.candidate.name == "gpt-image-candidate"
    assert [
        (d.name, d.model, d.version, d.sku, d.capacity, d.version_upgrade_option, d.role)
        for d in config.image_deployments
    ] == [
        ("gpt-image", "gpt-image-1.5", "2025-12-16", "GlobalStandard", 6, "NoAutoUpgrade", "stable"),
        (
            "gpt-image-candidate",
            "gpt-image-2",
            "2026-04-21",
            "GlobalStandard",
            6,
            "NoAutoUpgrade",
            "candidate",
        ),
    ]
    assert config.warnings == ()


def test_a_candidate_without_a_sku_takes_its_deployments_sku():
    # docs/config.md: candidate.sku defaults to the deployment's, not to GlobalStandard.
    values = stack_values("keyless")
    values["deployments"][0]["sku"] = "DataZoneStandard"
    values["deployments"][0]["capacity"] = 1
    values["candidate"] = {"deployment": "gpt-image", "model": "gpt-image-2", "version": "2026-04-21"}
    config = load_stack_config(values, "keyless", today=TODAY)
    assert config.candidate is not None
    assert (config.candidate.sku, config.candidate.capacity) == ("DataZoneStandard", 1)


def test_candidate_shares_quota_and_warns_when_it_repeats_the_stable_version():
    values = stack_values("keyless")
    values["candidate"] = {"deployment": "gpt-image", "version": "2025-12-16"}
    config = load_stack_config(values, "keyless", today=TODAY)
    assert config.warnings == (
        "imagegate:candidate deploys gpt-image-1.5@2025-12-16, the version 'gpt-image' already runs; "
        "the rollout will compare a version with itself.",
        "deployments of gpt-image-1.5 (GlobalStandard) ask for capacity 12 in westus3, above the default "
        "quota of 9; "
        "check `usages` or request more quota before `pulumi up`.",
    )
