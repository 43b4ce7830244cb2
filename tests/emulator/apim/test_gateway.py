"""The API Management subset and its gateway, driven by azure-mgmt-apimanagement and the openai SDK.

The accounts, service, backends, pool, api, operations, policy and subscription are created over ARM by the
official clients (conftest.build_gateway); applications call the gateway exactly as they would call an
account: ``AzureOpenAI(azure_endpoint=<gatewayUrl>, api_key=<subscription key>)``.
"""

from __future__ import annotations

import io
from collections import Counter

import httpx
import pytest
from azure.core.exceptions import HttpResponseError
from openai import AzureOpenAI, RateLimitError
from PIL import Image

from emulator.specs.judge import Exchange, default_judge
from infra.gateway_config import DEFAULT_BREAKER, AliasConfig, ClientAuthConfig
from infra.gateway_policy import policy_xml as alias_policy
from tests.emulator.apim.conftest import APIM, POOL, RG, SERVICE, SUBSCRIPTION, build_gateway

DATA_API = "2025-04-01-preview"
SVC = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.ApiManagement/service/{SERVICE}"


def client(gw: dict, emu) -> AzureOpenAI:
    return AzureOpenAI(
        azure_endpoint=gw["url"],
        api_key=gw["key"],
        api_version=DATA_API,
        max_retries=0,
        http_client=httpx.Client(verify=emu.verify, timeout=30),
    )


def generate(c: AzureOpenAI, deployment: str = "images") -> str:
    raw = c.images.with_raw_response.generate(
        model=deployment, prompt="a lighthouse", size="1024x1024", quality="low"
    )
    assert raw.parse().data[0].b64_json
    return raw.headers["x-ms-region"]


def test_the_service_is_created_long_running_with_a_gateway_url_and_an_identity(apim, cs, http, emu):
    gw = build_gateway(cs, apim, http)
    service = apim.api_management_service.get(RG, SERVICE)
    assert service.provisioning_state == "Succeeded"
    assert gw["url"] == f"{emu.base_url}gateways/{SERVICE}"
    assert service.identity.principal_id == gw["principal"]
    assert [s.name for s in apim.api_management_service.list_by_resource_group(RG)] == [SERVICE]
    assert sorted(b.name for b in apim.backend.list_by_service(RG, SERVICE)) == sorted(
        [POOL, "b-eastus2", "b-westus3", "b-swedencentral"]
    )
    assert sorted(o.name for o in apim.api_operation.list_by_api(RG, SERVICE, "images")) == [
        "edit",
        "generate",
    ]
    assert [s.name for s in apim.subscription.list(RG, SERVICE)] == ["apps"]
    assert apim.subscription.get(RG, SERVICE, "apps").primary_key is None  # keys only through listSecrets
    assert len(gw["key"]) == 32


def test_backend_answers_conform_to_the_vendored_2024_05_01_spec(apim, cs, http, emu):
    build_gateway(cs, apim, http)
    judge = default_judge()
    for path in (f"{SVC}/backends/{POOL}", f"{SVC}/backends"):
        answer = http.get(path, params={"api-version": APIM})
        verdict = judge.judge(
            Exchange(
                "GET",
                path,
                {"api-version": APIM},
                answer.status_code,
                {k.lower(): v for k, v in answer.headers.items()},
                answer.json(),
            )
        )
        assert verdict.judged and verdict.ok, verdict.violations
    bad = http.put(
        f"{SVC}/backends/b2",
        params={"api-version": APIM},
        json={
            "properties": {
                "url": "https://x",
                "protocol": "http",
                "type": "Pool",
                "pool": {"services": [{"id": "x", "priority": 101}]},
            }
        },
    )
    assert bad.status_code == 400 and "maximum of 100" in bad.json()["error"]["message"]


def test_a_service_in_a_missing_resource_group_is_resource_group_not_found(http):
    answer = http.put(
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-missing/providers/Microsoft.ApiManagement/"
        "service/gw2",
        params={"api-version": APIM},
        json={
            "location": "eastus2",
            "sku": {"name": "BasicV2", "capacity": 1},
            "properties": {"publisherEmail": "a@b.c", "publisherName": "p"},
        },
    )
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "ResourceGroupNotFound"


