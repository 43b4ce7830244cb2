"""The verdicts: pure functions from a response (status, body) to pass/fail and what was produced.

No I/O and no HTTP here: ``smoke.runner`` sends the requests and hands the bodies over. A 2xx that
is not exactly what was asked for (count, format, size, base64, usage) is ``invalid_response``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from smoke.classify import classify_http, failure
from smoke.images import EditChange, ImageDecodeError, edit_change, identify, parse_size
from smoke.results import Failure, FailureKind, ImageArtifact

CHECKS = ("generate", "edit", "keyless")


@dataclass(frozen=True)
class Expectation:
    n: int = 1
    size: str = "1024x1024"
    output_format: str = "png"


@dataclass(frozen=True)
class Verdict:
    failure: Failure | None
    images: tuple[ImageArtifact, ...] = ()
    details: dict[str, object] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.failure is None


def _invalid(message: str) -> Verdict:
    return Verdict(failure(FailureKind.INVALID_RESPONSE, message))


def usage_problem(usage: object) -> str | None:
    """None when ``usage`` is a sane token count, else what is wrong with it."""
    if not isinstance(usage, Mapping):
        return "the response has no 'usage' object"
    counts = {}
    for key in ("input_tokens", "output_tokens", "total_tokens"):
        value = usage.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"usage.{key} is {value!r}, not a non-negative integer"
        counts[key] = value
    if counts["total_tokens"] != counts["input_tokens"] + counts["output_tokens"]:
        return "usage.total_tokens is not input_tokens + output_tokens"
    if counts["output_tokens"] == 0:
        return "usage.output_tokens is 0 for a response that carries images"
    return None


def images_verdict(status: int, body: bytes, expect: Expectation) -> Verdict:
    """Verdict for a generations or edits response."""
    if not 200 <= status < 300:
        return Verdict(classify_http(status, body))
    if status != 200:
        return _invalid(f"expected HTTP 200, got {status}")
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _invalid("the 200 response body is not JSON")
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        return _invalid("the response has no 'data' list")
    data = doc["data"]
    if len(data) != expect.n:
        return _invalid(f"'data' has {len(data)} items, expected {expect.n}")
    want_size = parse_size(expect.size)
    images = []
    for index, item in enumerate(data):
        b64 = item.get("b64_json") if isinstance(item, dict) else None
        if not isinstance(b64, str) or not b64:
            return _invalid(f"data[{index}] has no b64_json")
        try:
            raw = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            return _invalid(f"data[{index}].b64_json is not valid base64")
        try:
            info = identify(raw)
        except ImageDecodeError:
            return _invalid(f"data[{index}] does not decode to an image")
        if info.format != expect.output_format:
            return _invalid(f"data[{index}] is {info.format}, expected {expect.output_format}")
        if want_size is not None and (info.width, info.height) != want_size:
            return _invalid(f"data[{index}] is {info.width}x{info.height}, expected {expect.size}")
        images.append(ImageArtifact(index, info.format, info.width, info.height, raw))
    problem = usage_problem(doc.get("usage"))
    if problem:
        return _invalid(problem)
    return Verdict(None, tuple(images), {"usage": doc["usage"]})


def edit_verdict(
    status: int,
    body: bytes,
    expect: Expectation,
    base: bytes,
    mask: bytes,
    max_outside_change: float | None = None,
) -> Verdict:
    """``images_verdict`` plus what changed inside vs outside the mask (fails only past a threshold)."""
    verdict = images_verdict(status, body, expect)
    if not verdict.passed:
        return verdict
    change: EditChange = edit_change(base, verdict.images[0].data, mask)
    details = {
        **verdict.details,
        "changedInsideMask": round(change.inside, 4),
        "changedOutsideMask": round(change.outside, 4),
    }
    if max_outside_change is not None and change.outside > max_outside_change:
        return Verdict(
            failure(
                FailureKind.INVALID_RESPONSE,
                f"the edit changed {change.outside:.1%} of the image outside the mask, "
                f"above the threshold of {max_outside_change:.1%}",
            ),
            verdict.images,
            details,
        )
    return Verdict(None, verdict.images, details)


def keyless_verdict(status: int, body: bytes) -> Verdict:
    """A key request to a keyless account must be refused *as key auth*; anything else is a finding."""
    if 200 <= status < 300:
        return Verdict(
            failure(
                FailureKind.KEYLESS_VIOLATED,
                "The account accepted an API key although the stack outputs say localAuthDisabled.",
                status,
            )
        )
    classified = classify_http(status, body)
    if classified.kind is FailureKind.LOCAL_AUTH_DISABLED:
        return Verdict(None, details={"refusedWith": classified.code or str(status)})
    if classified.kind is FailureKind.AUTH:
        return Verdict(
            failure(
                FailureKind.KEYLESS_VIOLATED,
                "The account validated the API key instead of refusing key auth, so local auth is enabled "
                f"although the stack outputs say localAuthDisabled (HTTP {status}).",
                status,
                classified.code,
            )
        )
    return Verdict(classified)
