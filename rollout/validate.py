"""Refusing bad rollout requests before anything changes: each rule is one clear sentence.

Pure: takes the stack as the program's reader resolved it (``infra.config.StackConfig``, every documented
default filled in), the parsed target and the model catalog; raises :class:`UsageError`. The configs a plan
would write are checked by ``build_plan`` with the same reader, so a rollout never writes one ``up`` rejects.
"""

from __future__ import annotations

from datetime import date

from catalog import Catalog
from infra.config import StackConfig
from rollout.errors import UsageError
from rollout.plan import default_new_deployment_name
from rollout.target import ModelTarget


def resolve_deployment(config: StackConfig, requested: str | None) -> str:
    """The deployment to upgrade: ``--deployment``, else the stack's ``activeDeployment``."""
    names = [d.name for d in config.deployments]
    name = requested or config.active_deployment
    if name not in names:
        raise UsageError(
            f"Deployment '{name}' is not in stack '{config.stack}'; "
            f"pass --deployment with one of: {', '.join(names)}."
        )
    return name


def validate_request(
    config: StackConfig,
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
    stack = config.stack
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
    if config.candidate is not None:
        raise UsageError(
            f"Stack '{stack}' already has imagegate:candidate set; "
            "finish or remove that candidate before a new "
            "rollout."
        )
    current = config.deployment(deployment)
    assert current is not None, "resolve_deployment runs first"
    if (current.model, current.version) == (target.model, target.version):
        if retire_old:
            raise UsageError(
                f"Deployment '{deployment}' already runs {target}; --retire-old only acts during a rollout, "
                f"so remove the old deployment from imagegate:deployments in Pulumi.{stack}.yaml and run up."
            )
        raise UsageError(f"Deployment '{deployment}' already runs {target}; nothing to roll out.")
    if current.model != target.model:
        active = config.active_deployment
        if deployment != active:
            raise UsageError(
                "A model-name upgrade switches activeDeployment, "
                f"but '{deployment}' is not the active deployment "
                f"('{active}'); pass --deployment {active}."
            )
        name = new_deployment or default_new_deployment_name(target)
        if config.deployment(name) is not None:
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
