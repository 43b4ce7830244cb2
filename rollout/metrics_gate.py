"""The traffic gate: after a bake window, did the candidate members serve as well as the stable ones?

Pure: the window's figures per side (requests, 429s, 5xx, p95 time to response) in, a ``TrafficDecision``
out, with one sentence per rule saying the numbers that decided it. In order:

1. either side served fewer than ``min_requests``: ``not-enough-traffic`` (no rate is judged on a handful);
2. the candidate's 5xx rate, then its 429 rate, above the stable's by more than the margin (in percentage
   points): ``fail``;
3. the candidate's p95 above ``max_p95_ratio`` times the stable's *and* more than ``min_p95_delta_ms``
   slower (noise of a few milliseconds never decides): ``fail``;
4. otherwise ``pass``.

Rates compare exactly (fractions), so a difference equal to the margin passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Verdict = Literal["pass", "fail", "not-enough-traffic"]


@dataclass(frozen=True)
class WindowFigures:
    """What one member (or one side) served in a bake window."""

    requests: int
    throttled: int  # answers with status 429
    server_errors: int  # answers with status 500-599
    p95_ms: float | None  # of the successful answers; None when there were none


@dataclass(frozen=True)
class TrafficPolicy:
    min_requests: int = 20
    error_margin_points: float = 2.0
    throttle_margin_points: float = 2.0
    max_p95_ratio: float = 1.5
    min_p95_delta_ms: float = 250.0


@dataclass(frozen=True)
class TrafficDecision:
    verdict: Verdict
    reasons: tuple[str, ...]
    stable: WindowFigures
    candidate: WindowFigures

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"


def combine(members: Sequence[WindowFigures]) -> WindowFigures:
    """One side's figures from its members': counts add; p95 is the highest member's (never optimistic)."""
    p95s = [m.p95_ms for m in members if m.p95_ms is not None]
    return WindowFigures(
        requests=sum(m.requests for m in members),
        throttled=sum(m.throttled for m in members),
        server_errors=sum(m.server_errors for m in members),
        p95_ms=max(p95s) if p95s else None,
    )


def _rate(count: int, requests: int) -> Fraction:
    return Fraction(100 * count, requests) if requests else Fraction(0)


def _percent(count: int, requests: int) -> str:
    return f"{float(_rate(count, requests)):.1f}% ({count} of {requests})"


def _ms(value: float) -> str:
    return f"{value:.0f} ms"


def _compare_rate(
    kind: str, candidate: WindowFigures, stable: WindowFigures, count_of: str, margin: float
) -> tuple[bool, str]:
    c, s = getattr(candidate, count_of), getattr(stable, count_of)
    over = _rate(c, candidate.requests) - _rate(s, stable.requests) > Fraction(str(margin))
    c_text, s_text = _percent(c, candidate.requests), _percent(s, stable.requests)
    if over:
        return False, (
            f"candidate {kind} rate {c_text} exceeds stable {s_text} "
            f"by more than the {margin:.1f}-point margin"
        )
    return True, f"candidate {kind} rate {c_text} is within {margin:.1f} points of stable {s_text}"


def _compare_latency(
    candidate: WindowFigures, stable: WindowFigures, policy: TrafficPolicy
) -> tuple[bool, str]:
    if candidate.p95_ms is None or stable.p95_ms is None:
        side = "candidate" if candidate.p95_ms is None else "stable"
        return True, f"p95 time to response not compared: the {side} had no successful answer in the window"
    c, s = candidate.p95_ms, stable.p95_ms
    limit = s * policy.max_p95_ratio
    if c > limit and c - s > policy.min_p95_delta_ms:
        return False, (
            f"candidate p95 time to response {_ms(c)} exceeds {policy.max_p95_ratio:g} times stable {_ms(s)} "
            f"({_ms(limit)}) and is more than {_ms(policy.min_p95_delta_ms)} slower"
        )
    return True, (
        f"candidate p95 time to response {_ms(c)} is within {policy.max_p95_ratio:g} times stable {_ms(s)} "
        f"or within {_ms(policy.min_p95_delta_ms)} of it"
    )


def judge_traffic(
    candidate: WindowFigures, stable: WindowFigures, policy: TrafficPolicy | None = None
) -> TrafficDecision:
    policy = policy or TrafficPolicy()
    short = [
        f"{side} served {figures.requests} requests in the window, fewer than the {policy.min_requests} "
        "the gate needs"
        for side, figures in (("candidate", candidate), ("stable", stable))
        if figures.requests < policy.min_requests
    ]
    if short:
        return TrafficDecision("not-enough-traffic", tuple(short), stable, candidate)
    checks = [
        _compare_rate("5xx", candidate, stable, "server_errors", policy.error_margin_points),
        _compare_rate("429", candidate, stable, "throttled", policy.throttle_margin_points),
        _compare_latency(candidate, stable, policy),
    ]
    failed = tuple(text for ok, text in checks if not ok)
    if failed:
        return TrafficDecision("fail", failed, stable, candidate)
    return TrafficDecision("pass", tuple(text for _, text in checks), stable, candidate)
