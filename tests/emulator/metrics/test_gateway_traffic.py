"""Traffic through the API Management gateway shows in each serving account's metrics.

A member that fails is visible to Azure Monitor even when the gateway's retry hides it from the client: that
is what a traffic gate judges a candidate member on.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from azure.mgmt.apimanagement import ApiManagementClient
from openai import AzureOpenAI

from rollout.metrics_gate import WindowFigures
from rollout.monitor_metrics import make_monitor_client, read_window
from tests.emulator.apim.conftest import build_gateway
from tests.emulator.arm.conftest import RG, SUBSCRIPTION, UnsignedCredential
from tests.emulator.metrics.conftest import DATA_API, window

ACCOUNTS = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts"


@pytest.fixture
def apim(emu) -> Iterator[ApiManagementClient]:
    with ApiManagementClient(
        UnsignedCredential(), SUBSCRIPTION, base_url=emu.base_url, connection_verify=emu.ca_file
    ) as client:
        yield client


def test_a_failing_member_hidden_by_the_gateways_retry_is_counted_on_its_account(apim, mgmt, http, emu):
    # Priorities 1, 2, 3: eastus2 serves until its breaker opens (one 5xx), then westus3.
    gw = build_gateway(mgmt, apim, http, members=[(1, 1), (2, 1), (3, 1)])
    app = AzureOpenAI(
        azure_endpoint=gw["url"],
        api_key=gw["key"],
        api_version=DATA_API,
        max_retries=0,
        http_client=httpx.Client(verify=emu.verify, timeout=30),
    )
    regions = []
    for step in range(6):
        if step == 3:
            emu.set_fault("east-img", "gpt-image", error_rate=1.0, error_status=503)
        raw = app.images.with_raw_response.generate(
            model="images", prompt="a lighthouse", size="1024x1024", quality="low"
        )
        regions.append(raw.headers["x-ms-region"])
    assert regions == ["eastus2"] * 3 + ["westus3"] * 3  # the client saw no failure

    with make_monitor_client(
        SUBSCRIPTION, UnsignedCredential(), arm_endpoint=emu.base_url, ca_bundle=emu.ca_file, retries=0
    ) as monitor:
        figures = {
            name: read_window(monitor, f"{ACCOUNTS}/{name}", *window())
            for name in ("acct-east", "acct-west", "acct-swe")
        }
    east, west = figures["acct-east"]["gpt-image"], figures["acct-west"]["gpt-image"]
    assert (east.requests, east.throttled, east.server_errors) == (4, 0, 1)
    assert (west.requests, west.throttled, west.server_errors) == (3, 0, 0)
    assert figures["acct-swe"] == {}
    assert isinstance(east, WindowFigures) and east.p95_ms is not None
