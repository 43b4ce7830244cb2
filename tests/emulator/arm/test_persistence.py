"""``--state-dir`` keeps the ARM resources across an emulator restart (the ``"arm"`` snapshot part)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

from emulator.accounts import AccountRegistry
from emulator.arm.persist import load_arm, save_arm
from emulator.arm.settings import parse_arm_settings
from emulator.arm.state import create_arm_state
from emulator.testing import RunningEmulator, running_emulator
from tests.emulator.arm.conftest import (
    CONFIG,
    RG,
    SUBSCRIPTION,
    UnsignedCredential,
    account_body,
    deployment_body,
    make_jwt,
)

GENERIC = (
    f"subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.OperationalInsights"
    "/workspaces/logs?api-version=2023-09-01"
)


def sdk(emu: RunningEmulator) -> CognitiveServicesManagementClient:
    return CognitiveServicesManagementClient(
        UnsignedCredential(), SUBSCRIPTION, base_url=emu.base_url, connection_verify=emu.ca_file
    )


def generate(emu: RunningEmulator, subdomain: str, key: str) -> int:
    url = f"{emu.endpoint(subdomain)}openai/deployments/img/images/generations?api-version=2025-04-01-preview"
    with httpx.Client(verify=emu.verify, timeout=30) as client:
        answer = client.post(url, headers={"api-key": key}, json={"prompt": "a dot", "size": "1024x1024"})
    return answer.status_code


@pytest.mark.slow
def test_a_restart_with_the_same_state_dir_keeps_arm_resources(tmp_path: Path) -> None:
    auth = {"Authorization": f"Bearer {make_jwt()}"}
    with running_emulator(CONFIG, state_dir=tmp_path) as emu, sdk(emu) as mgmt:
        mgmt.accounts.begin_create(RG, "kept", account_body("kept-img")).result()
        mgmt.deployments.begin_create_or_update(RG, "kept", "img", deployment_body(capacity=3)).result()
        mgmt.accounts.begin_create(RG, "gone", account_body("gone-img")).result()
        mgmt.accounts.begin_delete(RG, "gone").result()
        with httpx.Client(verify=emu.verify, headers=auth) as client:
            assert client.put(emu.base_url + GENERIC, json={"location": "eastus2"}).status_code in (200, 201)
        keys = mgmt.accounts.list_keys(RG, "kept")

    with running_emulator(CONFIG, state_dir=tmp_path) as emu, sdk(emu) as mgmt:
        account = mgmt.accounts.get(RG, "kept")
        assert account.properties.endpoint == emu.endpoint("kept-img")  # the new port, not the old one
        assert mgmt.deployments.get(RG, "kept", "img").sku.capacity == 3
        again = mgmt.accounts.list_keys(RG, "kept")
        assert (again.key1, again.key2) == (keys.key1, keys.key2)
        assert generate(emu, "kept-img", keys.key1) == 200  # the data plane serves it too
        assert [d.name for d in mgmt.deleted_accounts.list()] == ["gone"]
        with httpx.Client(verify=emu.verify, headers=auth) as client:
            assert client.get(emu.base_url + GENERIC).status_code == 200
        # The usages count what was kept; a new operation can start at once (no stale RequestConflict).
        usage = {u.name.value: u.current_value for u in mgmt.usages.list("eastus2")}
        assert usage["OpenAI.GlobalStandard.gpt-image-1.5"] == 3
        mgmt.deployments.begin_create_or_update(RG, "kept", "img", deployment_body(capacity=4)).result()


def test_save_and_load_round_trip_and_refuse_a_bad_part() -> None:
    settings = parse_arm_settings(CONFIG["arm"])
    first = create_arm_state(settings, AccountRegistry())
    first.quota["eastus2"] = {"OpenAI.GlobalStandard.gpt-image-1.5": 5}
    saved = json.loads(json.dumps(save_arm(first)))  # what the state file holds
    assert RG.lower() in json.dumps(saved["resourceGroups"]).lower()

    second = create_arm_state(settings, AccountRegistry())
    second.quota.clear()
    load_arm(second, saved)
    assert second.quota["eastus2"] == {"OpenAI.GlobalStandard.gpt-image-1.5": 5}
    assert save_arm(second) == saved

    for bad in ({}, {**saved, "accounts": [{"id": "not an arm id"}]}, {**saved, "generic": []}):
        with pytest.raises((KeyError, TypeError, ValueError)):
            load_arm(second, bad)
