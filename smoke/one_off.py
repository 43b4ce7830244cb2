"""``smoke generate`` / ``smoke edit``: one call with the run's retry policy (the Playground from a terminal).

It runs on the calling thread, so Ctrl-C interrupts the request itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from lifecycle.waits import SILENT, WaitListener
from smoke.auth import Auth
from smoke.checks import Expectation, images_verdict
from smoke.client import CONTENT_TYPES, ImageClient, make_http_client
from smoke.images import identify, mask_for
from smoke.request import OutputFormat, Quality
from smoke.results import Attempt, CheckResult
from smoke.retry import RetryPolicy
from smoke.runner import CheckRunner, ProgressCallback, SmokeOptions, verdict_for
from smoke.targets import Target

if TYPE_CHECKING:
    import httpx


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
    sleep: Callable[[float], None] | None = None,
    retry: RetryPolicy | None = None,
    waits: WaitListener = SILENT,
    on_event: ProgressCallback | None = None,
) -> CheckResult:
    """One generate or edit call with the run's retry policy (the Playground from a terminal).

    Runs on the calling thread, so Ctrl-C interrupts the request itself.
    """
    options = SmokeOptions(
        prompts=(prompt,),
        edit_prompt=prompt,
        size=expect.size,
        quality=quality,
        output_format=cast(OutputFormat, expect.output_format),
        n=expect.n,
        v1=v1,
        auth=auth,
        retry=retry or RetryPolicy(),
    )
    own_client = http is None
    http = http or make_http_client(ca_bundle, request_timeout_s)
    client = ImageClient(http, v1=v1)
    runner = CheckRunner(options, auth, client, on_event, sleep or time.sleep, time.monotonic, waits)
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
        verdict = verdict_for(raw, lambda status, body: images_verdict(status, body, expect))
        return runner.result(target, "edit", verdict, attempts, prompt)
    finally:
        if own_client:
            http.close()
