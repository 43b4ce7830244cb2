"""The real program under Pulumi's mock runtime (preview=False): what a reviewer checks per stack."""

from __future__ import annotations

from engine.recording import DEFAULT_SUBSCRIPTION, AzureMocks, run_program
from infra.naming import OPENAI_USER_ROLE_ID, blocklist_item_name, role_assignment_name
from tests.infra.conftest import stack_config

ACCOUNT = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
ALERT = "azure-native:monitor:MetricAlert"
ROLE = "azure-native:authorization:RoleAssignment"


def _types(run):
    return sorted(r.type for r in run.resources)


def test_dev_resource_set(dev_run):
    assert _types(dev_run) == sorted(
        [
            "azure-native:resources:ResourceGroup",
            "imagegate:foundry:Account",
            ACCOUNT,
            "azure-native:cognitiveservices:Project",
            "imagegate:foundry:ContentFilter",
            "azure-native:cognitiveservices:RaiPolicy",
            "imagegate:foundry:ImageDeployment",
            DEPLOYMENT,
            "imagegate:monitoring:Monitoring",
            "azure-native:operationalinsights:Workspace",
            "azure-native:monitor:DiagnosticSetting",
            "azure-native:monitor:ActionGroup",
            *[ALERT] * 5,
            "imagegate:access:Access",
            ROLE,
        ]
    )


def test_a_keyless_stack_adds_budget_and_second_principal(keyless_run, dev_run):
    extra = list(_types(keyless_run))
    for t in _types(dev_run):
        extra.remove(t)
    assert extra == [ROLE, "azure-native:consumption:Budget"]
    budget = keyless_run.of_type("azure-native:consumption:Budget")[0].inputs
    assert budget["amount"] == 1500
    assert budget["timeGrain"] == "Monthly"
    assert budget["scope"] == f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/rg-imagegate-prod"
    assert budget["timePeriod"] == {"startDate": "2026-12-01T00:00:00Z"}
    assert sorted(n["threshold"] for n in budget["notifications"].values()) == [80, 100]
    assert all(
        n["contactEmails"] == ["finops@example.com", "platform-oncall@example.com"]
        for n in budget["notifications"].values()
    )


def test_every_child_is_parented_to_its_component(prod_run):
    for r in prod_run.resources:
        if r.custom and r.type != "azure-native:resources:ResourceGroup":
            parent = prod_run.parent_of(r)
            assert parent is not None and parent.type.startswith("imagegate:"), r.name


def test_account_settings_dev_vs_keyless(dev_run, keyless_run):
    dev, prod = dev_run.of_type(ACCOUNT)[0], keyless_run.of_type(ACCOUNT)[0]
    assert (dev.inputs["kind"], dev.inputs["sku"], dev.inputs["identity"]) == (
        "AIServices",
        {"name": "S0"},
        {"type": "SystemAssigned"},
    )
    assert dev.inputs["properties"]["customSubDomainName"] == "imagegate-dev-img"
    assert dev.inputs["properties"]["allowProjectManagement"] is True
    assert dev.inputs["properties"]["disableLocalAuth"] is False
    assert "networkAcls" not in dev.inputs["properties"]
    assert prod.inputs["properties"]["disableLocalAuth"] is True
    assert prod.inputs["properties"]["networkAcls"] == {
        "defaultAction": "Deny",
        "ipRules": [{"value": "203.0.113.0/24"}, {"value": "198.51.100.17"}],
    }
    assert (dev.options.protect, prod.options.protect) == (False, True)
    assert prod.inputs["tags"]["environment"] == "prod"


def test_deployment_model_version_sku_capacity(keyless_run):
    (deployment,) = keyless_run.of_type(DEPLOYMENT)
    assert deployment.inputs["deploymentName"] == "gpt-image"
    assert deployment.inputs["sku"] == {"name": "GlobalStandard", "capacity": 6}
    assert deployment.inputs["properties"] == {
        "model": {"format": "OpenAI", "name": "gpt-image-1.5", "version": "2025-12-16"},
        "raiPolicyName": "imagegate_prod_image_filter",
        "versionUpgradeOption": "NoAutoUpgrade",
    }
    assert deployment.options.custom_timeouts == {"create": "45m", "update": "45m", "delete": "30m"}


def test_rai_policy_sets_blocking_and_source_on_every_filter(prod_run):
    policy = prod_run.of_type("azure-native:cognitiveservices:RaiPolicy")[0].inputs["properties"]
    assert policy["basePolicyName"] == "Microsoft.DefaultV2"
    assert policy["mode"] == "Blocking"
    filters = policy["contentFilters"]
    assert all(f["enabled"] is True and f["blocking"] is True for f in filters)
    assert {(f["name"], f["source"]) for f in filters if f.get("severityThreshold") == "Medium"} == {
        (c, s) for c in ("Hate", "Sexual", "Violence", "Selfharm") for s in ("Prompt", "Completion")
    }
    # Microsoft.DefaultV2's detectors, so the custom policy is never weaker than its base.
    assert sorted((f["name"], f["source"]) for f in filters if "severityThreshold" not in f) == [
        ("Jailbreak", "Prompt"),
        ("Protected Material Code", "Completion"),
        ("Protected Material Text", "Completion"),
    ]
    assert len(filters) == 11


