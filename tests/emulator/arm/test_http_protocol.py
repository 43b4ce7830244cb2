"""ARM's protocol over raw HTTP: LRO headers and status URLs, bearer tokens, api-version, error shape."""

from __future__ import annotations

import httpx

from emulator.testing import RunningEmulator, running_emulator
from tests.emulator.arm.conftest import API_VERSION, RG, SUBSCRIPTION, account_body, make_jwt

ACCOUNTS = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts"
Q = {"api-version": API_VERSION}


def poll_until_done(http: httpx.Client, url: str) -> list[httpx.Response]:
    answers = []
    for _ in range(200):
        answer = http.get(url)
        answers.append(answer)
        if answer.status_code == 204:
            return answers
        if answer.status_code != 202 and answer.json().get("status", "Succeeded") != "InProgress":
            return answers
        http.get("/_emulator/health")  # a round trip instead of a sleep
    raise AssertionError("the operation never finished")


def test_put_answers_201_with_async_operation_and_location(http: httpx.Client):
    created = http.put(f"{ACCOUNTS}/acct-lro", params=Q, json=account_body("lro-img"))

    assert created.status_code == 201
    assert created.json()["properties"]["provisioningState"] == "Creating"
    status_url = created.headers["Azure-AsyncOperation"]
    assert "/operationStatuses/" in status_url and status_url.startswith("https://")
    assert "/operationResults/" in created.headers["Location"]
    assert int(created.headers["retry-after-ms"]) > 0

    answers = poll_until_done(http, status_url)
    assert answers[0].json()["status"] == "InProgress"
    assert answers[-1].json()["status"] == "Succeeded"
    assert http.get(f"{ACCOUNTS}/acct-lro", params=Q).json()["properties"]["provisioningState"] == "Succeeded"

    updated = http.put(f"{ACCOUNTS}/acct-lro", params=Q, json=account_body("lro-img"))
    assert updated.status_code == 200


def test_delete_answers_202_then_location_gives_204(http: httpx.Client):
    created = http.put(f"{ACCOUNTS}/acct-gone", params=Q, json=account_body("gone-img"))
    poll_until_done(http, created.headers["Azure-AsyncOperation"])
    deleted = http.delete(f"{ACCOUNTS}/acct-gone", params=Q)
    assert deleted.status_code == 202
    answers = poll_until_done(http, deleted.headers["Location"])
    assert answers[-1].status_code == 204
    assert http.delete(f"{ACCOUNTS}/acct-gone", params=Q).status_code == 204


def test_missing_api_version(http: httpx.Client):
    answer = http.get(ACCOUNTS)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "MissingApiVersionParameter"


def test_bearer_token_is_required(arm_emu: RunningEmulator):
    with httpx.Client(base_url=arm_emu.base_url, verify=arm_emu.verify, timeout=10) as anonymous:
        missing = anonymous.get(ACCOUNTS, params=Q)
        garbage = anonymous.get(ACCOUNTS, params=Q, headers={"Authorization": "Bearer not-a-jwt"})
        expired = anonymous.get(
            ACCOUNTS, params=Q, headers={"Authorization": f"Bearer {make_jwt(exp_in=-60)}"}
        )
    assert (missing.status_code, missing.json()["error"]["code"]) == (401, "AuthenticationFailed")
    assert (garbage.status_code, garbage.json()["error"]["code"]) == (401, "InvalidAuthenticationToken")
    # Not strict by default: any well-formed token passes.
    assert expired.status_code == 200


def test_unknown_operation_is_not_found(http: httpx.Client):
    url = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.CognitiveServices/locations/eastus2"
    url += "/operationStatuses/nope"
    answer = http.get(url, params=Q)
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "OperationNotFound")


def test_resource_group_put_get_head_delete(http: httpx.Client):
    path = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-new"
    assert http.head(path, params=Q).status_code == 404
    assert http.put(path, params=Q, json={"location": "westus3", "tags": {"a": "b"}}).status_code == 201
    assert http.head(path, params=Q).status_code == 204
    assert http.get(path, params=Q).json()["tags"] == {"a": "b"}
    assert http.delete(path, params=Q).status_code == 202
    missing = http.get(path, params=Q)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "ResourceGroupNotFound")


def test_strict_auth_from_config_refuses_wrong_audience_and_expired_tokens():
    config = {"accounts": [], "arm": {"subscriptionId": SUBSCRIPTION, "strictAuth": True}}
    with running_emulator(config) as strict:
        with httpx.Client(base_url=strict.base_url, verify=strict.verify, timeout=10) as client:

            def call(token: str) -> httpx.Response:
                return client.get(ACCOUNTS, params=Q, headers={"Authorization": f"Bearer {token}"})

            wrong = call(make_jwt(aud="https://cognitiveservices.azure.com"))
            expired = call(make_jwt(exp_in=-60))
            good = call(make_jwt())
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "InvalidAuthenticationTokenAudience")
    assert (expired.status_code, expired.json()["error"]["code"]) == (401, "ExpiredAuthenticationToken")
    # The group is not seeded in this emulator: auth passed and ARM answered for the resource group.
    assert (good.status_code, good.json()["error"]["code"]) == (404, "ResourceGroupNotFound")
