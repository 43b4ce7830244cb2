from __future__ import annotations

import copy
from datetime import date

import pytest

from catalog import Catalog
from infra.config import StackConfig, load_stack_config
from rollout.errors import UsageError
from rollout.plan import build_plan
from rollout.target import ModelTarget
from rollout.validate import resolve_deployment, validate_request
from tests.rollout.conftest import NEW_VERSION
from tests.rollout.fakes import PROD_VALUES

TODAY = date(2026, 11, 25)


def model(values: dict, catalog: Catalog) -> StackConfig:
    return load_stack_config(values, "prod", today=TODAY, catalog=catalog)


def refuse(values: dict, target: ModelTarget, catalog: Catalog, **kwargs: object) -> str:
    with pytest.raises(UsageError) as caught:
        validate_request(model(values, catalog), target, "gpt-image", catalog, today=TODAY, **kwargs)
    return str(caught.value)


def test_valid_requests_pass(catalog: Catalog) -> None:
    prod = model(PROD_VALUES, catalog)
    validate_request(prod, ModelTarget("gpt-image-1.5", NEW_VERSION), "gpt-image", catalog, today=TODAY)
    validate_request(prod, ModelTarget("gpt-image-2", "2026-04-21"), "gpt-image", catalog, today=TODAY)


def test_a_target_equal_to_the_defaulted_version_is_the_documented_refusal(catalog: Catalog) -> None:
    """Issue 19, finding 1: a stack that leaves version and sku out runs the catalog's default version."""
    minimal = copy.deepcopy(PROD_VALUES)
    for key in ("version", "sku"):
        del minimal["deployments"][0][key]
    default = catalog.models["gpt-image-1.5"].default_version
    assert refuse(minimal, ModelTarget("gpt-image-1.5", default), catalog) == (
        f"Deployment 'gpt-image' already runs gpt-image-1.5@{default}; nothing to roll out."
    )


def test_unknown_model(catalog: Catalog) -> None:
    assert refuse(PROD_VALUES, ModelTarget("dall-e-3", "3.0"), catalog) == (
        "Model 'dall-e-3' is not in the model catalog (override); use one of: gpt-image-1.5, gpt-image-2, "
        "gpt-image-1-mini, gpt-image-1."
    )


def test_unknown_version(catalog: Catalog) -> None:
    assert refuse(PROD_VALUES, ModelTarget("gpt-image-2", "2030-01-01"), catalog) == (
        "Version '2030-01-01' of gpt-image-2 is not in the model catalog; known versions: 2026-04-21."
    )


def test_retired_model(catalog: Catalog) -> None:
    assert refuse(PROD_VALUES, ModelTarget("gpt-image-1", "2025-04-15"), catalog) == (
        "gpt-image-1@2025-04-15 is retired; pick a version that is still offered."
    )


def test_target_equal_to_current(catalog: Catalog) -> None:
    assert refuse(PROD_VALUES, ModelTarget("gpt-image-1.5", "2025-12-16"), catalog) == (
        "Deployment 'gpt-image' already runs gpt-image-1.5@2025-12-16; nothing to roll out."
    )


def test_candidate_already_set(catalog: Catalog) -> None:
    values = {
        **PROD_VALUES,
        "candidate": {
            "deployment": "gpt-image",
            "model": "gpt-image-1.5",
            "version": NEW_VERSION,
            "capacity": 1,
            "sku": "GlobalStandard",
        },
    }
    assert refuse(values, ModelTarget("gpt-image-1.5", NEW_VERSION), catalog).startswith(
        "Stack 'prod' already has imagegate:candidate set"
    )


def test_new_name_taken(catalog: Catalog) -> None:
    values = copy.deepcopy(PROD_VALUES)
    values["deployments"].append({**values["deployments"][0], "name": "gpt-image-2"})
    assert refuse(values, ModelTarget("gpt-image-2", "2026-04-21"), catalog) == (
        "Stack 'prod' already has a deployment named 'gpt-image-2'; pass --new-deployment with a free name."
    )


def test_bad_capacity(catalog: Catalog) -> None:
    assert refuse(PROD_VALUES, ModelTarget("gpt-image-1.5", NEW_VERSION), catalog, capacity=0) == (
        "--capacity 0 must be a positive whole number."
    )


def test_new_deployment_only_for_model_change(catalog: Catalog) -> None:
    assert refuse(
        PROD_VALUES, ModelTarget("gpt-image-1.5", NEW_VERSION), catalog, new_deployment="x"
    ).startswith("--new-deployment only applies to a model-name upgrade")


def test_resolve_deployment(catalog: Catalog) -> None:
    assert resolve_deployment(model(PROD_VALUES, catalog), None) == "gpt-image"
    with pytest.raises(
        UsageError,
        match=r"^Deployment 'nope' is not in stack 'prod'; pass --deployment with one of: "
        r"gpt-image\.$",
    ):
        resolve_deployment(model(PROD_VALUES, catalog), "nope")


def test_plan_configs_checked_by_the_program(catalog: Catalog) -> None:
    target = ModelTarget("gpt-image-1.5", NEW_VERSION)
    build_plan(PROD_VALUES, "prod", target, "gpt-image", catalog=catalog, today=TODAY)
    with pytest.raises(
        UsageError,
        match=r"^Step 'create-candidate' would write a stack config the program rejects: "
        r".*capacity",
    ):
        build_plan(PROD_VALUES, "prod", target, "gpt-image", catalog=catalog, today=TODAY, capacity=100000)
