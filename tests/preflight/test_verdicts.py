"""Preflight's pure verdicts: one table row per blocker (and the neighbouring ok/warning cases)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from catalog import load_catalog
from preflight.checks import (
    AzureView,
    DeletedAccount,
    ExistingDeployment,
    Finding,
    OfferedModel,
    PlannedDeployment,
    PreflightPlan,
    Usage,
    can_go_ahead,
    evaluate,
)

TODAY = date(2026, 11, 25)
CATALOG = load_catalog()
GPT15 = PlannedDeployment("gpt-image", "gpt-image-1.5", "2025-12-16", "GlobalStandard", 6)
PLAN = PreflightPlan("prod", "westus3", "rg-prod", "imagegate-prod-img", "imagegate-prod-img", (GPT15,))
OFFERED = (
    OfferedModel("gpt-image-1.5", "2025-12-16", ("GlobalStandard", "DataZoneStandard"), date(2027, 6, 16)),
    OfferedModel("gpt-image-2", "2026-04-21", ("GlobalStandard",)),
)
USAGES = (
    Usage("OpenAI.GlobalStandard.gpt-image-1.5", 0, 9),
    Usage("OpenAI.GlobalStandard.gpt-image-2", 0, 6),
)
VIEW = AzureView(offered=OFFERED, usages=USAGES)


def offered_15(retires: date) -> tuple[OfferedModel, ...]:
    return (OfferedModel("gpt-image-1.5", "2025-12-16", ("GlobalStandard",), retires),)


def running(model: str, version: str, capacity: int) -> tuple[ExistingDeployment, ...]:
    return (ExistingDeployment("gpt-image", model, version, "GlobalStandard", capacity),)


def verdict(findings: list[Finding], check: str, deployment: str = "gpt-image") -> Finding:
    return next(f for f in findings if f.check == check and f.deployment == deployment)


def test_a_clean_plan_can_go_ahead_with_an_ok_for_every_check() -> None:
    findings = evaluate(PLAN, VIEW, CATALOG, TODAY)
    assert can_go_ahead(findings)
    assert [(f.deployment, f.check, f.severity) for f in findings] == [
        ("", "soft-deleted", "ok"),
        ("gpt-image", "offered", "ok"),
        ("gpt-image", "retirement", "ok"),
        ("gpt-image", "quota", "ok"),
        ("gpt-image", "change", "ok"),
    ]
    assert verdict(findings, "quota").message == (
        "OpenAI.GlobalStandard.gpt-image-1.5 in westus3: needs 6, free 9 (limit 9, in use 0, of which this "
        "stack holds 0)."
    )


BLOCKERS = [
    pytest.param(
        replace(PLAN, deployments=(replace(GPT15, version="2024-01-01"),)), VIEW, "offered",
        "gpt-image-1.5 2024-01-01 is not offered in westus3 (DeploymentModelNotSupported); offered versions: "
        "2025-12-16.",
        id="version-not-offered",
    ),
    pytest.param(
        PLAN, replace(VIEW, offered=(OfferedModel("gpt-image-1.5", "2025-12-16", ("DataZoneStandard",)),)),
        "offered",
        "gpt-image-1.5 2025-12-16 is offered in westus3 only as DataZoneStandard, not GlobalStandard "
        "(DeploymentModelNotSupported); change the sku or the location.",
        id="sku-not-offered-in-region",
    ),
    pytest.param(
        PLAN, replace(VIEW, offered=()), "offered",
        "gpt-image-1.5 is not offered in westus3 (DeploymentModelNotSupported); pick another region or "
        "model.",
        id="model-not-offered-in-region",
    ),
    pytest.param(
        PLAN, replace(VIEW, usages=(Usage("OpenAI.GlobalStandard.gpt-image-1.5", 5, 9),)), "quota",
        "OpenAI.GlobalStandard.gpt-image-1.5 in westus3: needs 6, free 4 (limit 9, in use 5, of which this "
        "stack holds 0); lower capacity or request more quota (InsufficientQuota).",
        id="insufficient-quota",
    ),
    pytest.param(
        PLAN, replace(VIEW, usages=()), "quota",
        "Azure reports no quota for OpenAI.GlobalStandard.gpt-image-1.5 in westus3; request quota for this "
        "model and SKU in the region first.",
        id="no-quota-at-all",
    ),
    pytest.param(
        PLAN, replace(VIEW, offered=offered_15(date(2026, 11, 1))), "retirement",
        "gpt-image-1.5 2025-12-16 retired on 2026-11-01; pick a newer version.",
        id="retired",
    ),
    pytest.param(
        PLAN, replace(VIEW, existing=running("gpt-image-2", "2026-04-21", 6)), "change",
        "The deployment runs gpt-image-2; a deployment's model cannot change in place "
        "(CannotChangeDeploymentModel): deploy gpt-image-1.5 under a new deployment name.",
        id="model-name-change",
    ),
    pytest.param(
        PLAN, replace(VIEW, existing=running("gpt-image-1.5", "2025-04-01", 2)), "change",
        "The version (2025-04-01 -> 2025-12-16) and the capacity (2 -> 6) cannot change at the same time: "
        "apply the version first, then the capacity.",
        id="version-and-capacity-together",
    ),
]


@pytest.mark.parametrize(("plan", "view", "check", "message"), BLOCKERS)
def test_each_blocker_stops_up_with_its_message(
    plan: PreflightPlan, view: AzureView, check: str, message: str
) -> None:
    findings = evaluate(plan, view, CATALOG, TODAY)
    assert not can_go_ahead(findings)
    blockers = [f for f in findings if f.severity == "blocker"]
    assert [(f.check, f.message) for f in blockers] == [(check, message)]


@pytest.mark.parametrize("match", ["name", "subdomain"])
def test_a_soft_deleted_account_holding_the_name_is_a_blocker_with_the_purge_command(match: str) -> None:
    held = DeletedAccount("imagegate-prod-img" if match == "name" else "old-name", "westus3", "rg-old",
                          "imagegate-prod-img")
    findings = evaluate(PLAN, replace(VIEW, deleted_accounts=(held,)), CATALOG, TODAY)
    account = verdict(findings, "soft-deleted", deployment="")
    assert account.severity == "blocker"
    what = "name imagegate-prod-img" if match == "name" else "custom subdomain imagegate-prod-img"
    assert account.message == (
        f"The {what} is held by a soft-deleted account in westus3 (resource group rg-old); purge it with "
        f"`az cognitiveservices account purge --location westus3 --resource-group rg-old --name {held.name}` "
        "or restore it, then run preflight again."
    )


def test_a_soft_deleted_account_with_another_name_is_fine() -> None:
    other = DeletedAccount("someone-else", "westus3", "rg-x", "someone-else")
    findings = evaluate(PLAN, replace(VIEW, deleted_accounts=(other,)), CATALOG, TODAY)
    assert can_go_ahead(findings)


def test_capacity_the_stack_already_holds_counts_as_free() -> None:
    existing = ExistingDeployment("gpt-image", "gpt-image-1.5", "2025-12-16", "GlobalStandard", 4)
    view = replace(VIEW, usages=(Usage("OpenAI.GlobalStandard.gpt-image-1.5", 7, 9),), existing=(existing,))
    quota = verdict(evaluate(PLAN, view, CATALOG, TODAY), "quota")
    assert quota.severity == "ok"
    assert "needs 6, free 6 (limit 9, in use 7, of which this stack holds 4)" in quota.message


def test_deployments_of_one_model_and_sku_share_the_quota() -> None:
    candidate = replace(GPT15, name="gpt-image-candidate", capacity=4)
    plan = replace(PLAN, deployments=(GPT15, candidate))
    findings = evaluate(plan, VIEW, CATALOG, TODAY)
    quotas = [f for f in findings if f.check == "quota"]
    assert [f.deployment for f in quotas] == ["gpt-image", "gpt-image-candidate"]
    assert all(f.severity == "blocker" for f in quotas)
    assert "needs 10 (with gpt-image, gpt-image-candidate), free 9" in quotas[0].message


def test_a_retirement_within_90_days_is_a_warning_not_a_blocker() -> None:
    soon = replace(VIEW, offered=offered_15(date(2027, 1, 10)))
    findings = evaluate(PLAN, soon, CATALOG, TODAY)
    assert can_go_ahead(findings)
    assert verdict(findings, "retirement") == Finding(
        "gpt-image", "retirement", "warning",
        "gpt-image-1.5 2025-12-16 retires on 2027-01-10, in 46 days; plan the move to a newer version.",
    )


def test_the_catalog_date_is_used_when_azure_reports_none() -> None:
    findings = evaluate(PLAN, VIEW, CATALOG, date(2027, 6, 16))
    assert verdict(findings, "retirement").severity == "blocker"


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        (ExistingDeployment("gpt-image", "gpt-image-1.5", "2025-12-16", "GlobalStandard", 6), "Unchanged."),
        (ExistingDeployment("gpt-image", "gpt-image-1.5", "2025-12-16", "GlobalStandard", 2),
         "In-place update: capacity 2 -> 6."),
        (ExistingDeployment("gpt-image", "gpt-image-1.5", "2025-04-01", "GlobalStandard", 6),
         "In-place update: version 2025-04-01 -> 2025-12-16."),
    ],
)
def test_one_step_changes_are_ok(existing: ExistingDeployment, message: str) -> None:
    assert verdict(evaluate(PLAN, replace(VIEW, existing=(existing,)), CATALOG, TODAY), "change") == Finding(
        "gpt-image", "change", "ok", message
    )
