"""The rollout plan as data: what changes, in which order, with the stack config after every step.

``build_plan`` takes the stack's ``imagegate:`` values (keys without the namespace) and a target, reads
them with the program's own reader (``infra.config.load_stack_config``: every documented default resolved)
and plans on that typed model; the configs it writes change only the keys the rollout must. Every
``apply`` step carries the whole config it leaves behind (re-running a step after a crash is idempotent)
and what the reader says that config deploys, which is what ``up`` must leave behind. The steps that undo
everything restore the stack file's original text, byte for byte.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from catalog import Catalog, load_catalog
from infra.config import ConfigError, StackConfig, candidate_name, load_stack_config
from rollout.errors import UsageError
from rollout.target import ModelTarget

DEFAULT_CANDIDATE_CAPACITY = 1


class Strategy(StrEnum):
    IN_PLACE_VERSION = "in-place-version"
    NEW_MODEL_NAME = "new-model-name"
    WEIGHTED_CANARY = "weighted-canary"  # a stack with a gateway: rollout.traffic_plan


class Action(StrEnum):
    PREFLIGHT = "preflight"
    APPLY = "apply"
    SMOKE = "smoke"
    BAKE = "bake"  # let the alias's traffic run at a weight, then judge candidate vs stable (rollout.bake)


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
    # An apply step that puts the stack back as it was: it writes the original file's text, not a render.
    restore: bool = False
    # What the reader says ``config`` deploys (name -> (model, version)) and its active deployment: what
    # the stack outputs must show after ``up``. Set by ``build_plan``.
    expects: Mapping[str, tuple[str, str]] | None = None
    active: str | None = None
    # A smoke or bake step of a traffic rollout: the region whose account it calls (smoke), the
    # candidate's share of the alias's traffic (bake).
    region: str | None = None
    percent: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "action": str(self.action),
            "description": self.description,
            "config": self.config,
            "deployment": self.deployment,
            "cleanup": self.cleanup,
            "baseline": self.baseline,
            "restore": self.restore,
            "expects": None if self.expects is None else {k: list(v) for k, v in self.expects.items()},
            "active": self.active,
            "region": self.region,
            "percent": self.percent,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Step:
        expects = data.get("expects")
        return cls(
            name=data["name"],
            action=Action(data["action"]),
            description=data["description"],
            config=data.get("config"),
            deployment=data.get("deployment"),
            cleanup=bool(data.get("cleanup")),
            baseline=data.get("baseline"),
            restore=bool(data.get("restore")),
            expects=None if expects is None else {str(k): (str(v[0]), str(v[1])) for k, v in expects.items()},
            active=data.get("active"),
            region=data.get("region"),
            percent=data.get("percent"),
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
    # The stack file's text before the rollout (None when planned without a file, as in tests).
    original_text: str | None = field(default=None, repr=False)
    # A traffic rollout's alias, weight schedule and quota per step (rollout.traffic_plan); None otherwise.
    traffic: Mapping[str, Any] | None = None

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
            "originalText": self.original_text,
            "traffic": self.traffic,
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
            original_text=data.get("originalText"),
            traffic=data.get("traffic"),
        )


def deployment_state(config: StackConfig, name: str) -> DeploymentState:
    """The stable deployment ``name`` as the reader resolved it; KeyError when the stack has none."""
    deployment = config.deployment(name)
    if deployment is None:
        raise KeyError(name)
    return DeploymentState(
        deployment.name, deployment.model, deployment.version, deployment.sku, deployment.capacity
    )


def _index(values: Mapping[str, Any], name: str) -> int:
    """Where ``name`` sits in the raw ``deployments`` list (the reader has checked it is there)."""
    entries = values.get("deployments") or []
    return next(
        i for i, entry in enumerate(entries) if isinstance(entry, Mapping) and entry.get("name") == name
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
    catalog: Catalog | None = None,
    today: date | None = None,
    capacity: int | None = None,
    new_deployment: str | None = None,
    retire_old: bool = False,
    original_text: str | None = None,
) -> Plan:
    """The plan for moving ``deployment`` to ``target``; assumes ``validate_request`` passed.

    Raises ``ConfigError`` when ``values`` themselves are not a valid stack, and :class:`UsageError` when a
    step would write a config the program rejects (so a rollout never writes one)."""
    catalog = catalog or load_catalog()
    config = load_stack_config(values, stack, today=today, catalog=catalog)
    current = deployment_state(config, deployment)
    if target.model == current.model:
        plan = _in_place_plan(values, config, current, target, capacity or DEFAULT_CANDIDATE_CAPACITY)
    else:
        plan = _new_model_plan(
            values,
            config,
            current,
            target,
            capacity or current.capacity,
            new_deployment or default_new_deployment_name(target),
            retire_old,
        )

    return checked_plan(plan, stack, catalog=catalog, today=today, original_text=original_text)


def checked_plan(
    plan: Plan, stack: str, *, catalog: Catalog, today: date | None, original_text: str | None
) -> Plan:
    """``plan`` with every apply step's config read by the program's reader (UsageError when one is
    rejected) and what it deploys recorded as the step's ``expects``."""

    def checked(step: Step) -> Step:
        if step.action is not Action.APPLY or step.config is None:
            return step
        try:
            after = load_stack_config(step.config, stack, today=today, catalog=catalog)
        except ConfigError as exc:
            first = exc.problems[0] if exc.problems else str(exc)
            raise UsageError(
                f"Step '{step.name}' would write a stack config the program rejects: {first}"
            ) from exc
        expects = {d.name: (d.model, d.version) for d in after.image_deployments}
        return replace(step, expects=expects, active=after.active_deployment)

    return replace(
        plan,
        steps=tuple(checked(s) for s in plan.steps),
        rollbacks={name: tuple(checked(s) for s in steps) for name, steps in plan.rollbacks.items()},
        original_text=original_text,
    )


