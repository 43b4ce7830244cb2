"""The ARM subset answers as the vendored Cognitive Services 2025-06-01 spec says, checked by its clients.

Each test pins one difference the spec judge found in the emulator (issue 11); the official SDK is the
client where it has the operation, raw HTTP where a malformed request is the point.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest
from azure.core.exceptions import ResourceNotFoundError

from emulator.specs import documents, load
from tests.emulator.arm.conftest import (
    LOCATION,
    RG,
    SUBSCRIPTION,
    account_body,
    create_account,
    deployment_body,
)

API = "2025-06-01"
CS = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts"
_SPEC = next(d.path for d in documents() if d.surface == "arm" and d.api_version == API)


def _enum(definition: str) -> list[str]:
    return load(_SPEC)["definitions"][definition]["properties"]["provisioningState"]["enum"]


def _nulls(value: Any, where: str = "") -> list[str]:
    if value is None:
        return [where or "/"]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _nulls(v, f"{where}/{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in _nulls(v, f"{where}/{i}")]
    return []


def test_rai_blocklist_and_item_deletes_are_202_then_204_so_the_sdk_pollers_finish(mgmt):
    create_account(mgmt, "acct-bl", "bl-img")
    mgmt.rai_blocklists.create_or_update(RG, "acct-bl", "terms", {"properties": {"description": "d"}})
    item = {"properties": {"pattern": "forbidden", "isRegex": False}}
    mgmt.rai_blocklist_items.create_or_update(RG, "acct-bl", "terms", "one", item)

    mgmt.rai_blocklist_items.begin_delete(RG, "acct-bl", "terms", "one").result()
    mgmt.rai_blocklists.begin_delete(RG, "acct-bl", "terms").result()

    with pytest.raises(ResourceNotFoundError):
        mgmt.rai_blocklists.get(RG, "acct-bl", "terms")


def test_blocklist_delete_answers_202_with_location_then_204_for_a_missing_one(mgmt, http: httpx.Client):
    create_account(mgmt, "acct-bl2", "bl2-img")
    url = f"{CS}/acct-bl2/raiBlocklists/terms"
    assert http.put(url, params={"api-version": API}, json={"properties": {}}).status_code in (200, 201)

    first = http.delete(url, params={"api-version": API})
    assert first.status_code == 202 and first.headers["location"].startswith("https://")
    assert http.delete(url, params={"api-version": API}).status_code == 204


def test_an_account_update_in_flight_reads_a_state_from_the_spec_enum(mgmt, http: httpx.Client):
    create_account(mgmt, "acct-up", "up-img")
    url = f"{CS}/acct-up"
    answer = http.patch(url, params={"api-version": API}, json={"tags": {"a": "b"}})
    during = http.get(url, params={"api-version": API}).json()["properties"]["provisioningState"]

    assert answer.json()["properties"]["provisioningState"] in _enum("AccountProperties")
    assert during in _enum("AccountProperties")


def test_a_deployment_update_in_flight_reads_a_state_from_the_spec_enum(mgmt, http: httpx.Client):
    create_account(mgmt, "acct-dup", "dup-img")
    url = f"{CS}/acct-dup/deployments/gpt-image"
    mgmt.deployments.begin_create_or_update(RG, "acct-dup", "gpt-image", deployment_body(capacity=1)).result()
    again = http.put(url, params={"api-version": API}, json=deployment_body(capacity=2))

    assert again.status_code == 200
    assert again.json()["properties"]["provisioningState"] in _enum("DeploymentProperties")


def test_deleted_accounts_read_a_state_from_the_spec_enum_with_their_dates(mgmt, http: httpx.Client):
    create_account(mgmt, "acct-gone", "gone-img")
    mgmt.accounts.begin_delete(RG, "acct-gone").result()
    listed = http.get(
        f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.CognitiveServices/deletedAccounts",
        params={"api-version": API},
    ).json()["value"]

    (gone,) = listed
    assert gone["properties"]["provisioningState"] in _enum("AccountProperties")
    assert gone["properties"]["deletionDate"] and gone["properties"]["scheduledPurgeDate"]


def test_models_list_has_no_null_where_the_spec_types_a_string(http: httpx.Client):
    url = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.CognitiveServices/locations/{LOCATION}/models"
    models = http.get(url, params={"api-version": API}).json()["value"]

    assert models and _nulls(models) == []
    # gpt-image-2 has no retirement date in the catalog: the dates are absent, not null.
    undated = [m["model"] for m in models if m["model"]["name"] == "gpt-image-2"]
    assert undated and all("inference" not in m["deprecation"] for m in undated)


BAD_NAMES = ["..", "../../other", "a\x00b", "x" * 5000, "-starts-with-hyphen", "a"]


def _segment(name: str) -> str:
    """The name as one path segment: httpx would fold a literal ``..`` into the parent path."""
    return quote(name, safe="").replace(".", "%2E")


@pytest.mark.parametrize(
    "name", BAD_NAMES, ids=["dotdot", "traversal", "nul", "5000-chars", "hyphen", "one-char"]
)
def test_account_names_the_spec_refuses_are_400_invalid_account_name(arm_emu, http: httpx.Client, name):
    answer = http.put(f"{CS}/{_segment(name)}", params={"api-version": API}, json=account_body("okname"))

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidAccountName"
    assert http.get(CS, params={"api-version": API}).json()["value"] == []


@pytest.mark.parametrize("name", BAD_NAMES[:4], ids=["dotdot", "traversal", "nul", "5000-chars"])
def test_deployment_names_that_are_not_names_are_400_invalid_resource_name(mgmt, http: httpx.Client, name):
    create_account(mgmt, "acct-names", "names-img")
    url = f"{CS}/acct-names/deployments/{_segment(name)}"
    answer = http.put(url, params={"api-version": API}, json=deployment_body())

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidResourceName"
    assert http.get(f"{CS}/acct-names/deployments", params={"api-version": API}).json()["value"] == []


@pytest.mark.parametrize(
    "body, where",
    [
        ({**account_body("bad-img"), "properties": {"disableLocalAuth": "yes"}}, "disableLocalAuth"),
        ({**account_body("bad-img"), "sku": {"tier": "Standard"}}, "'name' is a required property"),
        (
            {**account_body("bad-img"), "properties": {"publicNetworkAccess": "Sometimes"}},
            "publicNetworkAccess",
        ),
    ],
    ids=["bool-as-string", "sku-without-name", "enum"],
)
def test_account_bodies_the_spec_refuses_are_400_invalid_request_content(http: httpx.Client, body, where):
    answer = http.put(f"{CS}/acct-bad", params={"api-version": API}, json=body)

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "InvalidRequestContent" and where in error["message"]


def test_found_by_schemathesis_a_lone_surrogate_is_400_not_a_stored_500(http: httpx.Client):
    body = b'{"location": "eastus2\\ud800", "sku": {"name": "S0"}, "kind": "AIServices"}'
    answer = http.put(
        f"{CS}/acct-sur",
        params={"api-version": API},
        content=body,
        headers={"content-type": "application/json"},
    )

    assert answer.status_code == 400 and answer.json()["error"]["code"] == "InvalidRequestContent"
    assert http.get(CS, params={"api-version": API}).json()["value"] == []


def test_found_by_schemathesis_a_non_ascii_location_still_gets_polling_headers(http: httpx.Client):
    body = {**account_body("asc-img"), "location": "\U00027612 region"}
    answer = http.put(f"{CS}/acct-loc", params={"api-version": API}, json=body)

    assert answer.status_code == 201
    assert answer.headers["azure-asyncoperation"].isascii() and answer.headers["location"].isascii()


def test_a_metric_alert_with_odatatype_instead_of_odata_type_is_refused_as_arm_refuses_it(
    http: httpx.Client,
):
    """The engine once sent the Pulumi name; the 2018-03-01 spec's discriminator is the wire name."""
    rule = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.Insights/metricAlerts/slow"
    criterion = {
        "criterionType": "StaticThresholdCriterion",
        "name": "c",
        "metricName": "AzureOpenAIRequests",
        "timeAggregation": "Total",
        "operator": "GreaterThan",
        "threshold": 5,
    }
    properties = {
        "description": "d",
        "severity": 2,
        "enabled": True,
        "scopes": [f"{CS}/acct"],
        "evaluationFrequency": "PT1M",
        "windowSize": "PT5M",
    }
    kind = "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria"
    for key, status in (("odataType", 400), ("odata.type", 200)):
        criteria = {key: kind, "allOf": [criterion]}
        body = {"location": "global", "properties": {**properties, "criteria": criteria}}
        answer = http.put(rule, params={"api-version": "2018-03-01"}, json=body)
        assert answer.status_code == status, answer.text
    assert (
        "'odata.type' is a required property"
        in http.put(
            rule,
            params={"api-version": "2018-03-01"},
            json={"location": "global", "properties": {**properties, "criteria": {"odataType": kind}}},
        ).json()["error"]["message"]
    )
