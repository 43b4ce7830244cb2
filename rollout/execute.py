"""What `imagegate rollout plan|run|abort|status` do once click has parsed them: build the driver and
the gates, print the plan, run the step machine, write the reports, and return the outcome's exit code.
Errors that stop it before the run carry their own exit code (``imagegate.cli`` prints them). Loaded only
when a rollout command runs (never for --help).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from clikit import envvars
from lifecycle import interrupts, waits
from rollout.backoff import BackoffPolicy
from rollout.errors import AttentionError, DriverError, JournalError, RolloutError, UsageError
from rollout.journal import UNFINISHED, Journal, StackLock, default_journal_dir
from rollout.plan import Plan, Step, build_plan
from rollout.ports import Driver, NoPreflight, Preflight, Smoker
from rollout.render import render_plan, render_status
from rollout.reports import junit_xml, report_dict
from rollout.request import RolloutRequest
from rollout.runner import EXIT_NEEDS_ATTENTION, Runner, interrupted_result, unexpected
from rollout.target import parse_target
from rollout.validate import resolve_deployment, validate_request


def _stack_and_config(stack: str | None, config: Path | None) -> tuple[str, Path]:
    if stack is None and config is None:
        raise UsageError("Name the stack with --stack NAME (or give --config Pulumi.<stack>.yaml).")
    from infra.config import stack_name_of

    named = stack_name_of(config) if config is not None else None
    if stack is not None and named is not None and named != stack:
        raise UsageError(
            f"--stack {stack} and --config {config} name different stacks; pass only one of them."
        )
    config = config or Path(f"Pulumi.{stack}.yaml")
    stack = stack or named or config.stem
    if not config.is_file():
        raise UsageError(f"{config} does not exist; run from the project folder or pass --config FILE.")
    return stack, config


def _check_report_path(path: Path | None, what: str) -> None:
    """Reports are written after the rollout; an unwritable path must stop it before anything changes."""
    if path is None:
        return
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"Cannot write the {what} report {path}; pass a path in a writable folder.")


def _write(path: Path | None, text: str) -> None:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


RPM_ENV = "IMAGEGATE_RPM_PER_CAPACITY_UNIT"  # what `imagegate smoke run --rpm-per-capacity-unit` reads


def _smoker(request: RolloutRequest) -> Smoker:
    from rollout.gates import LibrarySmoker
    from smoke import ApiKeyAuth, EntraAuth, RetryPolicy, SmokeOptions, key_from_env

    if request.auth == "key":
        auth: Any = ApiKeyAuth(key_from_env(request.api_key_env), request.api_key_env)
    elif request.driver == "local" or request.auth == "emulator":
        from smoke import LocalTokenCredential

        auth = EntraAuth(credential=LocalTokenCredential())
    else:
        auth = EntraAuth()
    from catalog import load_catalog

    ca = Path(request.ca_bundle) if request.ca_bundle else None
    # Smoke paces itself to the deployment's quota, which the catalog converts from capacity.
    rpm = float(load_catalog(request.catalog).rpm_per_capacity_unit)
    # The emulator's own rate (exported by `imagegate emulator env`) wins over the catalog's.
    override = (envvars.lookup(RPM_ENV) or "").strip()
    if override:
        try:
            rpm = float(override)
        except ValueError:
            raise UsageError(f"{RPM_ENV}={override!r} is not a number; unset it.") from None
    from rollout.evidence import read_suite
    from rollout.regression_gate import GatePolicy

    # Checked against both models when the plan was printed; read again here, before the journal begins.
    suite = read_suite(request)
    retry = RetryPolicy()
    if request.check_timeout is not None:
        retry = replace(retry, deadline_s=request.check_timeout)
    if request.not_found_wait is not None:
        retry = replace(retry, not_found_wait_s=request.not_found_wait)
    if request.give_up_after is not None:
        retry = replace(retry, give_up_after_s=request.give_up_after)
    return LibrarySmoker(
        SmokeOptions(auth=auth, ca_bundle=ca, rpm_per_capacity_unit=rpm, retry=retry),
        suite=suite,
        policy=GatePolicy(request.max_latency_ratio, request.min_latency_delta),
        waits=_waits(),
    )


def _waits() -> waits.WaitListener:
    """Smoke's and the 409 backoff's waits, on stdout with the step lines (rich on a terminal)."""
    return waits.for_stream(sys.stdout, prefix="  ")


def _preflight(request: RolloutRequest, config: Path) -> Preflight:
    if request.skip_preflight:
        return NoPreflight()
    from rollout.gates import CommandPreflight

    return CommandPreflight(
        config,
        arm_endpoint=request.arm_endpoint,
        ca_bundle=request.ca_bundle,
        subscription_id=request.subscription_id,
    )


LOCAL_NEEDS_ENDPOINT = "--driver local needs --arm-endpoint URL (the emulator's ready line prints it)."


def _driver(request: RolloutRequest, stack: str, config: Path) -> Driver:
    echo = click.echo if request.verbose else (lambda line: None)
    if request.driver == "local":
        if not request.arm_endpoint:
            raise UsageError(LOCAL_NEEDS_ENDPOINT)
        from rollout.local_driver import LocalDriver

        return LocalDriver(
            stack,
            config,
            request.arm_endpoint,
            ca_bundle=request.ca_bundle,
            on_output=echo,
            on_progress=click.echo,  # the engine's wait lines, verbose or not
        )
    from rollout.automation_driver import AutomationDriver

    return AutomationDriver(stack, config.resolve().parent, on_output=echo, waits=_waits())


def _prepare(
    request: RolloutRequest, stack: str, config: Path, directory: Path
) -> tuple[Journal | Plan | None, bool]:
    """The unfinished journal to resume, or the plan of a new rollout (its journal is begun by the caller,
    once the driver, smoke and preflight exist), and whether it resumes; None for --dry-run."""
    from catalog import load_catalog
    from infra.config import load_stack_file, read_stack_file
    from rollout.stack_file import read_stack_text

    existing = Journal.load(directory)
    if existing is not None and existing.status in UNFINISHED:
        wanted = request.to
        if wanted and (
            str(parse_target(wanted)) != existing.data["target"]
            or request.deployment not in (None, existing.data["deployment"])
        ):
            raise UsageError(
                f"A rollout of stack '{stack}' to {existing.data['target']} "
                f"did not finish ({existing.status}); "
                f"run `imagegate rollout run --to {existing.data['target']}` to resume it, "
                "or `imagegate rollout abort` to roll it back."
            )
        click.echo(
            f"Resuming the unfinished rollout of stack '{stack}' ({existing.status}); journal {existing.path}"
        )
        click.echo(render_plan(existing.plan))
        _suite_line(request, existing.plan)
        return (None if request.dry_run else existing), True
    if request.abort:
        raise UsageError(f"Stack '{stack}' has no unfinished rollout to abort.")
    if not request.to:
        raise UsageError("Name the target with --to MODEL@VERSION, e.g. --to gpt-image-1.5@2025-12-16.")
    target = parse_target(request.to)
    catalog = load_catalog(request.catalog)
    try:
        original_text = read_stack_text(config)
    except DriverError as exc:
        raise UsageError(str(exc)) from exc
    values = read_stack_file(config)
    # The stack as the program reads it: every documented default resolved, the plan's only model.
    model = load_stack_file(config, stack, catalog=catalog)
    deployment = resolve_deployment(model, request.deployment)
    from rollout.traffic_plan import pooled_alias

    if pooled_alias(model, deployment) is not None:
        plan = _traffic_plan(request, values, model, target, deployment, catalog, original_text)
        click.echo(render_plan(plan))
        _suite_line(request, plan)
        return (None, False) if request.dry_run else (plan, False)
    _refuse_traffic_options(request)
    validate_request(
        model,
        target,
        deployment,
        catalog,
        capacity=request.capacity,
        new_deployment=request.new_deployment,
        retire_old=request.retire_old,
    )
    plan = build_plan(
        values,
        stack,
        target,
        deployment,
        catalog=catalog,
        capacity=request.capacity,
        new_deployment=request.new_deployment,
        retire_old=request.retire_old,
        original_text=original_text,
    )
    click.echo(render_plan(plan))
    _suite_line(request, plan)
    if request.dry_run:
        return None, False
    return plan, False


def _traffic_plan(
    request: RolloutRequest,
    values: dict[str, Any],
    model: Any,
    target: Any,
    deployment: str,
    catalog: Any,
    original_text: str,
) -> Plan:
    """A weighted canary through the gateway's alias (rollout.traffic_plan, docs/traffic-rollouts.md)."""
    from rollout.traffic import parse_weights
    from rollout.traffic_plan import DEFAULT_WEIGHTS, build_traffic_plan

    if request.bake is not None and request.bake_requests is not None:
        raise UsageError("Pass --bake SECONDS or --bake-requests N, not both.")
    if request.new_deployment or request.retire_old:
        raise UsageError(
            "--new-deployment and --retire-old are not supported behind a gateway's alias yet "
            "(docs/traffic-rollouts.md)."
        )
    if model.candidate is None:
        validate_request(model, target, deployment, catalog, capacity=request.capacity)
    return build_traffic_plan(
        values,
        model,
        target,
        deployment,
        parse_weights(request.weights or DEFAULT_WEIGHTS),
        catalog=catalog,
        capacity=request.capacity,
        original_text=original_text,
    )


