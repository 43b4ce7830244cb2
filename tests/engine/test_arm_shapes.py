"""The shapes the local engine sends to ARM (engine/resource_map.py, engine/wire_names.py), in process and
table by table: input names as pulumi-azure-native spells them, the provider's api-version for every type
the engine applies, the path and body built from a resource's inputs, ARM's answer read back as outputs,
and when an answer already holds what the program asked for.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.errors import EngineUsageError
from engine.resource_map import (
    ARM_TYPES,
    ArmRequest,
    arm_type_for,
    is_azure_resource,
    is_subset,
    to_arm_request,
    to_pulumi_outputs,
)
from engine.wire_names import provider_api_version, pulumi_name
from tests.plain_ids import plain

SUB = "00000000-0000-0000-0000-000000000000"
RG_ID = f"/subscriptions/{SUB}/resourceGroups/rg"

NAMES = [
    ("retentionInDays", {}, "retentionInDays"),
    ("Severity", {}, "severity"),
    ("odata.type", {}, "odataType"),
    ("a.b.cD", {}, "aBCD"),
    ("x", {"x-ms-client-name": "ClientName"}, "clientName"),
    ("x", {"x-ms-client-name": ""}, "x"),
    ("x", {"x-ms-client-name": 5}, "x"),
    ("", {}, ""),
]


@pytest.mark.parametrize(("wire", "schema", "name"), NAMES, ids=plain)
def test_an_input_is_named_as_the_provider_names_it(wire: str, schema: dict[str, Any], name: str) -> None:
    assert pulumi_name(wire, schema) == name


@pytest.mark.parametrize("token", sorted(ARM_TYPES), ids=plain)
def test_the_installed_providers_api_version_is_found_for_every_type(token: str) -> None:
    """Read from the provider's own module (``RaiBlocklistItem`` lives in ``rai_blocklist_item.py``)."""
    assert provider_api_version(token) == ARM_TYPES[token].api_version


@pytest.mark.parametrize(
    "token", ["azure-native:nope:Thing", "azure-native:cognitiveservices:NoSuchType"], ids=plain
)
def test_a_type_the_provider_does_not_have_has_no_api_version(token: str) -> None:
    assert provider_api_version(token) is None


def request(token: str, inputs: dict[str, Any], name: str = "logical") -> ArmRequest:
    return to_arm_request(token, name, inputs, subscription_id=SUB, location="eastus2")


def test_unset_inputs_are_dropped_and_whole_numbers_are_integers_again() -> None:
    got = request(
        "azure-native:cognitiveservices:Deployment",
        {
            "resourceGroupName": "rg",
            "accountName": "acct",
            "deploymentName": "d",
            "sku": {"name": "GlobalStandard", "capacity": 2.0, "tier": None},
            "properties": {"raiPolicyName": None, "list": [1.0, 1.5, {"n": 3.0}]},
        },
    )
    assert got.body == {
        "sku": {"name": "GlobalStandard", "capacity": 2},
        "properties": {"list": [1, 1.5, {"n": 3}]},
    }
    assert type(got.body["sku"]["capacity"]) is int
    assert (got.arm_name, got.kind, got.logical_name, got.token) == (
        "d",
        "cognitiveservices:Deployment",
        "logical",
        "azure-native:cognitiveservices:Deployment",
    )


def test_a_discriminated_type_takes_its_subtypes_wire_names() -> None:
    criterion = {
        "name": "c",
        "metricName": "m",
        "operator": "GreaterThan",
        "threshold": 5.0,
        "timeAggregation": "Total",
        "criterionType": "StaticThresholdCriterion",
    }
    got = request(
        "azure-native:monitor:MetricAlert",
        {
            "resourceGroupName": "rg",
            "ruleName": "r",
            "location": "global",
            "severity": 2.0,
            "scopes": ["/x"],
            "criteria": {
                "odataType": "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                "allOf": [criterion],
            },
        },
    )
    assert got.path == f"{RG_ID}/providers/Microsoft.Insights/metricAlerts/r"
    assert got.api_version == "2018-03-01"
    assert got.body == {
        "location": "global",
        "properties": {
            "severity": 2,
            "scopes": ["/x"],
            "criteria": {
                "odata.type": "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                "allOf": [{**criterion, "threshold": 5}],
            },
        },
    }


def test_a_flattened_type_without_a_spec_goes_back_under_properties_by_the_table() -> None:
    got = request(
        "azure-native:network:PrivateDnsZoneGroup",
        {
            "resourceGroupName": "rg",
            "privateEndpointName": "pe",
            "privateDnsZoneGroupName": "g",
            "name": "g",
            "id": "/some/id",
            "privateDnsZoneConfigs": [{"name": "z", "privateDnsZoneId": "/zone"}],
        },
    )
    assert got.path == f"{RG_ID}/providers/Microsoft.Network/privateEndpoints/pe/privateDnsZoneGroups/g"
    assert got.body["name"] == "g" and got.body["id"] == "/some/id"
    assert got.body["properties"]["privateDnsZoneConfigs"][0]["name"] == "z"


def test_a_flattened_type_with_nothing_but_top_level_inputs_has_no_properties() -> None:
    got = request("azure-native:resources:ResourceGroup", {"resourceGroupName": "rg", "tags": {"a": "b"}})
    assert got.body == {"tags": {"a": "b"}, "location": "eastus2"}
    assert request(
        "azure-native:resources:ResourceGroup", {"resourceGroupName": "rg", "location": "westus3"}
    ).body == {"location": "westus3"}


