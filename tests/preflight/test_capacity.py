"""The pool in requests a minute and capacity planning (``preflight.capacity``): pure, exact sentences."""

from __future__ import annotations

from preflight.capacity import Allocation, Pool, RegionFree, plan_capacity, pool_row
from preflight.checks import (
    AzureView,
    ExistingDeployment,
    Finding,
    PlannedDeployment,
    PreflightPlan,
    Usage,
    free_quota,
    pool_of,
    render_table,
    report_json,
    report_junit,
)

MODEL, SKU = "gpt-image-1.5", "GlobalStandard"


def free(**by_region: int) -> list[RegionFree]:
    return [RegionFree(location, units) for location, units in by_region.items()]


def test_a_need_within_the_first_regions_quota_takes_only_what_it_needs() -> None:
    plan = plan_capacity(MODEL, SKU, free(eastus2=9, westus3=9), 3, 12)
    assert plan.allocations == (Allocation("eastus2", 4, 12),)
    assert (plan.reaches, plan.shortfall_rpm) == (True, 0)
    assert plan.sentence() == (
        "capacity plan: 12 RPM of gpt-image-1.5 GlobalStandard fits the free quota with 4 capacity units "
        "(12 RPM): eastus2 4 (12 RPM)."
    )


def test_regions_fill_in_the_order_given_and_the_last_only_as_far_as_needed() -> None:
    plan = plan_capacity(MODEL, SKU, free(eastus2=9, westus3=0, swedencentral=9, polandcentral=9), 3, 60)
    assert [(a.location, a.capacity, a.rpm) for a in plan.allocations] == [
        ("eastus2", 9, 27), ("swedencentral", 9, 27), ("polandcentral", 2, 6),
    ]
    assert plan.sentence() == (
        "capacity plan: 60 RPM of gpt-image-1.5 GlobalStandard fits the free quota with 20 capacity units "
        "(60 RPM): eastus2 9 (27 RPM), swedencentral 9 (27 RPM), polandcentral 2 (6 RPM)."
    )


def test_a_need_between_two_multiples_rounds_the_capacity_up() -> None:
    plan = plan_capacity(MODEL, SKU, free(eastus2=9), 3, 10)
    assert (plan.capacity, plan.rpm, plan.reaches) == (4, 12, True)
    one = plan_capacity(MODEL, SKU, free(eastus2=9), 3, 1)
    assert one.sentence() == (
        "capacity plan: 1 RPM of gpt-image-1.5 GlobalStandard fits the free quota with 1 capacity unit "
        "(3 RPM): eastus2 1 (3 RPM)."
    )


def test_a_need_beyond_every_regions_quota_says_how_far_it_falls_short() -> None:
    plan = plan_capacity(MODEL, SKU, free(eastus2=9, westus3=4, uaenorth=0), 3, 100)
    assert (plan.capacity, plan.rpm, plan.shortfall_rpm, plan.reaches) == (13, 39, 61, False)
    assert plan.sentence() == (
        "capacity plan: 100 RPM of gpt-image-1.5 GlobalStandard falls short by 61 RPM: the free quota in "
        "every region that offers it is 13 capacity units (39 RPM; eastus2 9, westus3 4); request more quota."
    )


def test_no_free_quota_anywhere_says_so() -> None:
    plan = plan_capacity(MODEL, SKU, free(eastus2=0, westus3=-2), 3, 6)
    assert plan.allocations == ()
    assert plan.sentence() == (
        "capacity plan: 6 RPM of gpt-image-1.5 GlobalStandard falls short by 6 RPM: no region that offers "
        "it has free quota; request quota."
    )


