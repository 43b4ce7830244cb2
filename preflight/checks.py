"""Preflight verdicts: will `pulumi up` of this stack succeed, given what Azure says right now?

Pure: the inputs are data (the planned deployments, the models/usages/deployments/deleted accounts that
Azure reported, the model catalog, today's date) and the output is a list of :class:`Finding` s, each a
``blocker`` (Azure would refuse `up`), a ``warning`` or ``ok``. ``preflight.azure`` fetches the data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from catalog import Catalog
from preflight.capacity import CapacityPlan, Pool, pool_row

Severity = Literal["blocker", "warning", "ok"]
RETIREMENT_WARNING_DAYS = 90
ACCOUNT = ""  # the ``deployment`` of findings about the account itself


@dataclass(frozen=True)
class PlannedDeployment:
    name: str
    model: str
    version: str
    sku: str
    capacity: int


@dataclass(frozen=True)
class PreflightPlan:
    """What the stack config asks for, in the words Azure uses."""

    stack: str
    location: str
    resource_group: str
    account_name: str
    custom_subdomain: str
    deployments: tuple[PlannedDeployment, ...]


@dataclass(frozen=True)
class OfferedModel:
    """One entry of ``models.list(location)``: a model version and the deployment SKUs it is offered with."""

    name: str
    version: str
    skus: tuple[str, ...]
    retirement_date: date | None = None


@dataclass(frozen=True)
class Usage:
    """One entry of ``usages.list(location)``, e.g. ``OpenAI.GlobalStandard.gpt-image-1.5``."""

    name: str
    current: float
    limit: float


@dataclass(frozen=True)
class ExistingDeployment:
    name: str
    model: str
    version: str
    sku: str
    capacity: int


@dataclass(frozen=True)
class DeletedAccount:
    name: str
    location: str
    resource_group: str
    custom_subdomain: str = ""


@dataclass(frozen=True)
class AzureView:
    """What Azure reported for the stack's subscription, region and account."""

    offered: tuple[OfferedModel, ...]
    usages: tuple[Usage, ...]
    existing: tuple[ExistingDeployment, ...] = ()
    deleted_accounts: tuple[DeletedAccount, ...] = ()


@dataclass(frozen=True)
class Finding:
    deployment: str
    check: str
    severity: Severity
    message: str
    region: str = ""  # set on the findings of a stack of several regions; "" for one region

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"deployment": self.deployment or None, "check": self.check,
                                 "severity": self.severity, "message": self.message}
        if self.region:
            found["region"] = self.region
        return found


def usage_name(sku: str, model: str) -> str:
    return f"OpenAI.{sku}.{model}"


def evaluate(plan: PreflightPlan, view: AzureView, catalog: Catalog, today: date) -> list[Finding]:
    """Every finding for the plan, account-level first, then per deployment in plan order."""
    findings = [check_soft_deleted(plan, view.deleted_accounts)]
    quota = check_quota(plan, view)
    existing = {d.name: d for d in view.existing}
    for planned in plan.deployments:
        findings.append(check_offered(planned, plan.location, view.offered))
        findings.append(check_retirement(planned, view.offered, catalog, today))
        findings.append(quota[planned.name])
        findings.extend(check_change(planned, existing.get(planned.name)))
    return findings


def can_go_ahead(findings: Iterable[Finding]) -> bool:
    return not any(f.severity == "blocker" for f in findings)


def check_soft_deleted(plan: PreflightPlan, deleted: Sequence[DeletedAccount]) -> Finding:
    for account in deleted:
        same_name = account.name.lower() == plan.account_name.lower()
        same_subdomain = bool(account.custom_subdomain) and (
            account.custom_subdomain.lower() == plan.custom_subdomain.lower()
        )
        if same_name or same_subdomain:
            held = f"name {account.name}" if same_name else f"custom subdomain {account.custom_subdomain}"
            return Finding(
                ACCOUNT, "soft-deleted", "blocker",
                f"The {held} is held by a soft-deleted account in {account.location} (resource group "
                f"{account.resource_group}); purge it with `az cognitiveservices account purge --location "
                f"{account.location} --resource-group {account.resource_group} --name {account.name}` or "
                "restore it, then run preflight again.",
            )
    free = f"No soft-deleted account holds the name {plan.account_name}."
    return Finding(ACCOUNT, "soft-deleted", "ok", free)


