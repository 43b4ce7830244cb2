"""A one-region stack with a gateway that takes Entra tokens instead of keys: `imagegate local up`, then the
openai SDK with ``azure_ad_token`` through the alias; a token for another tenant or audience is refused at
the gateway with API Management's 401."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from openai import AuthenticationError, AzureOpenAI

from emulator.testing import RunningEmulator, running_emulator
from tests.engine.test_gateway_up import DATA_API, imagegate

ROOT = Path(__file__).resolve().parents[2]
TENANT = "11111111-2222-3333-4444-555555555555"
AUDIENCE = "api://imagegate-gateway"


def jwt(tid: str = TENANT, aud: str = AUDIENCE) -> str:
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    claims = {
        "aud": aud,
        "tid": tid,
        "oid": "app-1",
        "iss": f"https://sts.windows.net/{tid}/",
        "exp": int(time.time() + 3600),
    }
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator({"arm": {"lroDelaySeconds": 0.02}}) as running:
        yield running


@pytest.fixture(scope="module")
def outputs(emu: RunningEmulator, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("entra")
    document = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text(encoding="utf-8"))
    document["config"]["imagegate:gateway"] = {
        "publisherName": "Platform",
        "publisherEmail": "platform@example.com",
        "clients": {"subscriptionKey": False, "entra": {"tenantId": TENANT, "audiences": [AUDIENCE]}},
        "aliases": [{"name": "images", "members": [{"region": "eastus2", "deployment": "gpt-image"}]}],
    }
    stack = folder / "Pulumi.entra.yaml"
    stack.write_text(yaml.safe_dump(document), encoding="utf-8")
    done = imagegate(
        "local",
        "up",
        "--config",
        str(stack),
        "--outputs",
        str(folder / "outputs.json"),
        "--arm-endpoint",
        emu.base_url,
        "--ca-bundle",
        str(emu.ca_file),
    )
    assert done.returncode == 0, done.stderr
    assert "apimanagement:Subscription" not in done.stdout  # no keys at all
    return json.loads((folder / "outputs.json").read_text())


def sdk(outputs: dict, emu: RunningEmulator, token: str) -> AzureOpenAI:
    return AzureOpenAI(
        azure_endpoint=outputs["gateway"]["endpoint"],
        azure_ad_token=token,
        api_version=DATA_API,
        max_retries=0,
        http_client=httpx.Client(verify=emu.verify, timeout=30),
    )


@pytest.mark.slow
def test_an_entra_token_of_the_tenant_and_audience_generates_through_the_alias(outputs, emu) -> None:
    assert list(outputs["gateway"]["aliases"]) == ["images"]
    raw = sdk(outputs, emu, jwt()).images.with_raw_response.generate(
        model="images", prompt="a lighthouse", size="1024x1024", quality="low"
    )
    assert raw.parse().data[0].b64_json
    assert raw.headers["x-ms-region"] == "eastus2"


@pytest.mark.slow
@pytest.mark.parametrize(
    "token",
    [jwt(tid="99999999-2222-3333-4444-555555555555"), jwt(aud="api://other")],
    ids=["other-tenant", "other-audience"],
)
def test_a_token_for_another_tenant_or_audience_is_refused_at_the_gateway(outputs, emu, token: str) -> None:
    with pytest.raises(AuthenticationError) as refused:
        sdk(outputs, emu, token).images.generate(model="images", prompt="a lighthouse", size="1024x1024")
    assert refused.value.status_code == 401
