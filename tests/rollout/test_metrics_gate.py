"""rollout.metrics_gate: every branch of the traffic gate, with the exact sentences it gives."""

from __future__ import annotations

import pytest

from rollout.metrics_gate import TrafficPolicy, WindowFigures, combine, judge_traffic
from rollout.monitor_metrics import SeriesPoint, approximate_p95, figures_by_deployment

STABLE = WindowFigures(requests=240, throttled=0, server_errors=0, p95_ms=3000.0)


def test_a_candidate_failing_20_percent_fails_with_the_numbers():
    candidate = WindowFigures(requests=60, throttled=0, server_errors=12, p95_ms=3000.0)
    decision = judge_traffic(candidate, STABLE)
    assert decision.verdict == "fail" and not decision.passed
    assert decision.reasons == (
        "candidate 5xx rate 20.0% (12 of 60) exceeds stable 0.0% (0 of 240) "
        "by more than the 2.0-point margin",
    )
    assert (decision.candidate, decision.stable) == (candidate, STABLE)


def test_a_healthy_candidate_passes_and_says_why():
    candidate = WindowFigures(requests=60, throttled=1, server_errors=1, p95_ms=3100.0)
    decision = judge_traffic(candidate, STABLE)
    assert decision.verdict == "pass" and decision.passed
    assert decision.reasons == (
        "candidate 5xx rate 1.7% (1 of 60) is within 2.0 points of stable 0.0% (0 of 240)",
        "candidate 429 rate 1.7% (1 of 60) is within 2.0 points of stable 0.0% (0 of 240)",
        "candidate p95 time to response 3100 ms is within 1.5 times stable 3000 ms or within 250 ms of it",
    )


def test_throttling_above_the_margin_fails():
    candidate = WindowFigures(requests=50, throttled=5, server_errors=0, p95_ms=3000.0)
    stable = WindowFigures(requests=100, throttled=4, server_errors=0, p95_ms=3000.0)
    assert judge_traffic(candidate, stable).reasons == (
        "candidate 429 rate 10.0% (5 of 50) exceeds stable 4.0% (4 of 100) by more than the 2.0-point margin",
    )


def test_a_difference_equal_to_the_margin_passes():
    # 3 of 50 is 6.0%, 4 of 100 is 4.0%: exactly 2.0 points apart.
    candidate = WindowFigures(requests=50, throttled=0, server_errors=3, p95_ms=None)
    stable = WindowFigures(requests=100, throttled=0, server_errors=4, p95_ms=None)
    decision = judge_traffic(candidate, stable)
    assert decision.verdict == "pass"
    assert (
        decision.reasons[0]
        == "candidate 5xx rate 6.0% (3 of 50) is within 2.0 points of stable 4.0% (4 of 100)"
    )
    assert decision.reasons[2] == (
        "p95 time to response not compared: the candidate had no successful answer in the window"
    )


def test_a_slow_candidate_fails_only_beyond_both_the_ratio_and_the_delta():
    slow = WindowFigures(requests=60, throttled=0, server_errors=0, p95_ms=4600.0)
    assert judge_traffic(slow, STABLE).reasons == (
        "candidate p95 time to response 4600 ms exceeds 1.5 times stable 3000 ms (4500 ms) and is more than "
        "250 ms slower",
    )
    # Twice as slow but only 200 ms slower: noise on fast answers never decides.
    fast_stable = WindowFigures(requests=240, throttled=0, server_errors=0, p95_ms=200.0)
    fast = WindowFigures(requests=60, throttled=0, server_errors=0, p95_ms=400.0)
    assert judge_traffic(fast, fast_stable).verdict == "pass"


def test_both_error_rules_and_latency_can_fail_together_in_order():
    bad = WindowFigures(requests=40, throttled=10, server_errors=8, p95_ms=9000.0)
    assert judge_traffic(bad, STABLE).reasons == (
        "candidate 5xx rate 20.0% (8 of 40) exceeds stable 0.0% (0 of 240) by more than the 2.0-point margin",
        "candidate 429 rate 25.0% (10 of 40) exceeds stable 0.0% (0 of 240) "
        "by more than the 2.0-point margin",
        "candidate p95 time to response 9000 ms exceeds 1.5 times stable 3000 ms (4500 ms) and is more than "
        "250 ms slower",
    )


