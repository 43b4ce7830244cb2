"""The plan of a weighted canary: a version upgrade of the deployments behind a gateway's alias.

Pure. On a stack with a gateway, the alias's members that run the deployment being upgraded each get a
candidate in their region (``regions[i].candidate``, deployed as ``infra.config.candidate_name``); each
candidate is smoked directly; then the alias's pool takes the candidates at each weight of the schedule
(``rollout.traffic.pool_weights`` within each priority group), every weight but the last followed by a bake
step that judges the window's traffic (``rollout.bake``). At 100 the old members leave the pool; they are
upgraded in place while out of it, smoked, put back with their own weights, and the candidates go. The
stack file at the end is the original with the deployments' ``version`` changed. A rollback puts the pool
back first (candidates still deployed), then the original file byte for byte.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from catalog import Catalog
from infra.config import StackConfig, candidate_name
from infra.gateway_config import AliasConfig
from rollout.errors import UsageError
from rollout.plan import Action, DeploymentState, Plan, Step, Strategy, checked_plan, deployment_state
from rollout.target import ModelTarget
from rollout.traffic import PoolMember, WeightSchedule, pool_weights, quota_plan

DEFAULT_WEIGHTS = "10,50,100"


@dataclass(frozen=True)
class _Member:
    index: int  # in the alias's raw members list
    region: str
    deployment: str
    priority: int
    weight: int


def pooled_alias(config: StackConfig, deployment: str) -> AliasConfig | None:
    """The alias whose pool holds ``deployment`` (in any region), or None."""
    if config.gateway is None:
        return None
    return next(
        (a for a in config.gateway.aliases if any(m.deployment == deployment for m in a.members)), None
    )


def _member_weights(members: Sequence[_Member], stable: str, percent: int) -> list[dict[str, Any]]:
    """The raw pool at ``percent``: the stable members, then one candidate per stable member, each priority
    group split by ``pool_weights``; at 100 only the candidates (with the stable members' own weights)."""
    candidate = candidate_name(stable)
    ours = [m for m in members if m.deployment == stable]
    others = [m for m in members if m.deployment != stable]
    if percent == 100:
        out = [_raw(m.region, m.deployment, m.priority, m.weight) for m in others]
        return out + [_raw(m.region, candidate, m.priority, m.weight) for m in ours]
    weights: dict[tuple[str, str], int] = {}
    for priority in sorted({m.priority for m in ours}):
        group = [m for m in ours if m.priority == priority]
        pool = [PoolMember(m.region, stable, "stable", m.weight) for m in group]
        pool += [PoolMember(m.region, candidate, "candidate", m.weight) for m in group]
        for item in pool_weights(pool, percent):
            if item.weight == 0:
                raise UsageError(
                    f"--weights step {percent} gives {item.member.label} weight 0 in its priority-{priority} "
                    "group (an API Management pool member needs at least 1); start the schedule higher."
                )
            weights[(item.member.region, item.member.deployment)] = item.weight
    out = [
        _raw(m.region, m.deployment, m.priority, weights.get((m.region, m.deployment), m.weight))
        for m in members
    ]
    return out + [_raw(m.region, candidate, m.priority, weights[(m.region, candidate)]) for m in ours]


def _raw(region: str, deployment: str, priority: int, weight: int) -> dict[str, Any]:
    return {"region": region, "deployment": deployment, "priority": priority, "weight": weight}


def _with_pool(values: Mapping[str, Any], alias_index: int, members: list[dict[str, Any]]) -> dict[str, Any]:
    out = copy.deepcopy(dict(values))
    out["gateway"]["aliases"][alias_index]["members"] = members
    return out


def _region_index(values: Mapping[str, Any], location: str) -> int:
    return next(i for i, r in enumerate(values["regions"]) if r.get("location") == location)


def _deployment_index(region: Mapping[str, Any], name: str) -> int:
    return next(i for i, d in enumerate(region.get("deployments") or []) if d.get("name") == name)


def validate_traffic_request(config: StackConfig, target: ModelTarget, deployment: str) -> AliasConfig:
    """The alias a weighted canary of ``deployment`` goes through; UsageError for what this slice refuses."""
    alias = pooled_alias(config, deployment)
    if alias is None or not config.declared_regions:
        raise UsageError(
            f"Deployment '{deployment}' is in no alias of stack '{config.stack}''s gateway; "
            "a rollout through the gateway upgrades a pooled deployment."
        )
    current = config.deployment(deployment)
    assert current is not None, "resolve_deployment runs first"
    if target.model != current.model:
        raise UsageError(
            f"A model-name upgrade behind the alias '{alias.name}' is not supported yet; "
            f"upgrade {current.model} to another version, or see docs/traffic-rollouts.md."
        )
    if any(region.candidate is not None for region in config.regions):
        raise UsageError(
            f"Stack '{config.stack}' already has a candidate in a region; "
            "finish or remove that candidate before a new rollout."
        )
    return alias


def build_traffic_plan(
    values: Mapping[str, Any],
    config: StackConfig,
    target: ModelTarget,
    deployment: str,
    schedule: WeightSchedule,
    *,
    catalog: Catalog,
    today: date | None = None,
    capacity: int | None = None,
    original_text: str | None = None,
) -> Plan:
    """The weighted-canary plan; assumes ``validate_traffic_request`` passed."""
    alias = validate_traffic_request(config, target, deployment)
    alias_index = next(i for i, a in enumerate(values["gateway"]["aliases"]) if a.get("name") == alias.name)
    members = [_Member(i, m.region, m.deployment, m.priority, m.weight) for i, m in enumerate(alias.members)]
    ours = [m for m in members if m.deployment == deployment]
    regions = [m.region for m in ours]
    current = deployment_state(config, deployment)
    new_name = candidate_name(deployment)
    by_region = {r.location: r for r in config.regions}
    stable_capacity = {
        loc: next(d.capacity for d in by_region[loc].deployments if d.name == deployment) for loc in regions
    }
    rpm_per_unit = float(catalog.rpm_per_capacity_unit)
    load_rpm = sum(stable_capacity.values()) * rpm_per_unit
    quota = quota_plan(
        schedule,
        [PoolMember(m.region, deployment, "stable", m.weight) for m in ours]
        + [PoolMember(m.region, new_name, "candidate", m.weight) for m in ours],
        load_rpm,
        rpm_per_unit,
    )

    original = copy.deepcopy(dict(values))
    with_candidates = copy.deepcopy(original)
    for loc in regions:
        raw_region = with_candidates["regions"][_region_index(values, loc)]
        raw_region["candidate"] = {
            "deployment": deployment,
            "model": target.model,
            "version": target.version,
            # Enough for the region's peak share by default: at 100 it carries what the stable did.
            "capacity": capacity or max(quota.peak.get(loc, 1), stable_capacity[loc]),
        }
    steps: list[Step] = [
        Step("preflight", Action.PREFLIGHT, "check quota, region, model and version before any change"),
        Step(
            "create-candidates",
            Action.APPLY,
            f"deploy {new_name} at {target} in {', '.join(regions)} (not in the pool yet)",
            with_candidates,
        ),
    ]
    steps += [
        Step(
            f"smoke-candidate-{loc}",
            Action.SMOKE,
            f"smoke {new_name} in {loc} directly",
            deployment=new_name,
            baseline=deployment,
            region=loc,
        )
        for loc in regions
    ]
    shifted: dict[int, dict[str, Any]] = {}
    for percent in schedule.steps:
        shifted[percent] = _with_pool(
            with_candidates, alias_index, _member_weights(members, deployment, percent)
        )
        last = percent == 100
        steps.append(
            Step(
                f"shift-{percent}",
                Action.APPLY,
                f"alias {alias.name}: the candidates take all the traffic, the old members leave the pool"
                if last
                else f"alias {alias.name}: the candidates take {percent}% of the traffic",
                shifted[percent],
            )
        )
        if not last:
            steps.append(
                Step(
                    f"bake-{percent}",
                    Action.BAKE,
                    f"bake at {percent}% and judge {new_name} against {deployment} on the alias's traffic",
                    deployment=new_name,
                    baseline=deployment,
                    percent=percent,
                )
            )
    promoted = copy.deepcopy(shifted[100])
    for loc in regions:
        raw_region = promoted["regions"][_region_index(values, loc)]
        raw_region["deployments"][_deployment_index(raw_region, deployment)]["version"] = target.version
    returned = _with_pool(
        promoted, alias_index, copy.deepcopy(original["gateway"]["aliases"][alias_index]["members"])
    )
    final = copy.deepcopy(returned)
    for loc in regions:
        final["regions"][_region_index(values, loc)].pop("candidate", None)
    steps.append(
        Step(
            "promote",
            Action.APPLY,
            f"update {deployment} in {', '.join(regions)} in place from {current.version} to "
            f"{target.version} while out of the pool",
            promoted,
        )
    )
    steps += [
        Step(
            f"smoke-stable-{loc}",
            Action.SMOKE,
            f"smoke {deployment} in {loc} at {target.version}",
            deployment=deployment,
            region=loc,
        )
        for loc in regions
    ]
    steps.append(
        Step(
            "return-stable",
            Action.APPLY,
            f"alias {alias.name}: {deployment} takes its place in the pool back, the candidates leave it",
            returned,
        )
    )
    steps.append(Step("remove-candidates", Action.APPLY, f"remove {new_name}", final, cleanup=True))

    pool_back = Step(
        "rollback-pool",
        Action.APPLY,
        f"put alias {alias.name}'s pool back as it was ({new_name} still deployed)",
        with_candidates,
    )
    remove = Step(
        "rollback-remove-candidates",
        Action.APPLY,
        f"remove {new_name}; the stack file as it was",
        original,
        restore=True,
    )
    restore_version = Step(
        "rollback-restore-version",
        Action.APPLY,
        f"put {deployment} back to version {current.version} (the candidates serve meanwhile)",
        shifted[100],
    )
    to_candidates = Step(
        "rollback-pool-to-candidates",
        Action.APPLY,
        f"alias {alias.name}: the candidates take the traffic again",
        promoted,
    )
    rollbacks: dict[str, tuple[Step, ...]] = {"preflight": (), "remove-candidates": ()}
    for step in steps:
        if step.name == "create-candidates" or step.name.startswith("smoke-candidate-"):
            rollbacks[step.name] = (remove,)
        elif step.name.startswith(("shift-", "bake-")):
            rollbacks[step.name] = (pool_back, remove)
        elif step.name == "promote" or step.name.startswith("smoke-stable-"):
            rollbacks[step.name] = (restore_version, pool_back, remove)
        elif step.name == "return-stable":
            rollbacks[step.name] = (to_candidates, restore_version, pool_back, remove)
    capacities = {
        loc: int(with_candidates["regions"][_region_index(values, loc)]["candidate"]["capacity"])
        for loc in regions
    }
    traffic = {
        "alias": alias.name,
        "regions": regions,
        "weights": list(schedule.steps),
        "loadRpm": load_rpm,
        "quota": [
            {
                "percent": s.percent,
                "regions": {n.region: {"rpm": n.rpm, "capacity": n.capacity} for n in s.regions},
            }
            for s in quota.steps
        ],
        "peak": dict(quota.peak),
        "candidateCapacity": capacities,
    }
    plan = Plan(
        stack=config.stack,
        strategy=Strategy.WEIGHTED_CANARY,
        current=current,
        target=DeploymentState(current.name, target.model, target.version, current.sku, current.capacity),
        active_before=config.active_deployment,
        active_after=config.active_deployment,
        steps=tuple(steps),
        rollbacks=rollbacks,
        quota_needed={f"{target.model}/{current.sku}@{loc}": c for loc, c in capacities.items()},
        original=original,
        traffic=traffic,
    )
    return checked_plan(plan, config.stack, catalog=catalog, today=today, original_text=original_text)
