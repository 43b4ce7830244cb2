"""A deployment created over ARM is served at once by the data plane at the account's endpoint."""

from __future__ import annotations

import httpx

from emulator.testing import RunningEmulator
from tests.emulator.arm.conftest import RG, create_account, create_deployment

DATA_API = "2025-04-01-preview"


def generate(arm_emu: RunningEmulator, endpoint: str, key: str, deployment: str) -> httpx.Response:
    with httpx.Client(verify=arm_emu.verify, timeout=30) as client:
        return client.post(
            f"{endpoint}openai/deployments/{deployment}/images/generations",
            params={"api-version": DATA_API},
            headers={"api-key": key},
            json={"prompt": "a lighthouse at dusk", "size": "1024x1024", "quality": "low"},
        )


def test_arm_deployment_is_served_then_deleted(mgmt, arm_emu: RunningEmulator):
    account = create_account(mgmt, "acct-live", "live-img")
    create_deployment(mgmt, "acct-live", "gpt-image", capacity=2)
    key = mgmt.accounts.list_keys(RG, "acct-live").key1
    endpoint = account.properties.endpoints["OpenAI Language Model Instance API"]

    ok = generate(arm_emu, endpoint, key, "gpt-image")
    assert ok.status_code == 200, ok.text
    assert ok.json()["data"][0]["b64_json"]

    mgmt.deployments.begin_delete(RG, "acct-live", "gpt-image").result()
    gone = generate(arm_emu, endpoint, key, "gpt-image")
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "DeploymentNotFound"


def test_capacity_drives_the_data_plane_rate_limit(mgmt, arm_emu: RunningEmulator):
    create_account(mgmt, "acct-rl", "rl-img")
    create_deployment(mgmt, "acct-rl", "gpt-image", capacity=1)
    key = mgmt.accounts.list_keys(RG, "acct-rl").key1
    endpoint = arm_emu.endpoint("rl-img")

    # One capacity unit is 3 requests a minute (Learn: 2 units = 6 RPM).
    statuses = [generate(arm_emu, endpoint, key, "gpt-image").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_regenerated_key_replaces_the_old_one_on_the_data_plane(mgmt, arm_emu: RunningEmulator):
    create_account(mgmt, "acct-rot", "rot-img")
    create_deployment(mgmt, "acct-rot", "gpt-image", capacity=5)
    old = mgmt.accounts.list_keys(RG, "acct-rot").key1
    new = mgmt.accounts.regenerate_key(RG, "acct-rot", "Key1").key1
    endpoint = arm_emu.endpoint("rot-img")

    assert generate(arm_emu, endpoint, old, "gpt-image").status_code == 401
    assert generate(arm_emu, endpoint, new, "gpt-image").status_code == 200


def test_disable_local_auth_refuses_keys_on_the_data_plane(mgmt, arm_emu: RunningEmulator):
    create_account(mgmt, "acct-nokey", "nokey-img")
    create_deployment(mgmt, "acct-nokey", "gpt-image", capacity=5)
    key = mgmt.accounts.list_keys(RG, "acct-nokey").key1
    mgmt.accounts.begin_update(RG, "acct-nokey", {"properties": {"disableLocalAuth": True}}).result()

    refused = generate(arm_emu, arm_emu.endpoint("nokey-img"), key, "gpt-image")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "AuthenticationTypeDisabled"


def test_deleting_the_account_removes_it_from_the_data_plane(mgmt, arm_emu: RunningEmulator):
    create_account(mgmt, "acct-bye", "bye-img")
    create_deployment(mgmt, "acct-bye", "gpt-image", capacity=5)
    key = mgmt.accounts.list_keys(RG, "acct-bye").key1
    mgmt.accounts.begin_delete(RG, "acct-bye").result()

    answer = generate(arm_emu, arm_emu.endpoint("bye-img"), key, "gpt-image")
    assert answer.status_code == 404
