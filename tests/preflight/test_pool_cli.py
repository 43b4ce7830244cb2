"""`imagegate preflight` on a stack of several regions and with --need-rpm, against the emulator's ARM
(its usages are the catalog's default quota, 9 units of gpt-image-1.5 GlobalStandard per region, unless
the test changes them at run time)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from emulator.testing import RunningEmulator, running_emulator
from engine import ArmClient, Identity, run_up
from imagegate.cli import cli
from infra.config import load_stack_config, read_stack_file

ROOT = Path(__file__).resolve().parents[2]
POOL = str(ROOT / "examples" / "stacks" / "Pulumi.pool.yaml")
DEV = str(ROOT / "Pulumi.dev.yaml")
SUB = "00000000-0000-0000-0000-000000000000"
USAGE = "OpenAI.GlobalStandard.gpt-image-1.5"
POOL_LINE = (
    "pool: gpt-image-1.5 GlobalStandard 6 RPM in eastus2 (capacity 2), 6 RPM in westus3 (capacity 2), "
    "6 RPM in swedencentral (capacity 2); 18 RPM in total (1 capacity unit = 3 RPM)."
)


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator({"arm": {"lroDelaySeconds": 0.02}}) as running:
        yield running


def preflight(emu: RunningEmulator, *args: str) -> Result:
    against = ["--arm-endpoint", emu.base_url, "--ca-bundle", str(emu.ca_file), "--today", "2026-11-25"]
    return CliRunner().invoke(cli, ["preflight", *args, *against], prog_name="imagegate",
                              catch_exceptions=False)


def exhaust(emu: RunningEmulator, region: str) -> None:
    emu.admin("PUT", "arm/quota", {region: {USAGE: 0}})


def up_dev(emu: RunningEmulator) -> None:
    """Deploy dev (2 units of gpt-image-1.5 in eastus2): quota another stack holds, not the pool's."""
    config = load_stack_config(read_stack_file(ROOT / "Pulumi.dev.yaml"), "dev")
    with ArmClient(emu.base_url, verify=str(emu.ca_file)) as arm:
        run_up(config, arm, identity=Identity(SUB))


@pytest.mark.slow
def test_every_region_is_checked_and_the_pool_is_printed(emu: RunningEmulator, tmp_path: Path) -> None:
    emu.reset()
    report = tmp_path / "pool.json"
    result = preflight(emu, "--config", POOL, "--json", str(report))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("preflight: stack")] == [
        "preflight: stack pool, eastus2, account imagegate-pool-eus2",
        "preflight: stack pool, westus3, account imagegate-pool-wus3",
        "preflight: stack pool, swedencentral, account imagegate-pool-swc",
    ]
    assert lines[1].split() == ["region", "deployment", "check", "verdict", "detail"]
    assert (
        "swedencentral  gpt-image   quota         OK       OpenAI.GlobalStandard.gpt-image-1.5 in "
        "swedencentral: needs 2, free 9 (limit 9, in use 0, of which this stack holds 0)."
    ) in lines
    assert lines[-3:] == [POOL_LINE, "", "preflight: ok, `up` can go ahead (0 warning(s))."]
    data = json.loads(report.read_text())
    assert (data["canProceed"], data["location"], data["account"]) == (True, "eastus2", "imagegate-pool-eus2")
    assert [r["location"] for r in data["regions"]] == ["eastus2", "westus3", "swedencentral"]
    assert data["pool"] == {
        "rpmPerCapacityUnit": 3.0,
        "regions": [
            {"location": location, "model": "gpt-image-1.5", "sku": "GlobalStandard", "capacity": 2,
             "rpm": 6.0, "freeQuota": 9.0}
            for location in ("eastus2", "westus3", "swedencentral")
        ],
        "total": [{"model": "gpt-image-1.5", "sku": "GlobalStandard", "rpm": 18.0}],
    }
    assert {f["region"] for f in data["findings"]} == {"eastus2", "westus3", "swedencentral"}
    assert "capacityPlan" not in data