def test_severity_threshold_reaches_every_harm_filter():
    run = run_program(stack_config("dev", contentFilter={"severityThreshold": "Low"}))
    filters = run.named("content-filter-policy").inputs["properties"]["contentFilters"]
    assert [f["severityThreshold"] for f in filters if "severityThreshold" in f] == ["Low"] * 8


def test_project_belongs_to_the_account(dev_run):
    account = dev_run.of_type(ACCOUNT)[0]
    project = dev_run.of_type("azure-native:cognitiveservices:Project")[0]
    assert project.inputs["accountName"] == account.outputs["name"] == "imagegate-dev-img"
    assert project.inputs["projectName"] == "imagegate-dev-project"
    assert project.inputs["location"] == "eastus2"
    assert project.inputs["identity"] == {"type": "SystemAssigned"}
    assert dev_run.outputs["projectName"] == "imagegate-dev-project"


def test_deployments_are_serialised_and_wait_for_the_rai_policy():
    values = {
        "deployments": [
            {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 3},
            {"name": "gpt-image-dz", "model": "gpt-image-1.5", "sku": "DataZoneStandard", "capacity": 1},
        ],
        "candidate": {
            "deployment": "gpt-image",
            "model": "gpt-image-2",
            "version": "2026-04-21",
            "capacity": 2,
        },
    }
    run = run_program(stack_config("dev", **values))
    deployments = run.of_type(DEPLOYMENT)
    assert [d.inputs["deploymentName"] for d in sorted(deployments, key=lambda d: d.order)] == [
        "gpt-image",
        "gpt-image-dz",
        "gpt-image-candidate",
    ]
    first, second, candidate = (
        run.named(f"{n}-deployment") for n in ("gpt-image", "gpt-image-dz", "gpt-image-candidate")
    )
    assert "content-filter-policy" in run.dependency_names(first)
    assert {"content-filter-policy", "gpt-image-deployment"} <= run.dependency_names(second)
    assert {"content-filter-policy", "gpt-image-dz-deployment"} <= run.dependency_names(candidate)
    assert first.order < second.order < candidate.order
    assert candidate.inputs["properties"]["versionUpgradeOption"] == "NoAutoUpgrade"
    assert run.outputs["deployments"]["gpt-image-candidate"] == {
        "model": "gpt-image-2",
        "version": "2026-04-21",
        "sku": "GlobalStandard",
        "capacity": 2,
        "role": "candidate",
    }


def test_account_children_change_one_at_a_time():
    # Two children of one account changing at once is Azure's RequestConflict: project, blocklist, each
    # blocklist item and the RAI policy must form one chain ahead of the deployments.
    run = run_program(stack_config("dev", contentFilter={"blockTerms": ["forbidden", "secret project"]}))
    project = run.of_type("azure-native:cognitiveservices:Project")[0]
    blocklist = run.of_type("azure-native:cognitiveservices:RaiBlocklist")[0]
    first_item, second_item = sorted(
        run.of_type("azure-native:cognitiveservices:RaiBlocklistItem"), key=lambda r: r.order
    )
    policy = run.of_type("azure-native:cognitiveservices:RaiPolicy")[0]
    assert project.name in run.dependency_names(blocklist)
    assert blocklist.name in run.dependency_names(first_item)
    assert first_item.name in run.dependency_names(second_item)
    assert second_item.name in run.dependency_names(policy)
    assert project.order < blocklist.order < first_item.order < second_item.order < policy.order


def test_rai_policy_waits_for_the_project_without_blocklist(dev_run):
    project = dev_run.of_type("azure-native:cognitiveservices:Project")[0]
    policy = dev_run.of_type("azure-native:cognitiveservices:RaiPolicy")[0]
    assert project.name in dev_run.dependency_names(policy)


def test_diagnostics_send_all_logs_and_metrics_to_the_workspace(dev_run):
    setting = dev_run.of_type("azure-native:monitor:DiagnosticSetting")[0]
    account = dev_run.of_type(ACCOUNT)[0]
    workspace = dev_run.of_type("azure-native:operationalinsights:Workspace")[0]
    assert setting.inputs["resourceUri"] == account.id
    assert setting.inputs["workspaceId"] == workspace.id
    assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert setting.inputs["metrics"] == [{"category": "AllMetrics", "enabled": True}]
    assert workspace.inputs["retentionInDays"] == 30


