"""Resource types the program declares beyond Cognitive Services: stored, listed and inspectable."""

from __future__ import annotations

import httpx
import pytest
from azure.core.exceptions import HttpResponseError

from emulator.testing import RunningEmulator
from tests.emulator.arm.conftest import (
    API_VERSION,
    RG,
    SUBSCRIPTION,
    account_body,
    create_account,
    create_deployment,
)

Q = {"api-version": API_VERSION}
SCOPE = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}"
ACCOUNT = f"{SCOPE}/providers/Microsoft.CognitiveServices/accounts"


def test_extension_and_group_resources_round_trip(mgmt, http: httpx.Client, arm_emu: RunningEmulator):
    create_account(mgmt, "acct-mon", "mon-img")
    account_id = f"{ACCOUNT}/acct-mon"
    diag = f"{account_id}/providers/Microsoft.Insights/diagnosticSettings/to-workspace"
    role = (
        f"{account_id}/providers/Microsoft.Authorization/roleAssignments/0b1c2d3e-0000-0000-0000-000000000001"
    )
    budget = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Consumption/budgets/monthly"
    group = f"{SCOPE}/providers/Microsoft.Insights/actionGroups/oncall"

    # Each provider at the api-version pulumi-azure-native uses, with the statuses its spec declares.
    diag_q, role_q, group_q = (
        {"api-version": "2021-05-01-preview"},
        {"api-version": "2022-04-01"},
        {"api-version": "2024-10-01-preview"},
    )
    put = http.put(
        diag, params=diag_q, json={"properties": {"logs": [{"categoryGroup": "allLogs", "enabled": True}]}}
    )
    assert put.status_code == 200  # DiagnosticSettings_CreateOrUpdate declares only 200
    assert put.json()["type"] == "Microsoft.Insights/diagnosticSettings"
    role_body = {"properties": {"principalId": "p", "roleDefinitionId": "r"}}
    assert http.put(role, params=role_q, json=role_body).status_code == 201
    # Microsoft.Consumption's spec requires category, amount, time grain and period (a sparser body is 400).
    budget_body = {
        "properties": {
            "category": "Cost",
            "amount": 1500,
            "timeGrain": "Monthly",
            "timePeriod": {"startDate": "2026-12-01T00:00:00Z"},
        }
    }
    assert http.put(budget, params=Q, json=budget_body).status_code == 201
    group_body = {"location": "Global", "properties": {"groupShortName": "oncall", "enabled": True}}
    assert http.put(group, params=group_q, json=group_body).status_code == 201
    group_body["properties"]["enabled"] = False
    assert http.put(group, params=group_q, json=group_body).status_code == 200

    assert http.get(diag, params=Q).json()["properties"]["logs"][0]["categoryGroup"] == "allLogs"
    listed = http.get(f"{account_id}/providers/Microsoft.Insights/diagnosticSettings", params=Q).json()[
        "value"
    ]
    assert [d["name"] for d in listed] == ["to-workspace"]
    groups = http.get(f"{SCOPE}/providers/Microsoft.Insights/actionGroups", params=Q).json()["value"]
    assert [(g["name"], g["properties"]["enabled"]) for g in groups] == [("oncall", False)]

    everything = {r["id"] for r in arm_emu.admin("GET", "arm/resources").json()["value"]}
    assert {diag, role, budget, group, account_id} <= everything

    assert http.delete(group, params=Q).status_code == 200
    missing = http.get(group, params=Q)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "ResourceNotFound")


def test_extension_resource_under_missing_account_is_parent_not_found(http: httpx.Client):
    diag = f"{ACCOUNT}/ghost/providers/Microsoft.Insights/diagnosticSettings/d"
    answer = http.put(diag, params=Q, json={"properties": {}})
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "ParentResourceNotFound")


def test_private_endpoint_to_an_account_still_provisioning_is_refused(http: httpx.Client):
    http.put(f"{ACCOUNT}/acct-pe", params=Q, json=account_body("pe-img"))
    endpoint = f"{SCOPE}/providers/Microsoft.Network/privateEndpoints/pe"
    body = {
        "location": "eastus2",
        "properties": {
            "privateLinkServiceConnections": [
                {
                    "name": "c",
                    "properties": {"privateLinkServiceId": f"{ACCOUNT}/acct-pe", "groupIds": ["account"]},
                }
            ]
        },
    }
    answer = http.put(endpoint, params=Q, json=body)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "AccountProvisioningStateInvalid")


def test_rai_blocklist_terms_reach_the_data_plane(mgmt, http: httpx.Client, arm_emu: RunningEmulator):
    create_account(mgmt, "acct-rai", "rai-img")
    account_id = f"{ACCOUNT}/acct-rai"
    http.put(f"{account_id}/raiBlocklists/terms", params=Q, json={"properties": {"description": "banned"}})
    http.put(
        f"{account_id}/raiBlocklists/terms/raiBlocklistItems/one",
        params=Q,
        json={"properties": {"pattern": "forbidden-castle", "isRegex": False}},
    )
    mgmt.rai_policies.create_or_update(
        RG,
        "acct-rai",
        "strict",
        {
            "properties": {
                "basePolicyName": "Microsoft.DefaultV2",
                "contentFilters": [{"name": "Hate", "enabled": True, "blocking": True, "source": "Prompt"}],
                "customBlocklists": [{"blocklistName": "terms", "blocking": True, "source": "Prompt"}],
            }
        },
    )
    create_deployment(mgmt, "acct-rai", "gpt-image", capacity=5, raiPolicyName="strict")
    key = mgmt.accounts.list_keys(RG, "acct-rai").key1

    with httpx.Client(verify=arm_emu.verify, timeout=30) as client:
        answer = client.post(
            f"{arm_emu.endpoint('rai-img')}openai/deployments/gpt-image/images/generations",
            params={"api-version": "2025-04-01-preview"},
            headers={"api-key": key},
            json={"prompt": "draw the forbidden-castle", "quality": "low"},
        )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "content_policy_violation"


def test_rai_policy_filters_need_blocking_and_source(mgmt):
    create_account(mgmt, "acct-bad-rai", "bad-rai-img")
    with pytest.raises(HttpResponseError) as info:
        mgmt.rai_policies.create_or_update(
            RG,
            "acct-bad-rai",
            "p",
            {
                "properties": {
                    "basePolicyName": "Microsoft.DefaultV2",
                    "contentFilters": [{"name": "Hate", "enabled": True}],
                }
            },
        )
    assert info.value.error.code == "InvalidResourceProperties"


def test_projects_need_allow_project_management(mgmt):
    create_account(mgmt, "acct-noproj", "noproj-img")
    with pytest.raises(HttpResponseError) as info:
        mgmt.projects.begin_create(RG, "acct-noproj", "proj", {"location": "eastus2", "properties": {}})
    assert info.value.error.code == "InvalidResourceProperties"

    create_account(mgmt, "acct-proj", "proj-img", allowProjectManagement=True)
    project = mgmt.projects.begin_create(
        RG,
        "acct-proj",
        "proj",
        {
            "location": "eastus2",
            "identity": {"type": "SystemAssigned"},
            "properties": {"displayName": "Images"},
        },
    ).result()
    assert project.properties.provisioning_state == "Succeeded"
    assert project.identity.principal_id
    assert [p.name for p in mgmt.projects.list(RG, "acct-proj")] == ["proj"]
    assert project.properties.endpoints["AI Foundry API"].endswith("accounts/proj-img/api/projects/proj")
