"""Azure Monitor's metrics API (``Metrics_List``) for the emulated accounts, answered from ``MetricsStore``.

``GET {accountId}/providers/Microsoft.Insights/metrics`` with ``metricnames``, ``timespan``, ``interval``,
``aggregation``, ``$filter`` (``Dim eq 'v' [or Dim eq 'w'] and Other eq '*'``), ``top``, ``orderby`` (ignored
beyond the default order), ``resultType``, ``metricnamespace`` and ``rollupby``, answered in the shape of
``Microsoft.Insights/stable/2024-02-01/metrics_API.json``. Two metrics are served, with the dimensions Learn's
"Azure OpenAI monitoring data reference" lists that the emulator knows: ``AzureOpenAIRequests`` (Count) and
``AzureOpenAITimeToResponse`` (MilliSeconds). Bad input answers 400 with Monitor's top-level
``{"code": "BadRequest", "message"}`` body (as in Azure/azure-sdk-for-net#29584 and #40047), never a 5xx.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from emulator.arm import errors
from emulator.arm.ids import ArmPath
from emulator.arm.metrics_query import (
    DIMENSIONS,
    GRAINS,
    NAMESPACE,
    BadQuery,
    MetricDefinition,
    Query,
    parse_query,
)
from emulator.arm.state import ArmResult, ArmState
from emulator.metrics import Dimensions, MetricsStore, Sample

SIGNATURE = "microsoft.cognitiveservices/accounts#microsoft.insights/metrics"


def bad_request(message: str) -> ArmResult:
    return ArmResult(400, {"code": "BadRequest", "message": message})


class MetricsApi:
    def __init__(self, state: ArmState, store: MetricsStore) -> None:
        self.state = state
        self.store = store

    def table(self) -> dict[str, dict[str, Any]]:
        return {SIGNATURE: {"GET": lambda call: self.list(call.path, call.query)}}

    def list(self, path: ArmPath, params: dict[str, str]) -> ArmResult:
        with self.state.store.lock:
            entry = self.state.store.accounts.get(path.key)
            if entry is None:
                raise errors.resource_not_found(NAMESPACE, path.name(), path.resource_group)
            subdomain, region = entry.subdomain, entry.location
        try:
            query = parse_query(params, now=datetime.fromtimestamp(self.store.clock(), UTC))
        except BadQuery as exc:
            return bad_request(str(exc))
        # Whole minutes: a cell whose minute began before a mid-minute start still belongs to the answer.
        first_minute = math.floor(query.start.timestamp() / 60) * 60
        samples = self.store.samples(subdomain, first_minute, query.end.timestamp())
        return ArmResult(200, render(path.id, region, query, samples))


def _value(dimensions: Dimensions, name: str) -> str:
    return str(getattr(dimensions, DIMENSIONS[name]))


def _iso(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S}Z"


def _aggregate(
    cells: list[Sample], metric: MetricDefinition, aggregations: tuple[str, ...]
) -> dict[str, float]:
    count = sum(c.count for c in cells)
    out: dict[str, float] = {}
    if metric.name == "AzureOpenAIRequests":
        # Each request is one sample of value 1: total = count, average/minimum/maximum = 1.
        figures = {"total": float(count), "count": float(count)}
        if count:
            figures.update(average=1.0, minimum=1.0, maximum=1.0)
    else:
        figures = {"count": float(count), "total": round(sum(c.total_ms for c in cells), 3)}
        if count:
            figures.update(
                average=round(figures["total"] / count, 3),
                minimum=round(min(c.minimum_ms for c in cells), 3),
                maximum=round(max(c.maximum_ms for c in cells), 3),
            )
    for name in aggregations:
        if name in figures:
            out[name] = figures[name]
    return out


def render(resource_id: str, region: str, query: Query, samples: list[Sample]) -> dict[str, Any]:
    start, end = query.start, query.end
    if query.grain is None:
        points = [start]
    else:
        first = math.floor(start.timestamp() / query.grain) * query.grain
        last = end.timestamp()
        points = [datetime.fromtimestamp(t, UTC) for t in range(first, math.ceil(last), query.grain)]
    split = [name for name in query.filters if name not in query.rollup]
    kept = [
        s
        for s in samples
        if all(
            values is None or _value(s.dimensions, name) in values for name, values in query.filters.items()
        )
    ]
    value = []
    for metric in query.metrics:
        aggregations = query.aggregations or (metric.primary,)
        groups: dict[tuple[str, ...], list[Sample]] = {}
        for sample in kept:
            groups.setdefault(tuple(_value(sample.dimensions, n) for n in split), []).append(sample)
        if not query.filters and not groups:
            groups[()] = []
        ordered = sorted(groups.items(), key=lambda kv: (-sum(s.count for s in kv[1]), kv[0]))
        timeseries = []
        for key, group in ordered[: query.top] if query.filters else ordered:
            series: dict[str, Any] = {
                "metadatavalues": [
                    {"name": {"value": n.lower(), "localizedValue": n.lower()}, "value": v}
                    for n, v in zip(split, key, strict=True)
                ]
            }
            if not query.metadata_only:
                series["data"] = _points(points, query.grain, group, metric, aggregations)
            timeseries.append(series)
        value.append(
            {
                "id": f"{resource_id}/providers/Microsoft.Insights/metrics/{metric.name}",
                "type": "Microsoft.Insights/metrics",
                "name": {"value": metric.name, "localizedValue": metric.display},
                "displayDescription": metric.description,
                "unit": metric.unit,
                "timeseries": timeseries,
                "errorCode": "Success",
            }
        )
    body: dict[str, Any] = {
        "cost": max(1, len(points)) * len(query.metrics),
        "timespan": f"{_iso(start)}/{_iso(end)}",
        "namespace": NAMESPACE,
        "resourceregion": region,
        "value": value,
    }
    if not query.metadata_only:
        body["interval"] = GRAINS[query.grain] if query.grain is not None else "FULL"
    return body


def _points(
    points: list[datetime],
    grain: int | None,
    group: list[Sample],
    metric: MetricDefinition,
    aggregations: tuple[str, ...],
) -> list[dict[str, Any]]:
    by_point: dict[int, list[Sample]] = {}
    for sample in group:
        slot = 0 if grain is None else (sample.minute - int(points[0].timestamp())) // grain
        by_point.setdefault(slot, []).append(sample)
    return [
        {"timeStamp": _iso(moment), **_aggregate(by_point.get(i, []), metric, aggregations)}
        for i, moment in enumerate(points)
    ]
