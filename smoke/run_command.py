"""What the ``smoke`` commands do once click has parsed them: build options, run, report, pick the exit
code. No click here (the CLI passes parsed values and streams), so this is testable on its own."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from smoke.auth import Auth, EntraAuth
from smoke.checks import CHECKS, Expectation
from smoke.client import ssl_context
from smoke.inputs import check_size, read_image, read_mask, read_prompts
from smoke.retry import RetryPolicy
from smoke.runner import DEFAULT_EDIT_PROMPT, DEFAULT_PROMPT, SmokeOptions, run_smoke
from smoke.targets import Target

EXIT_PASSED, EXIT_FAILED = 0, 1


def build_options(kw: dict[str, Any]) -> SmokeOptions:
    """Every file is read and validated here, before any request (auth is added by the caller)."""
    if kw.get("ca_bundle"):
        ssl_context(kw["ca_bundle"])
    prompts: tuple[str, ...] = (kw["prompt"],) if kw.get("prompt") else (DEFAULT_PROMPT,)
    if kw.get("prompt_file"):
        prompts = read_prompts(kw["prompt_file"])
    return SmokeOptions(
        checks=tuple(kw.get("checks") or CHECKS),
        prompts=prompts,
        edit_prompt=kw.get("edit_prompt") or DEFAULT_EDIT_PROMPT,
        size=check_size(kw["size"]),
        quality=kw["quality"],
        output_format=kw["output_format"],
        n=kw["n"],
        edit_source=kw.get("edit_source") or "fixture",
        edit_image=read_image(kw["edit_image"], "edit image") if kw.get("edit_image") else None,
        edit_mask=read_mask(kw["edit_mask"]) if kw.get("edit_mask") else None,
        max_outside_change=kw.get("max_outside_change"),
        v1=kw["v1"],
        concurrency=kw.get("concurrency") or 16,
        rpm=kw.get("rpm"),
        rpm_per_capacity_unit=kw.get("rpm_per_capacity_unit") or 3.0,
        retry=RetryPolicy(
            max_attempts=kw.get("max_attempts") or 4,
            deadline_s=kw.get("check_timeout") or 300.0,
            not_found_wait_s=kw.get("not_found_wait") or 0.0,
        ),
        request_timeout_s=kw["request_timeout"],
        ca_bundle=kw.get("ca_bundle"),
    )


def _progress(targets: list[Target], checks: tuple[str, ...], err: IO[str]):
    from smoke.reports.summary import PlainProgress, RichProgress

    if err.isatty():
        from rich.console import Console

        return RichProgress([t.label for t in targets], checks, Console(file=err))
    return PlainProgress(err)


def execute_run(
    targets: list[Target], options: SmokeOptions, kw: dict[str, Any], out: IO[str], err: IO[str]
) -> int:
    auth = options.auth
    if isinstance(auth, EntraAuth):
        auth.headers()  # a missing credential is a config error, raised before the first request
    with _progress(targets, options.checks, err) as progress:
        report = run_smoke(targets, options, on_event=progress)
    write_reports(report, kw)
    if out.isatty():
        from rich.console import Console

        from smoke.reports.summary import rich_summary

        rich_summary(report, Console(file=out))
    else:
        from smoke.reports.summary import plain_summary

        out.write(plain_summary(report))
    return EXIT_PASSED if report.passed else EXIT_FAILED


def write_reports(report, kw: dict[str, Any]) -> None:
    if kw.get("json_path"):
        from smoke.reports.json_report import write_json

        write_json(report, kw["json_path"])
    if kw.get("junit_path"):
        from smoke.reports.junit import write_junit

        write_junit(report, kw["junit_path"])
    if kw.get("html_path"):
        from smoke.reports.html import write_html

        write_html(report, kw["html_path"])
    if kw.get("save_images"):
        from smoke.reports.files import save_images

        save_images(report, kw["save_images"])


def execute_one_off(kind: str, target: Target, kw: dict[str, Any], auth: Auth, out: IO[str]) -> int:
    """``smoke generate`` / ``smoke edit``: one request (with retries), the image written to ``--output``."""
    from smoke.reports.files import write_image_outputs
    from smoke.runner import one_off

    check_size(kw["size"])
    expect = Expectation(n=kw["n"], size=kw["size"], output_format=kw["output_format"])
    image = read_image(kw["image_path"], "image") if kind == "edit" else None
    mask = read_mask(kw["mask_path"]) if kind == "edit" and kw.get("mask_path") else None
    if isinstance(auth, EntraAuth):
        auth.headers()
    result = one_off(
        kind,
        target,
        kw["prompt"],
        expect,
        quality=kw["quality"],
        image=image,
        mask=mask,
        v1=kw["v1"],
        auth=auth,
        ca_bundle=kw.get("ca_bundle"),
        request_timeout_s=kw["request_timeout"],
    )
    if result.failure is not None:
        out.write(
            f"{kind} failed on {target.label}: {result.failure.kind.value}: {result.failure.message}\n"
            f"hint: {result.failure.hint}\n"
        )
        return EXIT_FAILED
    paths = write_image_outputs(result.images, Path(kw["output"]))
    latency = f"{result.latency_s:.2f}s" if result.latency_s is not None else "-"
    for path, img in zip(paths, result.images, strict=True):
        out.write(
            f"wrote {path} ({img.width}x{img.height} {img.format}, {latency}, "
            f"request id {result.request_ids[-1] if result.request_ids else '-'})\n"
        )
    return EXIT_PASSED
