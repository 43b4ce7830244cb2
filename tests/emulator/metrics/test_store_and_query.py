"""The metrics store's bounds and the query reader's forms, as tables (pure: no server needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.arm.metrics import render
from emulator.arm.metrics_query import BadQuery, parse_filter, parse_interval, parse_query, parse_timespan
from emulator.metrics import Dimensions, MetricsStore

NOW = datetime(2026, 12, 4, 10, 30, 15, tzinfo=UTC)
OK = Dimensions("stable", "gpt-image-1.5", "2025-12-16", 200)


def test_cells_older_than_the_retention_are_dropped():
    clock = [NOW.timestamp()]
    store = MetricsStore(retention_minutes=5, clock=lambda: clock[0])
    store.record("acct", OK, 10.0, at=NOW.timestamp() - 10 * 60)
    store.record("acct", OK, 20.0, at=NOW.timestamp())
    kept = store.samples("acct", 0, NOW.timestamp() + 60)
    assert [(s.count, s.total_ms) for s in kept] == [(1, 20.0)]


def test_the_oldest_minute_goes_first_when_the_cell_bound_is_reached():
    store = MetricsStore(max_cells=2, clock=lambda: NOW.timestamp())
    for minutes_ago, status in ((3, 200), (2, 429), (1, 503)):
        store.record("acct", Dimensions("d", "m", "v", status), 1.0, at=NOW.timestamp() - minutes_ago * 60)
    assert [s.dimensions.status for s in store.samples("acct", 0, NOW.timestamp())] == [429, 503]


def test_one_cell_aggregates_count_sum_min_and_max_per_minute():
    store = MetricsStore(clock=lambda: NOW.timestamp())
    for latency in (30.0, 10.0, 20.0):
        store.record("ACCT", OK, latency, at=NOW.timestamp())
    (cell,) = store.samples("acct", 0, NOW.timestamp() + 60)
    assert (cell.count, cell.total_ms, cell.minimum_ms, cell.maximum_ms) == (3, 60.0, 10.0, 30.0)
    assert cell.minute == int(NOW.timestamp()) // 60 * 60


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        (None, NOW - timedelta(hours=1), NOW),
        ("PT30M", NOW - timedelta(minutes=30), NOW),
        (
            "2026-12-04T09:00:00Z/2026-12-04T10:00:00Z",
            NOW.replace(hour=9, minute=0, second=0),
            NOW.replace(hour=10, minute=0, second=0),
        ),
        (
            "2026-12-04T09:00:00Z/PT1H",
            NOW.replace(hour=9, minute=0, second=0),
            NOW.replace(hour=10, minute=0, second=0),
        ),
        (
            "P1D/2026-12-04T00:00:00+01:00",
            datetime(2026, 12, 2, 23, tzinfo=UTC),
            datetime(2026, 12, 3, 23, tzinfo=UTC),
        ),
    ],
)
def test_timespan_forms(text, start, end):
    assert parse_timespan(text, NOW) == (start, end)


@pytest.mark.parametrize(
    "text", ["PT", "P", "2026-12-04/", "a/b/c", "PT1H/PT1H", "2026-13-01T00:00:00Z/PT1H"]
)
def test_timespans_azure_refuses(text):
    with pytest.raises(BadQuery, match="^Detected invalid time interval input: "):
        parse_timespan(text, NOW)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(None, 60), ("PT1M", 60), ("pt60s", 60), ("PT1H", 3600), ("P1D", 86400), ("FULL", None)],
)
def test_intervals(text, seconds):
    assert parse_interval(text) == seconds


def test_filter_values_and_wildcards():
    assert parse_filter("ModelDeploymentName eq 'a' or modeldeploymentname eq 'b' and StatusCode eq '*'") == {
        "ModelDeploymentName": frozenset({"a", "b"}),
        "StatusCode": None,
    }
    with pytest.raises(BadQuery, match="is not valid; write conditions of the form"):
        parse_filter("ModelDeploymentName ne 'a'")


def test_rollup_sums_a_dimension_and_top_keeps_the_busiest_series():
    store = MetricsStore(clock=lambda: NOW.timestamp())
    for deployment, times in (("a", 3), ("b", 1)):
        for status in (200, 429):
            for _ in range(times):
                store.record("acct", Dimensions(deployment, "m", "v", status), 5.0, at=NOW.timestamp())
    samples = store.samples("acct", 0, NOW.timestamp() + 60)
    query = parse_query(
        {
            "$filter": "ModelDeploymentName eq '*' and StatusCode eq '*'",
            "rollupby": "StatusCode",
            "top": "1",
            "interval": "FULL",
            "timespan": "PT1H",
        },
        now=NOW,
    )
    body = render("/subscriptions/s/x", "eastus2", query, samples)
    (series,) = body["value"][0]["timeseries"]
    assert series["metadatavalues"] == [
        {"name": {"value": "modeldeploymentname", "localizedValue": "modeldeploymentname"}, "value": "a"}
    ]
    assert series["data"][0]["total"] == 6.0
    assert body["interval"] == "FULL"


def test_empty_minutes_count_zero_and_have_no_average():
    query = parse_query({"timespan": "PT3M", "aggregation": "Total,Average"}, now=NOW)
    body = render("/subscriptions/s/x", "eastus2", query, [])
    points = body["value"][0]["timeseries"][0]["data"]
    assert [p["total"] for p in points] == [0.0] * len(points)
    assert all("average" not in p for p in points)
    assert points[0]["timeStamp"] == "2026-12-04T10:27:00Z"


QUERY_KEYS = [
    "metricnames",
    "timespan",
    "interval",
    "aggregation",
    "$filter",
    "top",
    "resultType",
    "rollupby",
]


@given(st.dictionaries(st.sampled_from(QUERY_KEYS), st.text(max_size=40), max_size=6))
@settings(max_examples=300, derandomize=True, database=None)
def test_any_query_is_answered_or_refused_with_a_sentence_never_a_crash(params):
    try:
        query = parse_query(params, now=NOW)
    except BadQuery as exc:
        assert str(exc).strip()
        return
    body = render("/subscriptions/s/x", "eastus2", query, [])
    assert body["value"] and body["timespan"]


@pytest.mark.parametrize("text", ["P99999999999D", "P1D/0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z/P1D"])
def test_timespans_off_the_calendar_are_refused_as_invalid(text):
    with pytest.raises(BadQuery, match="^Detected invalid time interval input: "):
        parse_timespan(text, NOW)
