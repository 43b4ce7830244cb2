"""The `imagegate preflight` command (also `scripts/preflight.py`).

Preflight: catch, before `pulumi up`, what would make Azure refuse this stack's deployments.

Touches: Azure Resource Manager, read-only (models, usages, the deployments of the stack's account in
each of its regions, deleted accounts; with --need-rpm, usages in every region the catalog offers the
model in) through azure-mgmt-cognitiveservices with DefaultAzureCredential; with --arm-endpoint, the
emulator instead, with a local token. Writes only the --json / --junit files asked for.
Exit codes: 0 `up` can go ahead, 1 blockers found (listed) or --need-rpm not reached, 2 usage, config
or Azure query error (the library's errors carry it; ``imagegate.cli`` prints them).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    from catalog import Catalog
    from infra.config import StackConfig
    from preflight.capacity import CapacityPlan
    from preflight.checks import AzureView, Finding, PreflightPlan

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
@click.option("--need-rpm", type=click.IntRange(min=1), metavar="N",
              help="Capacity planning: say which regions and capacities within the subscription's free quota "
                   "reach N requests a minute of the model, or by how much they fall short (exit 1).")
@click.option("--model", metavar="MODEL",
              help="The model --need-rpm plans for (default: the one the stack deploys).")
@click.option("--sku", metavar="SKU",
              help="The deployment SKU --need-rpm plans for (default: the stack's for that model, else "
                   "GlobalStandard).")
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
    need_rpm: int | None,
    model: str | None,
    sku: str | None,
) -> None:
    """Check a stack against Azure before `pulumi up`: model offered, quota, retirement, changes, names.

    Per deployment: the model and version are offered in the region for the SKU; the region's free quota
    covers the capacity (counting what the stack already holds); the retirement date; whether the change
    needs a new deployment (model name) or two steps (version and capacity). For the account: no
    soft-deleted account holds its name. Every region of the stack is checked, and the pool it makes is
    printed: requests a minute per region and in total (capacity x the catalog's RPM per capacity unit).
    With --need-rpm N: which regions and capacities within the free quota reach N RPM, or by how much
    they fall short. Exit 0 when `up` can go ahead, 1 with the blockers (or N not reached), 2 on errors.

    Example usage:

    \b
        imagegate preflight --stack prod
        imagegate preflight --config Pulumi.dev.yaml --json preflight.json --junit preflight.xml
        imagegate preflight --stack dev --arm-endpoint https://127.0.0.1:8443/ --ca-bundle ca.pem
        imagegate preflight --config examples/stacks/Pulumi.pool.yaml --need-rpm 60
    """
    from catalog import load_catalog
    from infra.config import resolve_stack_file
    from preflight.azure import fetch_view, make_client
    from preflight.checks import (
        can_go_ahead,
        evaluate,
        plans_from_config,
        pool_of,
        render_table,
        report_json,
        report_junit,
    )

    # The library's errors (InfraError, CatalogError, PreflightError) carry exit code 2; imagegate.cli
    # prints them.
    stack, config_file = resolve_stack_file(stack, config)
    stack_config = _load(stack, config_file)
    catalog = load_catalog()
    plans = plans_from_config(stack_config)
    wanted = _wanted(stack_config, catalog, need_rpm, model, sku)
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
    views = [fetch_view(client, plan) for plan in plans]
    as_of = today.date() if today else date.today()
    several = len(plans) > 1
    findings: list[Finding] = []
    for plan, view in zip(plans, views, strict=True):
        found = evaluate(plan, view, catalog, as_of)
        # Several regions: each finding names its region (a column of the tables, a key of the JSON).
        findings += [replace(f, region=plan.location) for f in found] if several else found
    pool = pool_of(list(zip(plans, views, strict=True)), catalog.rpm_per_capacity_unit)
    capacity = _capacity_plan(client, catalog, plans, views, wanted) if wanted else None

    first = plans[0]
    for plan in plans:
        click.echo(f"preflight: stack {plan.stack}, {plan.location}, account {plan.account_name}")
        click.echo(render_table([f for f in findings if not several or f.region == plan.location]))
    for line in pool.lines():
        click.echo(line)
    if capacity is not None:
        click.echo(capacity.sentence())
    report = report_json(first, findings, regions=plans if several else (), pool=pool,
                         capacity_plan=capacity)
    _write(json_path, json.dumps(report, indent=2) + "\n")
    _write(junit_path, report_junit(first, findings))
    blockers = [f for f in findings if f.severity == "blocker"]
    if not can_go_ahead(findings):
        short = ", ".join(dict.fromkeys(r.location for r in pool.short()))
        where = f" (short of quota: {short})" if several and short else ""
        click.echo(f"\n{len(blockers)} blocker(s){where}: `up` would fail. Fix these, then run preflight "
                   "again:")
        click.echo(render_table(blockers))
        raise SystemExit(1)
    warnings = sum(1 for f in findings if f.severity == "warning")
    if capacity is not None and not capacity.reaches:
        click.echo(f"\npreflight: `up` can go ahead ({warnings} warning(s)), but the free quota does not "
                   f"reach {capacity.need_rpm} RPM.")
        raise SystemExit(1)
    click.echo(f"\npreflight: ok, `up` can go ahead ({warnings} warning(s)).")


def _wanted(
    config: StackConfig, catalog: Catalog, need_rpm: int | None, model: str | None, sku: str | None
) -> tuple[str, str, int] | None:
    """(model, SKU, RPM) to plan for, or None without --need-rpm; refuses what the catalog cannot plan."""
    if need_rpm is None:
        if model or sku:
            raise click.UsageError("--model and --sku choose what --need-rpm plans for; add --need-rpm N.")
        return None
    deployed = list(dict.fromkeys((d.model, d.sku) for r in config.regions for d in r.deployments))
    if model is None:
        models = list(dict.fromkeys(m for m, _ in deployed))
        if len(models) != 1:
            deploys = ", ".join(models) or "no model"
            raise click.UsageError(f"The stack deploys {deploys}; name the one to plan for with --model.")
        model = models[0]
    found = catalog.model(model)
    if found is None:
        known = ", ".join(catalog.model_names())
        raise click.UsageError(f"The model catalog has no model {model}; known models: {known}.")
    if sku is None:
        sku = next((s for m, s in deployed if m == model), "GlobalStandard")
    offered = [name for name, o in found.skus.items() if o.regions]
    if not offered:
        raise click.UsageError(f"The model catalog offers {model} in no region; pick another --model.")
    offer = found.sku(sku)
    if offer is None or not offer.regions:
        raise click.UsageError(
            f"The model catalog offers {model} as {', '.join(offered)}, not {sku}; pick one with --sku."
        )
    return model, offer.name, need_rpm


def _capacity_plan(
    client: Any,
    catalog: Catalog,
    plans: tuple[PreflightPlan, ...],
    views: list[AzureView],
    wanted: tuple[str, str, int],
) -> CapacityPlan:
    """Free quota of model+SKU in every region the catalog offers it in: the stack's regions first (in
    its order, counting what it holds), then the others, most free quota first."""
    from preflight.azure import fetch_usages
    from preflight.capacity import RegionFree, plan_capacity
    from preflight.checks import free_of, free_quota

    model, sku, need = wanted
    offered = catalog.regions_for(model, sku)
    stack_regions = {p.location for p in plans}
    ours = [RegionFree(p.location, int(free_quota(p, v, model, sku)))
            for p, v in zip(plans, views, strict=True) if p.location in offered]
    others = [RegionFree(location, int(free_of(fetch_usages(client, location), model, sku)))
              for location in offered if location not in stack_regions]
    others.sort(key=lambda r: (-r.free, r.location))
    return plan_capacity(model, sku, ours + others, catalog.rpm_per_capacity_unit, need)


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
