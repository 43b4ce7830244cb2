"""The engine's ARM client: long-running operations in all three styles, 409 retries, error bodies."""

from __future__ import annotations

import ssl

import httpx
import pytest

from engine.arm_client import ArmClient, conflict_wait
from engine.errors import ArmError, EngineError
from tests.engine.fake_arm import BASE, FakeArm

PATH = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct"
API = "2025-06-01"


def client(fake: FakeArm, **kwargs) -> ArmClient:
    return ArmClient(BASE, transport=fake.transport(), sleep=lambda _: None, **kwargs)


@pytest.mark.parametrize("style", ["none", "async", "location", "state"])
def test_put_waits_for_the_operation_and_returns_the_finished_resource(style: str) -> None:
    fake = FakeArm(lro=style)
    with client(fake) as arm:
        body = arm.put(PATH, API, {"properties": {"customSubDomainName": "acct"}})
    assert body["properties"]["provisioningState"] == "Succeeded"
    assert body["properties"]["endpoints"]["OpenAI Language Model Instance API"] == f"{BASE}/accounts/acct/"


def test_every_request_carries_a_bearer_token_and_the_api_version() -> None:
    seen: list[httpx.Request] = []
    fake = FakeArm()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return fake.handle(request)

    with ArmClient(BASE, transport=httpx.MockTransport(handler)) as arm:
        arm.get(PATH, API)
    assert seen[0].headers["Authorization"].startswith("Bearer ey")
    assert seen[0].url.params["api-version"] == API


def test_request_conflict_is_retried_with_backoff_then_succeeds() -> None:
    fake = FakeArm(scripted={("PUT", "/deployments/d"): [(409, "RequestConflict"), (409, "RequestConflict")]})
    waits: list[float] = []
    with ArmClient(BASE, transport=fake.transport(), sleep=waits.append) as arm:
        arm.put(f"{PATH}/deployments/d", API, {"sku": {"name": "GlobalStandard", "capacity": 1}})
    assert waits == [0.2, 0.4]


def test_the_conflict_backoff_doubles_up_to_five_seconds_and_its_first_wait_can_be_set() -> None:
    assert [conflict_wait(attempt, 0.2) for attempt in range(6)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0]
    fake = FakeArm(scripted={("PUT", "/deployments/d"): [(409, "RequestConflict")] * 3})
    waits: list[float] = []
    with ArmClient(BASE, transport=fake.transport(), sleep=waits.append, conflict_wait_s=0.01) as arm:
        arm.put(f"{PATH}/deployments/d", API, {})
    assert waits == [0.01, 0.02, 0.04]


def test_request_conflict_gives_up_after_the_bounded_retries() -> None:
    fake = FakeArm(scripted={("PUT", "/deployments/d"): [(409, "RequestConflict")] * 3})
    with client(fake, conflict_retries=2) as arm, pytest.raises(ArmError) as caught:
        arm.put(f"{PATH}/deployments/d", API, {})
    assert (caught.value.status, caught.value.code) == (409, "RequestConflict")


def test_an_arm_error_body_becomes_an_arm_error_with_code_and_message() -> None:
    fake = FakeArm(scripted={("PUT", "/deployments/d"): [(400, "InsufficientQuota")]})
    with client(fake) as arm, pytest.raises(ArmError) as caught:
        arm.put(f"{PATH}/deployments/d", API, {})
    assert str(caught.value) == "ARM answered 400 InsufficientQuota: scripted InsufficientQuota"


def test_get_of_a_missing_resource_is_none_and_delete_of_it_is_false() -> None:
    with client(FakeArm()) as arm:
        assert arm.get(PATH, API) is None
        assert arm.delete(PATH, API) is False


def test_an_unreachable_endpoint_is_one_sentence() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with ArmClient(BASE, transport=httpx.MockTransport(refuse)) as arm, pytest.raises(EngineError) as caught:
        arm.get(PATH, API)
    assert str(caught.value) == f"Cannot reach ARM at {BASE} (ConnectError); is the emulator running?"


def test_an_untrusted_certificate_says_to_pass_the_ca_bundle() -> None:
    def untrusted(request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLCertVerificationError(1, "certificate verify failed")
        except ssl.SSLError as exc:
            raise httpx.ConnectError("certificate verify failed", request=request) from exc

    arm = ArmClient(BASE, transport=httpx.MockTransport(untrusted))
    with arm, pytest.raises(EngineError) as caught:
        arm.get(PATH, API)
    assert str(caught.value) == (
        f"ARM at {BASE} presented a certificate this machine does not trust; "
        "pass --ca-bundle with the ca= file from the emulator's ready line."
    )


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after-ms": "30"}, 0.03),  # what the emulator sends for a delay under a second
        ({"x-ms-retry-after-ms": "250"}, 0.25),
        ({"Retry-After": "1"}, 1.0),  # what ARM sends
        ({"retry-after-ms": "40", "Retry-After": "1"}, 0.04),  # the finer one wins, as in azure-core
        ({"Retry-After": "600"}, 2.0),  # capped: the operation is polled at least every 2 s
        ({"Retry-After": "soon"}, 0.1),
        ({}, 0.1),
    ],
    ids=["ms", "x-ms-ms", "seconds", "ms-before-seconds", "capped", "unreadable", "none"],
)
def test_an_operation_is_polled_after_the_wait_arm_asks_for(headers: dict[str, str], wait: float) -> None:
    polls = iter(["InProgress", "Succeeded"])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            lro = {"Azure-AsyncOperation": f"{BASE}/operations/1", **headers}
            return httpx.Response(201, json={"properties": {"provisioningState": "Accepted"}}, headers=lro)
        if request.url.path == "/operations/1":
            return httpx.Response(200, json={"status": next(polls)}, headers=headers)
        return httpx.Response(200, json={"properties": {"provisioningState": "Succeeded"}})

    waits: list[float] = []
    with ArmClient(BASE, transport=httpx.MockTransport(handler), sleep=waits.append) as arm:
        arm.put(PATH, API, {})
    assert waits == [wait]
