"""The alias policy as text (a pure function of the config), and as API Management takes it: PUT to the
emulator, whose gateway refuses at PUT any element it cannot execute."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import httpx
import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.apimanagement import ApiManagementClient

from emulator.testing import RunningEmulator, running_emulator
from infra.config import load_stack_config, read_stack_file
from infra.gateway_config import AliasConfig, ClientAuthConfig, EntraClientConfig
from infra.gateway_policy import policy_xml
from tests.emulator.arm.conftest import UnsignedCredential, make_jwt

ROOT = Path(__file__).resolve().parents[2]
SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg-policy"
SERVICE = "gw-policy"
TENANT = "11111111-2222-3333-4444-555555555555"


def pool_alias() -> tuple[AliasConfig, ClientAuthConfig]:
    config = load_stack_config(
        read_stack_file(ROOT / "examples" / "stacks" / "Pulumi.pool.yaml"), "pool", today=date(2026, 11, 25)
    )
    assert config.gateway is not None
    return config.gateway.aliases[0], config.gateway.clients


def test_the_pool_alias_policy_is_exactly_this() -> None:
    alias, clients = pool_alias()
    assert policy_xml(alias, clients) == (
        "<policies>"
        "<inbound><base />"
        '<set-backend-service backend-id="gpt-image-pool" />'
        '<authentication-managed-identity resource="https://cognitiveservices.azure.com" />'
        "</inbound>"
        "<backend>"
        '<retry count="2" interval="0" first-fast-retry="true" '
        'condition="@(context.Response.StatusCode == 429 || context.Response.StatusCode == 503)">'
        '<set-backend-service backend-id="gpt-image-pool" />'
        '<forward-request buffer-request-body="true" timeout="120" />'
        "</retry>"
        "</backend>"
        "<outbound><base />"
        '<set-header name="retry-after-ms" exists-action="delete" />'
        "<choose><when condition='@(context.Response.Headers.ContainsKey(\"Retry-After\"))'>"
        f"{CAPPED_60}"
        "</when></choose>"
        "</outbound>"
        "<on-error><base />"
        '<return-response><set-status code="429" reason="Too Many Requests" />'
        f"{CAPPED_60}"
        "</return-response>"
        "</on-error>"
        "</policies>"
    )


CAPPED_60 = (
    '<set-header name="Retry-After" exists-action="override"><value>'
    '@(int.TryParse(context.Response.Headers.GetValueOrDefault("Retry-After","10"), out var seconds) '
    '? Math.Min(seconds, 60).ToString() : "60")'
    "</value></set-header>"
)


def test_the_retry_after_cap_is_written_where_the_client_is_answered() -> None:
    alias, clients = pool_alias()
    assert alias.retry_after_cap_seconds == 60  # the documented default
    text = policy_xml(replace(alias, retry_after_cap_seconds=5), clients)
    capped = (
        '@(int.TryParse(context.Response.Headers.GetValueOrDefault("Retry-After","10"), out var seconds) '
        '? Math.Min(seconds, 5).ToString() : "5")'
    )
    # once in outbound (only when the member's answer carries Retry-After) and once in on-error
    assert text.count(f"<value>{capped}</value>") == 2
    assert "Math.Min(seconds, 60)" not in text


def test_entra_clients_are_validated_first_and_no_retry_forwards_once() -> None:
    alias, _ = pool_alias()
    clients = ClientAuthConfig(False, EntraClientConfig(TENANT, ("api://imagegate", "https://x&y")))
    text = policy_xml(replace(alias, retry_count=0, timeout_seconds=240), clients)
    assert text.startswith(
        "<policies><inbound><base />"
        f'<validate-azure-ad-token tenant-id="{TENANT}"><audiences>'
        "<audience>api://imagegate</audience><audience>https://x&amp;y</audience>"
        "</audiences></validate-azure-ad-token>"
        '<set-backend-service backend-id="gpt-image-pool" />'
    )
    assert '<backend><forward-request buffer-request-body="true" timeout="240" /></backend>' in text
    assert "<retry" not in text


@pytest.fixture(scope="module")
def apim() -> Iterator[tuple[RunningEmulator, ApiManagementClient]]:
    with running_emulator({"arm": {"lroDelaySeconds": 0.01}}) as emu:
        with ApiManagementClient(
            UnsignedCredential(), SUB, base_url=emu.base_url, connection_verify=emu.ca_file
        ) as client:
            with httpx.Client(base_url=emu.base_url, verify=emu.verify) as http:
                group = http.put(
                    f"/subscriptions/{SUB}/resourcegroups/{RG}",
                    params={"api-version": "2024-03-01"},
                    json={"location": "eastus2"},
                    headers={"Authorization": f"Bearer {make_jwt()}"},
                )
                assert group.status_code in (200, 201), group.text
            client.api_management_service.begin_create_or_update(
                RG,
                SERVICE,
                {
                    "location": "eastus2",
                    "sku": {"name": "BasicV2", "capacity": 1},
                    "publisher_email": "p@example.com",
                    "publisher_name": "P",
                },
            ).result()
            client.api.begin_create_or_update(
                RG,
                SERVICE,
                "gpt-image",
                {"display_name": "gpt-image", "path": "openai/deployments/gpt-image"},
            ).result()
            yield emu, client


@pytest.mark.parametrize("variant", ["pool", "entra-no-retry"])
def test_api_management_takes_the_policy_and_gives_it_back(
    apim: tuple[RunningEmulator, ApiManagementClient], variant: str
) -> None:
    emu, client = apim
    alias, clients = pool_alias()
    if variant != "pool":
        alias, clients = (
            replace(alias, retry_count=0),
            ClientAuthConfig(True, EntraClientConfig(TENANT, ("api://x",))),
        )
    text = policy_xml(alias, clients)
    client.api_policy.create_or_update(RG, SERVICE, alias.name, "policy", {"value": text, "format": "xml"})
    stored = client.api_policy.get(RG, SERVICE, alias.name, "policy", format="xml")
    assert stored.value == text


def test_an_element_the_gateway_cannot_execute_is_refused_at_put(
    apim: tuple[RunningEmulator, ApiManagementClient],
) -> None:
    # The control for the test above: the emulator does check what it is given.
    _, client = apim
    alias, clients = pool_alias()
    text = policy_xml(alias, clients).replace(
        "<inbound><base />",
        '<inbound><base /><rate-limit-by-key calls="9" renewal-period="60" counter-key="x" />',
    )
    with pytest.raises(HttpResponseError) as refused:
        client.api_policy.create_or_update(
            RG, SERVICE, alias.name, "policy", {"value": text, "format": "xml"}
        )
    assert refused.value.status_code == 400
    assert "rate-limit-by-key" in str(refused.value.message)
