"""Azure Monitor's metrics API for an account, read with azure-mgmt-monitor after real image calls.

Requests go through the openai SDK to the account's endpoint (some answered 429 or 503 by the emulator's
faults); ``metrics.list`` over ARM then counts them by deployment and status as Azure Monitor would.
"""

from __future__ import annotations

from collections import Counter

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from emulator.specs.judge import Exchange, default_judge
from tests.emulator.arm.conftest import NEXT_VERSION, RG, SUBSCRIPTION
from tests.emulator.metrics.conftest import SPLIT, Served, send, timespan

METRICS = "AzureOpenAIRequests,AzureOpenAITimeToResponse"


def serve_a_mix(served: Served, emu) -> None:
    """stable: 5 x 200 and 1 x 503; candidate: 2 x 429 then 2 x 200."""
    assert send(served, emu, "stable", 5) == Counter({200: 5})
    emu.set_fault("metrics-img", "stable", errorRate=1, errorStatus=503)
    assert send(served, emu, "stable", 1) == Counter({503: 1})
    emu.clear_faults()
    emu.set_fault("metrics-img", "candidate", throttle={"count": 2, "retryAfterMs": 10})
    assert send(served, emu, "candidate", 4) == Counter({429: 2, 200: 2})


def totals(response, metric: str, aggregation: str = "total") -> Counter[tuple[str, ...]]:
    out: Counter[tuple[str, ...]] = Counter()
    for item in response.value:
        if item.name.value != metric:
            continue
        for series in item.timeseries:
            key = tuple(m.value for m in series.metadatavalues)
            out[key] += sum(getattr(p, aggregation) or 0 for p in series.data)
    return out


def test_requests_are_counted_by_deployment_and_status_code(served, emu, monitor):
    serve_a_mix(served, emu)
    response = monitor.metrics.list(
        served.id.lstrip("/"),
        timespan=timespan(),
        interval="PT1M",
        metricnames=METRICS,
        aggregation="Total,Maximum,Count",
        filter=SPLIT,
    )
    assert [m.name.value for m in response.value] == ["AzureOpenAIRequests", "AzureOpenAITimeToResponse"]
    assert [m.unit for m in response.value] == ["Count", "MilliSeconds"]
    assert response.namespace == "Microsoft.CognitiveServices/accounts"
    assert response.resourceregion == "eastus2"
    assert response.interval == "PT1M"
    assert totals(response, "AzureOpenAIRequests") == Counter(
        {("stable", "200"): 5, ("stable", "503"): 1, ("candidate", "429"): 2, ("candidate", "200"): 2}
    )
    # Time to response: one sample per answer, so its count matches the requests.
    assert totals(response, "AzureOpenAITimeToResponse", "count") == totals(response, "AzureOpenAIRequests")
    names = {m.name.value for s in response.value[0].timeseries for m in s.metadatavalues}
    assert names == {"modeldeploymentname", "statuscode"}
    maxima = [p.maximum for s in response.value[1].timeseries for p in s.data if p.maximum is not None]
    assert maxima and all(m >= 0 for m in maxima)


def test_one_value_of_a_dimension_and_the_model_version_split(served, emu, monitor):
    serve_a_mix(served, emu)
    response = monitor.metrics.list(
        served.id.lstrip("/"),
        timespan=timespan(),
        metricnames="AzureOpenAIRequests",
        filter="ModelDeploymentName eq 'candidate' and ModelVersion eq '*'",
    )
    assert totals(response, "AzureOpenAIRequests") == Counter({("candidate", NEXT_VERSION): 4})


def test_full_interval_without_a_filter_is_one_series_of_one_point(served, emu, monitor):
    serve_a_mix(served, emu)
    response = monitor.metrics.list(
        served.id.lstrip("/"), timespan=timespan(), interval="FULL", metricnames="AzureOpenAIRequests"
    )
    (series,) = response.value[0].timeseries
    assert series.metadatavalues == []
    assert [p.total for p in series.data] == [10]


