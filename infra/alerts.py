"""The metric alerts every account gets, as data: which Azure Monitor metric, how it is aggregated,
and the threshold from ``monitoring.thresholds``. Pure, so the rules are testable without Pulumi."""

from __future__ import annotations

from dataclasses import dataclass

from infra.config_sections import AlertThresholds

METRIC_NAMESPACE = "Microsoft.CognitiveServices/accounts"
SERVER_ERROR_CODES = ("500", "502", "503", "504")


@dataclass(frozen=True)
class AlertSpec:
    key: str
    description: str
    metric_name: str
    time_aggregation: str
    operator: str
    threshold: float
    severity: int
    window_size: str
    evaluation_frequency: str
    dimensions: tuple[tuple[str, tuple[str, ...]], ...] = ()


def alert_specs(t: AlertThresholds) -> tuple[AlertSpec, ...]:
    return (
        AlertSpec(
            key="throttling",
            description=f"More than {t.throttled_requests} requests answered 429 (throttled) in 5 minutes.",
            metric_name="AzureOpenAIRequests",
            time_aggregation="Total",
            operator="GreaterThan",
            threshold=t.throttled_requests,
            severity=2,
            window_size="PT5M",
            evaluation_frequency="PT1M",
            dimensions=(("StatusCode", ("429",)),),
        ),
        AlertSpec(
            key="server-errors",
            description=f"More than {t.server_errors} requests answered 5xx in 5 minutes.",
            metric_name="AzureOpenAIRequests",
            time_aggregation="Total",
            operator="GreaterThan",
            threshold=t.server_errors,
            severity=1,
            window_size="PT5M",
            evaluation_frequency="PT1M",
            dimensions=(("StatusCode", SERVER_ERROR_CODES),),
        ),
        AlertSpec(
            key="availability",
            description=f"Availability below {t.availability_percent}% over 15 minutes.",
            metric_name="AzureOpenAIAvailabilityRate",
            time_aggregation="Average",
            operator="LessThan",
            threshold=t.availability_percent,
            severity=1,
            window_size="PT15M",
            evaluation_frequency="PT5M",
        ),
        AlertSpec(
            key="latency",
            description=f"Average time to response above {t.latency_ms} ms over 15 minutes.",
            metric_name="AzureOpenAITimeToResponse",
            time_aggregation="Average",
            operator="GreaterThan",
            threshold=t.latency_ms,
            severity=3,
            window_size="PT15M",
            evaluation_frequency="PT5M",
        ),
        AlertSpec(
            key="content-filter",
            description=f"More than {t.content_filter_rejections} content-filter rejections in an hour.",
            metric_name="RAIRejectedRequests",
            time_aggregation="Total",
            operator="GreaterThan",
            threshold=t.content_filter_rejections,
            severity=3,
            window_size="PT1H",
            evaluation_frequency="PT15M",
        ),
    )
