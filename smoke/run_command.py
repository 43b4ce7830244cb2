"""What the ``smoke`` commands do once click has parsed them: build options, run, report, pick the exit
code. No click here (the CLI passes parsed values and streams), so this is testable on its own.

An interruption (SIGINT/SIGTERM, see ``lifecycle.interrupts``) ends a run at once: the reports are written
for the checks that finished, marked interrupted, and the exit code is the signal's (130 / 143).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import IO

from lifecycle import interrupts, waits
from smoke.auth import Auth, EntraAuth
from smoke.checks import CHECKS, Expectation
from smoke.client import ssl_context
from smoke.errors import InputError, SmokeInterrupted
from smoke.inputs import check_size, read_image, read_mask, read_prompts
from smoke.request import OneOffRequest, ReportPaths, SmokeRunRequest
from smoke.results import SmokeReport
from smoke.retry import RetryPolicy
from smoke.runner import DEFAULT_EDIT_PROMPT, DEFAULT_PROMPT, ProgressEvent, SmokeOptions, run_smoke
from smoke.suite.model import Suite
from smoke.targets import Target

EXIT_PASSED, EXIT_FAILED = 0, 1


def build_options(request: SmokeRunRequest) -> SmokeOptions:
    """Every file is read and validated here, before any request (auth is added by the caller)."""
    connection, checks, pacing, image = request.connection, request.checks, request.pacing, request.image
    if connection.ca_bundle:
        ssl_context(connection.ca_bundle)
    prompts: tuple[str, ...] = (checks.prompt,) if checks.prompt else (DEFAULT_PROMPT,)
    if checks.prompt_file:
        prompts = read_prompts(checks.prompt_file)
    return SmokeOptions(
        checks=tuple(checks.checks or CHECKS),
        prompts=prompts,
        edit_prompt=checks.edit_prompt or DEFAULT_EDIT_PROMPT,
        size=check_size(image.size),
        quality=image.quality,
        output_format=image.output_format,
        n=image.n,
        edit_source=checks.edit_source,
        edit_image=read_image(checks.edit_image, "edit image") if checks.edit_image else None,
        edit_mask=read_mask(checks.edit_mask) if checks.edit_mask else None,
        max_outside_change=checks.max_outside_change,
        v1=connection.v1,
        concurrency=pacing.concurrency,
        rpm=pacing.rpm,
        rpm_per_capacity_unit=pacing.rpm_per_capacity_unit,
        retry=RetryPolicy(
            max_attempts=pacing.max_attempts,
            deadline_s=pacing.check_timeout,
            not_found_wait_s=pacing.not_found_wait,
            give_up_after_s=pacing.give_up_after,
        ),
        request_timeout_s=connection.request_timeout,
        ca_bundle=connection.ca_bundle,
    )


def _progress(targets: list[Target], checks: tuple[str, ...], err: IO[str]):
    from smoke.reports.summary import PlainProgress, RichProgress

    if err.isatty():
        from rich.console import Console

        return RichProgress([t.label for t in targets], checks, Console(file=err))
    return PlainProgress(err)


def prepare_suite(name: str, targets: list[Target], catalog: Path | None) -> Suite:
    """Read ``--suite`` and check it against every target's model before any request is sent."""
    from catalog import CatalogError
    from smoke.suite import SuiteError, load_capabilities, load_suite, suite_problems

    suite = load_suite(Path(name))
    try:
        capabilities_of = load_capabilities(str(catalog) if catalog else None)
    except CatalogError as exc:
        raise InputError(str(exc)) from exc
    problems = suite_problems(suite, targets, capabilities_of)
    if problems:
        raise SuiteError(name, problems)
    return suite


def execute_run(
    targets: list[Target],
    options: SmokeOptions,
    reports: ReportPaths,
    out: IO[str],
    err: IO[str],
    suite: Suite | None = None,
) -> int:
    from smoke.suite import case_names, run_suite

    auth = options.auth
    if isinstance(auth, EntraAuth):
        auth.headers()  # a missing credential is a config error, raised before the first request
    names = case_names(suite) if suite is not None else tuple(c for c in CHECKS if c in options.checks)
    what = "case" if suite is not None else "check"
    err.write(
        f"smoke run: {len(targets)} deployment(s){_through_gateway(targets)} x {len(names)} {what}(s) "
        f"({', '.join(names)}); each {what} may take up to {options.retry.deadline_s:g} s, retries "
        f"included{_give_up(options)}{_failover(targets, options)}\n"
    )
    if options.failover_region is not None:
        names = (*names, "failover")
    err.flush()
    stopped: SmokeInterrupted | None = None
    with _progress(targets, names, err) as progress:
        try:
            if suite is not None:
                report = run_suite(targets, suite, options, on_event=progress, waits=progress)
            else:
                report = run_smoke(targets, options, on_event=progress, waits=progress)
        except SmokeInterrupted as exc:
            stopped, report = exc, exc.report
    write_reports(report, reports, suite.name if suite is not None else None)
    if out.isatty():
        from rich.console import Console

        from smoke.reports.summary import rich_summary

        rich_summary(report, Console(file=out))
    else:
        from smoke.reports.summary import plain_summary

        out.write(plain_summary(report))
    if stopped is not None:
        written = "; the reports hold the finished ones" if _any_report(reports) else ""
        err.write(
            f"smoke run: interrupted by {stopped.signal_name}: {len(report.checks)} of {report.planned} "
            f"checks finished, requests in flight were abandoned{written}.\n"
        )
        return stopped.exit_code
    return EXIT_PASSED if report.passed else EXIT_FAILED


