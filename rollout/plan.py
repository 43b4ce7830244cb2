"""The rollout plan as data: what changes, in which order, with the stack config after every step.

Pure: ``build_plan`` takes the stack's ``imagegate:`` values (keys without the namespace) and a target and
returns a frozen :class:`Plan`; ``rollback_steps`` says how to undo a failure at any step. Every ``apply``
step carries the whole config it leaves behind, so re-running a step after a crash is idempotent.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rollout.target import ModelTarget

CANDIDATE_SUFFIX = "-candidate"
DEFAULT_CANDIDATE_CAPACITY = 1


class Strategy(StrEnum):
    IN_PLACE_VERSION = "in-place-version"
    NEW_MODEL_NAME = "new-model-name"


class Action(StrEnum):
    PREFLIGHT = "preflight"
    APPLY = "apply"
    SMOKE = "smoke"


@dataclass(frozen=True)
class Step:
    """One step: ``apply`` writes ``config`` and runs ``up``; ``smoke`` checks ``deployment``."""

    name: str
    action: Action
    description: str
    config: Mapping[str, Any] | None = None
    deployment: str | None = None
    # A final clean-up step: the upgrade already holds when it fails, so there is nothing to roll back.
    cleanup: bool = False
    # A smoke step before promotion: the deployment still serving, to run the same suite on side by side.
    baseline: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "action": str(self.action),
            "description": self.description,
            "config": self.config,
            "deployment": self.deployment,
            "cleanup": self.cleanup,
            "baseline": self.baseline,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Step:
        return cls(
            name=data["name"],
            action=Action(data["action"]),
            description=data["description"],
            config=data.get("config"),
            deployment=data.get("deployment"),
            cleanup=bool(data.get("cleanup")),
            baseline=data.get("baseline"),
        )


@dataclass(frozen=True)
class DeploymentState:
    name: str
    model: str
    version: str
    sku: str
    capacity: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.model,
            "version": self.version,
            "sku": self.sku,
            "capacity": self.capacity,
        }


@dataclass(frozen=True)
class Plan:
    stack: str
    strategy: Strategy
    current: DeploymentState
    target: DeploymentState
    active_before: str
    active_after: str
    steps: tuple[Step, ...]
    rollbacks: Mapping[str, tuple[Step, ...]]
    quota_needed: Mapping[str, int]
    original: Mapping[str, Any] = field(repr=False)

    @property
    def target_label(self) -> str:
        return f"{self.target.model}@{self.target.version}"

    def step(self, name: str) -> Step:
        for step in (*self.steps, *(s for steps in self.rollbacks.values() for s in steps)):
            if step.name == name:
                return step
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "strategy": str(self.strategy),
            "current": self.current.to_dict(),
            "target": self.target.to_dict(),
            "activeDeployment": {"before": self.active_before, "after": self.active_after},
            "steps": [s.to_dict() for s in self.steps],
            "rollbacks": {name: [s.to_dict() for s in steps] for name, steps in self.rollbacks.items()},
            "quotaNeeded": dict(self.quota_needed),
            "original": self.original,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        return cls(
            stack=data["stack"],
            strategy=Strategy(data["strategy"]),
            current=DeploymentState(**data["current"]),
            target=DeploymentState(**data["target"]),
            active_before=data["activeDeployment"]["before"],
            active_after=data["activeDeployment"]["after"],
            steps=tuple(Step.from_dict(s) for s in data["steps"]),
            rollbacks={
                name: tuple(Step.from_dict(s) for s in steps) for name, steps in data["rollbacks"].items()
            },
            quota_needed=dict(data["quotaNeeded"]),
            original=data["original"],
        )


def find_deployment(values: Mapping[str, Any], name: str) -> int | None:
    for i, entry in enumerate(values.get("deployments") or []):
        if isinstance(entry, Mapping) and entry.get("name") == name:
            return i
    return None


def active_deployment(values: Mapping[str, Any]) -> str:
    """``activeDeployment`` as the program reads it: the key, else the first deployment."""
    active = values.get("activeDeployment")
    if isinstance(active, str) and active:
        return active
    deployments = values.get("deployments") or []
    return str(deployments[0].get("name", "")) if deployments else ""


def deployment_state(values: Mapping[str, Any], name: str) -> DeploymentState:
    index = find_deployment(values, name)
    if index is None:
        raise KeyError(name)
    entry = values["deployments"][index]
    return DeploymentState(
        name=name,
        model=str(entry.get("model")),
        version=str(entry.get("version")),
        sku=str(entry.get("sku")),
        capacity=int(entry.get("capacity", 0)),
    )


def _with(values: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy of ``values`` with top-level keys replaced; a ``None`` value removes the key."""
    result = copy.deepcopy(dict(values))
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def build_plan(
    values: Mapping[str, Any],
    stack: str,
    target: ModelTarget,
    deployment: str,
    *,
    capacity: int | None = None,
    new_deployment: str | None = None,
    retire_old: bool = False,
) -> Plan:
    """The plan for moving ``deployment`` to ``target``; assumes ``validate_request`` passed."""
    current = deployment_state(values, deployment)
    if target.model == current.model:
        return _in_place_plan(values, stack, current, target, capacity or DEFAULT_CANDIDATE_CAPACITY)
    return _new_model_plan(
        values,
        stack,
        current,
        target,
        capacity or current.capacity,
        new_deployment or default_new_deployment_name(target),
        retire_old,
    )


def default_new_deployment_name(target: ModelTarget) -> str:
    return target.model


def _preflight_step() -> Step:
    return Step("preflight", Action.PREFLIGHT, "check quota, region, model and version before any change")


