"""The candidate-vs-stable gate: before promotion, the candidate must do everything the stable does.

Pure: two lists of smoke results (the same suite run on the stable and on the candidate deployment) in, a
``GateDecision`` out. It fails on a regression - a case the stable passes and the candidate does not - and
on a latency regression - the candidate's p95 above ``max_latency_ratio`` times the stable's *and* more
than ``min_latency_delta_s`` slower (so noise on answers of a few milliseconds never decides a rollout).
A case the stable fails too is reported, not held against the candidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rollout.request import DEFAULT_MAX_LATENCY_RATIO, DEFAULT_MIN_LATENCY_DELTA_S
from smoke import CheckResult, CheckStatus, latencies, p95


@dataclass(frozen=True)
class GatePolicy:
    max_latency_ratio: float = DEFAULT_MAX_LATENCY_RATIO
    min_latency_delta_s: float = DEFAULT_MIN_LATENCY_DELTA_S


@dataclass(frozen=True)
class CaseComparison:
    case: str
    stable: str  # a CheckStatus value, or "missing"
    candidate: str
    regression: bool


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    reasons: tuple[str, ...]
    cases: tuple[CaseComparison, ...]
    stable_p95_s: float | None
    candidate_p95_s: float | None
    policy: GatePolicy
    notes: tuple[str, ...] = ()

    @property
    def regressions(self) -> tuple[str, ...]:
        return tuple(c.case for c in self.cases if c.regression)

    @property
    def latency_ratio(self) -> float | None:
        if not self.stable_p95_s or self.candidate_p95_s is None:
            return None
        return self.candidate_p95_s / self.stable_p95_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "regressions": list(self.regressions),
            "cases": [
                {"case": c.case, "stable": c.stable, "candidate": c.candidate, "regression": c.regression}
                for c in self.cases
            ],
            "stableP95Seconds": self.stable_p95_s,
            "candidateP95Seconds": self.candidate_p95_s,
            "latencyRatio": self.latency_ratio,
            "maxLatencyRatio": self.policy.max_latency_ratio,
            "minLatencyDeltaSeconds": self.policy.min_latency_delta_s,
        }


def _status(results: dict[str, CheckResult], name: str) -> str:
    found = results.get(name)
    return found.status.value if found is not None else "missing"


def compare(
    stable: Sequence[CheckResult], candidate: Sequence[CheckResult], policy: GatePolicy | None = None
) -> GateDecision:
    policy = policy or GatePolicy()
    by_stable = {r.check: r for r in stable}
    by_candidate = {r.check: r for r in candidate}
    cases = []
    for name in dict.fromkeys([*by_stable, *by_candidate]):
        s, c = _status(by_stable, name), _status(by_candidate, name)
        regression = s == CheckStatus.PASSED.value and c not in (CheckStatus.PASSED.value, "skipped")
        cases.append(CaseComparison(name, s, c, regression))
    reasons = []
    regressed = [c for c in cases if c.regression]
    if regressed:
        # Case ids and why, in a word each: the full messages are in the report, case by case.
        detail = ", ".join(
            f"{c.case} ({failed.failure.kind.value})"
            if (failed := by_candidate.get(c.case)) is not None and failed.failure is not None
            else f"{c.case} ({c.candidate})"
            for c in regressed
        )
        reasons.append(
            f"the candidate fails {len(regressed)} case{'s' if len(regressed) != 1 else ''} "
            f"the stable passes: {detail}"
        )
    notes = tuple(
        f"{c.case} fails on the stable deployment too, so it does not count against the candidate"
        for c in cases
        if c.stable == CheckStatus.FAILED.value
    )
    stable_p95, candidate_p95 = p95(latencies(stable)), p95(latencies(candidate))
    if stable_p95 is not None and candidate_p95 is not None:
        slower = candidate_p95 - stable_p95
        if candidate_p95 > policy.max_latency_ratio * stable_p95 and slower > policy.min_latency_delta_s:
            reasons.append(
                f"the candidate's p95 latency {candidate_p95:.2f} s is {candidate_p95 / stable_p95:.2f}x "
                f"the stable's {stable_p95:.2f} s, above the allowed {policy.max_latency_ratio:g}x"
            )
    return GateDecision(not reasons, tuple(reasons), tuple(cases), stable_p95, candidate_p95, policy, notes)