def test_a_policy_with_an_element_the_gateway_cannot_execute_is_refused_at_put(apim, cs, http):
    build_gateway(cs, apim, http)
    xml = '<policies><inbound><base/><rate-limit calls="5" renewal-period="60"/></inbound></policies>'
    with pytest.raises(HttpResponseError) as refused:
        apim.api_policy.create_or_update(RG, SERVICE, "images", "policy", {"value": xml, "format": "rawxml"})
    assert refused.value.status_code == 400
    assert refused.value.error.code == "ValidationError"
    assert "<rate-limit>" in refused.value.error.message


CAP = (
    '@(int.TryParse(context.Response.Headers.GetValueOrDefault("Retry-After","10"), out var s) '
    '? Math.Min(s, 60).ToString() : "60")'
)


@pytest.mark.parametrize(
    ("outbound", "named"),
    [
        # a choose on anything but a header's presence
        (
            '<choose><when condition="@(context.Response.StatusCode == 429)"><set-header name="a" '
            'exists-action="override"><value>1</value></set-header></when></choose>',
            "The choose condition '@(context.Response.StatusCode == 429)' is not supported",
        ),
        # the capped form with Math.Max is another expression, not the one executed
        (
            '<set-header name="Retry-After" exists-action="override"><value>'
            + CAP.replace("Math.Min", "Math.Max")
            + "</value></set-header>",
            "is not one the emulator's gateway evaluates",
        ),
        (
            '<choose><when condition=\'@(context.Response.Headers.ContainsKey("Retry-After"))\'>'
            '<set-header name="Retry-After" exists-action="override">'
            f"<value>{CAP}</value></set-header>"
            "</when><otherwise /></choose>",
            "<otherwise> inside <choose> is not supported",
        ),
    ],
    ids=["status-condition", "math-max", "otherwise"],
)
def test_an_outbound_expression_the_gateway_does_not_evaluate_is_refused_at_put(
    apim, cs, http, outbound: str, named: str
):
    build_gateway(cs, apim, http)
    xml = f"<policies><outbound><base/>{outbound}</outbound></policies>"
    with pytest.raises(HttpResponseError) as refused:
        apim.api_policy.create_or_update(RG, SERVICE, "images", "policy", {"value": xml, "format": "rawxml"})
    assert refused.value.status_code == 400
    assert named in refused.value.error.message


def test_generate_and_a_masked_edit_pass_through_with_the_serving_region(apim, cs, http, emu):
    gw = build_gateway(cs, apim, http)
    c = client(gw, emu)
    assert generate(c) in ("eastus2", "westus3", "swedencentral")
    png = io.BytesIO()
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(png, "PNG")
    raw = c.images.with_raw_response.edit(
        model="images",
        prompt="add a boat",
        image=("in.png", png.getvalue()),
        mask=("mask.png", png.getvalue()),
        size="1024x1024",
        quality="low",
    )
    assert raw.parse().data[0].b64_json and raw.headers["x-ms-region"]


def test_a_member_answering_429_or_503_to_everything_costs_no_client_request(apim, cs, http, emu):
    gw = build_gateway(cs, apim, http)
    emu.set_fault("east-img", "gpt-image", throttle_rate=1.0)
    emu.set_fault("west-img", "gpt-image", error_rate=1.0, error_status=503)
    regions = Counter(generate(client(gw, emu)) for _ in range(12))
    assert regions == Counter({"swedencentral": 12})


def test_a_lower_priority_serves_only_once_every_member_above_is_open(apim, cs, http, emu):
    gw = build_gateway(cs, apim, http, members=[(1, 1), (2, 1), (3, 1)])
    c = client(gw, emu)
    assert {generate(c) for _ in range(6)} == {"eastus2"}
    emu.set_fault("east-img", "gpt-image", throttle_rate=1.0)
    assert {generate(c) for _ in range(6)} == {"westus3"}