@pytest.mark.slow
def test_a_region_whose_quota_is_exhausted_blocks_and_is_named(emu: RunningEmulator, tmp_path: Path) -> None:
    emu.reset()
    exhaust(emu, "westus3")
    report = tmp_path / "pool.json"
    result = preflight(emu, "--config", POOL, "--json", str(report), "--need-rpm", "30")
    assert result.exit_code == 1, result.output
    tail = result.stdout.split("\n\n")[-1].splitlines()
    assert tail == [
        "1 blocker(s) (short of quota: westus3): `up` would fail. Fix these, then run preflight again:",
        "region   deployment  check  verdict  detail",
        "westus3  gpt-image   quota  BLOCKER  OpenAI.GlobalStandard.gpt-image-1.5 in westus3: needs 2, "
        "free 0 (limit 0, in use 0, of which this stack holds 0); lower capacity or request more quota "
        "(InsufficientQuota).",
    ]
    # The pool still says what the stack asks for; the plan leaves the exhausted region out.
    assert POOL_LINE in result.stdout
    assert (
        "capacity plan: 30 RPM of gpt-image-1.5 GlobalStandard fits the free quota with 10 capacity units "
        "(30 RPM): eastus2 9 (27 RPM), swedencentral 1 (3 RPM)."
    ) in result.stdout.splitlines()
    data = json.loads(report.read_text())
    assert (data["canProceed"], data["blockers"]) == (False, 1)
    assert [r["freeQuota"] for r in data["pool"]["regions"]] == [9.0, 0.0, 9.0]
    assert [f["region"] for f in data["findings"] if f["severity"] == "blocker"] == ["westus3"]


@pytest.mark.slow
def test_the_single_region_stack_prints_what_it_did_plus_the_pool_line(emu: RunningEmulator) -> None:
    emu.reset()
    result = preflight(emu, "--config", DEV)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "preflight: stack dev, eastus2, account imagegate-dev-img",
        "deployment  check         verdict  detail",
        "(account)   soft-deleted  OK       No soft-deleted account holds the name imagegate-dev-img.",
        "gpt-image   offered       OK       gpt-image-1.5 2025-12-16 is offered in eastus2 as "
        "GlobalStandard.",
        "gpt-image   retirement    OK       gpt-image-1.5 2025-12-16 retires on 2027-06-16.",
        "gpt-image   quota         OK       OpenAI.GlobalStandard.gpt-image-1.5 in eastus2: needs 2, free 9 "
        "(limit 9, in use 0, of which this stack holds 0).",
        "gpt-image   change        OK       New deployment.",
        "pool: gpt-image-1.5 GlobalStandard 6 RPM in eastus2 (capacity 2); 6 RPM in total "
        "(1 capacity unit = 3 RPM).",
        "",
        "preflight: ok, `up` can go ahead (0 warning(s)).",
    ]


@pytest.mark.slow
def test_need_rpm_fills_the_stacks_regions_first_within_what_others_left(
    emu: RunningEmulator, tmp_path: Path
) -> None:
    emu.reset()
    up_dev(emu)  # dev holds 2 of eastus2's 9 units: 7 are free for the pool
    report = tmp_path / "plan.json"
    result = preflight(emu, "--config", POOL, "--need-rpm", "60", "--json", str(report))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-3:] == [
        "capacity plan: 60 RPM of gpt-image-1.5 GlobalStandard fits the free quota with 20 capacity units "
        "(60 RPM): eastus2 7 (21 RPM), westus3 9 (27 RPM), swedencentral 4 (12 RPM).",
        "",
        "preflight: ok, `up` can go ahead (0 warning(s)).",
    ]
    plan = json.loads(report.read_text())["capacityPlan"]
    assert (plan["reaches"], plan["capacity"], plan["rpm"], plan["shortfallRpm"]) == (True, 20, 60.0, 0.0)
    assert [(r["location"], r["capacity"]) for r in plan["regions"]] == [
        ("eastus2", 7), ("westus3", 9), ("swedencentral", 4),
    ]