def _through_gateway(targets: list[Target]) -> str:
    aliases = sum(1 for t in targets if t.through_gateway)
    return f" ({aliases} through the gateway)" if aliases else ""


def _failover(targets: list[Target], options: SmokeOptions) -> str:
    if options.failover_region is None:
        return ""
    aliases = [t.label for t in targets if any(m[0] == options.failover_region for m in t.members)]
    return (
        f"; then the failover check on {', '.join(aliases)} with the {options.failover_region} member "
        f"throttled ({options.failover_calls} calls each)"
    )


def _give_up(options: SmokeOptions) -> str:
    window, budget = options.retry.give_up_after_s, options.retry.deadline_s
    return f" (one that sees only failures stops after {window:g} s)" if window < budget else ""


def _any_report(reports: ReportPaths) -> bool:
    return any((reports.json_path, reports.junit_path, reports.html_path, reports.save_images))


def write_reports(report: SmokeReport, reports: ReportPaths, suite_name: str | None = None) -> None:
    if reports.json_path:
        from smoke.reports.json_report import write_json

        write_json(report, reports.json_path)
    if reports.junit_path:
        from smoke.reports.junit import write_junit

        write_junit(report, reports.junit_path)
    if reports.html_path:
        from smoke.reports.html import write_html

        write_html(report, reports.html_path, suite_name=suite_name)
    from smoke.reports.markdown import append_step_summary, smoke_markdown

    markdown = smoke_markdown(report, reports.html_path.name if reports.html_path else None)
    if reports.summary_md:
        reports.summary_md.write_text(markdown, encoding="utf-8")
    append_step_summary(markdown)
    if reports.save_images:
        from smoke.reports.files import save_images

        save_images(report, reports.save_images)


def execute_one_off(
    request: OneOffRequest, target: Target, auth: Auth, out: IO[str], err: IO[str] | None = None
) -> int:
    """``smoke generate`` / ``smoke edit``: one request (with retries), the image written to ``--output``.

    Reports the wall time and the attempts, so a call that waited out a rate limit does not look fast.
    """
    from smoke.one_off import one_off
    from smoke.reports.files import write_image_outputs

    kind, params, connection = request.kind, request.image, request.connection
    check_size(params.size)
    expect = Expectation(n=params.n, size=params.size, output_format=params.output_format)
    image = read_image(request.image_path, "image") if kind == "edit" and request.image_path else None
    mask = read_mask(request.mask_path) if kind == "edit" and request.mask_path else None
    if isinstance(auth, EntraAuth):
        auth.headers()
    attempts = [0]

    def count(event: ProgressEvent) -> None:
        if event.phase == "attempt":
            attempts[0] += 1

    started = time.monotonic()
    try:
        result = one_off(
            kind,
            target,
            request.prompt,
            expect,
            quality=params.quality,
            image=image,
            mask=mask,
            v1=connection.v1,
            auth=auth,
            ca_bundle=connection.ca_bundle,
            request_timeout_s=connection.request_timeout,
            retry=RetryPolicy(),
            waits=waits.for_stream(err) if err is not None else waits.SILENT,
            on_event=count,
        )
    except KeyboardInterrupt as exc:
        stopped = interrupts.as_interrupted(exc)
        (err or out).write(
            f"smoke {kind}: interrupted by {stopped.signal_name} after {time.monotonic() - started:.1f}s "
            f"({attempts[0]} attempt(s) answered); {request.output} was not written.\n"
        )
        return stopped.exit_code
    took = f"{time.monotonic() - started:.2f}s in {len(result.attempts)} attempt(s)"
    if result.failure is not None:
        out.write(
            f"{kind} failed on {target.label} after {took}: "
            f"{result.failure.kind.value}: {result.failure.message}\n"
            f"hint: {result.failure.hint}\n"
        )
        return EXIT_FAILED
    paths = write_image_outputs(result.images, request.output)
    latency = f"{result.latency_s:.2f}s" if result.latency_s is not None else "-"
    for path, img in zip(paths, result.images, strict=True):
        out.write(
            f"wrote {path} ({img.width}x{img.height} {img.format}, {latency} last response, {took}, "
            f"request id {result.request_ids[-1] if result.request_ids else '-'})\n"
        )
    return EXIT_PASSED
