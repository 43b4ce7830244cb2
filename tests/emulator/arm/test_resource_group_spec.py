"""Resource groups are held to the vendored Microsoft.Resources 2024-03-01 spec.

The spec gives the resource group name's pattern and length and makes ``location`` required; the
emulator refuses what the spec refuses, before any state changes, as ARM does.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.emulator.arm.conftest import LOCATION, SUBSCRIPTION

API = "2024-03-01"
RGS = f"/subscriptions/{SUBSCRIPTION}/resourcegroups"


def test_a_resource_group_is_created_read_and_deleted_as_the_spec_declares(http: httpx.Client):
    created = http.put(f"{RGS}/rg-spec-ok", params={"api-version": API}, json={"location": LOCATION})
    read = http.get(f"{RGS}/rg-spec-ok", params={"api-version": API})
    deleted = http.delete(f"{RGS}/rg-spec-ok", params={"api-version": API})

    assert created.status_code == 201
    assert read.json()["location"] == LOCATION
    assert deleted.status_code in (200, 202)


@pytest.mark.parametrize(
    "name", ["has space", "x" * 91, "semi;colon"], ids=["space", "91-chars", "semicolon"]
)
def test_resource_group_names_the_spec_refuses_are_400(http: httpx.Client, name: str):
    url = f"{RGS}/{quote(name, safe='')}"
    answer = http.put(url, params={"api-version": API}, json={"location": LOCATION})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidResourceName"
    assert http.get(url, params={"api-version": API}).status_code == 404


def test_a_resource_group_without_location_is_400_invalid_request_content(http: httpx.Client):
    answer = http.put(f"{RGS}/rg-no-location", params={"api-version": API}, json={"tags": {"a": "b"}})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "InvalidRequestContent"
    assert "location" in answer.json()["error"]["message"]
    assert http.get(f"{RGS}/rg-no-location", params={"api-version": API}).status_code == 404
