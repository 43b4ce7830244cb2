"""How mock-runtime inputs become ARM ids and bodies, and ARM answers become Pulumi outputs."""

from __future__ import annotations

import pytest

from engine.errors import EngineUsageError, UnsupportedResource
from engine.resource_map import is_subset, to_arm_request, to_pulumi_outputs

SUB = "00000000-0000-0000-0000-000000000000"
RG_ID = f"/subscriptions/{SUB}/resourceGroups/rg-x"
ACCOUNT_ID = f"{RG_ID}/providers/Microsoft.CognitiveServices/accounts/acct"


def request(token: str, inputs: dict, name: str = "logical"):
    return to_arm_request(token, name, inputs, subscription_id=SUB, location="eastus2")


@pytest.mark.parametrize(
    ("token", "inputs", "path"),
    [
        ("azure-native:resources:ResourceGroup", {"resourceGroupName": "rg-x"}, RG_ID),
        (
            "azure-native:cognitiveservices:Account",
            {"resourceGroupName": "rg-x", "accountName": "acct"},
            ACCOUNT_ID,
        ),
        (
            "azure-native:cognitiveservices:Deployment",
            {"resourceGroupName": "rg-x", "accountName": "acct", "deploymentName": "gpt-image"},
            f"{ACCOUNT_ID}/deployments/gpt-image",
        ),
        (
            "azure-native:monitor:DiagnosticSetting",
            {"resourceUri": ACCOUNT_ID, "name": "diag"},
            f"{ACCOUNT_ID}/providers/Microsoft.Insights/diagnosticSettings/diag",
        ),
        (
            "azure-native:authorization:RoleAssignment",
            {"scope": ACCOUNT_ID + "/", "roleAssignmentName": "1234"},
            f"{ACCOUNT_ID}/providers/Microsoft.Authorization/roleAssignments/1234",
        ),
        (
            "azure-native:consumption:Budget",
            {"scope": f"/subscriptions/{SUB}", "budgetName": "monthly"},
            f"/subscriptions/{SUB}/providers/Microsoft.Consumption/budgets/monthly",
        ),
    ],
)
def test_path_is_the_arm_id_built_from_the_path_inputs(token: str, inputs: dict, path: str) -> None:
    assert request(token, inputs).path == path


def test_cognitive_services_bodies_keep_their_properties_and_drop_path_inputs() -> None:
    got = request(
        "azure-native:cognitiveservices:Deployment",
        {
            "resourceGroupName": "rg-x",
            "accountName": "acct",
            "deploymentName": "gpt-image",
            "sku": {"name": "GlobalStandard", "capacity": 2},
            "properties": {"model": {"format": "OpenAI", "name": "gpt-image-1.5", "version": "2025-12-16"}},
        },
    )
    assert got.body == {
        "sku": {"name": "GlobalStandard", "capacity": 2},
        "properties": {"model": {"format": "OpenAI", "name": "gpt-image-1.5", "version": "2025-12-16"}},
    }
    assert got.api_version == "2025-06-01"
    assert got.kind == "cognitiveservices:Deployment"


def test_flattened_inputs_go_back_under_properties_and_location_defaults_to_the_stack() -> None:
    got = request(
        "azure-native:operationalinsights:Workspace",
        {
            "resourceGroupName": "rg-x",
            "workspaceName": "logs",
            "retentionInDays": 30,
            "sku": {"name": "PerGB2018"},
            "tags": {"env": "dev"},
        },
    )
    assert got.body == {
        "location": "eastus2",
        "tags": {"env": "dev"},
        "properties": {"retentionInDays": 30, "sku": {"name": "PerGB2018"}},
    }


def test_a_missing_name_input_falls_back_to_the_logical_name() -> None:
    inputs = {"resourceGroupName": "rg-x", "groupShortName": "ig"}
    got = request("azure-native:monitor:ActionGroup", inputs, "alerts")
    assert got.path.endswith("/actionGroups/alerts")
    assert got.body == {"properties": {"groupShortName": "ig"}}


def test_a_missing_scope_is_a_usage_error_naming_the_resource() -> None:
    expected = r"role \(azure-native:authorization:RoleAssignment\) has no 'scope'"
    with pytest.raises(EngineUsageError, match=expected):
        request("azure-native:authorization:RoleAssignment", {"roleAssignmentName": "1"}, "role")


def test_an_unknown_type_names_the_table_to_extend() -> None:
    with pytest.raises(UnsupportedResource, match="azure-native:storage:StorageAccount.*resource_map.py"):
        request("azure-native:storage:StorageAccount", {})


def test_outputs_overlay_the_arm_answer_and_unflatten_properties_for_flattened_types() -> None:
    inputs = {"resourceGroupName": "rg-x", "workspaceName": "logs", "retentionInDays": 30}
    answer = {"id": "/x/logs", "name": "logs", "properties": {"customerId": "abc", "retentionInDays": 30}}
    outputs = to_pulumi_outputs("azure-native:operationalinsights:Workspace", inputs, answer)
    assert outputs["customerId"] == "abc"
    assert outputs["id"] == "/x/logs"
    assert "properties" not in outputs


def test_outputs_of_an_account_carry_the_endpoints_arm_reports() -> None:
    answer = {"name": "acct", "properties": {"endpoints": {"OpenAI Language Model Instance API": "https://e/"}}}
    outputs = to_pulumi_outputs("azure-native:cognitiveservices:Account", {"properties": {"x": 1}}, answer)
    assert outputs["properties"] == {"endpoints": {"OpenAI Language Model Instance API": "https://e/"}}


@pytest.mark.parametrize(
    ("desired", "actual", "expected"),
    [
        ({"a": 1}, {"a": 1, "provisioningState": "Succeeded"}, True),
        ({"a": 1}, {"a": 2}, False),
        ({"a": {"b": [1, 2]}}, {"a": {"b": [1, 2], "c": 3}}, True),
        ({"a": [1, 2]}, {"a": [1]}, False),
        ({"a": True}, {"a": 1}, False),
        ({"capacity": 2}, {"capacity": 2.0}, True),
        ({"missing": None}, {}, False),
    ],
)
def test_is_subset(desired: dict, actual: dict, expected: bool) -> None:
    assert is_subset(desired, actual) is expected