def test_alert_metrics_and_thresholds(keyless_run):
    account_id = keyless_run.of_type(ACCOUNT)[0].id
    group_id = keyless_run.of_type("azure-native:monitor:ActionGroup")[0].id
    found = {}
    for alert in keyless_run.of_type(ALERT):
        (criterion,) = alert.inputs["criteria"]["allOf"]
        assert alert.inputs["scopes"] == [account_id]
        assert alert.inputs["actions"] == [{"actionGroupId": group_id}]
        dims = {d["name"]: d["values"] for d in criterion.get("dimensions", [])}
        found[alert.inputs["ruleName"]] = (
            criterion["metricName"],
            criterion["timeAggregation"],
            criterion["operator"],
            criterion["threshold"],
            dims,
        )
    assert found == {
        "imagegate-prod-img-throttling": (
            "AzureOpenAIRequests",
            "Total",
            "GreaterThan",
            10,
            {"StatusCode": ["429"]},
        ),
        "imagegate-prod-img-server-errors": (
            "AzureOpenAIRequests",
            "Total",
            "GreaterThan",
            5,
            {"StatusCode": ["500", "502", "503", "504"]},
        ),
        "imagegate-prod-img-availability": ("AzureOpenAIAvailabilityRate", "Average", "LessThan", 99, {}),
        "imagegate-prod-img-latency": ("AzureOpenAITimeToResponse", "Average", "GreaterThan", 60000, {}),
        "imagegate-prod-img-content-filter": ("RAIRejectedRequests", "Total", "GreaterThan", 20, {}),
    }


def test_action_group_emails(prod_run):
    group = prod_run.of_type("azure-native:monitor:ActionGroup")[0].inputs
    assert [r["emailAddress"] for r in group["emailReceivers"]] == [
        "platform-oncall@example.com",
        "imagegate-owners@example.com",
    ]
    assert len(group["groupShortName"]) <= 12


def test_role_assignments_scope_role_and_deterministic_name(keyless_run):
    account_id = keyless_run.of_type(ACCOUNT)[0].id
    assignments = {r.inputs["principalId"]: r.inputs for r in keyless_run.of_type(ROLE)}
    assert set(assignments) == {
        "22222222-2222-2222-2222-222222222222",
        "33333333-3333-3333-3333-333333333333",
    }
    for principal, inputs in assignments.items():
        assert inputs["scope"] == account_id
        assert inputs["principalType"] == "ServicePrincipal"
        assert inputs["roleDefinitionId"] == (
            f"/subscriptions/{DEFAULT_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/"
            f"{OPENAI_USER_ROLE_ID}"
        )
        assert inputs["roleAssignmentName"] == role_assignment_name(
            DEFAULT_SUBSCRIPTION, "rg-imagegate-prod", "imagegate-prod-img", principal, OPENAI_USER_ROLE_ID
        )
    again = run_program(stack_config("keyless"))
    assert sorted(r.inputs["roleAssignmentName"] for r in again.of_type(ROLE)) == sorted(
        i["roleAssignmentName"] for i in assignments.values()
    )
    other_sub = run_program(
        stack_config("keyless"), AzureMocks(subscription_id="11111111-0000-0000-0000-000000000000")
    )
    assert not {r.inputs["roleAssignmentName"] for r in other_sub.of_type(ROLE)} & {
        i["roleAssignmentName"] for i in assignments.values()
    }


def test_outputs_match_the_contract(prod_run):
    outputs = prod_run.outputs
    assert {
        k: outputs[k]
        for k in (
            "environment",
            "location",
            "resourceGroupName",
            "accountName",
            "endpoint",
            "apiVersion",
            "localAuthDisabled",
            "deployments",
            "activeDeployment",
            "subscriptionId",
        )
    } == {
        "environment": "prod",
        "location": "westus3",
        "resourceGroupName": "rg-imagegate-prod",
        "accountName": "imagegate-prod-img",
        "endpoint": "https://imagegate-prod-img.openai.azure.com/",
        "apiVersion": "2025-04-01-preview",
        "localAuthDisabled": True,
        "deployments": {
            "gpt-image": {
                "model": "gpt-image-1.5",
                "version": "2025-12-16",
                "sku": "GlobalStandard",
                "capacity": 6,
                "role": "stable",
            }
        },
        "activeDeployment": "gpt-image",
        "subscriptionId": DEFAULT_SUBSCRIPTION,
    }
    assert not any("key" in k.lower() for k in outputs)
    # The program never reads keys: no listKeys-style invoke, so none can leak into state or outputs.
    assert [token for token, _ in prod_run.calls] == ["azure-native:authorization:getClientConfig"]