def test_only_types_placed_by_the_stack_get_its_location() -> None:
    got = request(
        "azure-native:cognitiveservices:RaiPolicy",
        {"resourceGroupName": "rg", "accountName": "a", "raiPolicyName": "p"},
    )
    assert "location" not in got.body


@pytest.mark.parametrize(
    ("inputs", "sentence"),
    [
        (
            {"accountName": "a"},
            "acct (azure-native:cognitiveservices:Account) has no 'resourceGroupName'; "
            "the program must set it.",
        ),
        (
            {"resourceGroupName": "", "accountName": "a"},
            "acct (azure-native:cognitiveservices:Account) has no 'resourceGroupName'; the program must "
            "set it.",
        ),
        (
            {"resourceGroupName": 5, "accountName": "a"},
            "acct (azure-native:cognitiveservices:Account) has no 'resourceGroupName'; the program must "
            "set it.",
        ),
    ],
)
def test_a_path_input_that_is_missing_or_not_text_is_a_usage_error(
    inputs: dict[str, Any], sentence: str
) -> None:
    with pytest.raises(EngineUsageError) as caught:
        request("azure-native:cognitiveservices:Account", inputs, "acct")
    assert str(caught.value) == sentence


def test_a_scope_that_is_not_an_arm_id_is_a_usage_error() -> None:
    with pytest.raises(EngineUsageError) as caught:
        request("azure-native:consumption:Budget", {"scope": "subscriptions/x", "budgetName": "b"}, "budget")
    assert str(caught.value) == (
        "budget (azure-native:consumption:Budget) has a scope that is not an ARM id: "
        "'subscriptions/x/providers/Microsoft.Consumption/budgets/b'."
    )


def test_path_parameters_leave_out_the_subscription() -> None:
    assert arm_type_for("azure-native:cognitiveservices:RaiBlocklistItem").path_params == (
        "resourceGroupName",
        "accountName",
        "raiBlocklistName",
        "raiBlocklistItemName",
    )


@pytest.mark.parametrize(
    ("token", "azure"),
    [
        ("azure-native:cognitiveservices:Account", True),
        ("pulumi:providers:azure-native", False),
        ("imagegate:index:Stack", False),
        ("azure-nativ:x:Y", False),
    ],
)
def test_only_azure_native_resources_are_applied(token: str, azure: bool) -> None:
    assert is_azure_resource(token) is azure


def test_outputs_keep_properties_nested_for_an_unflattened_type() -> None:
    outputs = to_pulumi_outputs(
        "azure-native:cognitiveservices:Deployment",
        {"accountName": "a", "unset": None, "sku": {"capacity": 2.0}},
        {"id": "/d", "properties": {"provisioningState": "Succeeded"}},
    )
    assert outputs == {
        "accountName": "a",
        "sku": {"capacity": 2},
        "id": "/d",
        "properties": {"provisioningState": "Succeeded"},
    }


def test_outputs_without_properties_in_the_answer() -> None:
    outputs = to_pulumi_outputs(
        "azure-native:monitor:ActionGroup", {"groupShortName": "ig"}, {"id": "/g", "properties": None}
    )
    assert outputs == {"groupShortName": "ig", "id": "/g"}
    flattened = to_pulumi_outputs("azure-native:monitor:ActionGroup", {}, {"properties": {"enabled": True}})
    assert flattened == {"enabled": True}


SUBSETS = [
    ({}, {"a": 1}, True),
    ({"a": 1}, [], False),
    ({"a": 1}, None, False),
    ([1, 2], (1, 2), True),
    ((1, 2), [1, 2], True),
    ([1, 2], [2, 1], False),
    ([1], {"0": 1}, False),
    ([], [], True),
    (True, True, True),
    (False, 0, False),
    (1, True, False),
    (2, 2.0, True),
    (2.5, 2, False),
    ("a", "a", True),
    ("a", "b", False),
    ("1", 1, False),
    (None, None, True),
]


@pytest.mark.parametrize(("desired", "actual", "expected"), SUBSETS, ids=plain)
def test_what_counts_as_already_applied(desired: Any, actual: Any, expected: bool) -> None:
    assert is_subset(desired, actual) is expected


def test_a_flattened_type_without_a_spec_merges_given_properties_with_the_flattened_ones() -> None:
    got = request(
        "azure-native:network:PrivateEndpoint",
        {
            "resourceGroupName": "rg",
            "privateEndpointName": "pe",
            "location": "westus3",
            "properties": {"customNetworkInterfaceName": "nic"},
            "subnet": {"id": "/subnet"},
        },
    )
    assert got.body == {
        "location": "westus3",
        "properties": {"customNetworkInterfaceName": "nic", "subnet": {"id": "/subnet"}},
    }


def test_only_a_trailing_slash_is_taken_off_a_path_input() -> None:
    got = request(
        "azure-native:cognitiveservices:Account", {"resourceGroupName": "rg-X/", "accountName": "aX"}
    )
    assert (
        got.path
        == f"/subscriptions/{SUB}/resourceGroups/rg-X/providers/Microsoft.CognitiveServices/accounts/aX"
    )


def test_an_answer_without_properties_leaves_the_inputs_as_they_were() -> None:
    outputs = to_pulumi_outputs(
        "azure-native:cognitiveservices:Account", {"kind": "AIServices"}, {"id": "/a"}
    )
    assert outputs == {"kind": "AIServices", "id": "/a"}
