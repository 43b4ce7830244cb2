"""``--json FILE``: every check, attempt, latency, request id and classification (schema in ``schema.py``)."""

from __future__ import annotations

import json
from pathlib import Path

from smoke.results import CheckResult, SmokeReport

SCHEMA_VERSION = 1


def _request(c: CheckResult) -> dict[str, object] | None:
    if c.request is None:
        return None
    return {
        "route": c.request.route,
        "params": dict(c.request.params),
        "inputs": [
            {"index": i.index, "format": i.format, "width": i.width, "height": i.height}
            for i in c.request.inputs
        ],
        "mask": c.request.mask is not None,
    }


def _target(c: CheckResult) -> dict[str, object]:
    """A gateway alias adds ``via`` and its ``members``; a pool member adds its ``region``."""
    t = c.target
    extra: dict[str, object] = {}
    if t.through_gateway:
        extra["via"] = "gateway"
        extra["members"] = [{"region": r, "endpoint": e, "deployment": d} for r, e, d in t.members]
    if t.region is not None:
        extra["region"] = t.region
    return extra


def check_to_dict(c: CheckResult) -> dict[str, object]:
    t = c.target
    doc: dict[str, object] = {
        "target": {
            "source": t.source,
            "endpoint": t.endpoint,
            "deployment": t.deployment,
            "apiVersion": t.api_version,
            "model": t.model,
            "role": t.role,
            "capacity": t.capacity,
            "localAuthDisabled": t.local_auth_disabled,
            **_target(c),
        },
        "check": c.check,
        "request": _request(c),
        "expected": dict(c.expected),
        "usageTokens": c.usage_tokens,
        "status": c.status.value,
        "latencySeconds": c.latency_s,
        "requestIds": list(c.request_ids),
        "prompt": c.prompt,
        "failure": None
        if c.failure is None
        else {
            "classification": c.failure.kind.value,
            "message": c.failure.message,
            "hint": c.failure.hint,
            "status": c.failure.status,
            "code": c.failure.code,
        },
        "skipReason": c.skip_reason,
        "attempts": [
            {
                "number": a.number,
                "startedAt": a.started_at,
                "latencySeconds": a.latency_s,
                "status": a.status,
                "requestId": a.request_id,
                "outcome": a.outcome,
                "waitSeconds": a.wait_s,
                "ids": dict(a.ids),
            }
            for a in c.attempts
        ],
        "images": [
            {"index": i.index, "format": i.format, "width": i.width, "height": i.height, "bytes": len(i.data)}
            for i in c.images
        ],
        "details": c.details,
    }
    if t.through_gateway:
        # Which region answered the deciding call (x-ms-region); every attempt's is in its "ids".
        doc["servedRegion"] = c.served_region
    return doc


def report_to_dict(report: SmokeReport) -> dict[str, object]:
    doc: dict[str, object] = {
        "schemaVersion": SCHEMA_VERSION,
        "passed": report.passed,
        "startedAt": report.started_at,
        "finishedAt": report.finished_at,
        "counts": report.counts(),
        "usageTokens": report.usage_tokens,
        "checks": [check_to_dict(c) for c in report.checks],
    }
    if report.interrupted is not None:
        # Only the finished checks are listed; plannedChecks says how many the run set out to do.
        doc["interrupted"] = report.interrupted
        if report.planned is not None:
            doc["plannedChecks"] = report.planned
    return doc


def write_json(report: SmokeReport, path: Path) -> None:
    path.write_text(json.dumps(report_to_dict(report), indent=2) + "\n", encoding="utf-8")