def _refuse_traffic_options(request: RolloutRequest) -> None:
    given = [
        name
        for name, value in (
            ("--weights", request.weights),
            ("--bake", request.bake),
            ("--bake-requests", request.bake_requests),
        )
        if value is not None
    ]
    if given:
        raise UsageError(
            f"{', '.join(given)} only apply to a deployment behind a gateway's alias; "
            "this rollout does not shift traffic."
        )


UNUSED_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def _baker(request: RolloutRequest, smoker: Smoker) -> Any:
    """The bake steps' traffic gate: Azure Monitor through ARM (the emulator's with the local driver)."""
    from rollout.bake import MetricsBaker
    from rollout.metrics_gate import TrafficPolicy
    from rollout.monitor_metrics import make_monitor_client

    credential = None
    if request.driver == "local" or request.auth == "emulator":
        from smoke import LocalTokenCredential

        credential = LocalTokenCredential()
    # metrics.list names each account by its resource id; the client's subscription is not used.
    client = make_monitor_client(
        request.subscription_id or envvars.lookup("AZURE_SUBSCRIPTION_ID") or UNUSED_SUBSCRIPTION,
        credential,
        arm_endpoint=request.arm_endpoint,
        ca_bundle=request.ca_bundle,
    )
    # The latency rule is the prompt-suite gate's: the same two options judge both.
    policy = TrafficPolicy(
        min_requests=request.bake_requests or TrafficPolicy().min_requests,
        max_p95_ratio=request.max_latency_ratio,
        min_p95_delta_ms=request.min_latency_delta * 1000,
    )
    return MetricsBaker(
        client,
        bake_seconds=request.bake,
        bake_requests=request.bake_requests,
        bake_timeout=request.bake_timeout,
        policy=policy,
        smoker=smoker,
        sleep=interrupts.sleep,
        log=click.echo,
    )


