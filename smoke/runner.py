"""Run the checks: every target concurrently (bounded), its checks in order, each with retries.

This is the library entry point rollout calls: ``run_smoke(targets, options) -> SmokeReport``.
HTTP goes through an injected ``httpx.Client`` (built from the options when not given); verdicts come
from the pure functions in ``smoke.checks``; progress is reported through an optional callback.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from smoke.auth import Auth, EntraAuth, redact
from smoke.checks import CHECKS, Expectation, Verdict, edit_verdict, images_verdict, keyless_verdict
from smoke.classify import classify_http, error_fields, failure, token_refresh_failure
from smoke.client import CONTENT_TYPES, ImageClient, RawResponse, make_http_client, response_ids
from smoke.errors import AuthConfigError
from smoke.images import ImageInfo, fixture_bytes, identify, mask_for
from smoke.ratelimit import RateLimiter
from smoke.request import Connection, EditSource, ImageParams, OutputFormat, Pacing, Quality
from smoke.results import (
    Attempt,
    CheckResult,
    CheckStatus,
    FailureKind,
    ImageArtifact,
    RequestRecord,
    SmokeReport,
)
from smoke.retry import RetryPolicy, decide
from smoke.targets import Target

if TYPE_CHECKING:
    import httpx

DEFAULT_PROMPT = "A watercolor painting of a red lighthouse on a calm sea at sunrise."
DEFAULT_EDIT_PROMPT = "Add a small white sailboat in the masked area."
# Sent on the keyless probe when the user has no real key: refusal *as key auth* is what is checked.
PROBE_KEY = "imagegate-smoke-keyless-probe-0000"


_IMAGE, _PACING = ImageParams(), Pacing()


@dataclass(frozen=True)
class SmokeOptions:
    checks: tuple[str, ...] = CHECKS
    prompts: tuple[str, ...] = (DEFAULT_PROMPT,)
    edit_prompt: str = DEFAULT_EDIT_PROMPT
    size: str = _IMAGE.size
    quality: Quality = _IMAGE.quality
    output_format: OutputFormat = _IMAGE.output_format
    n: int = _IMAGE.n
    edit_source: EditSource = "fixture"
    edit_image: bytes | None = field(default=None, repr=False)
    edit_mask: bytes | None = field(default=None, repr=False)
    max_outside_change: float | None = None
    v1: bool = False
    concurrency: int = _PACING.concurrency
    rpm: float | None = None
    rpm_per_capacity_unit: float = _PACING.rpm_per_capacity_unit
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    request_timeout_s: float = Connection().request_timeout
    ca_bundle: Path | None = None
    auth: Auth | None = None
    probe_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ProgressEvent:
    target: Target
    check: str
    phase: Literal["start", "attempt", "done"]
    attempt: Attempt | None = None
    result: CheckResult | None = None


ProgressCallback = Callable[[ProgressEvent], None]


class _Runner:
    def __init__(
        self,
        options: SmokeOptions,
        auth: Auth,
        client: ImageClient,
        on_event: ProgressCallback | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        self.o = options
        self.auth = auth
        self.client = client
        self.on_event = on_event or (lambda event: None)
        self.sleep = sleep
        self.clock = clock
        self.limiter = RateLimiter(clock=clock, sleep=sleep)
        self.expect = Expectation(n=options.n, size=options.size, output_format=options.output_format)

    @functools.cached_property
    def fixed_edit_base(self) -> tuple[bytes, str, ImageInfo]:
        """The fixture or --edit-image, decoded once per run rather than once per deployment."""
        base = self.o.edit_image or fixture_bytes("base.png")
        return base, "file" if self.o.edit_image else "fixture", identify(base)

    @functools.cached_property
    def fixed_edit_mask(self) -> bytes:
        return self.o.edit_mask or fixture_bytes("mask.png")

    def secrets(self) -> tuple[str, ...]:
        return (*self.auth.secrets(), *((self.o.probe_key,) if self.o.probe_key else ()))

    def rpm_for(self, target: Target) -> float | None:
        if self.o.rpm is not None:
            return self.o.rpm
        if target.capacity:
            return target.capacity * self.o.rpm_per_capacity_unit
        return None

    # -- one request with retries -------------------------------------------------------------
    def call(
        self,
        target: Target,
        check: str,
        send: Callable[[], RawResponse],
        attempts: list[Attempt],
        check_start: float,
    ) -> RawResponse:
        policy = self.o.retry
        while True:
            self.limiter.acquire((target.endpoint, target.deployment), self.rpm_for(target))
            try:
                raw = send()
            except AuthConfigError as exc:
                # The credential worked at the start but could not refresh the token: a failed check
                # (the next check tries again), not a crash that loses every other deployment's result.
                raw = RawResponse(time.time(), 0.0, error="auth", error_detail=str(exc))
            not_found = raw.status == 404 and error_fields(raw.body)[0] == "DeploymentNotFound"
            decision = decide(
                attempt=len(attempts) + 1,
                elapsed_s=self.clock() - check_start,
                status=raw.status,
                timed_out=raw.error == "timeout",
                connection_error=raw.error == "connection",
                not_found=not_found,
                headers=raw.headers,
                policy=policy,
            )
            outcome = _outcome(raw)
            attempt = Attempt(
                len(attempts) + 1,
                raw.started_at,
                round(raw.latency_s, 4),
                raw.status,
                raw.request_id,
                outcome,
                round(decision.wait_s, 4) if decision.retry else 0.0,
                response_ids(raw.headers),
            )
            attempts.append(attempt)
            self.on_event(ProgressEvent(target, check, "attempt", attempt=attempt))
            if not decision.retry:
                return raw
            self.sleep(decision.wait_s)

    # -- the checks ----------------------------------------------------------------------------
    def generate(self, target: Target) -> CheckResult:
        attempts: list[Attempt] = []
        start = self.clock()
        verdict: Verdict | None = None
        prompt = self.o.prompts[0]
        body = {
            "n": self.o.n,
            "size": self.o.size,
            "quality": self.o.quality,
            "output_format": self.o.output_format,
        }
        for prompt in self.o.prompts:
            raw = self.call(
                target,
                "generate",
                functools.partial(self._generate_once, target, {"prompt": prompt, **body}),
                attempts,
                start,
            )
            verdict = _verdict_for(raw, lambda status, body: images_verdict(status, body, self.expect))
            # A blocked prompt says nothing about the deployment: try the next benign prompt first.
            if verdict.failure is None or verdict.failure.kind is not FailureKind.CONTENT_FILTER:
                break
        assert verdict is not None
        result = self.result(target, "generate", verdict, attempts, prompt)
        return replace(result, request=RequestRecord("generate", body))

    def _generate_once(self, target: Target, body: dict[str, object]) -> RawResponse:
        return self.client.generate(target, self.auth.headers(), body)

    def edit(self, target: Target, generated: CheckResult | None) -> CheckResult:
        base, source, info = self.fixed_edit_base
        if self.o.edit_source == "generated" and generated and generated.images:
            made = generated.images[0]
            base, source, info = made.data, "generated", ImageInfo(made.format, made.width, made.height)
        mask = mask_for(self.fixed_edit_mask, info.width, info.height)
        fields = {
            "prompt": self.o.edit_prompt,
            "n": str(self.o.n),
            "size": self.o.size,
            "quality": self.o.quality,
            "output_format": self.o.output_format,
        }
        image = (f"base.{info.format}", base, CONTENT_TYPES.get(info.format, "image/png"))
        attempts: list[Attempt] = []
        start = self.clock()
        raw = self.call(
            target,
            "edit",
            lambda: self.client.edit(
                target, self.auth.headers(), fields, image, ("mask.png", mask, "image/png")
            ),
            attempts,
            start,
        )
        verdict = _verdict_for(
            raw,
            lambda status, body: edit_verdict(
                status, body, self.expect, base, mask, self.o.max_outside_change
            ),
        )
        verdict = replace(verdict, details={**verdict.details, "baseImage": source})
        result = self.result(target, "edit", verdict, attempts, self.o.edit_prompt)
        params = {k: v for k, v in fields.items() if k != "prompt"}
        record = RequestRecord(
            "edit", params, (ImageArtifact(0, info.format, info.width, info.height, base),), mask
        )
        return replace(result, request=record)

    def keyless(self, target: Target) -> CheckResult:
        if not target.local_auth_disabled:
            return CheckResult(
                target,
                "keyless",
                CheckStatus.SKIPPED,
                skip_reason="the stack outputs do not say localAuthDisabled",
            )
        key = self.o.probe_key or PROBE_KEY
        body = {
            "prompt": self.o.prompts[0],
            "n": 1,
            "size": self.o.size,
            "quality": self.o.quality,
            "output_format": self.o.output_format,
        }
        attempts: list[Attempt] = []
        raw = self.call(
            target,
            "keyless",
            lambda: self.client.generate(target, {"api-key": key}, body),
            attempts,
            self.clock(),
        )
        verdict = _verdict_for(raw, keyless_verdict)
        return self.result(target, "keyless", verdict, attempts, None)

    def result(
        self, target: Target, check: str, verdict: Verdict, attempts: list[Attempt], prompt: str | None
    ) -> CheckResult:
        fail = verdict.failure
        if fail is not None:
            secrets = self.secrets()
            fail = replace(fail, message=redact(fail.message, secrets))
        status = CheckStatus.PASSED if fail is None else CheckStatus.FAILED
        return CheckResult(
            target, check, status, fail, tuple(attempts), prompt, verdict.images, verdict.details
        )

    def run_target(self, target: Target) -> list[CheckResult]:
        results: list[CheckResult] = []
        generated: CheckResult | None = None
        for check in (c for c in CHECKS if c in self.o.checks):
            self.on_event(ProgressEvent(target, check, "start"))
            if check == "generate":
                result = generated = self.generate(target)
            elif check == "edit":
                result = self.edit(target, generated)
            else:
                result = self.keyless(target)
            results.append(result)
            self.on_event(ProgressEvent(target, check, "done", result=result))
        return results


def _outcome(raw: RawResponse) -> str:
    if raw.error == "auth":
        return FailureKind.AUTH.value
    if raw.error == "timeout":
        return FailureKind.TIMEOUT.value
    if raw.error == "connection":
        return FailureKind.CONNECTION.value
    if raw.status is not None and 200 <= raw.status < 300:
        return "ok"
    return classify_http(raw.status or 0, raw.body).kind.value


def _verdict_for(raw: RawResponse, judge: Callable[[int, bytes], Verdict]) -> Verdict:
    if raw.error == "auth":
        return Verdict(token_refresh_failure(raw.error_detail))
    if raw.error == "timeout":
        return Verdict(failure(FailureKind.TIMEOUT, "No response before the request timeout."))
    if raw.error == "connection":
        return Verdict(failure(FailureKind.CONNECTION, f"Could not reach the endpoint ({raw.error_detail})."))
    assert raw.status is not None  # every RawResponse without an error carries the HTTP status
    return judge(raw.status, raw.body)


def run_smoke(
    targets: Sequence[Target],
    options: SmokeOptions | None = None,
    *,
    http: httpx.Client | None = None,
    on_event: ProgressCallback | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SmokeReport:
    """Run every selected check on every target and return the report; never raises for a failing check."""
    options = options or SmokeOptions()
    auth = options.auth or EntraAuth()
    if isinstance(auth, EntraAuth):
        auth.headers()  # fail on a missing credential before the first request, not in every check
    own_client = http is None
    http = http or make_http_client(
        options.ca_bundle, options.request_timeout_s, max(4, options.concurrency * 2)
    )
    runner = _Runner(options, auth, ImageClient(http, v1=options.v1), on_event, sleep, clock)
    started = time.time()
    try:
        with ThreadPoolExecutor(max_workers=max(1, options.concurrency), thread_name_prefix="smoke") as pool:
            per_target = list(pool.map(runner.run_target, targets))
    finally:
        if own_client:
            http.close()
    checks = tuple(r for results in per_target for r in results)
    return SmokeReport(started_at=started, finished_at=time.time(), checks=checks)


def one_off(
    kind: str,
    target: Target,
    prompt: str,
    expect: Expectation,
    *,
    quality: Quality,
    auth: Auth,
    image: bytes | None = None,
    mask: bytes | None = None,
    v1: bool = False,
    ca_bundle: Path | None = None,
    request_timeout_s: float = 120.0,
    http: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CheckResult:
    """One generate or edit call with the run's retry policy (the Playground from a terminal)."""
    options = SmokeOptions(
        prompts=(prompt,),
        edit_prompt=prompt,
        size=expect.size,
        quality=quality,
        output_format=cast(OutputFormat, expect.output_format),
        n=expect.n,
        v1=v1,
        auth=auth,
    )
    own_client = http is None
    http = http or make_http_client(ca_bundle, request_timeout_s)
    runner = _Runner(options, auth, ImageClient(http, v1=v1), None, sleep, time.monotonic)
    try:
        if kind == "generate":
            return runner.generate(target)
        assert image is not None
        info = identify(image)
        fields = {
            "prompt": prompt,
            "n": str(expect.n),
            "size": expect.size,
            "quality": quality,
            "output_format": expect.output_format,
        }
        files = (f"image.{info.format}", image, CONTENT_TYPES.get(info.format, "image/png"))
        mask_part = ("mask.png", mask_for(mask, info.width, info.height), "image/png") if mask else None
        attempts: list[Attempt] = []
        raw = runner.call(
            target,
            "edit",
            lambda: runner.client.edit(target, auth.headers(), fields, files, mask_part),
            attempts,
            time.monotonic(),
        )
        verdict = _verdict_for(raw, lambda status, body: images_verdict(status, body, expect))
        return runner.result(target, "edit", verdict, attempts, prompt)
    finally:
        if own_client:
            http.close()
