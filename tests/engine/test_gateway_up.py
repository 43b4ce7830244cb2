"""`imagegate local up` of a three-region stack behind an API Management gateway, against the real emulator,
then the openai SDK through the alias exactly as an application calls it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from azure.mgmt.apimanagement import ApiManagementClient
from openai import AuthenticationError, AzureOpenAI

from emulator.testing import RunningEmulator, running_emulator
from tests.emulator.arm.conftest import UnsignedCredential

ROOT = Path(__file__).resolve().parents[2]
POOL_STACK = ROOT / "examples" / "stacks" / "Pulumi.pool.yaml"
SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg-imagegate-pool"
SERVICE = "imagegate-pool-gw"
DATA_API = "2025-04-01-preview"
MEMBERS = ("imagegate-pool-eus2", "imagegate-pool-wus3", "imagegate-pool-swc")


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator({"arm": {"lroDelaySeconds": 0.02}, "rpmPerCapacityUnit": 100}) as running:
        yield running


@pytest.fixture(scope="module")
def up(emu: RunningEmulator, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    outputs = tmp_path_factory.mktemp("pool") / "outputs.json"
    done = imagegate(
        "local",
        "up",
        "--config",
        str(POOL_STACK),
        "--outputs",
        str(outputs),
        "--arm-endpoint",
        emu.base_url,
        "--ca-bundle",
        str(emu.ca_file),
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(outputs.read_text())


def imagegate(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMAGEGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "imagegate", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


def client_key(emu: RunningEmulator) -> str:
    with ApiManagementClient(
        UnsignedCredential(), SUB, base_url=emu.base_url, connection_verify=emu.ca_file
    ) as apim:
        return str(apim.subscription.list_secrets(RG, SERVICE, "imagegate-clients").primary_key)


def sdk(endpoint: str, key: str, emu: RunningEmulator) -> AzureOpenAI:
    return AzureOpenAI(
        azure_endpoint=endpoint,
        api_key=key,
        api_version=DATA_API,
        max_retries=0,
        http_client=httpx.Client(verify=emu.verify, timeout=30),
    )


@pytest.mark.slow
def test_up_declares_the_regions_and_the_gateway_and_exports_the_alias(
    up: tuple[str, dict], emu: RunningEmulator
) -> None:
    stdout, outputs = up
    lines = stdout.splitlines()
    for kind, name in (
        ("apimanagement:ApiManagementService", SERVICE),
        ("apimanagement:Backend", "gpt-image-pool"),
        ("apimanagement:Backend", "gpt-image-eastus2-gpt-image"),
        ("apimanagement:Backend", "gpt-image-westus3-gpt-image"),
        ("apimanagement:Backend", "gpt-image-swedencentral-gpt-image"),
        ("apimanagement:Api", "gpt-image"),
        ("apimanagement:ApiOperation", "images-generations"),
        ("apimanagement:ApiOperation", "images-edits"),
        ("apimanagement:ApiPolicy", "policy"),
        ("apimanagement:Subscription", "imagegate-clients"),
        ("apimanagement:Logger", "azuremonitor"),
        ("apimanagement:Diagnostic", "azuremonitor"),
    ):
        assert f"  + created   {kind:<34} {name}" in lines
    assert sum(1 for line in lines if "cognitiveservices:Account " in line) == 3
    # The first region fills today's single-account keys.
    assert outputs["accountName"] == "imagegate-pool-eus2"
    assert outputs["endpoint"] == emu.endpoint("imagegate-pool-eus2")
    assert outputs["location"] == "eastus2"
    assert outputs["gateway"] == {
        "endpoint": f"{emu.base_url}gateways/{SERVICE}",
        "apiVersion": DATA_API,
        "aliases": {
            "gpt-image": {
                "model": "gpt-image-1.5",
                "version": "2025-12-16",
                "members": [
                    {
                        "region": region,
                        "account": account,
                        "endpoint": emu.endpoint(account),
                        "deployment": "gpt-image",
                        "priority": priority,
                        "weight": 1,
                    }
                    for region, account, priority in zip(
                        ("eastus2", "westus3", "swedencentral"), MEMBERS, (1, 1, 2), strict=True
                    )
                ],
            }
        },
    }
    assert "primaryKey" not in json.dumps(outputs) and client_key(emu) not in json.dumps(outputs)
    assert client_key(emu) not in stdout


@pytest.mark.slow
def test_the_openai_sdk_generates_and_edits_through_the_alias(
    up: tuple[str, dict], emu: RunningEmulator
) -> None:
    _, outputs = up
    client = sdk(outputs["gateway"]["endpoint"], client_key(emu), emu)
    raw = client.images.with_raw_response.generate(
        model="gpt-image", prompt="a lighthouse", size="1024x1024", quality="low"
    )
    assert raw.parse().data[0].b64_json
    assert raw.headers["x-ms-region"] in ("eastus2", "westus3")  # priority 1 members only
    edited = client.images.edit(
        model="gpt-image",
        image=("mug.png", (ROOT / "examples" / "prompt-suite" / "mug.png").read_bytes(), "image/png"),
        prompt="make the mug blue",
        size="1024x1024",
        quality="low",
    )
    assert edited.data and edited.data[0].b64_json
    wrong = sdk(outputs["gateway"]["endpoint"], "not-the-key", emu)
    with pytest.raises(AuthenticationError) as refused:
        wrong.images.generate(model="gpt-image", prompt="a lighthouse", size="1024x1024", quality="low")
    assert refused.value.status_code == 401


@pytest.mark.slow
def test_with_one_member_failing_every_request_clients_see_no_failure(
    up: tuple[str, dict], emu: RunningEmulator
) -> None:
    _, outputs = up
    fault = imagegate(
        "emulator",
        "fault",
        "set",
        "imagegate-pool-eus2/gpt-image",
        "--error-rate",
        "1",
        "--error-status",
        "503",
        "--url",
        emu.base_url,
        "--ca-bundle",
        str(emu.ca_file),
    )
    assert fault.returncode == 0, fault.stderr
    try:
        client = sdk(outputs["gateway"]["endpoint"], client_key(emu), emu)
        regions = []
        for _ in range(8):
            raw = client.images.with_raw_response.generate(
                model="gpt-image", prompt="a lighthouse", size="1024x1024", quality="low"
            )
            assert raw.parse().data[0].b64_json
            regions.append(raw.headers["x-ms-region"])
        assert "eastus2" not in regions and len(regions) == 8
    finally:
        emu.clear_faults()


@pytest.mark.slow
def test_a_second_up_changes_nothing_and_keeps_the_client_key(
    up: tuple[str, dict], emu: RunningEmulator, tmp_path: Path
) -> None:
    first, _ = up
    key = client_key(emu)
    again = imagegate(
        "local",
        "up",
        "--config",
        str(POOL_STACK),
        "--outputs",
        str(tmp_path / "again.json"),
        "--arm-endpoint",
        emu.base_url,
        "--ca-bundle",
        str(emu.ca_file),
    )
    assert again.returncode == 0, again.stderr
    created = sum(1 for line in first.splitlines() if line.startswith("  + created"))
    assert again.stdout.splitlines()[-2] == f"up: 0 created, 0 updated, {created} unchanged, 0 deleted"
    assert client_key(emu) == key
