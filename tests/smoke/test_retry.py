import random

import pytest

from smoke.retry import RetryPolicy, backoff, decide, server_wait

POLICY = RetryPolicy(max_attempts=4, deadline_s=60, not_found_wait_s=30, not_found_interval_s=10)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250", "retry-after": "7"}, 0.25),
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after-ms": "soon", "retry-after": "2"}, 2.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, None),
        ({}, None),
    ],
)
def test_server_wait_prefers_milliseconds_then_seconds(headers, expected):
    assert server_wait(headers) == expected


def test_backoff_doubles_up_to_the_cap_with_bounded_jitter():
    rng = random.Random(1)
    waits = [backoff(n, POLICY, rng) for n in range(1, 8)]
    for n, wait in enumerate(waits, start=1):
        ceiling = min(0.5 * 2 ** (n - 1), 8.0)
        assert 0.75 * ceiling <= wait <= ceiling


@pytest.mark.parametrize(
    ("kwargs", "retry", "wait", "reason"),
    [
        ({"status": 429, "headers": {"retry-after-ms": "200"}}, True, 0.2, "server asked"),
        ({"status": 503, "headers": {"retry-after": "3"}}, True, 3.0, "server asked"),
        ({"status": 400}, False, 0.0, "not retryable"),
        ({"status": 401}, False, 0.0, "not retryable"),
        ({"status": 429, "attempt": 4}, False, 0.0, "attempts exhausted"),
        (
            {"status": 429, "headers": {"retry-after": "121"}},
            False,
            0.0,
            "server asked for a longer wait than allowed",
        ),
        (
            {"status": 429, "headers": {"retry-after": "30"}, "elapsed_s": 40},
            False,
            0.0,
            "check deadline reached",
        ),
        (
            {"status": None, "timed_out": True, "headers": {"retry-after-ms": "100"}},
            True,
            0.1,
            "server asked",
        ),
        ({"status": 404, "not_found": True, "elapsed_s": 5}, True, 10.0, "deployment not found yet"),
        (
            {"status": 404, "not_found": True, "elapsed_s": 25},
            False,
            0.0,
            "deployment not found after the not-found window",
        ),
    ],
)
def test_decide(kwargs, retry, wait, reason):
    args = {"attempt": 1, "elapsed_s": 0.0, "policy": POLICY, **kwargs}
    decision = decide(**args)
    assert (decision.retry, decision.wait_s, decision.reason) == (retry, wait, reason)


def test_decide_uses_backoff_without_server_hint_on_connection_errors():
    decision = decide(
        attempt=2, elapsed_s=0, status=None, connection_error=True, policy=POLICY, rng=random.Random(0)
    )
    assert decision.retry and 0.75 <= decision.wait_s <= 1.0 and decision.reason == "backoff"


def test_the_not_found_window_is_bounded_by_the_check_deadline():
    policy = RetryPolicy(deadline_s=20, not_found_wait_s=600, not_found_interval_s=10)
    assert decide(attempt=9, elapsed_s=5, status=404, not_found=True, policy=policy).retry
    assert not decide(attempt=2, elapsed_s=15, status=404, not_found=True, policy=policy).retry


def test_not_found_is_not_retried_when_no_window_is_configured():
    assert not decide(attempt=1, elapsed_s=0, status=404, not_found=True, policy=RetryPolicy()).retry
