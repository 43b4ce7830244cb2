"""ARM's own checks come before the resource provider's: the api-version first, then the resource group,
and only then the provider's name and body rules. A request wrong in several ways is answered for the
first, as ARM answers it (a bad account name into a missing group is 404 ResourceGroupNotFound, not 400
InvalidAccountName)."""

from __future__ import annotations

import httpx
import pytest
from azure.core.exceptions import ResourceNotFoundError

from tests.emulator.arm.conftest import RG, SUBSCRIPTION, account_body, create_account, deployment_body

API = "2025-06-01"
MISSING = "rg-that-does-not-exist"
PROVIDER = "Microsoft.CognitiveServices"


def accounts(group: str) -> str:
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{group}/providers/{PROVIDER}/accounts"


def test_a_bad_account_name_into_a_missing_group_is_404_resource_group_not_found(http: httpx.Client):
    answer = http.put(f"{accounts(MISSING)}/-bad-name", params={"api-version": API}, json=account_body("ok"))

    assert answer.status_code == 404
    assert answer.json()["error"] == {
        "code": "ResourceGroupNotFound",
        "message": f"Resource group '{MISSING}' could not be found.",
    }


def test_a_bad_body_into_a_missing_group_is_404_too(http: httpx.Client):
    answer = http.put(f"{accounts(MISSING)}/acct", params={"api-version": API}, json={"kind": 5})

    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "ResourceGroupNotFound")


def test_the_api_version_is_checked_before_the_resource_group(http: httpx.Client):
    answer = http.put(f"{accounts(MISSING)}/-bad-name", json=account_body("ok"))

    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "MissingApiVersionParameter")


def test_in_an_existing_group_the_providers_name_rule_answers(http: httpx.Client):
    answer = http.put(f"{accounts(RG)}/-bad-name", params={"api-version": API}, json=account_body("ok"))

    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "InvalidAccountName")


def test_a_read_in_a_missing_group_is_404_resource_group_not_found(http: httpx.Client):
    answer = http.get(f"{accounts(MISSING)}/acct", params={"api-version": API})

    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "ResourceGroupNotFound")


def test_a_delete_in_a_missing_group_is_the_providers_nothing_to_delete(http: httpx.Client):
    # Specs such as MetricAlerts_Delete declare 200 and 204 only: no 404 for a resource already gone.
    answer = http.delete(f"{accounts(MISSING)}/acct", params={"api-version": API})

    assert answer.status_code == 204


def test_a_deployment_with_a_bad_name_into_a_missing_group_is_404(http: httpx.Client):
    url = f"{accounts(MISSING)}/acct/deployments/bad%2Fname"
    answer = http.put(url, params={"api-version": API}, json=deployment_body())

    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "ResourceGroupNotFound")


def test_the_sdk_reads_a_missing_group_as_not_found(mgmt):
    create_account(mgmt, "acct-order", "order-img")
    with pytest.raises(ResourceNotFoundError) as caught:
        mgmt.accounts.get(MISSING, "acct-order")
    assert caught.value.error is not None and caught.value.error.code == "ResourceGroupNotFound"


def test_deleting_a_group_already_gone_is_404_resource_group_not_found(http: httpx.Client):
    url = f"/subscriptions/{SUBSCRIPTION}/resourcegroups/{MISSING}"
    answer = http.delete(url, params={"api-version": "2024-03-01"})

    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "ResourceGroupNotFound")
