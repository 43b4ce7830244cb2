"""The plan as `rollout plan` shows it and the journal keeps it: every step and rollback step with the
description the operator reads, which deployment each smoke checks and against which baseline, and the
configs the rollback returns to."""

from __future__ import annotations

import copy

import pytest

from infra.config import load_stack_config
from rollout.plan import DeploymentState, build_plan, deployment_state
from rollout.target import ModelTarget
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import PROD_VALUES

NEW_MODEL = ModelTarget("gpt-image-2", "2026-04-21")
PREFLIGHT = ("preflight", "check quota, region, model and version before any change", None, None, False)
REMOVE_NEW = ("rollback-remove-deployment", "remove gpt-image-2; gpt-image stays active", None)
SWITCH_BACK = (
    ("rollback-switch-back", "switch activeDeployment back to gpt-image", None),
    ("rollback-smoke-old", "smoke gpt-image again", "gpt-image"),
    REMOVE_NEW,
)


def test_a_new_model_plan_step_by_step_and_what_each_failure_rolls_back() -> None:
    values = copy.deepcopy(PROD_VALUES)
    plan = build_plan(values, "prod", NEW_MODEL, "gpt-image", retire_old=True)
    assert [(s.name, s.description, s.deployment, s.baseline, s.cleanup) for s in plan.steps] == [
        PREFLIGHT,
        (
            "create-deployment",
            "deploy gpt-image-2 at gpt-image-2@2026-04-21 with capacity 6 next to gpt-image",
            None,
            None,
            False,
        ),
        ("smoke-new", "smoke gpt-image-2", "gpt-image-2", "gpt-image", False),
        ("switch-active", "switch activeDeployment from gpt-image to gpt-image-2", None, None, False),
        ("smoke-active", "smoke gpt-image-2 as the active deployment", "gpt-image-2", None, False),
        ("retire-old", "remove the old deployment gpt-image", None, None, True),
    ]
    assert {
        name: tuple((s.name, s.description, s.deployment) for s in steps)
        for name, steps in plan.rollbacks.items()
    } == {
        "preflight": (),
        "create-deployment": (REMOVE_NEW,),
        "smoke-new": (REMOVE_NEW,),
        "switch-active": SWITCH_BACK,
        "smoke-active": SWITCH_BACK,
        "retire-old": (),
    }
    assert (plan.stack, plan.active_before, plan.active_after) == ("prod", "gpt-image", "gpt-image-2")
    assert plan.target == DeploymentState("gpt-image-2", "gpt-image-2", "2026-04-21", "GlobalStandard", 6)
    # Rolling back puts the stack's own config back, and switching back returns to the created state.
    assert plan.original == PROD_VALUES
    assert plan.step("rollback-remove-deployment").config == PROD_VALUES
    assert plan.step("rollback-switch-back").config == plan.step("create-deployment").config
    assert values == PROD_VALUES  # building a plan changes nothing


def test_an_in_place_plan_smokes_the_candidate_against_the_stable_deployment() -> None:
    plan = build_plan(PROD_VALUES, "prod", ModelTarget("gpt-image-1.5", NEW_VERSION), "gpt-image")
    assert plan.steps[0].description == PREFLIGHT[1]
    smoke = plan.step("smoke-candidate")
    assert (smoke.deployment, smoke.baseline) == ("gpt-image-candidate", "gpt-image")
    assert (plan.active_before, plan.active_after) == ("gpt-image", "gpt-image")
    assert plan.original == PROD_VALUES
    assert plan.target == DeploymentState("gpt-image", "gpt-image-1.5", NEW_VERSION, "GlobalStandard", 6)


def test_an_unknown_step_or_deployment_is_a_key_error_naming_it() -> None:
    plan = build_plan(PROD_VALUES, "prod", NEW_MODEL, "gpt-image")
    with pytest.raises(KeyError) as step:
        plan.step("no-such-step")
    assert step.value.args == ("no-such-step",)
    with pytest.raises(KeyError) as deployment:
        deployment_state(load_stack_config(PROD_VALUES, "prod"), "no-such-deployment")
    assert deployment.value.args == ("no-such-deployment",)


def test_a_new_deployment_keeps_the_old_one_active_even_when_the_stack_only_implied_it() -> None:
    # Without activeDeployment the program serves the first deployment; the new one is appended after
    # it, so the old one stays active (by the reader's rule) without the plan writing the key.
    implied = {k: v for k, v in PROD_VALUES.items() if k != "activeDeployment"}
    plan = build_plan(implied, "prod", NEW_MODEL, "gpt-image")
    assert "activeDeployment" not in plan.step("create-deployment").config  # type: ignore[operator]
    assert plan.step("create-deployment").active == "gpt-image"
    assert plan.step("switch-active").config["activeDeployment"] == "gpt-image-2"  # type: ignore[index]
    assert plan.step("switch-active").active == "gpt-image-2"
