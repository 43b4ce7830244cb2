"""Soft delete: deleted accounts hold their name and subdomain until purged or restored."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError

from tests.emulator.arm.conftest import LOCATION, RG, account_body, create_account, create_deployment


def test_delete_lists_the_account_as_deleted_and_get_deleted_finds_it(mgmt):
    create_account(mgmt, "acct-del", "del-img")
    mgmt.accounts.begin_delete(RG, "acct-del").result()

    assert list(mgmt.accounts.list_by_resource_group(RG)) == []
    deleted = list(mgmt.deleted_accounts.list())
    assert [d.name for d in deleted] == ["acct-del"]
    one = mgmt.deleted_accounts.get(LOCATION, RG, "acct-del")
    assert one.properties.deletion_date and one.properties.scheduled_purge_date


def test_recreating_a_soft_deleted_name_needs_restore(mgmt):
    create_account(mgmt, "acct-held", "held-img")
    mgmt.accounts.begin_delete(RG, "acct-held").result()

    with pytest.raises(HttpResponseError) as info:
        mgmt.accounts.begin_create(RG, "acct-held", account_body("held-img"))
    assert info.value.status_code == 409
    assert info.value.error.code == "FlagMustBeSetForRestore"
    assert "has been soft-deleted" in info.value.error.message


def test_restore_brings_back_the_account_with_its_keys_and_deployments(mgmt):
    create_account(mgmt, "acct-back", "back-img")
    create_deployment(mgmt, "acct-back", "gpt-image", capacity=2)
    keys = mgmt.accounts.list_keys(RG, "acct-back")
    mgmt.accounts.begin_delete(RG, "acct-back").result()

    restored = mgmt.accounts.begin_create(RG, "acct-back", account_body("back-img", restore=True)).result()

    assert restored.properties.provisioning_state == "Succeeded"
    assert mgmt.accounts.list_keys(RG, "acct-back").key1 == keys.key1
    assert [d.name for d in mgmt.deployments.list(RG, "acct-back")] == ["gpt-image"]
    assert list(mgmt.deleted_accounts.list()) == []


def test_purge_frees_the_name_and_the_subdomain(mgmt):
    create_account(mgmt, "acct-purge", "purge-img")
    mgmt.accounts.begin_delete(RG, "acct-purge").result()
    mgmt.deleted_accounts.begin_purge(LOCATION, RG, "acct-purge").result()

    assert list(mgmt.deleted_accounts.list()) == []
    fresh = create_account(mgmt, "acct-purge", "purge-img")
    assert fresh.properties.provisioning_state == "Succeeded"


def test_purge_of_unknown_deleted_account_is_not_found(mgmt):
    with pytest.raises(HttpResponseError) as info:
        mgmt.deleted_accounts.begin_purge(LOCATION, RG, "never-existed").result()
    assert info.value.status_code == 404


def test_custom_subdomain_held_by_another_account_is_custom_domain_in_use(mgmt):
    create_account(mgmt, "acct-first", "shared-img")
    with pytest.raises(HttpResponseError) as info:
        mgmt.accounts.begin_create(RG, "acct-second", account_body("shared-img"))
    assert info.value.error.code == "CustomDomainInUse"


def test_soft_deleted_account_still_holds_its_subdomain(mgmt):
    create_account(mgmt, "acct-old", "kept-img")
    mgmt.accounts.begin_delete(RG, "acct-old").result()
    with pytest.raises(HttpResponseError) as info:
        mgmt.accounts.begin_create(RG, "acct-new", account_body("kept-img"))
    assert info.value.error.code == "CustomDomainInUse"
