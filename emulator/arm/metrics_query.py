"""Read an Azure Monitor metrics query (``Metrics_List``'s query parameters) into a ``Query``, or refuse it.

Pure. Each refusal is a ``BadQuery`` whose message is the sentence Azure Monitor answers (the unknown
metric and invalid timespan wordings are Azure's, from Azure/azure-sdk-for-net#29584 and #40047; the others
are the emulator's). Names and aggregations are case-insensitive, as Azure's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

NAMESPACE = "Microsoft.CognitiveServices/accounts"
AGGREGATIONS = ("average", "count", "maximum", "minimum", "total")
GRAINS = {
    60: "PT1M",
    300: "PT5M",
    900: "PT15M",
    1800: "PT30M",
    3600: "PT1H",
    21600: "PT6H",
    43200: "PT12H",
    86400: "P1D",
}
MAX_POINTS = 20_000
DEFAULT_TOP = 10
_TIMESPAN_HELP = (
    "supported Iso 8601 time interval format: (Datetime/Datetime, Datetime/Duration, "
    "Duration/Datetime, Duration)"
)
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)
_ATOM = re.compile(r"^\s*(?P<name>[A-Za-z][A-Za-z0-9_]*)\s+eq\s+'(?P<value>[^']*)'\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class MetricDefinition:
    name: str
    display: str
    description: str
    unit: str
    primary: str  # the aggregation answered when none is asked


METRICS = (
    MetricDefinition(
        "AzureOpenAIRequests",
        "Azure OpenAI Requests",
        "Number of calls made to the Azure OpenAI API over a period of time.",
        "Count",
        "total",
    ),
    MetricDefinition(
        "AzureOpenAITimeToResponse",
        "Time to Response",
        "Time taken for the first response to appear after a user sends a prompt.",
        "MilliSeconds",
        "average",
    ),
)
# Dimension name as Azure spells it -> the sample field it reads.
DIMENSIONS = {
    "ModelDeploymentName": "deployment",
    "ModelName": "model",
    "ModelVersion": "version",
    "StatusCode": "status",
}


class BadQuery(ValueError):
    """A query Azure Monitor refuses with 400 BadRequest; the message is Azure's sentence."""


@dataclass(frozen=True)
class Query:
    metrics: tuple[MetricDefinition, ...]
    start: datetime
    end: datetime
    grain: int | None  # seconds; None is FULL
    aggregations: tuple[str, ...] | None  # None: each metric's primary aggregation
    # dimension -> values kept (None: every value); each dimension named is split into its own series,
    # unless rolled up (``rollupby``): then its kept values are summed into one.
    filters: dict[str, frozenset[str] | None]
    rollup: frozenset[str]
    top: int
    metadata_only: bool


def parse_query(params: dict[str, str], *, now: datetime) -> Query:
    lower = {k.lower(): v for k, v in params.items()}
    namespace = lower.get("metricnamespace")
    if namespace is not None and namespace.lower() != NAMESPACE.lower():
        raise BadQuery(
            f"Metric namespace '{namespace}' is not valid for resource type {NAMESPACE}; "
            f"valid namespaces: {NAMESPACE}."
        )
    start, end = parse_timespan(lower.get("timespan"), now)
    grain = parse_interval(lower.get("interval"))
    if grain is not None and (end - start).total_seconds() / grain > MAX_POINTS:
        raise BadQuery(
            f"The timespan and interval ask for more than {MAX_POINTS} data points; "
            "ask for a shorter timespan or a larger interval."
        )
    top_text = lower.get("top")
    try:
        top = DEFAULT_TOP if top_text is None else int(top_text)
    except ValueError:
        raise BadQuery(f"top '{top_text}' is not an integer.") from None
    if top < 1:
        raise BadQuery(f"top must be at least 1, got {top}.")
    result_type = lower.get("resulttype", "Data")
    if result_type not in ("Data", "Metadata"):
        raise BadQuery(f"resultType '{result_type}' is not valid; valid values: Data, Metadata.")
    filters = parse_filter(lower.get("$filter"))
    rollup = frozenset(_dimension(n.strip()) for n in lower.get("rollupby", "").split(",") if n.strip())
    return Query(
        metrics=parse_metric_names(lower.get("metricnames")),
        start=start,
        end=end,
        grain=grain,
        aggregations=parse_aggregations(lower.get("aggregation")),
        filters=filters,
        rollup=rollup,
        top=top,
        metadata_only=result_type == "Metadata",
    )


