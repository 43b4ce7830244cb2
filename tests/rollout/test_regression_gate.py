"""The candidate-vs-stable gate as a table: which differences stop a rollout and what it says."""

from __future__ import annotations

import pytest

from rollout.regression_gate import GatePolicy, compare
from smoke.classify import failure
from smoke.results import Attempt, CheckResult, CheckStatus, FailureKind
from tests.smoke.fakes import target

STABLE, CANDIDATE = target(deployment="gpt-image"), target(deployment="gpt-image-candidate")


def result(t, name: str, status: str, latency: float = 1.0, kind: FailureKind = FailureKind.SERVER_ERROR):
    fail = failure(kind, "boom") if status == "failed" else None
    attempts = (
        () if status == "skipped" else (Attempt(1, 0.0, latency, 200 if fail is None else 500, "r", "ok"),)
    )
    return CheckResult(t, name, CheckStatus(status), fail, attempts)


def run(stable: dict[str, str], candidate: dict[str, str], stable_s: float = 1.0, candidate_s: float = 1.0):
    s = [result(STABLE, n, st, stable_s) for n, st in stable.items()]
    c = [result(CANDIDATE, n, st, candidate_s) for n, st in candidate.items()]
    return compare(s, c, GatePolicy(max_latency_ratio=1.5, min_latency_delta_s=1.0))


@pytest.mark.parametrize(
    ("stable", "candidate", "passed", "regressions"),
    [
        ({"a": "passed", "b": "passed"}, {"a": "passed", "b": "passed"}, True, []),
        ({"a": "passed", "b": "passed"}, {"a": "passed", "b": "failed"}, False, ["b"]),
        ({"a": "failed"}, {"a": "failed"}, True, []),  # the stable fails it too: not the candidate's fault
        ({"a": "passed"}, {}, False, ["a"]),  # a case the candidate never ran is not a pass
        ({"k": "skipped"}, {"k": "skipped"}, True, []),
    ],
)
def test_the_candidate_must_pass_every_case_the_stable_passes(stable, candidate, passed, regressions) -> None:
    decision = run(stable, candidate)
    assert (decision.passed, list(decision.regressions)) == (passed, regressions)


def test_a_regression_names_the_cases_and_why() -> None:
    decision = run({"a": "passed", "b": "passed"}, {"a": "failed", "b": "failed"})
    assert decision.reasons == (
        "the candidate fails 2 cases the stable passes: a (server_error), b (server_error)",
    )
    assert run({"a": "failed"}, {"a": "passed"}).notes == (
        "a fails on the stable deployment too, so it does not count against the candidate",
    )


@pytest.mark.parametrize(
    ("stable_s", "candidate_s", "passed"),
    [
        (10.0, 14.0, True),  # 1.4x
        (10.0, 16.0, False),  # 1.6x and 6 s slower
        (0.01, 0.5, True),  # 50x but half a second: noise on the emulator, not a regression
        (2.0, 3.5, False),  # 1.75x and 1.5 s slower: both limits crossed
    ],
)
def test_latency_p95_within_the_ratio(stable_s: float, candidate_s: float, passed: bool) -> None:
    decision = run({"a": "passed"}, {"a": "passed"}, stable_s, candidate_s)
    assert decision.passed is passed
    if not passed:
        assert decision.reasons[0].startswith(f"the candidate's p95 latency {candidate_s:.2f} s is ")
        assert decision.to_dict()["latencyRatio"] == pytest.approx(candidate_s / stable_s)
