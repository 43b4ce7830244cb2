"""A real emulator with three regional accounts behind an API Management gateway, built over ARM with the
official clients (azure-mgmt-cognitiveservices for the accounts, azure-mgmt-apimanagement for the gateway)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from azure.mgmt.apimanagement import ApiManagementClient
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

from emulator.testing import RunningEmulator, running_emulator
from tests.emulator.arm.conftest import QUICK_CONFIG, RG, SUBSCRIPTION, account_body, make_jwt, sdk_client

APIM = "2024-05-01"
SERVICE = "gw-test"
POOL = "image-pool"
REGIONS = (
    ("eastus2", "acct-east", "east-img"),
    ("westus3", "acct-west", "west-img"),
    ("swedencentral", "acct-swe", "swe-img"),
)
OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"


def policy_xml(pool: str = POOL, count: int = 2) -> str:
    return (
        "<policies><inbound><base/>"
        f'<set-backend-service backend-id="{pool}"/>'
        '<authentication-managed-identity resource="https://cognitiveservices.azure.com"/></inbound>'
        f'<backend><retry count="{count}" interval="0" first-fast-retry="true" '
        'condition="@(context.Response.StatusCode == 429 || context.Response.StatusCode == 503)">'
        f'<set-backend-service backend-id="{pool}"/>'
        '<forward-request buffer-request-body="true" timeout="240"/>'
        "</retry></backend><outbound><base/></outbound><on-error><base/><return-response>"
        '<set-status code="429" reason="Too Many Requests"/>'
        '<set-header name="Retry-After" exists-action="override">'
        '<value>@(context.Response.Headers.GetValueOrDefault("Retry-After","10"))</value></set-header>'
        "</return-response></on-error></policies>"
    )


@pytest.fixture(scope="session")
def apim_session() -> Iterator[RunningEmulator]:
    with running_emulator(QUICK_CONFIG) as emu:
        yield emu


@pytest.fixture
def emu(apim_session: RunningEmulator) -> Iterator[RunningEmulator]:
    apim_session.reset()
    yield apim_session
    apim_session.reset()


@pytest.fixture
def apim(emu: RunningEmulator) -> Iterator[ApiManagementClient]:
    with sdk_client(ApiManagementClient, emu) as client:
        yield client


@pytest.fixture
def cs(emu: RunningEmulator) -> Iterator[CognitiveServicesManagementClient]:
    with sdk_client(CognitiveServicesManagementClient, emu) as client:
        yield client


@pytest.fixture
def http(emu: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emu.base_url,
        verify=emu.verify,
        timeout=30,
        headers={"Authorization": f"Bearer {make_jwt()}"},
    ) as client:
        yield client


def breaker(trip: str = "PT1M", accept_retry_after: bool = True) -> dict[str, Any]:
    return {
        "rules": [
            {
                "name": "throttle",
                "tripDuration": trip,
                "acceptRetryAfter": accept_retry_after,
                "failureCondition": {
                    "count": 1,
                    "interval": "PT1M",
                    "statusCodeRanges": [{"min": 429, "max": 429}, {"min": 500, "max": 599}],
                },
            }
        ]
    }


def build_gateway(
    cs: CognitiveServicesManagementClient,
    apim: ApiManagementClient,
    http: httpx.Client,
    members: list[tuple[int, int]] | None = None,
    grant: tuple[bool, ...] = (True, True, True),
) -> dict[str, Any]:
    """Three accounts (one deployment each), a service, a backend per account (its deployment's URL), one
    pool, an api for the alias ``images`` (path ``openai/deployments/images``) with the two dated image
    operations, the policy and a subscription; returns the gateway URL, key and principal."""
    service = apim.api_management_service.begin_create_or_update(
        RG,
        SERVICE,
        {
            "location": "eastus2",
            "sku": {"name": "BasicV2", "capacity": 1},
            "identity": {"type": "SystemAssigned"},
            "publisher_email": "platform@example.com",
            "publisher_name": "Platform",
        },
    ).result()
    principal = service.identity.principal_id
    members = members or [(1, 1), (1, 1), (1, 1)]
    services = []
    for (region, name, sub), (priority, weight), granted in zip(REGIONS, members, grant, strict=True):
        body = account_body(sub)
        body["location"] = region
        account = cs.accounts.begin_create(RG, name, body).result()
        cs.deployments.begin_create_or_update(
            RG,
            name,
            "gpt-image",
            {
                "sku": {"name": "GlobalStandard", "capacity": 3},
                "properties": {
                    "model": {"format": "OpenAI", "name": "gpt-image-1.5", "version": "2025-12-16"}
                },
            },
        ).result()
        who = principal if granted else "someone-else"
        scope = account.id
        put = http.put(
            f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}-role",
            params={"api-version": "2022-04-01"},
            json={
                "properties": {
                    "principalId": who,
                    "roleDefinitionId": f"/subscriptions/{SUBSCRIPTION}/providers/"
                    f"Microsoft.Authorization/roleDefinitions/{OPENAI_USER}",
                }
            },
        )
        assert put.status_code in (200, 201), put.text
        endpoint = account.properties.endpoints["OpenAI Language Model Instance API"]
        backend = apim.backend.create_or_update(
            RG,
            SERVICE,
            f"b-{region}",
            {
                "url": f"{endpoint}openai/deployments/gpt-image",
                "protocol": "http",
                "circuit_breaker": breaker(),
            },
        )
        services.append({"id": backend.id, "priority": priority, "weight": weight})
    apim.backend.create_or_update(
        RG,
        SERVICE,
        POOL,
        {"type": "Pool", "url": "https://pool.invalid", "protocol": "http", "pool": {"services": services}},
    )
    apim.api.begin_create_or_update(
        RG,
        SERVICE,
        "images",
        {
            "display_name": "Images",
            "path": "openai/deployments/images",
            "protocols": ["https"],
            "subscription_key_parameter_names": {"header": "api-key", "query": "api-key"},
        },
    ).result()
    for op, route in (("generate", "images/generations"), ("edit", "images/edits")):
        apim.api_operation.create_or_update(
            RG, SERVICE, "images", op, {"display_name": op, "method": "POST", "url_template": f"/{route}"}
        )
    apim.api_policy.create_or_update(
        RG, SERVICE, "images", "policy", {"value": policy_xml(), "format": "rawxml"}
    )
    apim.subscription.create_or_update(
        RG,
        SERVICE,
        "apps",
        {
            "scope": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/"
            "Microsoft.ApiManagement/service/"
            f"{SERVICE}/apis",
            "display_name": "apps",
        },
    )
    key = apim.subscription.list_secrets(RG, SERVICE, "apps").primary_key
    return {"url": service.gateway_url, "key": key, "principal": principal}
