from __future__ import annotations

import copy

import pytest

from rollout.config_paths import RemoveKey, SetValue, config_changes, flatten
from rollout.errors import DriverError
from rollout.plan import build_plan
from rollout.target import ModelTarget
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import PROD_VALUES


def test_flatten_uses_pulumi_path_syntax() -> None:
    assert flatten("imagegate:tags", {"cost center": "x", "owner": "y"}) == {
        'imagegate:tags["cost center"]': "x",
        "imagegate:tags.owner": "y",
    }
    assert flatten("imagegate:deployments", [{"name": "a", "capacity": 2}]) == {
        "imagegate:deployments[0].name": "a",
        "imagegate:deployments[0].capacity": 2,
    }


def test_version_promotion_is_one_leaf() -> None:
    plan = build_plan(PROD_VALUES, "prod", ModelTarget("gpt-image-1.5", NEW_VERSION), "gpt-image")
    create, promote = plan.step("create-candidate").config, plan.step("promote").config
    assert config_changes(PROD_VALUES, create) == [
        SetValue("imagegate:candidate.deployment", "gpt-image", path=True),
        SetValue("imagegate:candidate.model", "gpt-image-1.5", path=True),
        SetValue("imagegate:candidate.version", NEW_VERSION, path=True),
        SetValue("imagegate:candidate.capacity", "1", path=True),
    ]
    assert config_changes(create, promote) == [
        SetValue("imagegate:deployments[0].version", NEW_VERSION, path=True)
    ]
    assert config_changes(promote, plan.step("remove-candidate").config) == [RemoveKey("imagegate:candidate")]


def test_shrinking_a_list_removes_then_rewrites() -> None:
    plan = build_plan(
        PROD_VALUES,
        "prod",
        ModelTarget("gpt-image-2", "2026-04-21"),
        "gpt-image",
        retire_old=True,
        capacity=2,
    )
    switched, retired = plan.step("switch-active").config, plan.step("retire-old").config
    changes = config_changes(switched, retired)
    assert changes[0] == RemoveKey("imagegate:deployments")
    assert SetValue("imagegate:deployments[0].name", "gpt-image-2", path=True) in changes
    assert SetValue("imagegate:deployments[0].capacity", "2", path=True) in changes
    assert config_changes(PROD_VALUES, plan.step("create-deployment").config)[-1] == SetValue(
        "imagegate:deployments[1].versionUpgradeOption", "NoAutoUpgrade", path=True
    )


def test_scalars_and_booleans() -> None:
    assert config_changes({"protect": False}, {"protect": True, "activeDeployment": "x"}) == [
        SetValue("imagegate:protect", "true", path=False),
        SetValue("imagegate:activeDeployment", "x", path=False),
    ]


def test_secrets_are_never_rewritten() -> None:
    values = copy.deepcopy(PROD_VALUES)
    values["account"]["token"] = {"secure": "v1:abc"}
    changed = copy.deepcopy(values)
    changed["account"]["disableLocalAuth"] = False
    assert config_changes(values, changed) == [
        SetValue("imagegate:account.disableLocalAuth", "false", path=True)
    ]
    changed["account"]["token"] = {"secure": "v1:def"}
    with pytest.raises(DriverError, match="is a secret"):
        config_changes(values, changed)
