"""The image data plane answers as the vendored specs say (issue 11), checked over HTTP and with the SDK.

The suite-wide spec judge (tests/spec_plugin.py) also holds every answer here to the specs; these tests
pin each difference it found, so each fails on the code from before the fix.
"""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from emulator.testing import running_emulator
from tests.emulator.conftest import API_VERSION, KEY


def _nulls(value: Any, where: str = "") -> list[str]:
    if value is None:
        return [where or "/"]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in _nulls(v, f"{where}/{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in _nulls(v, f"{where}/{i}")]
    return []


def _dated(emu, operation: str = "generations") -> str:
    return (
        emu.endpoint("contoso") + f"openai/deployments/gpt-image/images/{operation}?api-version={API_VERSION}"
    )


def _v1(emu) -> str:
    return emu.endpoint("contoso") + "openai/v1/images/generations"


@pytest.mark.parametrize("surface", ["dated", "v1"])
def test_image_prompt_filter_results_are_flat_with_jailbreak(emu, http: httpx.Client, surface):
    body: dict[str, Any] = {"prompt": "a lighthouse", "quality": "low", "size": "1024x1024"}
    if surface == "v1":
        answer = http.post(_v1(emu), headers={"api-key": KEY}, json={**body, "model": "gpt-image"})
    else:
        answer = http.post(_dated(emu), headers={"api-key": KEY}, json=body)

    results = answer.json()["data"][0]["prompt_filter_results"]
    assert "index" not in results and "content_filter_results" not in results
    assert results["jailbreak"] == {"filtered": False, "detected": False}
    assert {"hate", "self_harm", "sexual", "violence", "profanity", "custom_blocklists"} <= set(results)


@pytest.mark.parametrize(
    "content, body",
    [("application/json", b"{not json"), ("application/json", b"[1, 2]"), ("text/plain", b"prompt")],
    ids=["bad-json", "not-an-object", "wrong-type"],
)
def test_error_bodies_never_say_null_where_the_spec_types_a_string(emu, http: httpx.Client, content, body):
    answer = http.post(_dated(emu), headers={"api-key": KEY, "content-type": content}, content=body)

    assert answer.status_code == 400
    assert _nulls(answer.json()) == []


def test_v1_errors_carry_the_only_type_the_v1_spec_allows(emu, http: httpx.Client):
    answer = http.post(
        _v1(emu), headers={"api-key": KEY}, json={"model": "gpt-image", "prompt": "x", "n": 99}
    )

    error = answer.json()["error"]
    assert answer.status_code == 400 and error["param"] == "n"
    assert error["type"] == "error"


def test_dated_errors_keep_openai_s_invalid_request_error_type(client: openai.AzureOpenAI):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="gpt-image", prompt="x", n=99)
    assert caught.value.body["type"] == "invalid_request_error" and caught.value.param == "n"


def test_a_capacity_two_deployment_admits_six_requests_a_minute_by_default():
    """Learn: 2 capacity units = 6 RPM for image models. No rpmPerCapacityUnit: the catalog's value rules."""
    config = {
        "accounts": [
            {
                "subdomain": "rate",
                "keys": ["rate-key"],
                "deployments": [
                    {"name": "gpt-image", "model": "gpt-image-1.5", "version": "2025-12-16", "capacity": 2}
                ],
            }
        ]
    }
    with running_emulator(config) as emu, httpx.Client(verify=emu.verify, timeout=30) as http:
        url = (
            emu.endpoint("rate")
            + f"openai/deployments/gpt-image/images/generations?api-version={API_VERSION}"
        )
        body = {"prompt": "tick", "quality": "low", "size": "1024x1024"}
        statuses = [http.post(url, headers={"api-key": "rate-key"}, json=body).status_code for _ in range(7)]
        limit = http.post(url, headers={"api-key": "rate-key"}, json=body).headers[
            "x-ratelimit-limit-requests"
        ]

    assert statuses == [200] * 6 + [429]
    assert limit == "6"