def check_offered(planned: PlannedDeployment, location: str, offered: Sequence[OfferedModel]) -> Finding:
    what = f"{planned.model} {planned.version}"
    versions = [o for o in offered if o.name == planned.model]
    match = next((o for o in versions if o.version == planned.version), None)
    if match is not None and planned.sku in match.skus:
        return Finding(planned.name, "offered", "ok", f"{what} is offered in {location} as {planned.sku}.")
    if match is not None:
        skus = ", ".join(match.skus) or "no deployment SKU"
        return Finding(
            planned.name, "offered", "blocker",
            f"{what} is offered in {location} only as {skus}, not {planned.sku} "
            "(DeploymentModelNotSupported); change the sku or the location.",
        )
    if versions:
        listed = ", ".join(sorted({o.version for o in versions}))
        return Finding(
            planned.name, "offered", "blocker",
            f"{what} is not offered in {location} (DeploymentModelNotSupported); offered versions: {listed}.",
        )
    return Finding(
        planned.name, "offered", "blocker",
        f"{planned.model} is not offered in {location} (DeploymentModelNotSupported); pick another "
        "region or model.",
    )


def check_retirement(
    planned: PlannedDeployment, offered: Sequence[OfferedModel], catalog: Catalog, today: date
) -> Finding:
    what = f"{planned.model} {planned.version}"
    reported = next(
        (o.retirement_date for o in offered if o.name == planned.model and o.version == planned.version), None
    )
    retires = reported or catalog.retirement_date(planned.model, planned.version)
    model = catalog.model(planned.model)
    if retires is None and model is not None and model.retired:
        message = f"{planned.model} is retired; pick a newer model."
        return Finding(planned.name, "retirement", "blocker", message)
    if retires is None:
        return Finding(planned.name, "retirement", "ok", f"{what} has no announced retirement date.")
    if retires <= today:
        return Finding(
            planned.name, "retirement", "blocker",
            f"{what} retired on {retires.isoformat()}; pick a newer version.",
        )
    if retires - today <= timedelta(days=RETIREMENT_WARNING_DAYS):
        days = (retires - today).days
        return Finding(
            planned.name, "retirement", "warning",
            f"{what} retires on {retires.isoformat()}, in {days} days; plan the move to a newer version.",
        )
    return Finding(planned.name, "retirement", "ok", f"{what} retires on {retires.isoformat()}.")


def check_quota(plan: PreflightPlan, view: AzureView) -> dict[str, Finding]:
    """One quota finding per planned deployment; deployments of one model+SKU share the region's quota.

    Capacity the stack already holds under a deployment it keeps counts as free (the PUT replaces it);
    deployments the config dropped are deleted only after the new ones are applied, so they do not.
    """
    findings: dict[str, Finding] = {}
    for (model, sku), members in quota_groups(plan).items():
        name = usage_name(sku, model)
        usage, held = quota_of(plan, view, model, sku)
        need = sum(m.capacity for m in members)
        limit = usage.limit if usage else 0
        in_use = usage.current if usage else 0
        free = limit - in_use + held
        shared = f" (with {', '.join(m.name for m in members)})" if len(members) > 1 else ""
        detail = (f"{name} in {plan.location}: needs {need:g}{shared}, free {free:g} "
                  f"(limit {limit:g}, in use {in_use:g}, of which this stack holds {held:g})")
        if usage is None:
            verdict: Finding = Finding("", "quota", "blocker",
                                       f"Azure reports no quota for {name} in {plan.location}; request quota "
                                       "for this model and SKU in the region first.")
        elif need > free:
            verdict = Finding("", "quota", "blocker",
                              f"{detail}; lower capacity or request more quota (InsufficientQuota).")
        else:
            verdict = Finding("", "quota", "ok", f"{detail}.")
        for m in members:
            findings[m.name] = Finding(m.name, verdict.check, verdict.severity, verdict.message)
    return findings


