"""Names that identify live Azure resources, pinned to literal values.

A changed name is a new resource: on the next ``pulumi up`` Azure deletes the resource with the old name
and creates one with the new (a role assignment, a blocklist item, a deployment that serves traffic).
So these expectations are written out literally and never computed with the code under test. If one of
these tests fails, the change replaces resources in every environment: revert it, or ship it with
``aliases=`` and a migration note, then update the literal here on purpose.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine.recording import name_input, run_program
from infra.naming import (
    OPENAI_USER_ROLE_ID,
    ROLE_ASSIGNMENT_NAMESPACE,
    blocklist_item_name,
    openai_endpoint,
    resource_names,
    role_assignment_name,
)
from tests.infra.conftest import stack_config

SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
PRINCIPAL = "11111111-2222-3333-4444-555555555555"


def test_the_role_assignment_namespace_is_pinned():
    # Changing it renames (replaces) every role assignment in every environment.
    assert str(ROLE_ASSIGNMENT_NAMESPACE) == "5b0ad1a4-1b8e-4a53-9c0e-6d1f0c2a7e11"
    assert OPENAI_USER_ROLE_ID == "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"  # Cognitive Services OpenAI User


@pytest.mark.parametrize(
    ("subscription", "group", "account", "principal", "role", "guid"),
    [
        (SUBSCRIPTION, "rg-imagegate-prod", "imagegate-prod-img", PRINCIPAL, OPENAI_USER_ROLE_ID,
         "c921f364-feef-586a-af01-e43a5796e985"),
        # Scope, principal and role are compared case-insensitively, as Azure compares them.
        (SUBSCRIPTION, "RG-IMAGEGATE-PROD", "ImageGate-Prod-Img", PRINCIPAL.upper(),
         OPENAI_USER_ROLE_ID.upper(), "c921f364-feef-586a-af01-e43a5796e985"),
        ("00000000-0000-0000-0000-000000000001", "rg-imagegate-prod", "imagegate-prod-img", PRINCIPAL,
         OPENAI_USER_ROLE_ID, "f92ecdcd-9b5c-516e-8d88-d0f322920d44"),
        (SUBSCRIPTION, "rg-imagegate-prod", "imagegate-prod-img", "22222222-2222-2222-2222-222222222222",
         OPENAI_USER_ROLE_ID, "4f9bf6be-3e42-5552-a58f-9f9a2124a223"),
        (SUBSCRIPTION, "rg-imagegate-prod", "imagegate-prod-img", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
         OPENAI_USER_ROLE_ID, "9e08371d-a288-5c68-9999-0d549735bdf8"),
        (SUBSCRIPTION, "rg-imagegate-prod", "imagegate-prod-img", "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE",
         OPENAI_USER_ROLE_ID, "9e08371d-a288-5c68-9999-0d549735bdf8"),
    ],
    ids=["prod", "case-insensitive", "other-subscription", "other-principal", "letters", "letters-upper"],
)
def test_role_assignment_guids_are_pinned(subscription, group, account, principal, role, guid):
    # Changing this GUID replaces the role assignment in Azure (a new name is a new resource).
    assert role_assignment_name(subscription, group, account, principal, role) == guid


@pytest.mark.parametrize(
    ("term", "name"),
    [
        ("forbidden thing", "term-e62f1bfcdba9512c"),
        ("Ünïcode term", "term-61a1b7b0bd7c32f0"),
        ("Forbidden thing", "term-01cb0d1115beae53"),
    ],
    ids=["ascii", "unicode", "case-matters"],
)
def test_blocklist_item_names_are_pinned(term, name):
    # Changing this name replaces the blocklist item in Azure (delete, then create).
    assert blocklist_item_name(term) == name


def test_resource_names_are_pinned():
    # Every name here is an Azure resource name; changing one replaces that resource.
    names = resource_names(stack_config("keyless", **NAMED))
    assert names.resource_group == "rg-contoso-img"
    assert names.account == "contoso-img-prod"
    assert names.project == "contoso-img-project"
    assert names.rai_policy == "contoso_img_image_filter"
    assert names.blocklist == "contoso_img_blocklist"
    assert names.workspace == "contoso-img-logs"
    assert names.diagnostic_setting == "contoso-img-prod-diagnostics"
    assert names.action_group == "contoso-img-alerts"
    assert names.action_group_short == "ig-prod"
    assert names.budget == "contoso-img-monthly"
    assert names.private_endpoint == "contoso-img-prod-pe"
    assert names.alert("latency") == "contoso-img-prod-latency"


@pytest.mark.parametrize(
    ("endpoints", "endpoint"),
    [
        ({"OpenAI Language Model Instance API": "https://acct.openai.azure.com/"}, "https://acct.openai.azure.com/"),
        ({"OpenAI Language Model Instance API": "https://acct.openai.azure.com"}, "https://acct.openai.azure.com/"),
        ({"Other": "https://other.example/"}, "https://contoso-img.openai.azure.com/"),
        ({"OpenAI Language Model Instance API": ""}, "https://contoso-img.openai.azure.com/"),
        (None, "https://contoso-img.openai.azure.com/"),
    ],
    ids=["reported", "reported-without-slash", "other-key", "empty", "none"],
)
def test_the_endpoint_is_what_the_account_reports_else_the_documented_pattern(endpoints, endpoint):
    assert openai_endpoint(endpoints, "contoso-img") == endpoint


def test_long_names_are_cut_where_azure_cuts_them():
    longest = "a" * 40  # the longest prefix the config accepts
    names = resource_names(stack_config("dev", namePrefix=longest))
    assert names.rai_policy == longest + "_image_filter" and names.blocklist == longest + "_blocklist"
    assert resource_names(stack_config("dev", environment="integration")).action_group_short == "ig-integrati"


NETWORK = "/subscriptions/s/resourceGroups/n/providers/Microsoft.Network"
NAMED: dict[str, Any] = {
    "namePrefix": "contoso-img",
    "resourceGroup": {"name": "rg-contoso-img"},
    "account": {
        "customSubdomain": "contoso-img-prod",
        "disableLocalAuth": True,
        "privateEndpoint": {
            "subnetId": f"{NETWORK}/virtualNetworks/v/subnets/pe",
            "privateDnsZoneId": f"{NETWORK}/privateDnsZones/privatelink.openai.azure.com",
        },
    },
    "contentFilter": {
        "basePolicyName": "Microsoft.DefaultV2",
        "severityThreshold": "Medium",
        "blockTerms": ["forbidden thing", "Ünïcode term"],
    },
    "access": {
        "openAiUsers": [
            {"name": "image-api", "principalId": "22222222-2222-2222-2222-222222222222",
             "principalType": "ServicePrincipal"},
        ]
    },
    "deployments": [
        {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "sku": "GlobalStandard",
         "capacity": 6, "versionUpgradeOption": "NoAutoUpgrade"},
    ],
    "activeDeployment": "gpt-image",
    "candidate": {"deployment": "gpt-image", "model": "gpt-image-2", "version": "2026-04-21", "capacity": 3,
                  "sku": "GlobalStandard"},
}

# (type, Pulumi logical name, Azure name) of every resource the program declares. Both names matter:
# a new logical name is a new resource to Pulumi, a new Azure name a new resource to Azure; either
# change deletes and re-creates the resource (a role assignment, a deployment serving traffic).
PINNED = [
    ("authorization:RoleAssignment", "access-image-api", "12bb0fd0-0c99-5811-ab70-02b0dc95a9fb"),
    ("cognitiveservices:Account", "foundry-account", "contoso-img-prod"),
    ("cognitiveservices:Deployment", "gpt-image-candidate-deployment", "gpt-image-candidate"),
    ("cognitiveservices:Deployment", "gpt-image-deployment", "gpt-image"),
    ("cognitiveservices:Project", "foundry-project", "contoso-img-project"),
    ("cognitiveservices:RaiBlocklist", "content-filter-blocklist", "contoso_img_blocklist"),
    ("cognitiveservices:RaiBlocklistItem", "content-filter-blocklist-term-61a1b7b0bd7c32f0",
     "term-61a1b7b0bd7c32f0"),
    ("cognitiveservices:RaiBlocklistItem", "content-filter-blocklist-term-e62f1bfcdba9512c",
     "term-e62f1bfcdba9512c"),
    ("cognitiveservices:RaiPolicy", "content-filter-policy", "contoso_img_image_filter"),
    ("consumption:Budget", "monitoring-budget", "contoso-img-monthly"),
    ("monitor:ActionGroup", "monitoring-action-group", "contoso-img-alerts"),
    ("monitor:DiagnosticSetting", "monitoring-diagnostics", "contoso-img-prod-diagnostics"),
    ("monitor:MetricAlert", "monitoring-availability", "contoso-img-prod-availability"),
    ("monitor:MetricAlert", "monitoring-content-filter", "contoso-img-prod-content-filter"),
    ("monitor:MetricAlert", "monitoring-latency", "contoso-img-prod-latency"),
    ("monitor:MetricAlert", "monitoring-server-errors", "contoso-img-prod-server-errors"),
    ("monitor:MetricAlert", "monitoring-throttling", "contoso-img-prod-throttling"),
    ("network:PrivateDnsZoneGroup", "private-access-dns", "default"),
    ("network:PrivateEndpoint", "private-access-endpoint", "contoso-img-prod-pe"),
    ("operationalinsights:Workspace", "monitoring-workspace", "contoso-img-logs"),
    ("resources:ResourceGroup", "resource-group", "rg-contoso-img"),
]


def test_every_resource_of_the_program_keeps_its_logical_and_azure_name():
    run = run_program(stack_config("keyless", **NAMED))
    seen = sorted(
        (r.type.split(":", 1)[1], r.name, r.inputs.get(name_input(r.type))) for r in run.resources if r.custom
    )
    assert seen == PINNED
