"""run_smoke against an in-process fake of the image routes (httpx.MockTransport): the retry, rate,
fallback and redaction logic, with a fake sleep so nothing waits."""

import json
from collections import deque

import httpx
import pytest

from smoke.auth import ApiKeyAuth
from smoke.checks import Expectation
from smoke.one_off import one_off
from smoke.results import CheckStatus, FailureKind
from smoke.retry import RetryPolicy
from smoke.runner import PROBE_KEY, SmokeOptions, run_smoke
from tests.smoke.fakes import KEY, FakeService, error, image_bytes, multipart_parts, target


def run(service, targets, sleeps=None, **opts):
    options = SmokeOptions(auth=ApiKeyAuth(KEY, "K"), **opts)
    with service.client() as http:
        return run_smoke(
            targets, options, http=http, sleep=(sleeps.append if sleeps is not None else lambda s: None)
        )


def test_all_checks_pass_with_the_cheapest_settings_by_default():
    service = FakeService()
    report = run(service, [target(local_auth_disabled=True)])
    assert [(c.check, c.status) for c in report.checks] == [
        ("generate", CheckStatus.PASSED),
        ("edit", CheckStatus.PASSED),
        ("keyless", CheckStatus.FAILED),  # the fake accepts any key: local auth is on
    ]
    gen = service.requests[0]
    assert str(gen.url) == (
        "https://acct.openai.azure.com/openai/deployments/gpt-image/images/generations"
        "?api-version=2025-04-01-preview"
    )
    assert {k: v for k, v in json.loads(gen.content).items() if k != "prompt"} == {
        "n": 1,
        "size": "1024x1024",
        "quality": "low",
        "output_format": "png",
    }
    assert gen.headers["api-key"] == KEY and gen.headers["x-ms-client-request-id"]
    assert report.checks[0].request_ids == ("req-1",)
    assert report.checks[2].failure.kind is FailureKind.KEYLESS_VIOLATED
    assert service.requests[2].headers["api-key"] == PROBE_KEY


def test_edit_is_multipart_with_image_content_types_and_a_same_size_mask():
    service = FakeService()
    report = run(service, [target()], checks=("edit",))
    parts = multipart_parts(service.requests[0])
    assert parts["image"][0] == "image/png" and parts["mask"][0] == "image/png"
    assert {k: v[1].decode() for k, v in parts.items() if k not in ("image", "mask", "prompt")} == {
        "n": "1",
        "size": "1024x1024",
        "quality": "low",
        "output_format": "png",
    }
    assert report.checks[0].details["baseImage"] == "fixture"
    assert "changedInsideMask" in report.checks[0].details


def test_edit_can_use_the_generated_image():
    service = FakeService()
    report = run(service, [target()], checks=("generate", "edit"), edit_source="generated")
    assert report.checks[1].details["baseImage"] == "generated"
    assert multipart_parts(service.requests[1])["image"][1] == report.checks[0].images[0].data


def test_v1_route_puts_the_deployment_in_the_body():
    service = FakeService()
    run(service, [target()], checks=("generate", "edit"), v1=True)
    assert str(service.requests[0].url) == "https://acct.openai.azure.com/openai/v1/images/generations"
    assert json.loads(service.requests[0].content)["model"] == "gpt-image"
    assert multipart_parts(service.requests[1])["model"][1] == b"gpt-image"


def test_429s_are_retried_honouring_retry_after_ms_and_every_attempt_is_recorded():
    service = FakeService(
        queue=deque(
            [
                error(429, "429", "slow down", {"retry-after-ms": "250", "retry-after": "9"}),
                error(503, "ServiceUnavailable", "busy", {"retry-after": "2"}),
            ]
        )
    )
    sleeps: list[float] = []
    report = run(service, [target()], sleeps, checks=("generate",))
    check = report.checks[0]
    assert check.status is CheckStatus.PASSED
    assert [(a.status, a.outcome, a.wait_s) for a in check.attempts] == [
        (429, "throttled", 0.25),
        (503, "server_error", 2.0),
        (200, "ok", 0.0),
    ]
    assert sleeps == [0.25, 2.0]


def test_a_storm_longer_than_the_attempts_is_classified_throttled():
    service = FakeService(queue=deque([error(429, "429", "slow", {"retry-after-ms": "10"})] * 5))
    report = run(service, [target()], checks=("generate",), retry=RetryPolicy(max_attempts=3))
    check = report.checks[0]
    assert (check.failure.kind, len(check.attempts)) == (FailureKind.THROTTLED, 3)


def test_timeouts_are_retried_then_classified():
    service = FakeService(raise_on=deque([httpx.ReadTimeout("slow")] * 2))
    report = run(service, [target()], checks=("generate",), retry=RetryPolicy(max_attempts=2))
    check = report.checks[0]
    assert [a.outcome for a in check.attempts] == ["timeout", "timeout"]
    assert (check.failure.kind, check.failure.message) == (
        FailureKind.TIMEOUT,
        "No response before the request timeout.",
    )


def test_connection_errors_are_classified_with_the_ca_bundle_hint():
    service = FakeService(raise_on=deque([httpx.ConnectError("certificate verify failed")]))
    report = run(service, [target()], checks=("generate",), retry=RetryPolicy(max_attempts=1))
    failure = report.checks[0].failure
    assert failure.kind is FailureKind.CONNECTION and "--ca-bundle" in failure.hint
    assert failure.message == (
        "Could not connect to acct.openai.azure.com:443 (ConnectError: certificate verify failed)."
    )