def default_new_deployment_name(target: ModelTarget) -> str:
    return target.model


def _preflight_step() -> Step:
    return Step("preflight", Action.PREFLIGHT, "check quota, region, model and version before any change")


def _in_place_plan(
    values: Mapping[str, Any],
    config: StackConfig,
    current: DeploymentState,
    target: ModelTarget,
    candidate_capacity: int,
) -> Plan:
    index = _index(values, current.name)
    new_name = candidate_name(current.name)
    # No sku: the reader gives a candidate its deployment's SKU, so the rollout need not spell it.
    raw_candidate = {
        "deployment": current.name,
        "model": target.model,
        "version": target.version,
        "capacity": candidate_capacity,
    }
    with_candidate = _with(values, candidate=raw_candidate)
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
            f"deploy {new_name} at {target} with capacity {candidate_capacity}",
            with_candidate,
        ),
        Step(
            "smoke-candidate",
            Action.SMOKE,
            f"smoke {new_name}",
            deployment=new_name,
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
        Step("remove-candidate", Action.APPLY, f"remove {new_name}", final, cleanup=True),
    )
    remove_candidate = Step(
        "rollback-remove-candidate",
        Action.APPLY,
        f"remove {new_name}; {current.name} stays at {current.version}",
        original,
        restore=True,
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
    active = config.active_deployment
    return Plan(
        stack=config.stack,
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
    config: StackConfig,
    current: DeploymentState,
    target: ModelTarget,
    capacity: int,
    new_name: str,
    retire_old: bool,
) -> Plan:
    old_entry = values["deployments"][_index(values, current.name)]
    # The keys the old entry leaves to their defaults stay unwritten: the reader defaults them the same.
    spelled = {k: copy.deepcopy(old_entry[k]) for k in ("sku", "versionUpgradeOption") if k in old_entry}
    new_entry: dict[str, Any] = {"name": new_name, "model": target.model, "version": target.version}
    new_entry.update({k: v for k, v in spelled.items() if k == "sku"}, capacity=capacity)
    new_entry.update({k: v for k, v in spelled.items() if k != "sku"})
    original = copy.deepcopy(dict(values))
    # Appended, so the first deployment (the reader's default activeDeployment) stays what it was.
    with_new = _with(values, deployments=[*copy.deepcopy(values["deployments"]), new_entry])
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
        restore=True,
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
        stack=config.stack,
        strategy=Strategy.NEW_MODEL_NAME,
        current=current,
        target=DeploymentState(new_name, target.model, target.version, current.sku, capacity),
        active_before=config.active_deployment,
        active_after=new_name,
        steps=tuple(steps),
        rollbacks=rollbacks,
        quota_needed={f"{target.model}/{current.sku}": capacity},
        original=original,
    )
