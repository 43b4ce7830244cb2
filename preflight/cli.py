"""The `imagegate preflight` command (also `scripts/preflight.py`).

Preflight: catch, before `pulumi up`, what would make Azure refuse this stack's deployments.

Touches: Azure Resource Manager, read-only (models, usages, the stack's account deployments, deleted
accounts) through azure-mgmt-cognitiveservices with DefaultAzureCredential; with --arm-endpoint, the
emulator instead, with a local token. Writes only the --json / --junit files asked for.
Exit codes: 0 `up` can go ahead, 1 blockers found (listed), 2 usage, config or Azure query error (the
library's errors carry it; ``imagegate.cli`` prints them).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from clikit.options import (
    CONTEXT,
    arm_endpoint_option,
    ca_bundle_option,
    env_option,
    json_report_option,
    junit_report_option,
    stack_options,
    subscription_option,
)

if TYPE_CHECKING:
    from infra.config import StackConfig

EMULATOR_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


@click.command(name="preflight", context_settings=CONTEXT)
@stack_options
@subscription_option
@arm_endpoint_option()
@ca_bundle_option
@json_report_option
@junit_report_option
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Judge retirement dates as of this day (default: today).")
@env_option("--arm-retries", envvar="IMAGEGATE_ARM_RETRIES", type=click.IntRange(min=0), metavar="N",
            help="Retry a failed ARM request at most N times (default: azure-core's, about 5 s of waiting "
                 "for an unreachable endpoint).")
def preflight(
    stack: str | None,
    config: Path | None,
    subscription_id: str | None,
    arm_endpoint: str | None,
    ca_bundle: Path | None,
    json_path: Path | None,
    junit_path: Path | None,
    today: datetime | None,
    arm_retries: int | None,
) -> None:
    """Check a stack against Azure before `pulumi up`: model offered, quota, retirement, changes, names.

    Per deployment: the model and version are offered in the region for the SKU; the region's free quota
    covers the capacity (counting what the stack already holds); the retirement date; whether the change
    needs a new deployment (model name) or two steps (version and capacity). For the account: no
    soft-deleted account holds its name. Exit 0 when `up` can go ahead, 1 with the blockers, 2 on errors.

    Example usage:

    \b
        imagegate preflight --stack prod
        imagegate preflight --config Pulumi.dev.yaml --json preflight.json --junit preflight.xml
        imagegate preflight --stack dev --arm-endpoint https://127.0.0.1:8443/ --ca-bundle ca.pem
    """
    from catalog import load_catalog
    from infra.config import resolve_stack_file
    from infra.naming import resource_names
    from preflight.azure import fetch_view, make_client
    from preflight.checks import (
        can_go_ahead,
        evaluate,
        plan_from_config,
        render_table,
        report_json,
        report_junit,
    )

    # The library's errors (InfraError, CatalogError, PreflightError) carry exit code 2; imagegate.cli
    # prints them.
    stack, config_file = resolve_stack_file(stack, config)
    stack_config = _load(stack, config_file)
    plan = plan_from_config(stack_config, resource_names(stack_config).account)
    credential = None
    if arm_endpoint:
        from smoke import LocalTokenCredential

        credential = LocalTokenCredential()
        subscription_id = subscription_id or EMULATOR_SUBSCRIPTION
    if not subscription_id:
        raise click.UsageError("Name the subscription with --subscription-id or AZURE_SUBSCRIPTION_ID.")
    client = make_client(
        subscription_id,
        credential,
        arm_endpoint=arm_endpoint,
        ca_bundle=str(ca_bundle) if ca_bundle else None,
        retries=arm_retries,
    )
    view = fetch_view(client, plan)
    as_of = today.date() if today else date.today()
    findings = evaluate(plan, view, load_catalog(), as_of)

    click.echo(f"preflight: stack {plan.stack}, {plan.location}, account {plan.account_name}")
    click.echo(render_table(findings))
    _write(json_path, json.dumps(report_json(plan, findings), indent=2) + "\n")
    _write(junit_path, report_junit(plan, findings))
    blockers = [f for f in findings if f.severity == "blocker"]
    if not can_go_ahead(findings):
        click.echo(f"\n{len(blockers)} blocker(s): `up` would fail. Fix these, then run preflight again:")
        click.echo(render_table(blockers))
        raise SystemExit(1)
    warnings = sum(1 for f in findings if f.severity == "warning")
    click.echo(f"\npreflight: ok, `up` can go ahead ({warnings} warning(s)).")


def _load(stack: str, config_file: Path) -> StackConfig:
    from infra.config import ConfigError, load_stack_file

    try:
        return load_stack_file(config_file, stack)
    except ConfigError as exc:
        raise ConfigError(exc.problems, stack, source=str(config_file)) from None


def _write(path: Path | None, text: str) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"Cannot write {path}: {exc.strerror}.") from exc
