"""Log Analytics workspaces are held to the vendored Microsoft.OperationalInsights 2023-09-01 spec.

The emulator serves workspaces generically; the spec decides what it accepts (the workspace name pattern
and length, the SKU enum) and how a create answers (a long-running 201 with a polling header).
"""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.arm.conftest import LOCATION, RG, SUBSCRIPTION

API = "2023-09-01"
WS = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.OperationalInsights/workspaces"


def _body(sku: str = "PerGB2018") -> dict[str, object]:
    return {"location": LOCATION, "properties": {"sku": {"name": sku}, "retentionInDays": 30}}


def test_a_new_workspace_answers_201_with_a_polling_header_then_reads_back(http: httpx.Client):
    created = http.put(f"{WS}/logs-one", params={"api-version": API}, json=_body())
    polled = http.get(created.headers["azure-asyncoperation"])
    read = http.get(f"{WS}/logs-one", params={"api-version": API})

    assert created.status_code == 201
    assert polled.status_code == 200
    assert read.json()["properties"]["sku"] == {"name": "PerGB2018"}
    assert http.put(f"{WS}/logs-one", params={"api-version": API}, json=_body()).status_code == 200


@pytest.mark.parametrize(
    "name", ["abc", "-logs", "logs_underscore", "x" * 64], ids=["3-chars", "hyphen", "underscore", "64-chars"]
)
def test_workspace_names_the_spec_refuses_are_400(http: httpx.Client, name: str):
    answer = http.put(f"{WS}/{name}", params={"api-version": API}, json=_body())

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidResourceName"
    assert http.get(f"{WS}/{name}", params={"api-version": API}).status_code == 404


def test_a_sku_outside_the_spec_enum_is_400_invalid_request_content(http: httpx.Client):
    answer = http.put(f"{WS}/logs-bad-sku", params={"api-version": API}, json=_body("Unlimited"))

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidRequestContent"
    assert "Unlimited" in answer.json()["error"]["message"]