def parse_metric_names(text: str | None) -> tuple[MetricDefinition, ...]:
    if not text or not text.strip():
        return (METRICS[0],)
    known = {m.name.lower(): m for m in METRICS}
    chosen: list[MetricDefinition] = []
    for raw in text.split(","):
        name = raw.strip().replace("%2", ",")
        metric = known.get(name.lower())
        if metric is None:
            raise BadQuery(
                f"Failed to find metric configuration for provider: Microsoft.CognitiveServices, resource "
                f"Type: accounts, metric: {name[:200]}, Valid metrics: {','.join(m.name for m in METRICS)}"
            )
        if metric not in chosen:
            chosen.append(metric)
    if len(chosen) > 20:
        raise BadQuery("At most 20 metric names can be specified.")
    return tuple(chosen)


def parse_aggregations(text: str | None) -> tuple[str, ...] | None:
    if not text or not text.strip():
        return None
    chosen: list[str] = []
    for raw in text.split(","):
        name = raw.strip().lower()
        if name not in AGGREGATIONS:
            raise BadQuery(
                f"Invalid aggregation type: {raw.strip()[:100]}; valid aggregation types: "
                "Average, Count, Maximum, Minimum, Total."
            )
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def parse_duration(text: str) -> timedelta | None:
    match = _DURATION.match(text.strip())
    if match is None or not any(match.groupdict().values()) or text.strip().upper().endswith("T"):
        return None
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    try:
        return timedelta(days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    except OverflowError:
        return None


def _parse_datetime(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def parse_timespan(text: str | None, now: datetime) -> tuple[datetime, datetime]:
    """Azure's four forms; no timespan is the last hour. Start must be before end."""
    if text is None or not text.strip():
        return now - timedelta(hours=1), now
    invalid = BadQuery(f"Detected invalid time interval input: {text[:200]}, {_TIMESPAN_HELP}")
    try:
        start, end = _span(text, now, invalid)
    except BadQuery:
        raise
    except (OverflowError, ValueError):  # a span that leaves the calendar (P9999999D) is no time interval
        raise invalid from None
    if start >= end:
        raise invalid
    return start.astimezone(UTC), end.astimezone(UTC)


def _span(text: str, now: datetime, invalid: BadQuery) -> tuple[datetime, datetime]:
    parts = text.split("/")
    if len(parts) == 1:
        span = parse_duration(parts[0])
        if span is None:
            raise invalid
        start, end = now - span, now
    elif len(parts) == 2:
        first, second = parts
        start_dt, end_dt = _parse_datetime(first), _parse_datetime(second)
        if start_dt is not None and end_dt is not None:
            start, end = start_dt, end_dt
        elif start_dt is not None and (span := parse_duration(second)) is not None:
            start, end = start_dt, start_dt + span
        elif end_dt is not None and (span := parse_duration(first)) is not None:
            start, end = end_dt - span, end_dt
        else:
            raise invalid
    else:
        raise invalid
    return start, end


def parse_interval(text: str | None) -> int | None:
    if text is None or not text.strip():
        return 60
    if text.strip().upper() == "FULL":
        return None
    span = parse_duration(text)
    seconds = round(span.total_seconds()) if span is not None else -1
    if seconds not in GRAINS:
        raise BadQuery(
            f"Invalid time grain: {text[:100]}; supported time grains: {', '.join(GRAINS.values())}, FULL."
        )
    return seconds


def _dimension(name: str) -> str:
    for known in DIMENSIONS:
        if known.lower() == name.lower():
            return known
    raise BadQuery(
        f"Metric dimension '{name[:100]}' is not valid; valid dimensions: {', '.join(DIMENSIONS)}."
    )


def parse_filter(text: str | None) -> dict[str, frozenset[str] | None]:
    """``A eq 'a1' or A eq 'a2' and B eq '*'`` -> {A: {a1, a2}, B: None}; one dimension per ``and`` part."""
    if text is None or not text.strip():
        return {}
    filters: dict[str, frozenset[str] | None] = {}
    for clause in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        names: set[str] = set()
        values: set[str] = set()
        for atom in re.split(r"\s+or\s+", clause, flags=re.IGNORECASE):
            match = _ATOM.match(atom)
            if match is None:
                raise BadQuery(
                    f"The $filter '{text[:200]}' is not valid; write conditions of the form "
                    "<dimension> eq '<value>' joined by 'and' and 'or'."
                )
            names.add(_dimension(match["name"]))
            values.add(match["value"])
        if len(names) != 1:
            raise BadQuery(
                f"The $filter '{text[:200]}' is not valid: the logical or operator cannot "
                "separate two different metadata names."
            )
        filters[names.pop()] = None if "*" in values else frozenset(values)
    return filters
