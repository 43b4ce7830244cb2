"""The gateway program under Pulumi's mock runtime: what a reviewer checks on a stack with regions and a
gateway (the pool example), and that a stack without them declares exactly what it did."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.recording import DEFAULT_SUBSCRIPTION, ProgramRun, run_program
from infra.config import load_stack_config, read_stack_file
from infra.gateway_policy import policy_xml
from infra.naming import OPENAI_USER_ROLE_ID, role_assignment_name

ROOT = Path(__file__).resolve().parents[2]
APIM = "azure-native:apimanagement:"
ACCOUNT = "azure-native:cognitiveservices:Account"
ROLE = "azure-native:authorization:RoleAssignment"
RG = "rg-imagegate-pool"
SERVICE_ID = (
    f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/{RG}"
    "/providers/Microsoft.ApiManagement/service/imagegate-pool-gw"
)


def pool_config():
    return load_stack_config(
        read_stack_file(ROOT / "examples" / "stacks" / "Pulumi.pool.yaml"), "pool", today=date(2026, 11, 25)
    )


@pytest.fixture(scope="module")
def pool_run() -> ProgramRun:
    return run_program(pool_config())


def test_each_region_has_its_account_filter_deployment_diagnostics_and_alerts(pool_run: ProgramRun) -> None:
    accounts = pool_run.of_type(ACCOUNT)
    assert sorted(
        (a.name, a.inputs["location"], a.inputs["properties"]["customSubDomainName"]) for a in accounts
    ) == [
        ("foundry-account", "eastus2", "imagegate-pool-eus2"),
        ("foundry-swedencentral-account", "swedencentral", "imagegate-pool-swc"),
        ("foundry-westus3-account", "westus3", "imagegate-pool-wus3"),
    ]
    assert [a.inputs["properties"]["disableLocalAuth"] for a in accounts] == [True] * 3  # keyless
    deployments = pool_run.of_type("azure-native:cognitiveservices:Deployment")
    # Registration order across regions follows Pulumi's output resolution: compare as sets.
    assert sorted((d.name, d.inputs["accountName"]) for d in deployments) == [
        ("gpt-image-deployment", "imagegate-pool-eus2"),
        ("gpt-image-swedencentral-deployment", "imagegate-pool-swc"),
        ("gpt-image-westus3-deployment", "imagegate-pool-wus3"),
    ]
    assert len(pool_run.of_type("azure-native:cognitiveservices:RaiPolicy")) == 3
    # One workspace and action group for the stack; a diagnostic setting and five alerts per account, plus
    # the gateway's diagnostic setting.
    assert len(pool_run.of_type("azure-native:operationalinsights:Workspace")) == 1
    assert len(pool_run.of_type("azure-native:monitor:ActionGroup")) == 1
    assert len(pool_run.of_type("azure-native:monitor:MetricAlert")) == 15
    settings = pool_run.of_type("azure-native:monitor:DiagnosticSetting")
    assert sorted(s.inputs["name"] for s in settings) == [
        "imagegate-pool-eus2-diagnostics",
        "imagegate-pool-gw-diagnostics",
        "imagegate-pool-swc-diagnostics",
        "imagegate-pool-wus3-diagnostics",
    ]
    rules = sorted(a.inputs["ruleName"] for a in pool_run.of_type("azure-native:monitor:MetricAlert"))
    assert rules[:5] == sorted(
        f"imagegate-pool-eus2-{k}"
        for k in ("availability", "content-filter", "latency", "server-errors", "throttling")
    )


def test_the_service_backends_pool_api_and_policy(pool_run: ProgramRun) -> None:
    (service,) = pool_run.of_type(APIM + "ApiManagementService")
    assert service.inputs["serviceName"] == "imagegate-pool-gw"
    assert service.inputs["sku"] == {"name": "BasicV2", "capacity": 1}
    assert service.inputs["identity"] == {"type": "SystemAssigned"}
    assert (service.inputs["publisherName"], service.inputs["publisherEmail"]) == (
        "Platform team",
        "platform-team@example.com",
    )
    assert service.options.custom_timeouts == {"create": "30m", "update": "30m", "delete": "30m"}
    backends = {b.inputs["backendId"]: b.inputs for b in pool_run.of_type(APIM + "Backend")}
    assert backends["gpt-image-westus3-gpt-image"]["url"] == (
        "https://imagegate-pool-wus3.openai.azure.com/openai/deployments/gpt-image"
    )
    assert backends["gpt-image-westus3-gpt-image"]["circuitBreaker"] == {
        "rules": [
            {
                "name": "imagegate-breaker",
                "tripDuration": "PT1M",
                "acceptRetryAfter": True,
                "failureCondition": {
                    "count": 1,
                    "interval": "PT1M",
                    "statusCodeRanges": [{"min": 429, "max": 429}, {"min": 500, "max": 599}],
                },
            }
        ]
    }
    pool = backends["gpt-image-pool"]
    assert pool["type"] == "Pool"
    assert pool["pool"] == {
        "services": [
            {"id": f"{SERVICE_ID}/backends/gpt-image-{region}-gpt-image", "priority": priority, "weight": 1}
            for region, priority in (("eastus2", 1), ("westus3", 1), ("swedencentral", 2))
        ]
    }
    (api,) = pool_run.of_type(APIM + "Api")
    assert api.inputs["path"] == "openai/deployments/gpt-image"
    assert api.inputs["subscriptionKeyParameterNames"] == {"header": "api-key", "query": "api-key"}
    assert api.inputs["subscriptionRequired"] is True
    operations = pool_run.of_type(APIM + "ApiOperation")
    assert sorted((o.inputs["method"], o.inputs["urlTemplate"]) for o in operations) == [
        ("POST", "/images/edits"),
        ("POST", "/images/generations"),
    ]
    (policy,) = pool_run.of_type(APIM + "ApiPolicy")
    config = pool_config()
    assert config.gateway is not None
    assert policy.inputs["format"] == "xml"
    assert policy.inputs["value"] == policy_xml(config.gateway.aliases[0], config.gateway.clients)


def test_the_gateway_identity_is_openai_user_on_every_account(pool_run: ProgramRun) -> None:
    roles = [r.inputs for r in pool_run.of_type(ROLE) if r.inputs["principalId"] == "mock-gateway-principal"]
    assert sorted(r["roleAssignmentName"] for r in roles) == sorted(
        role_assignment_name(DEFAULT_SUBSCRIPTION, RG, account, "mock-gateway-principal", OPENAI_USER_ROLE_ID)
        for account in ("imagegate-pool-eus2", "imagegate-pool-wus3", "imagegate-pool-swc")
    )
    assert all(r["roleDefinitionId"].endswith(OPENAI_USER_ROLE_ID) for r in roles)
    assert all(r["principalType"] == "ServicePrincipal" for r in roles)


def test_logs_subscription_and_outputs_without_keys(pool_run: ProgramRun) -> None:
    (logger,) = pool_run.of_type(APIM + "Logger")
    assert logger.inputs["loggerType"] == "azureMonitor"
    (diagnostic,) = pool_run.of_type(APIM + "Diagnostic")
    assert diagnostic.inputs["loggerId"] == f"{SERVICE_ID}/loggers/azuremonitor"
    (subscription,) = pool_run.of_type(APIM + "Subscription")
    assert subscription.inputs["scope"] == f"{SERVICE_ID}/apis"
    assert "primaryKey" not in subscription.inputs
    gateway = pool_run.outputs["gateway"]
    assert gateway["endpoint"] == "https://imagegate-pool-gw.azure-api.net"
    assert [m["account"] for m in gateway["aliases"]["gpt-image"]["members"]] == [
        "imagegate-pool-eus2",
        "imagegate-pool-wus3",
        "imagegate-pool-swc",
    ]
    assert pool_run.outputs["accountName"] == "imagegate-pool-eus2"


def test_every_gateway_child_is_parented_to_its_component(pool_run: ProgramRun) -> None:
    for r in pool_run.resources:
        if r.type.startswith(APIM):
            parent = pool_run.parent_of(r)
            assert parent is not None and parent.type == "imagegate:gateway:Gateway", r.name


def test_a_stack_without_regions_or_gateway_declares_no_gateway(dev_run: ProgramRun) -> None:
    assert not [
        r for r in dev_run.resources if r.type.startswith(APIM) or r.type.startswith("imagegate:gateway")
    ]
    assert "gateway" not in dev_run.outputs