def _offered_target(request: RolloutRequest, config: Path, directory: Path) -> RolloutRequest:
    """A target version only ARM offers (a new release) gets a catalog that knows it; see rollout.offered."""
    if not request.to:
        return request
    from infra.config import read_stack_file
    from rollout.offered import with_arm_versions

    location = read_stack_file(config).get("location")
    request, note = with_arm_versions(request, parse_target(request.to), location, directory)
    if note:
        click.echo(note)
    return request


# Test-only: names a step after which the process stops (for up to 30 s) once the step is journalled, so
# tests can kill a real rollout process between two steps. Never set it in a pipeline.
TEST_PAUSE_ENV = "IMAGEGATE_ROLLOUT_TEST_PAUSE_AFTER"


def _test_pause_hook() -> Callable[[Step], None] | None:
    name = os.environ.get(TEST_PAUSE_ENV)
    if not name:
        return None

    def pause(step: Step) -> None:
        if step.name == name:
            click.echo(f"paused after step '{name}' ({TEST_PAUSE_ENV} is set)")
            interrupts.sleep(30)

    return pause


def _suite_line(request: RolloutRequest, plan: Plan) -> None:
    """Check ``--suite`` against both models before any change and say what the smoke steps will run."""
    from rollout.evidence import load_rollout_suite

    suite = load_rollout_suite(request, plan)
    if suite is not None:
        click.echo(
            f"  suite: {suite.name} ({len(suite.cases)} cases) on the candidate and on {plan.current.name}; "
            f"gate: no case regresses, p95 latency at most {request.max_latency_ratio:g}x"
        )


def _collaborators(request: RolloutRequest, stack: str, config: Path) -> tuple[Driver, Smoker, Preflight]:
    """Built before the journal is begun: a missing Pulumi CLI or API key here has changed nothing."""
    from smoke import SmokeError

    try:
        return _driver(request, stack, config), _smoker(request), _preflight(request, config)
    except (DriverError, SmokeError) as exc:
        raise UsageError(str(exc)) from exc


