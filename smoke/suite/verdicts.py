"""The verdict of one suite case on one deployment: pure, from (case, status, body, latency) to pass/fail.

Builds on ``smoke.checks`` (count, format, size, base64, usage, change outside the mask) and adds what a
suite can ask for beyond it: an expected content-filter refusal and a latency budget. The measured values
go into ``details`` so the report shows what was seen next to what was expected.
"""

from __future__ import annotations

import json

from smoke.checks import Expectation, Verdict, edit_verdict, images_verdict
from smoke.classify import classify_http, failure
from smoke.results import FailureKind
from smoke.suite.model import Case, Outcome


def _expectation(case: Case) -> Expectation:
    e = case.expect
    size = e.size or case.size
    return Expectation(n=e.count or case.n, size=size, output_format=e.format or case.output_format)


def _count_images(body: bytes) -> int:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return 0
    data = doc.get("data") if isinstance(doc, dict) else None
    return len(data) if isinstance(data, list) else 0


def refusal_verdict(status: int, body: bytes) -> Verdict:
    """The case expects the content filter to refuse: a refusal passes, images are a finding."""
    if 200 <= status < 300:
        count = _count_images(body)
        return Verdict(
            failure(
                FailureKind.NOT_REFUSED,
                "Expected the content filter to refuse this prompt, but the deployment answered "
                f"HTTP {status} with {count} image{'s' if count != 1 else ''}.",
                status,
            )
        )
    classified = classify_http(status, body)
    if classified.kind is FailureKind.CONTENT_FILTER:
        return Verdict(None, details={"refusedWith": classified.code or str(status), "status": status})
    return Verdict(classified)


def case_verdict(case: Case, status: int, body: bytes, latency_s: float | None) -> Verdict:
    if case.expect.outcome is Outcome.CONTENT_FILTER:
        verdict = refusal_verdict(status, body)
    else:
        expect = _expectation(case)
        if case.route == "edit" and case.mask is not None and case.images:
            verdict = edit_verdict(
                status, body, expect, case.images[0].data, case.mask.data, case.expect.max_outside_mask_change
            )
        else:
            verdict = images_verdict(status, body, expect)
        if verdict.images:
            first = verdict.images[0]
            measured = {
                "format": first.format,
                "size": f"{first.width}x{first.height}",
                "count": len(verdict.images),
            }
            verdict = Verdict(verdict.failure, verdict.images, {**measured, **verdict.details})
    budget = case.expect.max_latency_seconds
    if verdict.passed and budget is not None and latency_s is not None and latency_s > budget:
        return Verdict(
            failure(
                FailureKind.OVER_LATENCY_BUDGET,
                f"The answer took {latency_s:.2f} s, over the case's budget of {budget:g} s.",
                status,
            ),
            verdict.images,
            verdict.details,
        )
    return verdict
