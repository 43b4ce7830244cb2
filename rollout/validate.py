"""Refusing bad rollout requests before anything changes: each rule is one clear sentence.

Pure: takes the stack's ``imagegate:`` values, the parsed target and the model catalog; raises
:class:`UsageError`. The configs a plan would write are also run through the program's own validation
(``infra.config.load_stack_config``), so a rollout never writes a config that ``up`` would reject.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from catalog import Catalog
from infra.config import load_stack_config
from infra.errors import ConfigError
from rollout.errors import UsageError
from rollout.plan import Action, Plan, active_deployment, default_new_deployment_name, find_deployment
from rollout.target import ModelTarget


def resolve_deployment(values: Mapping[str, Any], stack: str, requested: str | None) -> str:
    """The deployment to upgrade: ``--deployment``, else the stack's ``activeDeployment``."""
    names = [str(d.get("name")) for d in values.get("deployments") or [] if isinstance(d, Mapping)]
    if not names:
        raise UsageError(
            f"Stack '{stack}' has no imagegate:deployments; add one to Pulumi.{stack}.yaml first."
        )
    name = requested or active_deployment(values)
    if name not in names:
        raise UsageError(
            f"Deployment '{name}' is not in stack '{stack}'; "
            f"pass --deployment with one of: {', '.join(names)}."
        )
    return name


def validate_request(
    values: Mapping[str, Any],
    stack: str,
    target: ModelTarget,
    deployment: str,
    catalog: Catalog,
    *,
    capacity: int | None = None,
    new_deployment: str | None = None,
    retire_old: bool = False,
    today: date | None = None,
) -> None:
    """Raise :class:`UsageError` for the first reason this rollout must not start."""
    model = catalog.model(target.model)
    if model is None:
        raise UsageError(
            f"Model '{target.model}' is not in the model catalog ({catalog.source}); "
            f"use one of: {', '.join(catalog.model_names())}."
        )
    if target.version not in model.versions:
        raise UsageError(
            f"Version '{target.version}' of {target.model} is not in the model catalog; "
            f"known versions: {', '.join(model.versions) or '(none)'}."
        )
    if catalog.is_retired(target.model, target.version, today or date.today()):
        raise UsageError(f"{target} is retired; pick a version that is still offered.")
    if capacity is not None and capacity < 1:
        raise UsageError(f"--capacity {capacity} must be a positive whole number.")
    if values.get("candidate"):
        raise UsageError(
            f"Stack '{stack}' already has imagegate:candidate set; "
            "finish or remove that candidate before a new "
            "rollout."
        )
    index = find_deployment(values, deployment)
    assert index is not None, "resolve_deployment runs first"
    current = values["deployments"][index]
    if current.get("model") == target.model and str(current.get("version")) == target.version:
        if retire_old:
            raise UsageError(
                f"Deployment '{deployment}' already runs {target}; --retire-old only acts during a rollout, "
                f"so remove the old deployment from imagegate:deployments in Pulumi.{stack}.yaml and run up."
            )
        raise UsageError(f"Deployment '{deployment}' already runs {target}; nothing to roll out.")
    if current.get("model") != target.model:
        active = active_deployment(values)
        if deployment != active:
            raise UsageError(
                "A model-name upgrade switches activeDeployment, "
                f"but '{deployment}' is not the active deployment "
                f"('{active}'); pass --deployment {active}."
            )
        name = new_deployment or default_new_deployment_name(target)
        if find_deployment(values, name) is not None:
            raise UsageError(
                f"Stack '{stack}' already has a deployment named '{name}'; "
                "pass --new-deployment with a free name."
            )
    elif new_deployment:
        raise UsageError(
            "--new-deployment only applies to a model-name upgrade; a version upgrade keeps the name."
        )
    elif retire_old:
        raise UsageError(
            "--retire-old only applies to a model-name upgrade; a version upgrade keeps the deployment."
        )


def validate_plan_configs(plan: Plan, catalog: Catalog, today: date | None = None) -> None:
    """Every config the plan would write must pass the program's own validation."""
    for step in plan.steps:
        if step.action is not Action.APPLY or step.config is None:
            continue
        try:
            load_stack_config(step.config, plan.stack, today=today, catalog=catalog)
        except ConfigError as exc:
            first = exc.problems[0] if exc.problems else str(exc)
            raise UsageError(
                f"Step '{step.name}' would write a stack config the program rejects: {first}"
            ) from exc