def test_weights_split_one_priority_group_roughly_as_declared(apim, cs, http, emu):
    gw = build_gateway(cs, apim, http, members=[(1, 3), (1, 1), (2, 1)])
    regions = Counter(generate(client(gw, emu)) for _ in range(80))
    # 3:1 over 80 calls: eastus2's share is 60 expected; 44 is more than 4 standard deviations below.
    assert regions["swedencentral"] == 0
    assert regions["eastus2"] >= 44 and regions["westus3"] >= 5


def test_the_exhausted_pool_answers_429_with_the_smallest_retry_after(apim, cs, http, emu):
    gw = build_gateway(cs, apim, http)
    for sub, ms in (("east-img", 40_000), ("west-img", 7_000), ("swe-img", 20_000)):
        emu.set_fault(sub, "gpt-image", throttle_rate=1.0, throttle={"count": 0, "retry_after_ms": ms})
    with pytest.raises(RateLimitError) as limited:
        generate(client(gw, emu))
    # Two retries can meet the three members; the answer is the pool's, with the smallest time left.
    answer = limited.value.response
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) in (7, 20, 40)
    again = client(gw, emu).images.with_raw_response
    with pytest.raises(RateLimitError) as exhausted:
        again.generate(model="images", prompt="a lighthouse", size="1024x1024", quality="low")
    assert exhausted.value.response.headers["retry-after"] == "7"


def test_a_member_without_a_role_for_the_gateway_identity_answers_permission_denied(apim, cs, http, emu):
    gw = build_gateway(cs, apim, http, members=[(1, 1), (2, 1), (2, 1)], grant=(False, True, True))
    answer = httpx.post(
        f"{gw['url']}/openai/deployments/images/images/generations",
        params={"api-version": DATA_API},
        headers={"api-key": gw["key"]},
        verify=emu.verify,
        json={"prompt": "a lighthouse", "size": "1024x1024", "quality": "low"},
        timeout=30,
    )
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "PermissionDenied"
    assert gw["principal"] in answer.json()["error"]["message"]


def test_a_wrong_subscription_key_is_refused_at_the_gateway(apim, cs, http, emu):
    gw = build_gateway(cs, apim, http)
    answer = httpx.post(
        f"{gw['url']}/openai/deployments/images/images/generations",
        params={"api-version": DATA_API},
        headers={"api-key": "0" * 32},
        verify=emu.verify,
        json={"prompt": "x"},
        timeout=30,
    )
    assert answer.status_code == 401
    assert answer.json()["message"].startswith("Access denied due to invalid subscription key.")


def test_a_retry_after_of_a_day_reaches_the_client_capped_by_the_alias_policy(apim, cs, http, emu):
    # The policy infra writes for an alias whose pool is the fixture's, with a cap of 45 s.
    gw = build_gateway(cs, apim, http)
    alias = AliasConfig("image", "gpt-image-1.5", "2025-12-16", (), DEFAULT_BREAKER, 2, 120, 45)
    text = alias_policy(alias, ClientAuthConfig(True, None))
    apim.api_policy.create_or_update(RG, SERVICE, "images", "policy", {"value": text, "format": "xml"})
    day_ms = 86_400_000
    for sub in ("east-img", "west-img", "swe-img"):
        emu.set_fault(sub, "gpt-image", throttle_rate=1.0, throttle={"count": 0, "retry_after_ms": day_ms})
    # Three attempts meet the three members: the last member's own 429 comes back through outbound.
    with pytest.raises(RateLimitError) as member:
        generate(client(gw, emu))
    assert member.value.response.headers["retry-after"] == "45"
    assert "retry-after-ms" not in member.value.response.headers  # the SDK would read it first
    # Every breaker is now open for the day the accounts asked for: the pool's own 429, capped as well.
    with pytest.raises(RateLimitError) as pool:
        generate(client(gw, emu))
    assert pool.value.response.headers["retry-after"] == "45"
    assert "Math.Min" not in pool.value.response.text
