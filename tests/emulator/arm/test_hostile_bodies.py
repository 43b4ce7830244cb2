"""Issue 12, findings 1, 3 and 9 on ARM: a hostile body or token is refused and changes nothing.

Before the fix a PUT holding NaN, Infinity or a lone surrogate answered 500 *and was stored*, so every
later read, list and restart failed; a body or JWT nested thousands deep answered 500.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.testing import RunningEmulator, running_emulator
from tests.emulator.arm.conftest import CONFIG, RG, SUBSCRIPTION, account_body, make_jwt

ACCOUNTS = f"subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts"
Q = "?api-version=2025-06-01"
GENERIC = f"subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/Microsoft.Insights/actionGroups/ops{Q}"


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def jwt_with(claims_text: str) -> str:
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = b64(b'{"alg": "none"}')
    return f"{header}.{b64(claims_text.encode())}."


POISON = {
    "NaN": '{"location": "eastus2", "tags": {"x": NaN}}',
    "Infinity": '{"location": "eastus2", "tags": {"x": -Infinity}}',
    "huge float": '{"location": "eastus2", "tags": {"x": 1e400}}',
    "lone surrogate": '{"location": "eastus2", "tags": {"x": "\\ud800"}}',
    "surrogate key": '{"location": "eastus2", "tags": {"\\udfff": "x"}}',
    "invalid UTF-8": b'{"location": "eastus2", "tags": {"x": "\xff\xfe"}}',
    "deep 100000": '{"location": "eastus2", "properties": ' + deep(100_000) + "}",
    "deep 65": '{"location": "eastus2", "properties": ' + deep(65) + "}",
}


@pytest.mark.parametrize("body", POISON.values(), ids=list(POISON))
def test_a_poisoned_put_is_400_and_stores_nothing(
    arm_emu: RunningEmulator, http: httpx.Client, body: str | bytes
) -> None:
    for url in (f"{ACCOUNTS}/poisoned{Q}", GENERIC):
        answer = http.put(url, content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "InvalidRequestContent"
        assert http.get(url).status_code == 404  # nothing was stored
    assert http.get(f"{ACCOUNTS}{Q}").status_code == 200  # the store still reads
    resources = arm_emu.admin("GET", "arm/resources").json()["value"]
    assert not [r for r in resources if "poisoned" in r["id"] or r["id"].endswith("/ops")]
    good = http.put(f"{ACCOUNTS}/fine{Q}", json=account_body("fine-sub"))
    assert good.status_code in (200, 201)


def test_a_refused_put_leaves_an_existing_resource_unchanged(http: httpx.Client) -> None:
    # A whole action group, as its spec requires (the answer is judged against it too).
    properties = {"groupShortName": "ops", "enabled": True}
    group = {"location": "eastus2", "tags": {"v": "1"}, "properties": properties}
    assert http.put(GENERIC, json=group).status_code in (200, 201)
    assert (
        http.put(GENERIC, content=POISON["NaN"], headers={"content-type": "application/json"}).status_code
        == 400
    )
    assert http.get(GENERIC).json()["tags"] == {"v": "1"}


def test_an_arm_body_over_the_size_limit_is_413_before_it_is_read(http: httpx.Client) -> None:
    body = json.dumps({"location": "eastus2", "tags": {"x": "y" * (5 * 1024 * 1024)}})
    answer = http.put(GENERIC, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "RequestEntityTooLarge"
    assert http.get(GENERIC).status_code == 404


@pytest.mark.parametrize(
    "claims",
    [
        '{"aud": "https://management.azure.com/", "x": ' + deep(4000) + "}",
        '{"aud": "https://management.azure.com/", "exp": NaN}',
        '{"aud": "https://management.azure.com/", "oid": "\\ud800"}',
        '{"a": "' + "x" * 20_000 + '"}',
    ],
    ids=["claims 4000 deep", "NaN exp", "surrogate oid", "oversized"],
)
def test_a_hostile_jwt_is_401_on_arm(arm_emu: RunningEmulator, claims: str) -> None:
    with httpx.Client(verify=arm_emu.verify, timeout=10) as client:
        answer = client.get(
            arm_emu.base_url + f"{ACCOUNTS}{Q}", headers={"Authorization": f"Bearer {jwt_with(claims)}"}
        )
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"


@pytest.mark.parametrize("route", ["arm/quota", "arm/faults", "faults/contoso/gpt-image"])
def test_admin_routes_refuse_deep_and_non_finite_bodies(arm_emu: RunningEmulator, route: str) -> None:
    with httpx.Client(verify=arm_emu.verify, timeout=10) as client:
        for body in (deep(100_000), '{"eastus2": {"x": NaN}}', '{"account": "\\ud800"}'):
            answer = client.put(arm_emu.base_url + "_emulator/" + route, content=body)
            assert 400 <= answer.status_code < 500, answer.text
        too_big = client.put(arm_emu.base_url + "_emulator/" + route, content=b" " * (1024 * 1024))
        assert too_big.status_code == 413
    assert arm_emu.admin("GET", "arm/quota").json()["quota"] == {
        "westus3": {"OpenAI.GlobalStandard.gpt-image-2": 40}
    }


def _strict_config() -> dict[str, Any]:
    return {**CONFIG, "arm": {**CONFIG["arm"], "strictAuth": True}}


@pytest.mark.slow
def test_strict_auth_refuses_an_exp_past_the_year_9999(tmp_path: Path) -> None:
    with running_emulator(_strict_config(), state_dir=tmp_path) as emu:
        with httpx.Client(verify=emu.verify, timeout=10) as client:
            url = emu.base_url + f"{ACCOUNTS}{Q}"
            forever = jwt_with('{"aud": "https://management.azure.com/", "exp": 1e308}')
            answer = client.get(url, headers={"Authorization": f"Bearer {forever}"})
            assert answer.status_code == 401
            assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"
            fine = client.get(url, headers={"Authorization": f"Bearer {make_jwt(exp_in=600)}"})
            assert fine.status_code == 200
