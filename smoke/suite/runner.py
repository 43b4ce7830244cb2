"""Run a prompt suite on every target: each case in order per deployment, deployments concurrently.

The request, retry, pacing and auth machinery is the smoke runner's (``smoke.runner``), so a suite case is
retried, paced and redacted exactly like the built-in checks; what a case adds is its own request
parameters, inputs and verdict (``smoke.suite.verdicts``). The keyless probe runs when the suite asks.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from lifecycle.waits import SILENT, WaitListener
from smoke.auth import EntraAuth
from smoke.client import CONTENT_TYPES, ImageClient, RawResponse, make_http_client
from smoke.results import Attempt, CheckResult, ImageArtifact, RequestRecord, SmokeReport
from smoke.runner import CheckRunner, ProgressCallback, ProgressEvent, SmokeOptions, verdict_for
from smoke.suite.model import Case, Suite
from smoke.suite.verdicts import case_verdict
from smoke.targets import Target
from smoke.workers import collect

if TYPE_CHECKING:
    import httpx

KEYLESS = "keyless"


def case_names(suite: Suite) -> tuple[str, ...]:
    """The check names a suite run reports, in order (its case ids, then ``keyless`` when asked)."""
    return (*(c.id for c in suite.cases), *((KEYLESS,) if suite.keyless else ()))


def request_record(case: Case) -> RequestRecord:
    inputs = tuple(
        ImageArtifact(i, img.format, img.width, img.height, img.data) for i, img in enumerate(case.images)
    )
    return RequestRecord(case.route, dict(case.params), inputs, case.mask.data if case.mask else None)


def _send(runner: CheckRunner, target: Target, case: Case) -> Callable[[], RawResponse]:
    if case.route == "generate":
        body = {"prompt": case.prompt, **case.params}
        return lambda: runner.client.generate(target, runner.auth.headers(), body)
    # Multipart scalars travel as text, exactly as the SDK sends them.
    fields = {"prompt": case.prompt, **{k: str(v) for k, v in case.params.items()}}
    images = [
        (f"image-{i}.{img.format}", img.data, CONTENT_TYPES.get(img.format, "image/png"))
        for i, img in enumerate(case.images)
    ]
    mask = ("mask.png", case.mask.data, "image/png") if case.mask else None
    return lambda: runner.client.edit(target, runner.auth.headers(), fields, images, mask)


def run_case(runner: CheckRunner, target: Target, case: Case) -> CheckResult:
    attempts: list[Attempt] = []
    raw = runner.call(target, case.id, _send(runner, target, case), attempts, runner.clock())
    verdict = verdict_for(raw, lambda status, body: case_verdict(case, status, body, raw.latency_s))
    result = runner.result(target, case.id, verdict, attempts, case.prompt)
    return replace(result, request=request_record(case), expected=case.expected())


def _run_target(runner: CheckRunner, suite: Suite, target: Target, results: list[CheckResult]) -> None:
    """Each case in order, appended to ``results`` as it finishes (an interruption keeps what finished)."""
    for case in suite.cases:
        if runner.cancel.is_set():
            return
        runner.on_event(ProgressEvent(target, case.id, "start"))
        result = run_case(runner, target, case)
        results.append(result)
        runner.on_event(ProgressEvent(target, case.id, "done", result=result))
    if suite.keyless:
        runner.on_event(ProgressEvent(target, KEYLESS, "start"))
        result = runner.keyless(target)
        results.append(result)
        runner.on_event(ProgressEvent(target, KEYLESS, "done", result=result))


def run_suite(
    targets: Sequence[Target],
    suite: Suite,
    options: SmokeOptions | None = None,
    *,
    http: httpx.Client | None = None,
    on_event: ProgressCallback | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    waits: WaitListener = SILENT,
) -> SmokeReport:
    """Every case of ``suite`` on every target; never raises for a failing case (like ``run_smoke``), and
    stops like it on an interruption (``SmokeInterrupted`` with what finished)."""
    options = options or SmokeOptions()
    auth = options.auth or EntraAuth()
    if isinstance(auth, EntraAuth):
        auth.headers()  # a missing credential is a configuration error, raised before the first request
    own_client = http is None
    http = http or make_http_client(
        options.ca_bundle, options.request_timeout_s, max(4, options.concurrency * 2)
    )
    runner = CheckRunner(options, auth, ImageClient(http, v1=options.v1), on_event, sleep, clock, waits)
    planned = len(targets) * len(case_names(suite))
    close = http.close if own_client else None
    run_one = functools.partial(_run_target, runner, suite)
    return collect(targets, run_one, options.concurrency, runner.cancel, planned, close)
