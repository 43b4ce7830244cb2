"""rollout.metrics_gate at its edges: the exact thresholds, one side without a p95, and a policy that
judges an empty window."""

from __future__ import annotations

import pytest

from rollout.metrics_gate import TrafficPolicy, WindowFigures, judge_traffic

NOT_COMPARED = "p95 time to response not compared: the {} had no successful answer in the window"


def figures(requests: int = 100, p95: float | None = 1000.0) -> WindowFigures:
    return WindowFigures(requests=requests, throttled=0, server_errors=0, p95_ms=p95)


@pytest.mark.parametrize(
    ("candidate_p95", "stable_p95", "verdict", "latency_reason"),
    [
        # exactly 1.5 times and 500 ms slower: not above the ratio, passes
        (1500.0, 1000.0, "pass", "within"),
        (1500.1, 1000.0, "fail", "exceeds"),
        # above 1.5 times (600 ms) but exactly 250 ms slower: not more than the delta, passes
        (650.0, 400.0, "pass", "within"),
        (650.5, 400.0, "fail", "exceeds"),
        # one side without a successful answer: the p95s are not compared, and the sentence names that side
        (None, 1000.0, "pass", NOT_COMPARED.format("candidate")),
        (1000.0, None, "pass", NOT_COMPARED.format("stable")),
        (None, None, "pass", NOT_COMPARED.format("candidate")),
    ],
)
def test_latency_at_its_thresholds(
    candidate_p95: float | None, stable_p95: float | None, verdict: str, latency_reason: str
) -> None:
    decision = judge_traffic(figures(p95=candidate_p95), figures(p95=stable_p95))
    assert decision.verdict == verdict
    latency = decision.reasons[-1]
    assert latency == latency_reason or f" {latency_reason} " in latency


@pytest.mark.parametrize(
    ("candidate_requests", "stable_requests", "verdict"),
    [(20, 20, "pass"), (19, 20, "not-enough-traffic"), (20, 19, "not-enough-traffic")],
)
def test_exactly_the_minimum_of_requests_is_judged(
    candidate_requests: int, stable_requests: int, verdict: str
) -> None:
    candidate, stable = figures(candidate_requests), figures(stable_requests)
    decision = judge_traffic(candidate, stable)
    assert decision.verdict == verdict
    assert (decision.candidate, decision.stable) == (candidate, stable)


def test_a_decision_keeps_both_sides_figures_whatever_the_verdict() -> None:
    candidate, stable = figures(5, 900.0), figures(300, 1000.0)
    short = judge_traffic(candidate, stable)
    assert short.verdict == "not-enough-traffic"
    assert (short.candidate, short.stable) == (candidate, stable)
    candidate = figures(50, 900.0)
    passed = judge_traffic(candidate, stable)
    assert passed.verdict == "pass"
    assert (passed.candidate, passed.stable) == (candidate, stable)


def test_a_policy_that_needs_no_traffic_judges_an_empty_window_as_no_errors() -> None:
    empty = WindowFigures(requests=0, throttled=0, server_errors=0, p95_ms=None)
    decision = judge_traffic(empty, empty, TrafficPolicy(min_requests=0))
    assert decision.verdict == "pass"
    assert decision.reasons == (
        "candidate 5xx rate 0.0% (0 of 0) is within 2.0 points of stable 0.0% (0 of 0)",
        "candidate 429 rate 0.0% (0 of 0) is within 2.0 points of stable 0.0% (0 of 0)",
        NOT_COMPARED.format("candidate"),
    )
