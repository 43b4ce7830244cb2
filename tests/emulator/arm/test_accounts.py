"""Accounts through the official SDK: create + poll, get, list, keys, PATCH, endpoints, identity."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from emulator.testing import RunningEmulator
from tests.emulator.arm.conftest import RG, SUBSCRIPTION, account_body, create_account

CS = "/providers/Microsoft.CognitiveServices"


def test_begin_create_polls_to_succeeded_and_reports_the_emulator_endpoint(mgmt, arm_emu: RunningEmulator):
    account = create_account(mgmt, "acct-one", "one-img", allowProjectManagement=True)

    assert account.properties.provisioning_state == "Succeeded"
    endpoint = f"{arm_emu.base_url}accounts/one-img/"
    assert account.properties.endpoint == endpoint
    assert account.properties.endpoints["OpenAI Language Model Instance API"] == endpoint
    assert account.properties.custom_sub_domain_name == "one-img"
    assert account.properties.allow_project_management is True
    assert account.identity.principal_id
    assert account.id == f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}{CS}/accounts/acct-one"


def test_get_list_by_group_and_subscription(mgmt):
    create_account(mgmt, "acct-a")
    create_account(mgmt, "acct-b")

    assert mgmt.accounts.get(RG, "acct-a").name == "acct-a"
    assert sorted(a.name for a in mgmt.accounts.list_by_resource_group(RG)) == ["acct-a", "acct-b"]
    assert sorted(a.name for a in mgmt.accounts.list()) == ["acct-a", "acct-b"]


def test_get_missing_account_is_resource_not_found(mgmt):
    with pytest.raises(ResourceNotFoundError) as info:
        mgmt.accounts.get(RG, "nope")
    assert info.value.error.code == "ResourceNotFound"


def test_create_in_missing_resource_group_is_resource_group_not_found(mgmt):
    with pytest.raises(HttpResponseError) as info:
        mgmt.accounts.begin_create("rg-missing", "acct", account_body("acct-x"))
    assert info.value.error.code == "ResourceGroupNotFound"


def test_list_keys_and_regenerate_key(mgmt):
    create_account(mgmt, "acct-keys")
    keys = mgmt.accounts.list_keys(RG, "acct-keys")
    assert keys.key1 and keys.key2 and keys.key1 != keys.key2

    after = mgmt.accounts.regenerate_key(RG, "acct-keys", "Key2")
    assert after.key1 == keys.key1
    assert after.key2 != keys.key2


def test_list_keys_refused_when_local_auth_disabled(mgmt):
    create_account(mgmt, "acct-keyless", disableLocalAuth=True)
    with pytest.raises(HttpResponseError) as info:
        mgmt.accounts.list_keys(RG, "acct-keyless")
    assert (info.value.status_code, info.value.error.code) == (400, "BadRequest")
    assert info.value.error.message == "Failed to list key. disableLocalAuth is set to be true."


def test_patch_updates_tags_and_properties(mgmt):
    create_account(mgmt, "acct-patch")
    updated = mgmt.accounts.begin_update(
        RG, "acct-patch", {"tags": {"env": "dev"}, "properties": {"publicNetworkAccess": "Disabled"}}
    ).result()
    assert updated.tags == {"env": "dev"}
    assert updated.properties.public_network_access == "Disabled"
    assert updated.properties.custom_sub_domain_name == "acct-patch"
