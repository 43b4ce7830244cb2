"""The gateway's pool logic in process: durations, breaker rules, breakers, member choice, Retry-After.

Learn's "Backends in API Management" page is the reference: a backend's ``circuitBreaker`` holds one rule
(a failure condition of ``count`` answers with a status in ``statusCodeRanges`` within ``interval``, then
open for ``tripDuration``, or for the backend's Retry-After when ``acceptRetryAfter``); a pool sends to
the best (lowest) priority that still has a closed breaker, by weight within it.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from emulator.apim.pool import (
    Breaker,
    BreakerRule,
    Member,
    breaker_rule,
    choose,
    header_seconds,
    iso_seconds,
    pool_members,
    retry_after_seconds,
)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("PT1M", 60.0),
        ("PT30S", 30.0),
        ("PT1.5S", 1.5),
        ("PT2H", 7200.0),
        ("P1D", 86400.0),
        ("P1DT1H1M1S", 86400 + 3600 + 60 + 1),
        ("PT0S", 0.0),
        # not a duration, or an empty one: the default
        (None, 7.0),
        ("", 7.0),
        ("P", 7.0),
        ("PT", 7.0),
        ("1M", 7.0),
        ("PT1MX", 7.0),
        ("xPT1M", 7.0),
        ("pt1m", 7.0),
    ],
)
def test_an_iso_duration_in_seconds_or_the_default(value: Any, seconds: float) -> None:
    assert iso_seconds(value, 7.0) == seconds


def test_a_rule_with_no_ranges_matches_nothing_and_defaults_are_learns() -> None:
    rule = BreakerRule()
    defaults = (rule.count, rule.interval_seconds, rule.trip_seconds, rule.accept_retry_after)
    assert defaults == (1, 60.0, 60.0, False)
    assert not rule.matches(500)


@pytest.mark.parametrize(
    ("status", "matches"),
    [
        (428, False), (429, True), (430, False), (499, False),
        (500, True), (550, True), (599, True), (600, False),
    ],
)
def test_a_rule_matches_the_statuses_inside_its_ranges_both_ends_included(status: int, matches: bool) -> None:
    assert BreakerRule(ranges=((429, 429), (500, 599))).matches(status) is matches


FULL_RULE = {
    "failureCondition": {
        "count": 3,
        "interval": "PT10S",
        "statusCodeRanges": [{"min": 429, "max": 429}, {"min": 500, "max": 599}],
    },
    "tripDuration": "PT2M",
    "acceptRetryAfter": True,
}


@pytest.mark.parametrize(
    ("properties", "rule"),
    [
        ({}, None),
        ({"circuitBreaker": None}, None),
        ({"circuitBreaker": {}}, None),
        ({"circuitBreaker": {"rules": []}}, None),
        ({"circuitBreaker": {"rules": ["not a rule"]}}, None),
        (
            {"circuitBreaker": {"rules": [FULL_RULE]}},
            BreakerRule(3, 10.0, 120.0, True, ((429, 429), (500, 599))),
        ),
        # only the first rule counts (APIM allows one)
        (
            {"circuitBreaker": {"rules": [{"tripDuration": "PT5S"}, FULL_RULE]}},
            BreakerRule(1, 60.0, 5.0, False, ()),
        ),
        # an empty rule: count 1, a minute for interval and trip, Retry-After not taken, no ranges
        ({"circuitBreaker": {"rules": [{}]}}, BreakerRule(1, 60.0, 60.0, False, ())),
        # a range with only a minimum is that one status; neither bound is status 0; a non-object is skipped
        (
            {
                "circuitBreaker": {
                    "rules": [{"failureCondition": {"statusCodeRanges": [{"min": 503}, {}, "500-599"]}}]
                }
            },
            BreakerRule(ranges=((503, 503), (0, 0))),
        ),
        # a count below one is one; acceptRetryAfter must be the JSON true, not a string
        (
            {"circuitBreaker": {"rules": [{"failureCondition": {"count": 0}, "acceptRetryAfter": "true"}]}},
            BreakerRule(1, 60.0, 60.0, False, ()),
        ),
        ({"circuitBreaker": {"rules": [{"failureCondition": {"count": -4}}]}}, BreakerRule(count=1)),
        ({"circuitBreaker": {"rules": [{"failureCondition": {"count": 2}}]}}, BreakerRule(count=2)),
    ],
)
def test_a_backends_breaker_rule(properties: dict[str, Any], rule: BreakerRule | None) -> None:
    assert breaker_rule(properties) == rule


def _breaker(**rule: Any) -> Breaker:
    return Breaker(BreakerRule(**{"ranges": ((500, 599),), **rule}))


def test_an_answer_outside_the_ranges_is_not_counted() -> None:
    breaker = _breaker(count=1)
    breaker.record(200, None, now=0.0, cap=30.0)
    breaker.record(429, None, now=0.0, cap=30.0)
    assert not breaker.is_open(0.0)
    assert list(breaker.failures) == []


def test_the_breaker_opens_at_the_count_for_the_trip_duration_then_closes() -> None:
    breaker = _breaker(count=2, interval_seconds=10.0, trip_seconds=60.0)
    breaker.record(500, None, now=0.0, cap=30.0)
    assert not breaker.is_open(0.0)
    assert list(breaker.failures) == [0.0]
    breaker.record(503, None, now=5.0, cap=30.0)
    assert breaker.open_until == 65.0
    assert list(breaker.failures) == [], "the count starts again once the breaker has opened"
    assert breaker.is_open(64.9)
    assert not breaker.is_open(65.0), "open until the trip ends, closed at its end"
    assert breaker.remaining(60.0) == 5.0
    assert breaker.remaining(70.0) == 0.0


@pytest.mark.parametrize(
    ("second_failure_at", "opens"),
    [(9.9, True), (10.0, False), (12.0, False)],
)
def test_only_failures_within_the_interval_count(second_failure_at: float, opens: bool) -> None:
    breaker = _breaker(count=2, interval_seconds=10.0, trip_seconds=60.0)
    breaker.record(500, None, now=0.0, cap=30.0)
    breaker.record(500, None, now=second_failure_at, cap=30.0)
    assert breaker.is_open(second_failure_at) is opens
    if not opens:
        assert list(breaker.failures) == [second_failure_at], "the failure that left the interval is dropped"


def test_failures_keep_counting_past_an_old_one_that_left_the_interval() -> None:
    breaker = _breaker(count=3, interval_seconds=10.0)
    for now in (0.0, 8.0, 12.0):
        breaker.record(500, None, now=now, cap=30.0)
    assert list(breaker.failures) == [8.0, 12.0]
    breaker.record(500, None, now=13.0, cap=30.0)
    assert breaker.is_open(13.0)


@pytest.mark.parametrize(
    ("accept", "retry_after", "open_until"),
    [
        (True, 5.0, 105.0),  # the backend's Retry-After
        (True, 100.0, 130.0),  # capped
        (True, 30.0, 130.0),  # at the cap
        (True, None, 160.0),  # none sent: the trip duration
        (False, 5.0, 160.0),  # not accepted: the trip duration
    ],
)
def test_retry_after_sets_the_trip_only_when_accepted_and_is_capped(
    accept: bool, retry_after: float | None, open_until: float
) -> None:
    breaker = _breaker(count=1, trip_seconds=60.0, accept_retry_after=accept)
    breaker.record(500, retry_after, now=100.0, cap=30.0)
    assert breaker.open_until == open_until


def test_a_trip_never_shortens_a_breaker_already_open_longer() -> None:
    breaker = _breaker(count=1, trip_seconds=60.0)
    breaker.open_until = 1000.0
    breaker.record(500, None, now=0.0, cap=30.0)
    assert breaker.open_until == 1000.0


@pytest.mark.parametrize(
    ("services", "members"),
    [
        (None, ()),
        ([], ()),
        (
            [
                {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.ApiManagement/service/a"
                 "/backends/B-East"},
                {"id": "/backends/b-west/", "priority": 2, "weight": 3},
            ],
            (Member("b-east", 0, 1), Member("b-west", 2, 3)),
        ),
        # not whole numbers: the defaults; not an object, or no string id: skipped, the rest still read
        (
            ["b-y", {"id": 7}, {"priority": 1}, {"id": "b-x", "priority": "1", "weight": "5"}],
            (Member("b-x", 0, 1),),
        ),
        # the name is the id's last segment, whatever letters it ends in, lower-cased
        ([{"id": "backends/B-MAX"}, {"id": "B-Box//"}], (Member("b-max", 0, 1), Member("b-box", 0, 1))),
    ],
)
def test_a_pools_members(services: Any, members: tuple[Member, ...]) -> None:
    assert pool_members({"pool": {"services": services}}) == members


def test_a_pool_without_a_pool_object_has_no_members() -> None:
    assert pool_members({}) == ()
    assert pool_members({"pool": None}) == ()


class RecordingRandom(random.Random):
    """A seeded random source that also records what each draw was asked."""

    def __init__(self) -> None:
        super().__init__(1)
        self.asked: list[tuple[list[str], list[float], int]] = []

    def choices(
        self, population: Any, weights: Any = None, *, cum_weights: Any = None, k: int = 1
    ) -> Any:
        self.asked.append(([m.backend_id for m in population], list(weights), k))
        return super().choices(population, weights=weights, cum_weights=cum_weights, k=k)


POOL = (
    Member("b-late", 2, 1),
    Member("b-east", 1, 3),
    Member("b-west", 1, 1),
    Member("b-none", 1, 0),
)


@pytest.mark.parametrize(
    ("open_ids", "asked"),
    [
        # the best (lowest) priority first, whatever the members' order; weights as given
        (set(), (["b-east", "b-west", "b-none"], [3, 1, 0], 1)),
        # an open breaker leaves its member out of the draw
        ({"b-east"}, (["b-west", "b-none"], [1, 0], 1)),
        # a group whose weights are all zero draws evenly
        ({"b-east", "b-west"}, (["b-none"], [1], 1)),
        # every member of the best priority open: the next priority
        ({"b-east", "b-west", "b-none"}, (["b-late"], [1], 1)),
    ],
)
def test_choose_draws_by_weight_from_the_best_priority_with_a_closed_breaker(
    open_ids: set[str], asked: tuple[list[str], list[int], int]
) -> None:
    rng = RecordingRandom()
    chosen = choose(POOL, lambda backend: backend in open_ids, rng)
    assert rng.asked == [asked]
    assert isinstance(chosen, Member)
    assert chosen.backend_id in asked[0]


def test_a_negative_weight_counts_as_zero_and_a_zero_weight_is_never_drawn() -> None:
    rng = RecordingRandom()
    members = (Member("b-a", 0, -2), Member("b-b", 0, 1))
    drawn = {choose(members, lambda _: False, rng) for _ in range(50)}
    assert rng.asked[0] == (["b-a", "b-b"], [0, 1], 1)
    assert drawn == {Member("b-b", 0, 1)}


def test_weights_share_the_traffic() -> None:
    rng = random.Random(7)
    members = (Member("b-a", 0, 3), Member("b-b", 0, 1))
    counts = {"b-a": 0, "b-b": 0}
    for _ in range(400):
        chosen = choose(members, lambda _: False, rng)
        assert chosen is not None
        counts[chosen.backend_id] += 1
    assert 250 < counts["b-a"] < 350  # three quarters of 400, give or take


def test_choose_gives_none_when_every_breaker_is_open_or_the_pool_is_empty() -> None:
    assert choose(POOL, lambda _: True, RecordingRandom()) is None
    assert choose((), lambda _: False, RecordingRandom()) is None


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),  # milliseconds win when both are sent
        ({"retry-after-ms": "soon", "retry-after": "9"}, 9.0),  # unreadable milliseconds: the seconds
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "2.5"}, 2.5),
        ({"retry-after": "-2"}, 0.0),
        ({"retry-after-ms": "-5"}, 0.0),
        ({"retry-after-ms": "0"}, 0.0),
        ({}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after-ms": "soon"}, None),
    ],
)
def test_a_backends_retry_after(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_seconds(headers) == seconds


@pytest.mark.parametrize(
    ("seconds", "header"),
    [(0.0, "1"), (0.2, "1"), (1.0, "1"), (1.01, "2"), (2.5, "3"), (30.0, "30")],
)
def test_retry_after_sent_to_clients_is_whole_seconds_rounded_up_at_least_one(
    seconds: float, header: str
) -> None:
    assert header_seconds(seconds) == header
