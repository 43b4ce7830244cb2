"""Read a bake window's figures per deployment from Azure Monitor, through azure-mgmt-monitor's metrics.list.

One call per account: ``AzureOpenAIRequests`` and ``AzureOpenAITimeToResponse`` at one-minute grain, split
by ``ModelDeploymentName`` and ``StatusCode``, aggregations Total, Maximum and Count.
``figures_by_deployment`` (pure) turns the series into ``WindowFigures``: requests, 429s, 5xx and an
approximate p95.

Azure Monitor offers no percentile for time to response, so the p95 here is the nearest-rank 95th percentile
of the successful answers' per-minute *maxima*, each counted as often as the minute had answers: every true
sample is at most its minute's maximum, so this is an upper bound of the true p95 (exact when each minute
holds one answer, which image quotas of a few requests a minute make common). Both sides are measured the
same way, so the gate's ratio compares like with like. The SDK is imported lazily.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rollout.errors import RolloutError
from rollout.metrics_gate import WindowFigures

REQUESTS = "AzureOpenAIRequests"
TIME_TO_RESPONSE = "AzureOpenAITimeToResponse"
SPLIT = "ModelDeploymentName eq '*' and StatusCode eq '*'"
# Enough series for every deployment x status of an account; Azure's default top is 10.
TOP = 500


class MetricsReadError(RolloutError):
    """Azure Monitor refused or could not answer the metrics query; the message says which account."""


@dataclass(frozen=True)
class SeriesPoint:
    """One data point of one (metric, deployment, status) series."""

    metric: str
    deployment: str
    status: int
    total: float | None
    maximum: float | None
    count: float | None


def make_monitor_client(
    subscription_id: str,
    credential: Any | None = None,
    *,
    arm_endpoint: str | None = None,
    ca_bundle: str | None = None,
    retries: int | None = None,
) -> Any:
    """A ``MonitorManagementClient``; ``arm_endpoint``/``ca_bundle`` aim it at the emulator."""
    from azure.mgmt.monitor import MonitorManagementClient

    from preflight.azure import arm_sdk_client

    return arm_sdk_client(
        MonitorManagementClient, subscription_id, credential,
        arm_endpoint=arm_endpoint, ca_bundle=ca_bundle, retries=retries,
    )


def timespan(start: datetime, end: datetime) -> str:
    return f"{start.isoformat()}/{end.isoformat()}"


def read_window(client: Any, account_id: str, start: datetime, end: datetime) -> dict[str, WindowFigures]:
    """Each deployment of the account that served in [start, end) -> its figures."""
    from azure.core.exceptions import AzureError, HttpResponseError

    try:
        response = client.metrics.list(
            account_id.lstrip("/"),  # the operation's path is /{resourceUri}/providers/...
            timespan=timespan(start, end),
            interval="PT1M",
            metricnames=f"{REQUESTS},{TIME_TO_RESPONSE}",
            aggregation="Total,Maximum,Count",
            filter=SPLIT,
            top=TOP,
        )
    except HttpResponseError as exc:
        message = (exc.message or str(exc)).splitlines()[0]
        raise MetricsReadError(
            f"Azure Monitor refused the metrics query for {account_id}: {message}"
        ) from exc
    except AzureError as exc:
        raise MetricsReadError(f"Azure Monitor could not be reached for {account_id}: {exc}") from exc
    return figures_by_deployment(points_of(response))


def points_of(response: Any) -> list[SeriesPoint]:
    """The SDK's Response model flattened into SeriesPoints (series without both dimensions are skipped)."""
    points: list[SeriesPoint] = []
    for metric in response.value or []:
        for series in metric.timeseries or []:
            labels = {(m.name.value or "").lower(): m.value for m in series.metadatavalues or []}
            deployment, status = labels.get("modeldeploymentname"), labels.get("statuscode")
            if not deployment or status is None or not str(status).isdigit():
                continue
            for value in series.data or []:
                points.append(
                    SeriesPoint(
                        metric.name.value, deployment, int(status), value.total, value.maximum, value.count
                    )
                )
    return points


def approximate_p95(minutes: Iterable[tuple[float, int]]) -> float | None:
    """Nearest-rank p95 of per-minute maxima, each repeated by its minute's answer count (an upper bound)."""
    expanded = sorted((maximum, count) for maximum, count in minutes if count > 0)
    total = sum(count for _, count in expanded)
    if total == 0:
        return None
    rank = math.ceil(0.95 * total)
    seen = 0
    for maximum, count in expanded:
        seen += count
        if seen >= rank:
            return maximum
    return expanded[-1][0]


def figures_by_deployment(points: Sequence[SeriesPoint]) -> dict[str, WindowFigures]:
    requests: dict[str, dict[int, int]] = {}
    latency: dict[str, list[tuple[float, int]]] = {}
    for point in points:
        if point.metric == REQUESTS and point.total:
            by_status = requests.setdefault(point.deployment, {})
            by_status[point.status] = by_status.get(point.status, 0) + round(point.total)
        elif (
            point.metric == TIME_TO_RESPONSE
            and 200 <= point.status < 300
            and point.count
            and point.maximum is not None
        ):
            latency.setdefault(point.deployment, []).append((point.maximum, round(point.count)))
    return {
        deployment: WindowFigures(
            requests=sum(by_status.values()),
            throttled=by_status.get(429, 0),
            server_errors=sum(n for status, n in by_status.items() if 500 <= status <= 599),
            p95_ms=approximate_p95(latency.get(deployment, [])),
        )
        for deployment, by_status in sorted(requests.items())
    }