def test_deployment_not_found_is_retried_for_the_configured_window_only():
    not_found = error(404, "DeploymentNotFound", "The API deployment for this resource does not exist.")
    service = FakeService(queue=deque([not_found] * 2))
    sleeps: list[float] = []
    policy = RetryPolicy(not_found_wait_s=100, not_found_interval_s=10)
    clock = iter(range(0, 1000, 5))
    options = SmokeOptions(auth=ApiKeyAuth(KEY, "K"), checks=("generate",), retry=policy)
    with service.client() as http:
        report = run_smoke([target()], options, http=http, sleep=sleeps.append, clock=lambda: next(clock))
    assert report.checks[0].status is CheckStatus.PASSED and sleeps == [10, 10]
    assert [a.outcome for a in report.checks[0].attempts] == ["deployment_not_found"] * 2 + ["ok"]
    service = FakeService(queue=deque([not_found] * 2))
    report = run(service, [target()], checks=("generate",))
    assert report.checks[0].failure.kind is FailureKind.DEPLOYMENT_NOT_FOUND and len(service.requests) == 1


def test_a_content_filtered_prompt_falls_back_to_the_next_prompt():
    blocked = error(
        400, "content_policy_violation", "Your request was rejected as a result of our safety system."
    )
    service = FakeService(queue=deque([blocked]))
    report = run(service, [target()], checks=("generate",), prompts=("first", "second"))
    check = report.checks[0]
    assert check.status is CheckStatus.PASSED and check.prompt == "second"
    assert [a.outcome for a in check.attempts] == ["content_filter", "ok"]
    service = FakeService(queue=deque([blocked, blocked]))
    report = run(service, [target()], checks=("generate",), prompts=("first", "second"))
    assert report.checks[0].failure.kind is FailureKind.CONTENT_FILTER


def test_keyless_is_skipped_unless_the_outputs_promise_it():
    report = run(FakeService(), [target(local_auth_disabled=False)], checks=("keyless",))
    assert report.checks[0].status is CheckStatus.SKIPPED
    assert report.passed


def test_per_deployment_rate_is_respected():
    sleeps: list[float] = []
    run(FakeService(), [target(capacity=1)], sleeps, checks=("generate", "edit"), rpm_per_capacity_unit=1)
    assert sleeps == [pytest.approx(60.0, abs=0.5)]


def test_secrets_are_scrubbed_from_failure_messages():
    service = FakeService(queue=deque([error(401, "401", f"bad key {KEY}")]))
    report = run(service, [target()], checks=("generate",))
    assert KEY not in report.checks[0].failure.message and "***" in report.checks[0].failure.message


def test_many_deployments_run_concurrently_and_keep_their_order():
    import threading

    barrier = threading.Barrier(4, timeout=5)
    service = FakeService()

    def handler(request):
        barrier.wait()  # only passes if four requests are in flight at once
        return service(request)

    targets = [target(deployment=f"d{i}") for i in range(4)]
    options = SmokeOptions(auth=ApiKeyAuth(KEY, "K"), checks=("generate",), concurrency=4)
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        report = run_smoke(targets, options, http=http)
    assert [c.target.deployment for c in report.checks] == ["d0", "d1", "d2", "d3"] and report.passed


def test_one_off_edit_without_a_mask():
    service = FakeService()
    with service.client() as http:
        result = one_off(
            "edit",
            target(),
            "paint it",
            Expectation(),
            quality="low",
            auth=ApiKeyAuth(KEY, "K"),
            image=image_bytes(),
            http=http,
        )
    assert result.status is CheckStatus.PASSED
    assert set(multipart_parts(service.requests[0])) == {
        "image",
        "prompt",
        "n",
        "size",
        "quality",
        "output_format",
    }


def test_a_token_refresh_failing_mid_run_is_an_auth_failure_not_a_crash():
    from types import SimpleNamespace

    from smoke.auth import EntraAuth
    from smoke.classify import TOKEN_REFRESH_HINT

    outcomes = deque(
        ["tok-start-0123456789", RuntimeError("AADSTS700024: client assertion expired"), "tok-2"]
    )

    def get_token(scope):
        outcome = outcomes.popleft()
        if isinstance(outcome, Exception):
            raise outcome
        return SimpleNamespace(token=outcome, expires_on=0)  # expired at once: every request refreshes

    auth = EntraAuth(credential=SimpleNamespace(get_token=get_token))
    service = FakeService()
    with service.client() as http:
        report = run_smoke([target()], SmokeOptions(auth=auth, checks=("generate", "edit")), http=http)
    generate, edit = report.checks
    assert generate.status is CheckStatus.FAILED and edit.status is CheckStatus.PASSED
    assert (generate.failure.kind, generate.failure.hint) == (FailureKind.AUTH, TOKEN_REFRESH_HINT)
    assert generate.failure.message == (
        "No Entra ID token for https://cognitiveservices.azure.com/.default (AADSTS700024: client "
        "assertion expired); run `az login`, set the AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET "
        "variables, or use --auth key."
    )
    assert [(a.status, a.outcome) for a in generate.attempts] == [(None, "auth")]
    assert len(service.requests) == 1 and service.requests[0].headers["authorization"] == "Bearer tok-2"


def test_concurrency_bounds_the_deployments_in_flight():
    import threading

    lock, in_flight, peak = threading.Lock(), [0], [0]
    service = FakeService()
    crowded = threading.Event()

    def handler(request):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
            if in_flight[0] > 2:
                crowded.set()
        # Each request stays in flight long enough for a third one to arrive if the bound were broken.
        crowded.wait(timeout=0.2)
        try:
            return service(request)
        finally:
            with lock:
                in_flight[0] -= 1

    targets = [target(deployment=f"d{i}") for i in range(6)]
    options = SmokeOptions(auth=ApiKeyAuth(KEY, "K"), checks=("generate",), concurrency=2)
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        report = run_smoke(targets, options, http=http)
    assert report.passed and len(service.requests) == 6 and peak[0] == 2