def quota_groups(plan: PreflightPlan) -> dict[tuple[str, str], list[PlannedDeployment]]:
    """The planned deployments by (model, SKU), the unit a region's quota is counted in."""
    groups: dict[tuple[str, str], list[PlannedDeployment]] = defaultdict(list)
    for planned in plan.deployments:
        groups[(planned.model, planned.sku)].append(planned)
    return dict(groups)


def quota_of(plan: PreflightPlan, view: AzureView, model: str, sku: str) -> tuple[Usage | None, int]:
    """The region's usage entry for model+SKU (None when Azure reports none) and the capacity that the
    stack's deployments of it already hold there (which counts as free: the PUT replaces it)."""
    name = usage_name(sku, model).lower()
    usage = next((u for u in view.usages if u.name.lower() == name), None)
    existing = {d.name: d for d in view.existing}
    held = sum(
        existing[m.name].capacity
        for m in quota_groups(plan).get((model, sku), [])
        if m.name in existing and (existing[m.name].model, existing[m.name].sku) == (model, sku)
    )
    return usage, held


def free_of(usages: Sequence[Usage], model: str, sku: str) -> float:
    """limit - in use of model+SKU in the region the usages are of; 0 when Azure reports no quota."""
    name = usage_name(sku, model).lower()
    usage = next((u for u in usages if u.name.lower() == name), None)
    return usage.limit - usage.current if usage else 0


def free_quota(plan: PreflightPlan, view: AzureView, model: str, sku: str) -> float:
    """limit - in use + what the stack holds: the capacity ``up`` may deploy of model+SKU in the region."""
    return free_of(view.usages, model, sku) + quota_of(plan, view, model, sku)[1]


def pool_of(regions: Sequence[tuple[PreflightPlan, AzureView]], rpm_per_unit: float) -> Pool:
    """The stack's pool: per region and model+SKU, the capacity it deploys, its RPM and the free quota."""
    rows = [
        pool_row(plan.location, model, sku, sum(m.capacity for m in members),
                 free_quota(plan, view, model, sku), rpm_per_unit)
        for plan, view in regions
        for (model, sku), members in quota_groups(plan).items()
    ]
    return Pool(tuple(rows), rpm_per_unit)


def check_change(planned: PlannedDeployment, current: ExistingDeployment | None) -> list[Finding]:
    """What changing an existing deployment in place would run into."""
    if current is None:
        return [Finding(planned.name, "change", "ok", "New deployment.")]
    if current.model != planned.model:
        return [Finding(
            planned.name, "change", "blocker",
            f"The deployment runs {current.model}; a deployment's model cannot change in place "
            f"(CannotChangeDeploymentModel): deploy {planned.model} under a new deployment name.",
        )]
    version_changes = current.version != planned.version
    capacity_changes = current.capacity != planned.capacity
    if version_changes and capacity_changes:
        return [Finding(
            planned.name, "change", "blocker",
            f"The version ({current.version} -> {planned.version}) and the capacity ({current.capacity} -> "
            f"{planned.capacity}) cannot change at the same time: apply the version first, then the "
            "capacity.",
        )]
    parts = []
    if version_changes:
        parts.append(f"version {current.version} -> {planned.version}")
    if capacity_changes:
        parts.append(f"capacity {current.capacity} -> {planned.capacity}")
    if current.sku != planned.sku:
        parts.append(f"sku {current.sku} -> {planned.sku}")
    message = f"In-place update: {', '.join(parts)}." if parts else "Unchanged."
    return [Finding(planned.name, "change", "ok", message)]


