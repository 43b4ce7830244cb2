from __future__ import annotations

import pytest

from rollout.errors import UsageError
from rollout.plan import Action, Plan, Strategy, build_plan
from rollout.render import render_plan
from rollout.target import ModelTarget, parse_target
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import PROD_VALUES


@pytest.mark.parametrize(
    ("text", "model", "version"),
    [
        ("gpt-image-1.5@2025-12-16", "gpt-image-1.5", "2025-12-16"),
        (" gpt-image-2@2026-04-21 ", "gpt-image-2", "2026-04-21"),
    ],
)
def test_parse_target(text: str, model: str, version: str) -> None:
    assert parse_target(text) == ModelTarget(model, version)


@pytest.mark.parametrize("text", ["gpt-image-1.5", "@2025", "gpt-image-1.5@", "a@b@c", "gpt image@1", ""])
def test_parse_target_refuses_malformed(text: str) -> None:
    with pytest.raises(UsageError, match=r"is not MODEL@VERSION; pass e\.g\. --to gpt-image-1\.5@2025-12-16"):
        parse_target(text)


def test_in_place_plan_steps_and_configs() -> None:
    plan = build_plan(PROD_VALUES, "prod", ModelTarget("gpt-image-1.5", NEW_VERSION), "gpt-image", capacity=2)
    assert plan.strategy is Strategy.IN_PLACE_VERSION
    assert [s.name for s in plan.steps] == [
        "preflight",
        "create-candidate",
        "smoke-candidate",
        "promote",
        "smoke-stable",
        "remove-candidate",
    ]
    create, promote, remove = (
        plan.step("create-candidate"),
        plan.step("promote"),
        plan.step("remove-candidate"),
    )
    assert create.config["candidate"] == {
        "deployment": "gpt-image",
        "model": "gpt-image-1.5",
        "version": NEW_VERSION,
        "capacity": 2,
    }
    assert create.config["deployments"] == PROD_VALUES["deployments"]
    # Promotion changes the version only, never the capacity, and keeps the candidate serving meanwhile.
    assert promote.config["deployments"][0] == {**PROD_VALUES["deployments"][0], "version": NEW_VERSION}
    assert "candidate" in promote.config
    assert "candidate" not in remove.config and remove.cleanup
    assert remove.config["deployments"][0]["version"] == NEW_VERSION
    assert plan.step("smoke-candidate").deployment == "gpt-image-candidate"
    assert plan.quota_needed == {"gpt-image-1.5/GlobalStandard": 2}
    # The input is never mutated by planning.
    assert PROD_VALUES["deployments"][0]["version"] == "2025-12-16"


def test_in_place_rollbacks() -> None:
    plan = build_plan(PROD_VALUES, "prod", ModelTarget("gpt-image-1.5", NEW_VERSION), "gpt-image")
    assert [s.name for s in plan.rollbacks["smoke-candidate"]] == ["rollback-remove-candidate"]
    assert plan.rollbacks["smoke-candidate"][0].config == PROD_VALUES
    restore = plan.rollbacks["smoke-stable"]
    assert [s.name for s in restore] == [
        "rollback-restore-version",
        "rollback-smoke-stable",
        "rollback-remove-candidate",
    ]
    assert restore[0].config["deployments"][0]["version"] == "2025-12-16" and "candidate" in restore[0].config
    assert plan.rollbacks["preflight"] == () and plan.rollbacks["remove-candidate"] == ()
    # Whichever step fails, the plan says what undoes it.
    assert list(plan.rollbacks) == [s.name for s in plan.steps]


def test_new_model_plan_switches_active_and_keeps_old() -> None:
    plan = build_plan(PROD_VALUES, "prod", ModelTarget("gpt-image-2", "2026-04-21"), "gpt-image")
    assert plan.strategy is Strategy.NEW_MODEL_NAME
    assert [s.name for s in plan.steps] == [
        "preflight",
        "create-deployment",
        "smoke-new",
        "switch-active",
        "smoke-active",
    ]
    create, switch = plan.step("create-deployment"), plan.step("switch-active")
    assert [d["name"] for d in create.config["deployments"]] == ["gpt-image", "gpt-image-2"]
    assert create.config["deployments"][1] == {
        "name": "gpt-image-2",
        "model": "gpt-image-2",
        "version": "2026-04-21",
        "sku": "GlobalStandard",
        "capacity": 6,
        "versionUpgradeOption": "NoAutoUpgrade",
    }
    assert create.config["activeDeployment"] == "gpt-image"
    assert switch.config["activeDeployment"] == "gpt-image-2"
    assert [d["name"] for d in switch.config["deployments"]] == ["gpt-image", "gpt-image-2"]
    assert [s.name for s in plan.rollbacks["smoke-active"]] == [
        "rollback-switch-back",
        "rollback-smoke-old",
        "rollback-remove-deployment",
    ]
    assert plan.rollbacks["smoke-active"][0].config["activeDeployment"] == "gpt-image"
    assert plan.quota_needed == {"gpt-image-2/GlobalStandard": 6}


def test_new_model_plan_retire_old_and_custom_name() -> None:
    plan = build_plan(
        PROD_VALUES,
        "prod",
        ModelTarget("gpt-image-2", "2026-04-21"),
        "gpt-image",
        capacity=3,
        new_deployment="img2",
        retire_old=True,
    )
    retire = plan.steps[-1]
    assert retire.name == "retire-old" and retire.cleanup and retire.action is Action.APPLY
    assert retire.config["deployments"] == [
        {
            "name": "img2",
            "model": "gpt-image-2",
            "version": "2026-04-21",
            "sku": "GlobalStandard",
            "capacity": 3,
            "versionUpgradeOption": "NoAutoUpgrade",
        }
    ]
    assert retire.config["activeDeployment"] == "img2"


def test_plan_round_trips_through_json_shape() -> None:
    plan = build_plan(
        PROD_VALUES, "prod", ModelTarget("gpt-image-2", "2026-04-21"), "gpt-image", retire_old=True
    )
    assert Plan.from_dict(plan.to_dict()) == plan


def test_render_plan_names_everything_a_reviewer_needs() -> None:
    plan = build_plan(PROD_VALUES, "prod", ModelTarget("gpt-image-1.5", NEW_VERSION), "gpt-image")
    text = render_plan(plan)
    assert text.splitlines()[0] == "Rollout plan for stack 'prod' (in-place-version):"
    assert "  current    : gpt-image-1.5@2025-12-16 (GlobalStandard, capacity 6)" in text
    assert f"  target     : gpt-image-1.5@{NEW_VERSION} as gpt-image (GlobalStandard, capacity 6)" in text
    assert "quota needed during the rollout (extra capacity): gpt-image-1.5/GlobalStandard 1" in text
    assert (
        "    3. promote: update gpt-image in place from version 2025-12-16 to 2026-03-10 (capacity stays 6)"
        in text
    )