def test_the_rpm_per_capacity_unit_comes_from_the_caller() -> None:
    plan = plan_capacity("gpt-image-2", "DataZoneStandard", free(eastus2=2), 2.5, 5)
    assert (plan.capacity, plan.rpm, plan.reaches) == (2, 5, True)
    assert plan.as_json() == {
        "model": "gpt-image-2", "sku": "DataZoneStandard", "needRpm": 5, "rpmPerCapacityUnit": 2.5,
        "reaches": True, "capacity": 2, "rpm": 5, "shortfallRpm": 0.0,
        "regions": [{"location": "eastus2", "capacity": 2, "rpm": 5}],
        "message": "capacity plan: 5 RPM of gpt-image-2 DataZoneStandard fits the free quota with 2 capacity "
                   "units (5 RPM): eastus2 2 (5 RPM).",
    }


def test_the_pool_line_gives_rpm_per_region_and_in_total() -> None:
    pool = Pool((pool_row("eastus2", MODEL, SKU, 2, 9, 3), pool_row("westus3", MODEL, SKU, 4, 2, 3),
                 pool_row("eastus2", "gpt-image-2", SKU, 1, 6, 3)), 3)
    assert pool.lines() == [
        "pool: gpt-image-1.5 GlobalStandard 6 RPM in eastus2 (capacity 2), 12 RPM in westus3 (capacity 4); "
        "18 RPM in total (1 capacity unit = 3 RPM).",
        "pool: gpt-image-2 GlobalStandard 3 RPM in eastus2 (capacity 1); 3 RPM in total "
        "(1 capacity unit = 3 RPM).",
    ]
    assert [r.location for r in pool.short()] == ["westus3"]
    assert pool.as_json()["total"] == [{"model": MODEL, "sku": SKU, "rpm": 18},
                                       {"model": "gpt-image-2", "sku": SKU, "rpm": 3}]


def region_plan(location: str, capacity: int) -> PreflightPlan:
    return PreflightPlan("pool", location, "rg", f"acct-{location}", f"acct-{location}",
                         (PlannedDeployment("gpt-image", MODEL, "2025-12-16", SKU, capacity),))


def test_the_pool_of_a_stack_counts_what_it_already_holds_as_free() -> None:
    usage = (Usage(f"OpenAI.{SKU}.{MODEL}", current=5, limit=9),)
    held = AzureView(offered=(), usages=usage, existing=(ExistingDeployment("gpt-image", MODEL, "2025-12-16",
                                                                            SKU, 3),))
    other = AzureView(offered=(), usages=usage)
    east, west = region_plan("eastus2", 2), region_plan("westus3", 6)
    assert free_quota(east, held, MODEL, SKU) == 7  # 9 - 5 in use + 3 this stack holds
    assert free_quota(west, other, MODEL, SKU) == 4
    assert free_quota(west, AzureView(offered=(), usages=()), MODEL, SKU) == 0
    pool = pool_of([(east, held), (west, other)], 3)
    assert [(r.location, r.capacity, r.rpm, r.free) for r in pool.rows] == [
        ("eastus2", 2, 6, 7), ("westus3", 6, 18, 4),
    ]
    assert [r.location for r in pool.short()] == ["westus3"]


def test_findings_of_several_regions_get_a_region_column_and_key() -> None:
    findings = [Finding("gpt-image", "quota", "blocker", "needs 2, free 0.", region="westus3"),
                Finding("", "soft-deleted", "ok", "free.", region="swedencentral")]
    assert render_table(findings).splitlines() == [
        "region         deployment  check         verdict  detail",
        "westus3        gpt-image   quota         BLOCKER  needs 2, free 0.",
        "swedencentral  (account)   soft-deleted  OK       free.",
    ]
    assert findings[0].as_json()["region"] == "westus3"
    assert "region" not in Finding("gpt-image", "quota", "ok", "fits.").as_json()
    assert 'classname="preflight.westus3.gpt-image"' in report_junit(region_plan("eastus2", 2), findings)
    data = report_json(region_plan("eastus2", 2), findings, regions=[region_plan("eastus2", 2),
                                                                   region_plan("westus3", 2)])
    assert data["regions"] == [{"location": "eastus2", "account": "acct-eastus2"},
                               {"location": "westus3", "account": "acct-westus3"}]
    assert "pool" not in data and "capacityPlan" not in data