@pytest.mark.slow
def test_need_rpm_counts_the_capacity_the_stack_already_holds_as_free(
    emu: RunningEmulator, tmp_path: Path
) -> None:
    emu.reset()
    up_dev(emu)  # dev itself holds 2 of eastus2's 9 units: `up` would resize them, so all 9 are free
    report = tmp_path / "dev.json"
    result = preflight(emu, "--config", DEV, "--need-rpm", "27", "--json", str(report))
    assert result.exit_code == 0, result.output
    assert (
        "gpt-image   quota         OK       OpenAI.GlobalStandard.gpt-image-1.5 in eastus2: needs 2, free 9 "
        "(limit 9, in use 2, of which this stack holds 2)."
    ) in result.stdout.splitlines()
    assert (
        "capacity plan: 27 RPM of gpt-image-1.5 GlobalStandard fits the free quota with 9 capacity units "
        "(27 RPM): eastus2 9 (27 RPM)."
    ) in result.stdout.splitlines()
    data = json.loads(report.read_text())
    assert "regions" not in data  # one region: location and account say it, as before
    assert data["pool"]["regions"] == [
        {"location": "eastus2", "model": "gpt-image-1.5", "sku": "GlobalStandard", "capacity": 2, "rpm": 6.0,
         "freeQuota": 9.0},
    ]
    assert all("region" not in f for f in data["findings"])


@pytest.mark.slow
def test_need_rpm_beyond_the_free_quota_says_by_how_much_and_exits_1(emu: RunningEmulator) -> None:
    emu.reset()
    up_dev(emu)
    result = preflight(emu, "--config", POOL, "--need-rpm", "200")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[-3:] == [
        "capacity plan: 200 RPM of gpt-image-1.5 GlobalStandard falls short by 71 RPM: the free quota in "
        "every region that offers it is 43 capacity units (129 RPM; eastus2 7, westus3 9, swedencentral 9, "
        "polandcentral 9, uaenorth 9); request more quota.",
        "",
        "preflight: `up` can go ahead (0 warning(s)), but the free quota does not reach 200 RPM.",
    ]


@pytest.mark.slow
def test_need_rpm_plans_only_in_regions_the_catalog_offers_the_model_and_sku_in(emu: RunningEmulator) -> None:
    emu.reset()
    # The catalog offers gpt-image-2 DataZoneStandard in four regions (not uaenorth), 2 units each.
    result = preflight(emu, "--config", DEV, "--need-rpm", "30", "--model", "gpt-image-2",
                       "--sku", "DataZoneStandard")
    assert result.exit_code == 1, result.output
    assert (
        "capacity plan: 30 RPM of gpt-image-2 DataZoneStandard falls short by 6 RPM: the free quota in every "
        "region that offers it is 8 capacity units (24 RPM; eastus2 2, polandcentral 2, swedencentral 2, "
        "westus3 2); request more quota."
    ) in result.stdout.splitlines()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--need-rpm", "6", "--model", "nosuch"),
         "Error: The model catalog has no model nosuch; known models: gpt-image-1.5, gpt-image-2, "
         "gpt-image-1-mini, gpt-image-1."),
        (("--need-rpm", "6", "--sku", "Standard"),
         "Error: The model catalog offers gpt-image-1.5 as GlobalStandard, DataZoneStandard, not Standard; "
         "pick one with --sku."),
        (("--need-rpm", "6", "--model", "gpt-image-1"),
         "Error: The model catalog offers gpt-image-1 in no region; pick another --model."),
        (("--model", "gpt-image-2",),
         "Error: --model and --sku choose what --need-rpm plans for; add --need-rpm N."),
        (("--need-rpm", "0",),
         "Error: Invalid value for '--need-rpm': 0 is not in the range x>=1."),
    ],
)
def test_a_plan_the_catalog_cannot_make_exits_2_before_asking_azure(
    args: tuple[str, ...], message: str
) -> None:
    # Port 9 on loopback: nothing listens, so an ARM request would fail with another sentence.
    result = CliRunner().invoke(cli, ["preflight", "--config", DEV, "--arm-endpoint", "https://127.0.0.1:9/",
                                      "--arm-retries", "0", *args], prog_name="imagegate")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines()[-1] == message
