"""Run the checks: every target concurrently (bounded), its checks in order, each with retries.

This is the library entry point rollout calls: ``run_smoke(targets, options) -> SmokeReport``.
HTTP goes through an injected ``httpx.Client`` (built from the options when not given); verdicts come
from the pure functions in ``smoke.checks``; progress is reported through an optional callback.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from lifecycle.waits import SILENT, WaitListener
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
from smoke.retry import RetryPolicy, decide, seen
from smoke.targets import Target, is_loopback_host
from smoke.workers import Cancelled, collect

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
    # How calls through a gateway alias authenticate (the client subscription key as `api-key`, or an
    # Entra token the gateway validates); None when no target goes through a gateway.
    gateway_auth: Auth | None = None
    # The failover check (docs/smoke.md): the region of the member that is throttled, and how many calls
    # (alternately generate and edit) go through every alias that has a member there.
    failover_region: str | None = None
    failover_calls: int = 4


@dataclass(frozen=True)
class ProgressEvent:
    target: Target
    check: str
    phase: Literal["start", "attempt", "done"]
    attempt: Attempt | None = None
    result: CheckResult | None = None


ProgressCallback = Callable[[ProgressEvent], None]


class CheckRunner:
    def __init__(
        self,
        options: SmokeOptions,
        auth: Auth,
        client: ImageClient,
        on_event: ProgressCallback | None,
        sleep: Callable[[float], None] | None,
        clock: Callable[[], float],
        waits: WaitListener = SILENT,
    ) -> None:
        self.o = options
        self.auth = auth
        self.client = client
        self.on_event = on_event or (lambda event: None)
        self.cancel = threading.Event()
        self.sleep = sleep or self._cancellable_sleep
        self.clock = clock
        self.waits = waits
        self.limiter = RateLimiter(clock=clock, sleep=self.sleep)
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
        gateway = self.o.gateway_auth.secrets() if self.o.gateway_auth is not None else ()
        return (*self.auth.secrets(), *gateway, *((self.o.probe_key,) if self.o.probe_key else ()))

    def auth_for(self, target: Target) -> Auth:
        """A gateway alias takes the client credential; an account takes the run's own."""
        if target.through_gateway:
            if self.o.gateway_auth is None:
                raise AuthConfigError(
                    f"{target.label} goes through a gateway but no gateway credential was given."
                )
            return self.o.gateway_auth
        return self.auth

    def _cancellable_sleep(self, seconds: float) -> None:
        if self.cancel.wait(seconds):
            raise Cancelled()

    def pause(self, what: str, why: str, seconds: float) -> None:
        """Wait ``seconds``, visibly (see ``lifecycle.waits``), ending early if the run is interrupted."""
        if self.cancel.is_set():
            raise Cancelled()
        if seconds <= 0:
            return
        with self.waits.waiting(what, why, seconds):
            self.sleep(seconds)

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
        what = f"{target.label} {check}"
        while True:
            rpm = self.rpm_for(target)
            pace = self.limiter.reserve((target.endpoint, target.deployment), rpm)
            self.pause(what, f"pacing to the deployment's {rpm or 0:g} requests per minute", pace)
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
                connection_error=raw.error == "connection",  # tls / dns: not retried
                not_found=not_found,
                headers=raw.headers,
                policy=policy,
                history=[_seen(a) for a in attempts],
                refused=raw.refused,
                loopback=target.on_loopback,
                peer=target.address,
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
                return replace(raw, stopped=decision.evidence) if decision.evidence else raw
            self.pause(what, decision.why or decision.reason, decision.wait_s)

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
            verdict = verdict_for(raw, lambda status, body: images_verdict(status, body, self.expect))
            # A blocked prompt says nothing about the deployment: try the next benign prompt first.
            if verdict.failure is None or verdict.failure.kind is not FailureKind.CONTENT_FILTER:
                break
        assert verdict is not None
        result = self.result(target, "generate", verdict, attempts, prompt)
        return replace(result, request=RequestRecord("generate", body))

    def _generate_once(self, target: Target, body: dict[str, object]) -> RawResponse:
        return self.client.generate(target, self.auth_for(target).headers(), body)

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
                target, self.auth_for(target).headers(), fields, image, ("mask.png", mask, "image/png")
            ),
            attempts,
            start,
        )
        verdict = verdict_for(
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
        if target.through_gateway:
            reason = "a gateway alias takes the client's key by design; the keyless promise is each member's"
            return CheckResult(target, "keyless", CheckStatus.SKIPPED, skip_reason=reason)
        if not target.local_auth_disabled:
            reason = (
                "localAuthDisabled is false: the account accepts API keys, so there is no keyless promise"
                if target.local_auth_disabled is False
                else "the stack outputs do not say localAuthDisabled"
            )
            return CheckResult(target, "keyless", CheckStatus.SKIPPED, skip_reason=reason)
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
        verdict = verdict_for(raw, keyless_verdict)
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

    # -- the failover check (docs/smoke.md) --------------------------------------------------------
    def failover(self, target: Target) -> CheckResult:
        """While the ``failover_region`` member is throttled, every call through the alias succeeds and is
        served by another region. The member's throttling is checked first (one direct call must answer
        429): a check against a member that is not throttled would prove nothing."""
        region = self.o.failover_region
        _, endpoint, deployment = next(m for m in target.members if m[0] == region)
        member = Target(endpoint, deployment, target.api_version, source=str(region), region=region)
        body = {
            "n": self.o.n,
            "size": self.o.size,
            "quality": self.o.quality,
            "output_format": self.o.output_format,
        }
        attempts: list[Attempt] = []
        details: dict[str, object] = {"throttledRegion": region}
        self.pause(
            f"{target.label} failover",
            "pacing to the member's requests per minute",
            self.limiter.reserve((member.endpoint, member.deployment), self.o.rpm),
        )
        prompt = self.o.prompts[0]
        probe = _once(lambda: self.client.generate(member, self.auth.headers(), {"prompt": prompt, **body}))
        self._single(target, "failover", probe, attempts)
        details["throttledStatus"] = probe.status
        if probe.status != 429:
            answered = (
                f"answered {probe.status}" if probe.status is not None else f"failed ({_outcome(probe)})"
            )
            message = (
                f"The {region} member ({deployment} at {endpoint}) {answered} to a direct call, not 429: it "
                "is not throttled, so the failover check would prove nothing."
            )
            verdict = Verdict(failure(FailureKind.FAILOVER, message), (), details)
            return self.result(target, "failover", verdict, attempts, None)
        base, _, info = self.fixed_edit_base
        mask = ("mask.png", mask_for(self.fixed_edit_mask, info.width, info.height), "image/png")
        image = (f"base.{info.format}", base, CONTENT_TYPES.get(info.format, "image/png"))
        fields = {"prompt": self.o.edit_prompt, **{k: str(v) for k, v in body.items()}}
        served: list[str] = []
        problems: list[str] = []
        failed = 0
        for number in range(1, self.o.failover_calls + 1):
            route = "generate" if number % 2 else "edit"
            rpm = self.rpm_for(target)
            pace = self.limiter.reserve((target.endpoint, target.deployment), rpm)
            self.pause(f"{target.label} failover", f"pacing to {rpm or 0:g} requests per minute", pace)
            if route == "generate":
                raw = _once(
                    lambda: self.client.generate(
                        target, self.auth_for(target).headers(), {"prompt": prompt, **body}
                    )
                )
            else:
                raw = _once(
                    lambda: self.client.edit(target, self.auth_for(target).headers(), fields, image, mask)
                )
            self._single(target, "failover", raw, attempts)
            verdict = verdict_for(raw, lambda status, content: images_verdict(status, content, self.expect))
            where = raw.headers.get("x-ms-region")
            if verdict.failure is not None:
                failed += 1
                kind, why = verdict.failure.kind.value, verdict.failure.message
                problems.append(f"call {number} ({route}) failed: {kind}: {why}")
                continue
            served.append(where or "?")
            if where is None:
                problems.append(
                    f"call {number} ({route}) did not say which region served it (no x-ms-region)"
                )
            elif where == region:
                problems.append(f"call {number} ({route}) was served by {region}, the throttled member")
        calls = self.o.failover_calls
        details.update(calls=calls, failedCalls=failed, servedRegions=dict(sorted(Counter(served).items())))
        fail = None
        if problems:
            message = (
                f"{len(problems)} of {calls} calls through alias {target.deployment} went wrong "
                f"while {region} was throttled: {'; '.join(problems)}."
            )
            fail = failure(FailureKind.FAILOVER, message)
        return self.result(target, "failover", Verdict(fail, (), details), attempts, None)

    def _single(self, target: Target, check: str, raw: RawResponse, attempts: list[Attempt]) -> None:
        """Record one request sent without retries (the failover check counts every answer)."""
        attempt = Attempt(
            len(attempts) + 1,
            raw.started_at,
            round(raw.latency_s, 4),
            raw.status,
            raw.request_id,
            _outcome(raw),
            0.0,
            response_ids(raw.headers),
        )
        attempts.append(attempt)
        self.on_event(ProgressEvent(target, check, "attempt", attempt=attempt))

    def throttled_on_purpose(self, target: Target) -> bool:
        """A direct target in the failover region: throttled for the failover check, so not judged."""
        return (
            self.o.failover_region is not None
            and not target.through_gateway
            and (target.region == self.o.failover_region)
        )

    def fails_over(self, target: Target) -> bool:
        return target.through_gateway and any(m[0] == self.o.failover_region for m in target.members)

    def run_target(self, target: Target, results: list[CheckResult] | None = None) -> list[CheckResult]:
        """Run the target's checks in order, appending each result to ``results`` as it finishes."""
        results = [] if results is None else results
        generated: CheckResult | None = None
        for check in (c for c in CHECKS if c in self.o.checks):
            if self.cancel.is_set():
                break
            if self.throttled_on_purpose(target):
                reason = (
                    f"--failover {self.o.failover_region}: this member is throttled for the failover check"
                )
                results.append(CheckResult(target, check, CheckStatus.SKIPPED, skip_reason=reason))
                continue
            self.on_event(ProgressEvent(target, check, "start"))
            if check == "generate":
                result = generated = self.generate(target)
            elif check == "edit":
                result = self.edit(target, generated)
            else:
                result = self.keyless(target)
            results.append(result)
            self.on_event(ProgressEvent(target, check, "done", result=result))
        if self.fails_over(target) and not self.cancel.is_set():
            self.on_event(ProgressEvent(target, "failover", "start"))
            result = self.failover(target)
            results.append(result)
            self.on_event(ProgressEvent(target, "failover", "done", result=result))
        return results


def _once(send: Callable[[], RawResponse]) -> RawResponse:
    """One request without retries; a credential that cannot refresh is an ``auth`` answer, as in ``call``."""
    try:
        return send()
    except AuthConfigError as exc:
        return RawResponse(time.time(), 0.0, error="auth", error_detail=str(exc))


def _outcome(raw: RawResponse) -> str:
    if raw.error == "auth":
        return FailureKind.AUTH.value
    if raw.error == "tls":
        return FailureKind.TLS.value
    if raw.error == "dns":
        return FailureKind.DNS.value
    if raw.error == "timeout":
        return FailureKind.TIMEOUT.value
    if raw.error == "connection":
        return FailureKind.CONNECTION.value
    if raw.status is not None and 200 <= raw.status < 300:
        return "ok"
    return classify_http(raw.status or 0, raw.body).kind.value


def _seen(attempt: Attempt) -> str | None:
    """What an earlier attempt saw, for the give-up rule (``smoke.retry.seen``)."""
    return seen(
        attempt.status,
        timed_out=attempt.outcome == FailureKind.TIMEOUT.value,
        connection_error=attempt.outcome == FailureKind.CONNECTION.value,
    )


# The hint when nothing listens on a loopback endpoint: the emulator is not running, or the outputs file
# points at one that is gone (`imagegate demo` writes its own under .imagegate/demo/).
NOTHING_LISTENS_HINT = (
    "Start the emulator (`imagegate emulator serve`, see docs/emulator.md) or point --outputs / --endpoint "
    "at the one that runs."
)


def verdict_for(raw: RawResponse, judge: Callable[[int, bytes], Verdict]) -> Verdict:
    """The check's verdict on its last response; when the retries stopped early, the evidence leads."""
    verdict = _verdict(raw, judge)
    if raw.stopped and verdict.failure is not None:
        message = f"{raw.stopped} {verdict.failure.message}"
        return replace(verdict, failure=replace(verdict.failure, message=message))
    return verdict


def _verdict(raw: RawResponse, judge: Callable[[int, bytes], Verdict]) -> Verdict:
    if raw.error == "auth":
        return Verdict(token_refresh_failure(raw.error_detail))
    if raw.error == "timeout":
        return Verdict(failure(FailureKind.TIMEOUT, "No response before the request timeout."))
    if raw.error == "connection":
        peer_host = raw.peer.rpartition(":")[0].strip("[]")
        if raw.refused and is_loopback_host(peer_host):
            message = f"nothing listens on {raw.peer}; is the emulator running?"
            return Verdict(replace(failure(FailureKind.CONNECTION, message), hint=NOTHING_LISTENS_HINT))
        where = f"to {raw.peer} " if raw.peer else "to the endpoint "
        return Verdict(failure(FailureKind.CONNECTION, f"Could not connect {where}({raw.error_detail})."))
    if raw.error == "tls":
        return Verdict(
            failure(FailureKind.TLS, f"TLS verification of the endpoint failed ({raw.error_detail}).")
        )
    if raw.error == "dns":
        message = f"The endpoint's host name did not resolve ({raw.error_detail})."
        return Verdict(failure(FailureKind.DNS, message))
    assert raw.status is not None  # every RawResponse without an error carries the HTTP status
    return judge(raw.status, raw.body)


def run_smoke(
    targets: Sequence[Target],
    options: SmokeOptions | None = None,
    *,
    http: httpx.Client | None = None,
    on_event: ProgressCallback | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    waits: WaitListener = SILENT,
) -> SmokeReport:
    """Run every selected check on every target and return the report; never raises for a failing check.

    An interruption (Ctrl-C, SIGTERM) raises :class:`smoke.errors.SmokeInterrupted` at once, carrying the
    report of the checks that finished; worker threads stop at their next wait and requests still in
    flight are abandoned (their threads are daemons, so they never hold the process open).
    """
    options = options or SmokeOptions()
    auth = options.auth or EntraAuth()
    if isinstance(auth, EntraAuth):
        auth.headers()  # fail on a missing credential before the first request, not in every check
    own_client = http is None
    http = http or make_http_client(
        options.ca_bundle, options.request_timeout_s, max(4, options.concurrency * 2)
    )
    runner = CheckRunner(options, auth, ImageClient(http, v1=options.v1), on_event, sleep, clock, waits)
    planned = len(targets) * sum(1 for c in CHECKS if c in options.checks)
    planned += sum(1 for t in targets if runner.fails_over(t))
    close = http.close if own_client else None
    return collect(targets, runner.run_target, runner.o.concurrency, runner.cancel, planned, close)