def _in_place_plan(
    values: Mapping[str, Any],
    stack: str,
    current: DeploymentState,
    target: ModelTarget,
    candidate_capacity: int,
) -> Plan:
    index = find_deployment(values, current.name)
    assert index is not None
    candidate_name = f"{current.name}{CANDIDATE_SUFFIX}"
    candidate = {
        "deployment": current.name,
        "model": target.model,
        "version": target.version,
        "capacity": candidate_capacity,
        "sku": current.sku,
    }
    with_candidate = _with(values, candidate=candidate)
    promoted = copy.deepcopy(with_candidate)
    # Only the version changes here: Azure refuses a version and a capacity change in one operation.
    promoted["deployments"][index]["version"] = target.version
    final = _with(promoted, candidate=None)
    original = copy.deepcopy(dict(values))

    steps = (
        _preflight_step(),
        Step(
            "create-candidate",
            Action.APPLY,
            f"deploy {candidate_name} at {target} with capacity {candidate_capacity}",
            with_candidate,
        ),
        Step(
            "smoke-candidate",
            Action.SMOKE,
            f"smoke {candidate_name}",
            deployment=candidate_name,
            baseline=current.name,
        ),
        Step(
            "promote",
            Action.APPLY,
            f"update {current.name} in place from version {current.version} to {target.version} "
            f"(capacity stays {current.capacity})",
            promoted,
        ),
        Step(
            "smoke-stable", Action.SMOKE, f"smoke {current.name} at {target.version}", deployment=current.name
        ),
        Step("remove-candidate", Action.APPLY, f"remove {candidate_name}", final, cleanup=True),
    )
    remove_candidate = Step(
        "rollback-remove-candidate",
        Action.APPLY,
        f"remove {candidate_name}; {current.name} stays at {current.version}",
        original,
    )
    restore = (
        Step(
            "rollback-restore-version",
            Action.APPLY,
            f"put {current.name} back to version {current.version}",
            with_candidate,
        ),
        Step(
            "rollback-smoke-stable",
            Action.SMOKE,
            f"smoke {current.name} at {current.version} again",
            deployment=current.name,
        ),
        remove_candidate,
    )
    rollbacks = {
        "preflight": (),
        "create-candidate": (remove_candidate,),
        "smoke-candidate": (remove_candidate,),
        "promote": restore,
        "smoke-stable": restore,
        "remove-candidate": (),
    }
    active = active_deployment(values)
    return Plan(
        stack=stack,
        strategy=Strategy.IN_PLACE_VERSION,
        current=current,
        target=DeploymentState(current.name, target.model, target.version, current.sku, current.capacity),
        active_before=active,
        active_after=active,
        steps=steps,
        rollbacks=rollbacks,
        quota_needed={f"{target.model}/{current.sku}": candidate_capacity},
        original=original,
    )


def _new_model_plan(
    values: Mapping[str, Any],
    stack: str,
    current: DeploymentState,
    target: ModelTarget,
    capacity: int,
    new_name: str,
    retire_old: bool,
) -> Plan:
    index = find_deployment(values, current.name)
    assert index is not None
    old_entry = values["deployments"][index]
    new_entry = {
        "name": new_name,
        "model": target.model,
        "version": target.version,
        "sku": current.sku,
        "capacity": capacity,
    }
    if "versionUpgradeOption" in old_entry:
        new_entry["versionUpgradeOption"] = old_entry["versionUpgradeOption"]
    original = copy.deepcopy(dict(values))
    with_new = _with(values, deployments=[*copy.deepcopy(values["deployments"]), new_entry])
    # Keep the old active name explicit: the program's default (first deployment) must not decide it.
    with_new["activeDeployment"] = active_deployment(values)
    switched = _with(with_new, activeDeployment=new_name)

    steps: list[Step] = [
        _preflight_step(),
        Step(
            "create-deployment",
            Action.APPLY,
            f"deploy {new_name} at {target} with capacity {capacity} next to {current.name}",
            with_new,
        ),
        Step("smoke-new", Action.SMOKE, f"smoke {new_name}", deployment=new_name, baseline=current.name),
        Step(
            "switch-active",
            Action.APPLY,
            f"switch activeDeployment from {current.name} to {new_name}",
            switched,
        ),
        Step("smoke-active", Action.SMOKE, f"smoke {new_name} as the active deployment", deployment=new_name),
    ]
    if retire_old:
        retired = _with(
            switched, deployments=[d for d in switched["deployments"] if d.get("name") != current.name]
        )
        steps.append(
            Step(
                "retire-old", Action.APPLY, f"remove the old deployment {current.name}", retired, cleanup=True
            )
        )
    remove_new = Step(
        "rollback-remove-deployment",
        Action.APPLY,
        f"remove {new_name}; {current.name} stays active",
        original,
    )
    switch_back = (
        Step(
            "rollback-switch-back", Action.APPLY, f"switch activeDeployment back to {current.name}", with_new
        ),
        Step("rollback-smoke-old", Action.SMOKE, f"smoke {current.name} again", deployment=current.name),
        remove_new,
    )
    rollbacks = {
        "preflight": (),
        "create-deployment": (remove_new,),
        "smoke-new": (remove_new,),
        "switch-active": switch_back,
        "smoke-active": switch_back,
        "retire-old": (),
    }
    return Plan(
        stack=stack,
        strategy=Strategy.NEW_MODEL_NAME,
        current=current,
        target=DeploymentState(new_name, target.model, target.version, current.sku, capacity),
        active_before=active_deployment(values),
        active_after=new_name,
        steps=tuple(steps),
        rollbacks=rollbacks,
        quota_needed={f"{target.model}/{current.sku}": capacity},
        original=original,
    )
