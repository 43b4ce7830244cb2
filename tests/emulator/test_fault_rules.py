"""Fault specs and what they do to a request (emulator/faults.py), in process: every key of a spec at the
edges of its range and just past them (the exact sentence), the spec as ``/_emulator/faults`` shows it,
and the draw for one request in the order the faults apply. Shares are drawn from a seeded generator, so
the expected answers are worked out here from a generator with the same seed, draw for draw.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from emulator.faults import FaultSpec, FaultSpecError, FaultStore, Outcome, Throttle, parse_fault_spec
from tests.plain_ids import plain

KNOWN = (
    "blocked, contentFilterOutput, errorRate, errorStatus, hang, hangRate, hangSeconds, latencyJitterMs, "
    "latencyMs, notFoundForSeconds, throttle, throttleRate"
)

EDGES = [
    ({}, FaultSpec()),
    (
        {"latencyMs": 600_000, "latencyJitterMs": 600_000},
        FaultSpec(latency_ms=600_000.0, latency_jitter_ms=600_000.0),
    ),
    ({"errorRate": 1, "errorStatus": 504}, FaultSpec(error_rate=1.0, error_status=504)),
    ({"errorStatus": 502}, FaultSpec(error_status=502)),
    ({"errorStatus": 503}, FaultSpec(error_status=503)),
    ({"throttle": {}}, FaultSpec(throttle=Throttle(1, 1000))),
    ({"throttle": None}, FaultSpec()),
    ({"throttle": {"count": 0, "retryAfterMs": 1}}, FaultSpec(throttle=Throttle(0, 1))),
    (
        {"throttle": {"count": 1_000_000, "retryAfterMs": 3_600_000}},
        FaultSpec(throttle=Throttle(1_000_000, 3_600_000)),
    ),
    ({"throttleRate": 0.25, "hangRate": 0.75}, FaultSpec(throttle_rate=0.25, hang_rate=0.75)),
    ({"throttleRate": 1}, FaultSpec(throttle_rate=1.0)),
    ({"hangRate": 1}, FaultSpec(hang_rate=1.0)),
    ({"hang": True, "hangSeconds": 0}, FaultSpec(hang=True, hang_seconds=0.0)),
    ({"hangSeconds": 3600}, FaultSpec(hang_seconds=3600.0)),
    ({"blocked": True, "contentFilterOutput": True}, FaultSpec(blocked=True, content_filter_output=True)),
    ({"notFoundForSeconds": 86_400}, FaultSpec(not_found_for_seconds=86_400.0)),
]


@pytest.mark.parametrize(("raw", "spec"), EDGES, ids=plain)
def test_a_spec_at_the_edges_of_each_range_is_read(raw: dict[str, Any], spec: FaultSpec) -> None:
    parsed = parse_fault_spec(raw)
    assert parsed == spec
    assert all(type(getattr(parsed, k)) is type(getattr(spec, k)) for k in vars(spec))


def number(key: str, low: str, high: str, value: str) -> str:
    return f"Fault '{key}' must be a number from {low} to {high}, not {value}."


REFUSED = [
    ([], 'A fault spec must be a JSON object such as {"errorRate": 0.5}.'),
    ({"bogus": 1, "alsoBogus": 2}, f"Unknown fault key(s) alsoBogus, bogus; known keys: {KNOWN}."),
    ({"errorStatus": 404}, "Fault 'errorStatus' must be 500, 502, 503 or 504, not 404."),
    ({"errorStatus": "500"}, "Fault 'errorStatus' must be 500, 502, 503 or 504, not '500'."),
    ({"throttle": 3}, 'Fault \'throttle\' must be an object such as {"count": 5, "retryAfterMs": 200}.'),
    ({"throttle": {"count": -1}}, number("count", "0", "1e+06", "-1")),
    ({"throttle": {"count": 1_000_001}}, number("count", "0", "1e+06", "1000001")),
    ({"throttle": {"retryAfterMs": 0}}, number("retryAfterMs", "1", "8.64e+07", "0")),
    ({"throttle": {"retryAfterMs": 86_400_001}}, number("retryAfterMs", "1", "8.64e+07", "86400001")),
    ({"throttleRate": -0.1}, number("throttleRate", "0", "1", "-0.1")),
    ({"throttleRate": 1.1}, number("throttleRate", "0", "1", "1.1")),
    ({"hangRate": 2}, number("hangRate", "0", "1", "2")),
    (
        {"throttleRate": 0.5, "hangRate": 0.6},
        "Faults 'throttleRate' + 'hangRate' are shares of the same requests; their sum 1.1 must be at most "
        "1.",
    ),
    ({"latencyMs": 600_001}, number("latencyMs", "0", "600000", "600001")),
    ({"latencyMs": -1}, number("latencyMs", "0", "600000", "-1")),
    ({"latencyJitterMs": 600_001}, number("latencyJitterMs", "0", "600000", "600001")),
    ({"errorRate": 1.5}, number("errorRate", "0", "1", "1.5")),
    ({"errorRate": True}, number("errorRate", "0", "1", "True")),
    ({"errorRate": "0.5"}, number("errorRate", "0", "1", "'0.5'")),
    ({"hangSeconds": 3601}, number("hangSeconds", "0", "3600", "3601")),
    ({"notFoundForSeconds": 86_401}, number("notFoundForSeconds", "0", "86400", "86401")),
    ({"hang": "yes"}, "Fault 'hang' must be true or false, not 'yes'."),
    ({"blocked": 1}, "Fault 'blocked' must be true or false, not 1."),
    ({"contentFilterOutput": None}, "Fault 'contentFilterOutput' must be true or false, not None."),
]


@pytest.mark.parametrize(("raw", "sentence"), REFUSED, ids=plain)
def test_a_spec_past_the_edges_is_refused_with_one_sentence(raw: Any, sentence: str) -> None:
    with pytest.raises(FaultSpecError) as caught:
        parse_fault_spec(raw)
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        400,
        "InvalidFaultSpec",
        sentence,
    )


def test_the_spec_is_shown_in_the_files_spelling() -> None:
    spec = parse_fault_spec({"latencyMs": 5, "throttle": {"count": 2, "retryAfterMs": 300}, "hangRate": 0.5})
    assert spec.to_json() == {
        "latencyMs": 5.0,
        "latencyJitterMs": 0.0,
        "errorRate": 0.0,
        "errorStatus": 500,
        "throttleRate": 0.0,
        "hangRate": 0.5,
        "hang": False,
        "hangSeconds": 30.0,
        "blocked": False,
        "notFoundForSeconds": 0.0,
        "contentFilterOutput": False,
        "throttle": {"count": 2, "retryAfterMs": 300},
    }
    assert FaultSpec().to_json()["throttle"] is None


def test_the_store_sets_shows_and_clears_per_deployment() -> None:
    store = FaultStore(seed=1)
    store.set("b", "d2", parse_fault_spec({"throttle": {"count": 3}}))
    store.set("a", "d1", parse_fault_spec({"hang": True}))
    store.set("a", "", parse_fault_spec({"blocked": True}))
    assert store.get("a", "d1") == FaultSpec(hang=True) and store.get("a", "d9") is None
    assert [(d["subdomain"], d["deployment"], d["throttlesLeft"]) for d in store.describe()] == [
        ("a", "", 0),
        ("a", "d1", 0),
        ("b", "d2", 3),
    ]
    assert store.describe()[1]["spec"] == FaultSpec(hang=True).to_json()
    store.clear("a")  # the account-wide entry only
    assert store.get("a", "") is None and store.get("a", "d1") is not None
    store.clear("a", "d1")
    assert store.get("a", "d1") is None and store.get("b", "d2") is not None
    store.clear()
    assert store.describe() == []


def draw(spec: dict[str, Any], *, seed: int = 3, now: float = 1000.0, created_at: float = 0.0) -> Outcome:
    store = FaultStore(seed=seed, clock=lambda: now)
    store.set("a", "d", parse_fault_spec(spec))
    return store.draw("a", "d", created_at)


def test_a_deployment_without_faults_is_answered_at_once() -> None:
    assert FaultStore(seed=1).draw("a", "d", 0.0) == Outcome()


def test_latency_is_in_seconds_and_the_jitter_is_drawn_around_it() -> None:
    assert draw({"latencyMs": 250}) == Outcome(delay=0.25)
    reference = random.Random(3)
    expected = (400 + reference.uniform(-300, 300)) / 1000
    assert draw({"latencyMs": 400, "latencyJitterMs": 300}).delay == expected
    # A jitter larger than the latency never makes a negative wait.
    delays = [draw({"latencyMs": 10, "latencyJitterMs": 600_000}, seed=s).delay for s in range(20)]
    assert min(delays) == 0.0 and max(delays) > 0.01


def test_a_fresh_deployment_is_not_found_until_its_time_is_up() -> None:
    spec = {"notFoundForSeconds": 30, "latencyMs": 100}
    young = draw(spec, now=1000.0, created_at=971.0)
    assert young.delay == 0.1 and young.error is not None and young.error.code == "DeploymentNotFound"
    assert draw(spec, now=1000.0, created_at=970.0) == Outcome(delay=0.1)


def test_blocked_comes_before_throttling_and_errors() -> None:
    outcome = draw({"blocked": True, "throttle": {"count": 5}, "errorRate": 1, "latencyMs": 1})
    assert outcome.delay == 0.001 and outcome.error is not None and outcome.error.status == 403
    assert outcome.error.code == draw({"blocked": True}).error.code  # type: ignore[union-attr]


def test_a_throttle_answers_its_count_of_429s_then_lets_requests_through() -> None:
    store = FaultStore(seed=1)
    store.set("a", "d", parse_fault_spec({"throttle": {"count": 2, "retryAfterMs": 250}, "latencyMs": 5}))
    outcomes = [store.draw("a", "d", 0.0) for _ in range(3)]
    assert outcomes == [
        Outcome(delay=0.005, throttle_ms=250),
        Outcome(delay=0.005, throttle_ms=250),
        Outcome(delay=0.005),
    ]
    assert store.describe()[0]["throttlesLeft"] == 0


@pytest.mark.parametrize("status", [500, 502, 503, 504], ids=plain)
def test_every_request_fails_at_an_error_rate_of_1(status: int) -> None:
    outcome = draw({"errorRate": 1, "errorStatus": status})
    assert outcome.error is not None and outcome.error.status == status


def test_the_error_rate_follows_the_seeded_draws() -> None:
    store = FaultStore(seed=5)
    store.set("a", "d", parse_fault_spec({"errorRate": 0.3}))
    reference = random.Random(5)
    expected = [reference.random() < 0.3 for _ in range(50)]
    assert [store.draw("a", "d", 0.0).error is not None for _ in range(50)] == expected


def test_one_draw_splits_requests_into_429s_hangs_and_the_rest() -> None:
    store = FaultStore(seed=9)
    store.set("a", "d", parse_fault_spec({"throttleRate": 0.3, "hangRate": 0.2, "hangSeconds": 7}))
    reference = random.Random(9)
    expected = []
    for _ in range(60):
        r = reference.random()
        expected.append(Outcome(throttle_ms=1000) if r < 0.3 else Outcome(hang=7.0 if r < 0.5 else 0.0))
    assert [store.draw("a", "d", 0.0) for _ in range(60)] == expected
    assert len({o for o in expected}) == 3


def test_a_throttle_rate_takes_the_throttles_retry_after() -> None:
    assert draw({"throttleRate": 1, "throttle": {"count": 0, "retryAfterMs": 40}}) == Outcome(throttle_ms=40)


def test_hang_and_filtered_output_apply_to_what_gets_through() -> None:
    assert draw({"hang": True, "hangSeconds": 12}) == Outcome(hang=12.0)
    assert draw({"hangRate": 1}) == Outcome(hang=30.0)
    assert draw({"hang": True, "hangRate": 0.0001, "throttleRate": 0.0001}) == Outcome(hang=30.0)
    assert draw({"contentFilterOutput": True}) == Outcome(filter_output=True)


def test_clearing_a_deployment_without_faults_changes_nothing() -> None:
    store = FaultStore(seed=1)
    store.set("a", "d", parse_fault_spec({"hang": True}))
    store.clear("a", "other")
    store.clear("b")
    assert store.get("a", "d") == FaultSpec(hang=True)


def test_errors_and_429s_drawn_by_share_still_wait_the_latency() -> None:
    assert draw({"errorRate": 1, "latencyMs": 100}).delay == 0.1
    assert draw({"throttleRate": 1, "latencyMs": 100}) == Outcome(delay=0.1, throttle_ms=1000)