@pytest.mark.parametrize(
    ("candidate", "stable", "reasons"),
    [
        (
            WindowFigures(5, 0, 5, None),
            STABLE,
            ("candidate served 5 requests in the window, fewer than the 10 the gate needs",),
        ),
        (
            WindowFigures(60, 0, 0, 1.0),
            WindowFigures(0, 0, 0, None),
            ("stable served 0 requests in the window, fewer than the 10 the gate needs",),
        ),
        (
            WindowFigures(9, 0, 0, 1.0),
            WindowFigures(3, 0, 0, 1.0),
            (
                "candidate served 9 requests in the window, fewer than the 10 the gate needs",
                "stable served 3 requests in the window, fewer than the 10 the gate needs",
            ),
        ),
    ],
)
def test_too_little_traffic_is_said_not_judged(candidate, stable, reasons):
    decision = judge_traffic(candidate, stable, TrafficPolicy(min_requests=10))
    assert decision.verdict == "not-enough-traffic"
    assert decision.reasons == reasons


def test_policy_margins_and_ratio_are_the_policys():
    policy = TrafficPolicy(
        min_requests=1, error_margin_points=25, throttle_margin_points=0.5, max_p95_ratio=2
    )
    candidate = WindowFigures(requests=10, throttled=0, server_errors=2, p95_ms=5000.0)
    assert judge_traffic(candidate, STABLE, policy).reasons == (
        "candidate 5xx rate 20.0% (2 of 10) is within 25.0 points of stable 0.0% (0 of 240)",
        "candidate 429 rate 0.0% (0 of 10) is within 0.5 points of stable 0.0% (0 of 240)",
        "candidate p95 time to response 5000 ms is within 2 times stable 3000 ms or within 250 ms of it",
    )


def test_a_side_combines_its_members():
    members = [WindowFigures(10, 1, 2, 300.0), WindowFigures(30, 0, 1, 900.0), WindowFigures(0, 0, 0, None)]
    assert combine(members) == WindowFigures(40, 1, 3, 900.0)
    assert combine([]) == WindowFigures(0, 0, 0, None)


def test_p95_from_per_minute_maxima_is_an_upper_bound_by_nearest_rank():
    assert approximate_p95([]) is None
    assert approximate_p95([(100.0, 0)]) is None
    # 19 answers in a minute whose slowest took 100 ms, 1 in one whose slowest took 900 ms: rank 19 of 20.
    assert approximate_p95([(900.0, 1), (100.0, 19)]) == 100.0
    assert approximate_p95([(900.0, 2), (100.0, 18)]) == 900.0


def test_figures_by_deployment_from_monitor_series():
    points = [
        SeriesPoint("AzureOpenAIRequests", "cand", 200, 8.0, None, None),
        SeriesPoint("AzureOpenAIRequests", "cand", 429, 1.0, None, None),
        SeriesPoint("AzureOpenAIRequests", "cand", 503, 2.0, None, None),
        SeriesPoint("AzureOpenAIRequests", "cand", 500, 1.0, None, None),
        SeriesPoint("AzureOpenAIRequests", "cand", 400, 1.0, None, None),
        SeriesPoint("AzureOpenAIRequests", "cand", 200, 0.0, None, None),
        SeriesPoint("AzureOpenAITimeToResponse", "cand", 200, None, 700.0, 8.0),
        SeriesPoint("AzureOpenAITimeToResponse", "cand", 503, None, 5.0, 2.0),
        SeriesPoint("AzureOpenAIRequests", "stable", 200, 3.0, None, None),
    ]
    assert figures_by_deployment(points) == {
        "cand": WindowFigures(requests=13, throttled=1, server_errors=3, p95_ms=700.0),
        "stable": WindowFigures(requests=3, throttled=0, server_errors=0, p95_ms=None),
    }