def test_the_answer_is_judged_by_the_vendored_metrics_spec(served, emu, http):
    serve_a_mix(served, emu)
    path = f"{served.id}/providers/Microsoft.Insights/metrics"
    query = {
        "api-version": "2024-02-01",
        "metricnames": METRICS,
        "timespan": timespan(),
        "aggregation": "Average,Maximum,Minimum,Total,Count",
        "$filter": SPLIT,
    }
    answer = http.get(path, params=query)
    assert answer.status_code == 200, answer.text
    verdict = default_judge().judge(Exchange("GET", path, query, 200, dict(answer.headers), answer.json()))
    assert verdict.judged and verdict.operation is not None
    assert verdict.operation.operation_id == "Metrics_List"
    assert verdict.ok, verdict.violations


START = "2026-12-04T10:00:00Z"
BAD = [
    (
        {"metricnames": "Requests"},
        "Failed to find metric configuration for provider: Microsoft.CognitiveServices, resource Type: "
        "accounts, metric: Requests, Valid metrics: AzureOpenAIRequests,AzureOpenAITimeToResponse",
    ),
    (
        {"timespan": "yesterday"},
        "Detected invalid time interval input: yesterday, supported Iso 8601 time interval format: "
        "(Datetime/Datetime, Datetime/Duration, Duration/Datetime, Duration)",
    ),
    (
        {"timespan": f"{START}/{START}"},
        f"Detected invalid time interval input: {START}/{START}, supported Iso 8601 time interval format: "
        "(Datetime/Datetime, Datetime/Duration, Duration/Datetime, Duration)",
    ),
    (
        {"interval": "PT2M"},
        "Invalid time grain: PT2M; supported time grains: PT1M, PT5M, PT15M, PT30M, PT1H, PT6H, PT12H, P1D, "
        "FULL.",
    ),
    (
        {"aggregation": "p95"},
        "Invalid aggregation type: p95; valid aggregation types: Average, Count, Maximum, Minimum, Total.",
    ),
    (
        {"$filter": "Region eq '*'"},
        "Metric dimension 'Region' is not valid; valid dimensions: ModelDeploymentName, ModelName, "
        "ModelVersion, StatusCode.",
    ),
    (
        {"$filter": "ModelDeploymentName eq 'a' or StatusCode eq '200'"},
        "The $filter 'ModelDeploymentName eq 'a' or StatusCode eq '200'' is not valid: the logical or "
        "operator cannot separate two different metadata names.",
    ),
    (
        {"timespan": "P30D", "interval": "PT1M"},
        "The timespan and interval ask for more than 20000 data points; ask for a shorter timespan or a "
        "larger interval.",
    ),
]


@pytest.mark.parametrize(("query", "message"), BAD, ids=[str(q) for q, _ in BAD])
def test_bad_queries_answer_400_bad_request_in_monitors_shape(served, http, query, message):
    path = f"{served.id}/providers/Microsoft.Insights/metrics"
    params = {"api-version": "2024-02-01", **query}
    answer = http.get(path, params=params)
    assert answer.status_code == 400
    assert answer.json() == {"code": "BadRequest", "message": message}
    verdict = default_judge().judge(Exchange("GET", path, params, 400, dict(answer.headers), answer.json()))
    assert verdict.judged and verdict.ok, verdict.violations


def test_the_sdk_raises_azures_error_for_an_unknown_metric(served, monitor):
    with pytest.raises(HttpResponseError) as caught:
        monitor.metrics.list(served.id.lstrip("/"), metricnames="TotalCalls")
    assert caught.value.status_code == 400
    assert caught.value.error is not None and caught.value.error.code == "BadRequest"
    assert "metric: TotalCalls, Valid metrics: AzureOpenAIRequests,AzureOpenAITimeToResponse" in str(
        caught.value
    )


def test_an_account_that_does_not_exist_is_not_found(emu, monitor):
    group = f"subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}"
    missing = f"{group}/providers/Microsoft.CognitiveServices/accounts/nope"
    with pytest.raises(ResourceNotFoundError):
        monitor.metrics.list(missing, metricnames="AzureOpenAIRequests")


def test_reset_forgets_what_was_served(served, emu, monitor):
    assert send(served, emu, "stable", 1) == Counter({200: 1})
    emu.reset()  # the ARM resources go too: the account and what it served are both forgotten
    with pytest.raises(ResourceNotFoundError):
        monitor.metrics.list(served.id.lstrip("/"), metricnames="AzureOpenAIRequests")