def test_endpoint_comes_from_what_the_account_reports():
    mocks = AzureMocks(endpoint_for=lambda sub: f"https://127.0.0.1:8443/accounts/{sub}")
    run = run_program(stack_config("dev"), mocks)
    assert run.outputs["endpoint"] == "https://127.0.0.1:8443/accounts/imagegate-dev-img/"


def test_existing_resource_group_is_not_declared():
    run = run_program(stack_config("dev", resourceGroup={"name": "rg-shared", "existing": True}))
    assert run.of_type("azure-native:resources:ResourceGroup") == []
    assert run.of_type(ACCOUNT)[0].inputs["resourceGroupName"] == "rg-shared"
    assert run.outputs["resourceGroupName"] == "rg-shared"


def test_private_endpoint_and_blocklist_when_configured():
    subnet = "/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/ai"
    zone = (
        "/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/privateDnsZones"
        "/privatelink.openai.azure.com"
    )
    run = run_program(
        stack_config(
            "keyless",
            account={
                "customSubdomain": "imagegate-prod-img",
                "disableLocalAuth": True,
                "publicNetworkAccess": "Disabled",
                "privateEndpoint": {"subnetId": subnet, "privateDnsZoneId": zone},
            },
            contentFilter={"blockTerms": ["forbidden thing"]},
        )
    )
    endpoint = run.of_type("azure-native:network:PrivateEndpoint")[0].inputs
    assert endpoint["subnet"]["id"] == subnet
    assert endpoint["privateLinkServiceConnections"][0]["privateLinkServiceId"] == run.of_type(ACCOUNT)[0].id
    assert endpoint["privateLinkServiceConnections"][0]["groupIds"] == ["account"]
    group = run.of_type("azure-native:network:PrivateDnsZoneGroup")[0].inputs
    assert group["privateDnsZoneConfigs"][0]["privateDnsZoneId"] == zone
    item = run.of_type("azure-native:cognitiveservices:RaiBlocklistItem")[0].inputs
    assert item["properties"] == {"pattern": "forbidden thing", "isRegex": False}
    policy = run.named("content-filter-policy")
    assert policy.inputs["properties"]["customBlocklists"] == [
        {"blocklistName": "imagegate_prod_blocklist", "blocking": True, "source": "Prompt"}
    ]
    item_name = blocklist_item_name("forbidden thing")
    assert (
        run.of_type("azure-native:cognitiveservices:RaiBlocklistItem")[0].inputs["raiBlocklistItemName"]
        == item_name
    )
    item_resource = run.named(f"content-filter-blocklist-{item_name}")
    assert "content-filter-blocklist" in run.dependency_names(item_resource)
    assert item_resource.name in run.dependency_names(policy)


def test_blocklist_items_are_named_by_term_not_position():
    def item_names(terms):
        run = run_program(stack_config("dev", contentFilter={"blockTerms": terms}))
        items = run.of_type("azure-native:cognitiveservices:RaiBlocklistItem")
        return {i.name: i.inputs["properties"]["pattern"] for i in items}

    both = item_names(["alpha", "beta"])
    # Dropping the first term leaves the second one's resource untouched (same name, same pattern).
    assert item_names(["beta"]).items() <= both.items()
    assert len(both) == 2


def test_prod_is_three_keyless_regions_behind_one_gateway_alias(prod_run):
    accounts = prod_run.of_type(ACCOUNT)
    assert sorted(a.inputs["location"] for a in accounts) == ["eastus2", "swedencentral", "westus3"]
    for account in accounts:
        assert account.inputs["properties"]["disableLocalAuth"] is True
        assert "networkAcls" not in account.inputs["properties"]  # the gateway's addresses are not fixed
        assert account.options.protect is True
    deployments = prod_run.of_type(DEPLOYMENT)
    assert len(deployments) == 3
    assert all(d.inputs["properties"]["versionUpgradeOption"] == "NoAutoUpgrade" for d in deployments)
    assert all(d.inputs["properties"]["model"]["version"] == "2025-12-16" for d in deployments)
    assert len(prod_run.of_type("azure-native:apimanagement:ApiManagementService")) == 1
    assert len(prod_run.of_type("azure-native:consumption:Budget")) == 1
    # the two principals and the gateway's identity on every account, and nothing else
    scopes = {(r.inputs["principalId"], r.inputs["scope"]) for r in prod_run.of_type(ROLE)}
    principals = {"22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333"}
    assert {p for p, _ in scopes} == principals | {"mock-gateway-principal"}
    assert scopes == {(p, a.id) for p in principals | {"mock-gateway-principal"} for a in accounts}
    gateway = prod_run.outputs["gateway"]
    assert list(gateway["aliases"]) == ["gpt-image"]
    members = gateway["aliases"]["gpt-image"]["members"]
    assert [(m["region"], m["priority"]) for m in members] == [
        ("westus3", 1),
        ("eastus2", 1),
        ("swedencentral", 2),
    ]