def plans_from_config(config: Any) -> tuple[PreflightPlan, ...]:
    """One plan per region of an ``infra.config.StackConfig`` (``config.regions``), each for its account
    (named by its subdomain, as the program names it) and its deployments, the candidate included."""
    return tuple(
        PreflightPlan(
            stack=config.stack,
            location=region.location,
            resource_group=config.resource_group.name,
            account_name=region.account.custom_subdomain,
            custom_subdomain=region.account.custom_subdomain,
            deployments=tuple(
                PlannedDeployment(d.name, d.model, d.version, d.sku, d.capacity) for d in region.deployments
            ),
        )
        for region in config.regions
    )


def plan_from_config(config: Any, account_name: str) -> PreflightPlan:
    """The plan for an ``infra.config.StackConfig``: every image deployment, the candidate included."""
    return PreflightPlan(
        stack=config.stack,
        location=config.location,
        resource_group=config.resource_group.name,
        account_name=account_name,
        custom_subdomain=config.account.custom_subdomain,
        deployments=tuple(
            PlannedDeployment(d.name, d.model, d.version, d.sku, d.capacity) for d in config.image_deployments
        ),
    )


def render_table(findings: Sequence[Finding], *, only: Iterable[Severity] | None = None) -> str:
    """A plain-text table (deployment, check, verdict, detail) for terminals and CI logs."""
    wanted = set(only) if only is not None else {"blocker", "warning", "ok"}
    chosen = [f for f in findings if f.severity in wanted]
    # A stack of several regions gets a region column first; one region's table stays as it always was.
    regional = any(f.region for f in chosen)
    rows = [((f.region,) if regional else ()) + (f.deployment or "(account)", f.check, f.severity.upper(),
                                                 f.message) for f in chosen]
    header = (("region",) if regional else ()) + ("deployment", "check", "verdict", "detail")
    padded = len(header) - 1
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(padded)]
    lines = []
    for row in [header, *rows]:
        cells = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:padded]))
        lines.append(cells + "  " + row[padded])
    return "\n".join(lines)


def report_json(
    plan: PreflightPlan,
    findings: Sequence[Finding],
    *,
    regions: Sequence[PreflightPlan] = (),
    pool: Pool | None = None,
    capacity_plan: CapacityPlan | None = None,
) -> dict[str, Any]:
    """The JSON report; ``plan`` is the first region's (``location`` and ``account`` describe it)."""
    extra: dict[str, Any] = {}
    if regions:
        extra["regions"] = [{"location": p.location, "account": p.account_name} for p in regions]
    if pool is not None:
        extra["pool"] = pool.as_json()
    if capacity_plan is not None:
        extra["capacityPlan"] = capacity_plan.as_json()
    return {
        "stack": plan.stack,
        "location": plan.location,
        "resourceGroup": plan.resource_group,
        "account": plan.account_name,
        "canProceed": can_go_ahead(findings),
        "blockers": sum(1 for f in findings if f.severity == "blocker"),
        "warnings": sum(1 for f in findings if f.severity == "warning"),
        "findings": [f.as_json() for f in findings],
        **extra,
    }


def report_junit(plan: PreflightPlan, findings: Sequence[Finding]) -> str:
    """JUnit XML: one test case per finding; blockers fail, warnings pass with their text in system-out."""
    from xml.etree import ElementTree as ET

    suite = ET.Element("testsuite", name=f"preflight {plan.stack}", tests=str(len(findings)),
                       failures=str(sum(1 for f in findings if f.severity == "blocker")), errors="0")
    for f in findings:
        classname = ".".join(["preflight", *([f.region] if f.region else []), f.deployment or "account"])
        case = ET.SubElement(suite, "testcase", classname=classname, name=f.check)
        if f.severity == "blocker":
            ET.SubElement(case, "failure", message=f.message, type="blocker").text = f.message
        else:
            ET.SubElement(case, "system-out").text = f"{f.severity}: {f.message}"
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
