import random

import pytest

from smoke.retry import RetryPolicy, backoff, decide, evidence, seen, server_wait

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


# -- giving up early, with the evidence ------------------------------------------------------------------

WINDOW = RetryPolicy(deadline_s=720, give_up_after_s=60, give_up_min_attempts=12)


def test_evidence_counts_what_every_attempt_saw():
    assert evidence(["503"] * 14, 90.2) == "answered 503 to all 14 attempts in 90 s"
    mix = evidence(["503"] * 9 + ["timeout"] * 5, 90)
    assert mix == "answered 503 to 9 and timed out on 5 of 14 attempts in 90 s"
    assert evidence(["timeout"] * 3, 61) == "timed out on all 3 attempts in 61 s"
    assert evidence(["429"], 0) == "answered 429 to 1 attempt in 0 s"
    assert (
        evidence(["503", "429", "503", "connection"], 12, "h.example:443")
        == "answered 503 to 2 and 429 to 1 and could not connect to h.example:443 on 1 of 4 attempts in 12 s"
    )


def test_seen_labels_only_transient_failures():
    failures = [seen(503), seen(429), seen(408), seen(None, timed_out=True)]
    assert [*failures, seen(None, connection_error=True)] == ["503", "429", "408", "timeout", "connection"]
    assert [seen(200), seen(400), seen(404)] == [None, None, None]


def test_only_failures_for_the_window_stops_with_the_evidence():
    decision = decide(attempt=14, elapsed_s=90, status=503, policy=WINDOW, history=["503"] * 13)
    assert (decision.retry, decision.reason) == (False, "only failures for the give-up window")
    assert decision.evidence == (
        "Gave up: answered 503 to all 14 attempts in 90 s, only failures for at least --give-up-after 60 s "
        "(of the 720 s check budget)."
    )


def test_a_mix_of_failures_is_counted_as_it_was_seen():
    history = ["503", "timeout"] * 6
    decision = decide(attempt=13, elapsed_s=75, status=None, timed_out=True, policy=WINDOW, history=history)
    assert not decision.retry
    assert decision.evidence.startswith(
        "Gave up: answered 503 to 6 and timed out on 7 of 13 attempts in 75 s,"
    )


@pytest.mark.parametrize(
    ("attempt", "elapsed_s", "history"),
    [
        (11, 200.0, ["503"] * 10),  # one 120 s timeout outlasts the window: too few attempts to judge
        (13, 59.0, ["503"] * 12),  # enough attempts, not yet the window
        (13, 90.0, ["503"] * 5 + [None] + ["503"] * 6),  # a real answer was seen (the content filter)
    ],
    ids=["too-few-attempts", "inside-the-window", "not-only-failures"],
)
def test_the_window_does_not_stop_a_check_that_is_not_only_failing(attempt, elapsed_s, history):
    decision = decide(
        attempt=attempt, elapsed_s=elapsed_s, status=503, policy=WINDOW, history=history, rng=random.Random(0)
    )
    assert (decision.retry, decision.reason) == (True, "backoff")


def test_while_only_failures_are_seen_the_wait_says_so():
    decision = decide(
        attempt=6, elapsed_s=13.4, status=503, policy=WINDOW, history=["503"] * 5, rng=random.Random(0)
    )
    assert decision.retry
    assert decision.why == (
        f"HTTP 503; backing off {decision.wait_s:.1f} s (answered 503 to all 6 attempts in 13 s so far; "
        "giving up after 60 s of only failures, 720 s check budget)"
    )


def test_a_check_that_has_seen_an_answer_shows_its_budget_as_before():
    decision = decide(attempt=2, elapsed_s=3, status=429, policy=WINDOW, history=[None], rng=random.Random(0))
    assert decision.why.endswith("(attempt 2, 3 s of the 720 s check budget used)")


def test_the_budget_stop_says_what_was_seen():
    policy = RetryPolicy(deadline_s=20)
    decision = decide(
        attempt=3, elapsed_s=19, status=None, timed_out=True, policy=policy, history=["timeout"] * 2
    )
    assert (decision.retry, decision.evidence) == (
        False,
        "Stopped short of the 20 s check budget: timed out on all 3 attempts in 19 s.",
    )


# -- a refused connection ----------------------------------------------------------------------------------


def test_refused_on_loopback_stops_once_the_grace_is_over():
    args = {"status": None, "refused": True, "loopback": True, "peer": "127.0.0.1:9", "policy": RetryPolicy()}
    early = decide(attempt=1, elapsed_s=0.0, rng=random.Random(0), **args)
    assert early.retry and early.why.startswith("the connection to 127.0.0.1:9 was refused; backing off")
    late = decide(attempt=4, elapsed_s=3.5, history=["connection"] * 3, rng=random.Random(0), **args)
    assert (late.retry, late.reason) == (False, "nothing listens on loopback")


def test_refused_elsewhere_is_retried_past_the_grace_and_names_host_and_port():
    decision = decide(
        attempt=4,
        elapsed_s=3.5,
        status=None,
        refused=True,
        loopback=False,
        peer="acct.openai.azure.com:443",
        policy=RetryPolicy(),
        history=["connection"] * 3,
        rng=random.Random(0),
    )
    assert decision.retry
    assert decision.why.startswith("the connection to acct.openai.azure.com:443 was refused; backing off")