def run_rollout(request: RolloutRequest) -> int:
    # Ctrl-C and a CI timeout's SIGTERM stop the run at once (its `up` child with it) and the journal says
    # so; should anything hang on the way out, the watchdog still exits 3 ("needs attention") within 2 s.
    # rollout.offered may point IMAGEGATE_CATALOG at a merged catalog for the child processes; an
    # in-process caller (tests, a library user) gets its environment back.
    catalog_env = os.environ.get("IMAGEGATE_CATALOG")
    try:
        with interrupts.handling(forced_exit=lambda signum: EXIT_NEEDS_ATTENTION):
            code = _run_rollout(request)
    finally:
        if catalog_env is None:
            os.environ.pop("IMAGEGATE_CATALOG", None)
        else:
            os.environ["IMAGEGATE_CATALOG"] = catalog_env
    if interrupts.requested() is not None:
        interrupts.exit_now(code)  # journalled and reported: skip the interpreter's slow teardown
    return code


def _run_rollout(request: RolloutRequest) -> int:
    # Errors before the run (UsageError, InfraError, CatalogError: exit 2; DriverError, JournalError: 3)
    # carry their exit code; imagegate.cli prints them.
    journal: Journal | None = None
    try:
        stack, config = _stack_and_config(request.stack, request.config)
        if not request.dry_run:
            if request.driver == "local" and not request.arm_endpoint:
                raise UsageError(LOCAL_NEEDS_ENDPOINT)
            _check_report_path(request.json_path, "JSON")
            _check_report_path(request.junit_path, "JUnit")
            _check_report_path(request.html_path, "HTML")
            _check_report_path(request.summary_md, "Markdown summary")
        directory = request.journal_dir or default_journal_dir(config, stack)
        with StackLock(directory, stack):
            request = _offered_target(request, config, directory)
            pending, resumed = _prepare(request, stack, config, directory)
            if pending is None:
                click.echo("Dry run: nothing was changed.")
                return 0
            driver, smoker, preflight = _collaborators(request, stack, config)
            journal = pending if isinstance(pending, Journal) else Journal.begin(directory, pending)
            runner = Runner(
                journal,
                driver,
                smoker,
                preflight,
                policy=BackoffPolicy(retries=request.conflict_retries, initial_s=request.conflict_wait),
                waits=_waits(),
                log=click.echo,
                after_step=_test_pause_hook(),
                baker=_baker(request, smoker) if journal.plan.traffic is not None else None,
            )
            journal.note_run(resumed)
            if request.abort:
                runner.abort()
            interrupted = False
            try:
                result = runner.run()
            except KeyboardInterrupt as exc:
                interrupted = True
                result = interrupted_result(journal, runner.current_step, exc)
            journal.end_run(result.exit_code, result.message, interrupted=interrupted)
    except (RolloutError, click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except Exception as exc:  # noqa: BLE001 - a rollout never ends in a traceback (docs/rollout.md)
        if isinstance(getattr(exc, "exit_code", None), int):
            raise  # another package's own error, carrying its exit code: imagegate.cli prints it
        if journal is None:
            raise UsageError(f"{unexpected(exc)} before the rollout began; nothing was changed.") from exc
        raise AttentionError(
            f"{unexpected(exc)}; the rollout needs attention: see `imagegate rollout status` "
            f"(journal {journal.path})."
        ) from exc
    assert journal is not None
    report = report_dict(journal.data, result.exit_code, result.message)
    for smoke in report["smokeReports"]:
        # Counts only: a failure's detail was printed on its step's line and is in the reports.
        totals = smoke.get("totals") or smoke["summary"]
        click.echo(f"smoke {smoke['deployment']}: {'passed' if smoke['passed'] else 'FAILED'} - {totals}")
    _write(request.json_path, json.dumps(report, indent=2, default=str) + "\n")
    _write(request.junit_path, junit_xml(journal.data))
    from rollout.evidence import write_evidence

    write_evidence(request, journal, result.message, smoker)
    click.echo(f"rollout: {result.status} - {result.message}")
    click.echo(f"journal: {journal.path}")
    return result.exit_code


def show_status(stack: str | None, config: Path | None, journal_dir: Path | None) -> int:
    stack, config_file = _stack_and_config(stack, config)
    try:
        journal = Journal.load(journal_dir or default_journal_dir(config_file, stack))
    except JournalError as exc:
        raise UsageError(str(exc)) from exc  # status only reads: an unreadable journal changed nothing
    if journal is None:
        click.echo(
            f"Stack '{stack}' has no rollout journal yet; `imagegate rollout plan` shows what one would do."
        )
        return 0
    click.echo(render_status(journal))
    return 0
