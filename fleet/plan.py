"""The fleet plan: every stack of the fleet file, read through the stack model, in waves, with what a
rollout to the target would change. Pure: fleet file + ``StackConfig`` objects + target in, plan or every
problem out. ``plan_to_dict`` is the ``--json`` document; each wave's ``matrix`` is what a workflow's
``strategy.matrix`` takes through ``fromJSON``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from fleet.errors import FleetInputError
from fleet.fleet_file import FleetFile
from infra.config import DeploymentConfig, StackConfig

Change = Literal["nothing", "version", "model"]
_TARGET = re.compile(r"(?P<model>[A-Za-z0-9][A-Za-z0-9._-]*)@(?P<version>[A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Target:
    model: str
    version: str

    def __str__(self) -> str:
        return f"{self.model}@{self.version}"


def parse_target(text: str) -> Target:
    match = _TARGET.fullmatch(text.strip())
    if match is None:
        raise FleetInputError(
            [f"--to {text!r} is not MODEL@VERSION; pass e.g. --to gpt-image-1.5@2026-03-10."]
        )
    return Target(match["model"], match["version"])


@dataclass(frozen=True)
class StackPlan:
    stack: str
    wave: str
    environment: str
    github_environment: str
    location: str
    account_name: str
    deployment: str
    current: str
    deployments: tuple[tuple[str, str], ...]
    target: str | None
    change: Change | None

    @property
    def rolls(self) -> bool:
        """Whether the wave's job runs a rollout for this stack."""
        return self.change != "nothing"

    def matrix_entry(self) -> dict[str, str]:
        # Flat strings only: every value is read in the workflow as `matrix.<key>`.
        return {
            "stack": self.stack,
            "wave": self.wave,
            "environment": self.environment,
            "githubEnvironment": self.github_environment,
            "location": self.location,
            "accountName": self.account_name,
            "deployment": self.deployment,
            "current": self.current,
            "target": self.target or "",
            "change": self.change or "",
        }


@dataclass(frozen=True)
class WavePlan:
    name: str
    index: int
    github_environment: str
    max_parallel: int
    stacks: tuple[StackPlan, ...]

    @property
    def to_roll(self) -> tuple[StackPlan, ...]:
        return tuple(s for s in self.stacks if s.rolls)


@dataclass(frozen=True)
class FleetPlan:
    source: str
    target: str | None
    waves: tuple[WavePlan, ...]


def change_of(config: StackConfig, target: Target | None) -> Change | None:
    """What a rollout of the stack's active deployment to ``target`` changes (None: no target given)."""
    if target is None:
        return None
    active = active_deployment(config)
    if active.model != target.model:
        return "model"
    return "nothing" if active.version == target.version else "version"


def active_deployment(config: StackConfig) -> DeploymentConfig:
    # The reader guarantees activeDeployment names a declared deployment (stable or candidate).
    return next(d for d in config.image_deployments if d.name == config.active_deployment)


def build_plan(
    fleet: FleetFile,
    configs: Mapping[str, StackConfig],
    target: Target | None,
    *,
    invalid: Sequence[str] = (),
    problems: Sequence[str] = (),
) -> FleetPlan:
    """The plan, or :class:`FleetInputError` listing ``problems`` and every problem found here.

    ``configs``: every stack of the project folder that read cleanly; ``invalid``: stacks whose file is
    there but has problems (already in ``problems``), so they are not reported again as unknown."""
    found = list(problems)
    known = sorted({*configs, *invalid})
    placed: dict[str, str] = {}
    for wave in fleet.waves:
        if not wave.stacks:
            found.append(f"{fleet.source}: wave '{wave.name}' has nothing to do: it lists no stacks.")
        for entry in wave.stacks:
            if entry.name in placed:
                found.append(
                    f"{fleet.source}: stack '{entry.name}' is in waves '{placed[entry.name]}' and "
                    f"'{wave.name}'; a stack belongs to one wave."
                )
                continue
            placed[entry.name] = wave.name
            if entry.name not in known:
                found.append(
                    f"{fleet.source}: wave '{wave.name}' names stack '{entry.name}', but there is no "
                    f"Pulumi.{entry.name}.yaml; known stacks: {', '.join(known) or 'none'}."
                )
    waves = [wave.name for wave in fleet.waves]
    for name in sorted(set(known) - set(placed)):
        found.append(
            f"{fleet.source}: stack '{name}' (Pulumi.{name}.yaml) is in no wave; add it to one of "
            f"the waves ({', '.join(waves)})."
        )
    seen_waves: set[str] = set()
    for name in waves:
        if name in seen_waves:
            found.append(f"{fleet.source}: wave '{name}' is listed twice; give each wave its own name.")
        seen_waves.add(name)
    by_account: dict[str, list[str]] = {}
    for name in sorted(configs):
        # Azure's custom subdomains are one namespace, compared without case.
        by_account.setdefault(configs[name].account.custom_subdomain.lower(), []).append(name)
    for account, names in by_account.items():
        if len(names) > 1:
            found.append(
                f"stacks {_quoted(names)} share the account name '{account}' "
                "(imagegate:account.customSubdomain, default the namePrefix); give each stack its own."
            )
    for name in sorted(configs):
        if configs[name].candidate is not None:
            found.append(
                f"Pulumi.{name}.yaml has imagegate:candidate: a rollout of stack '{name}' is unfinished; "
                f"finish it or run `imagegate rollout abort --stack {name}` first."
            )

    wave_plans = []
    for index, wave in enumerate(fleet.waves, start=1):
        stacks = tuple(
            _stack_plan(configs[e.name], wave.name, e.github_environment, target)
            for e in wave.stacks
            if e.name in configs and placed.get(e.name) == wave.name
        )
        plan = WavePlan(wave.name, index, wave.github_environment, wave.max_parallel, stacks)
        if target is not None and stacks and not plan.to_roll and len(stacks) == len(wave.stacks):
            found.append(
                f"{fleet.source}: wave '{wave.name}' has nothing to do: every stack in it already "
                f"serves {target}."
            )
        wave_plans.append(plan)
    if found:
        raise FleetInputError(found)
    return FleetPlan(fleet.source, str(target) if target else None, tuple(wave_plans))


def _quoted(names: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return " and ".join(quoted) if len(quoted) == 2 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


def _stack_plan(config: StackConfig, wave: str, github_environment: str, target: Target | None) -> StackPlan:
    active = active_deployment(config)
    return StackPlan(
        stack=config.stack,
        wave=wave,
        environment=config.environment,
        github_environment=github_environment,
        location=config.location,
        account_name=config.account.custom_subdomain,
        deployment=active.name,
        current=f"{active.model}@{active.version}",
        deployments=tuple((d.name, f"{d.model}@{d.version}") for d in config.image_deployments),
        target=str(target) if target else None,
        change=change_of(config, target),
    )


def stack_to_dict(stack: StackPlan) -> dict[str, Any]:
    return {
        **stack.matrix_entry(),
        "deployments": dict(stack.deployments),
        "target": stack.target,
        "change": stack.change,
    }


def wave_to_dict(wave: WavePlan) -> dict[str, Any]:
    return {
        "name": wave.name,
        "index": wave.index,
        "githubEnvironment": wave.github_environment,
        "maxParallel": wave.max_parallel,
        "stacks": [stack_to_dict(s) for s in wave.stacks],
        "matrix": {"include": [s.matrix_entry() for s in wave.to_roll]},
    }


def plan_to_dict(plan: FleetPlan) -> dict[str, Any]:
    return {
        "fleet": plan.source,
        "target": plan.target,
        "waves": [wave_to_dict(w) for w in plan.waves],
    }


def github_outputs(plan: FleetPlan, wave_jobs: int) -> list[str]:
    """``$GITHUB_OUTPUT`` lines: ``plan`` (the whole document), ``waves`` (the count) and ``wave<N>`` (one
    wave, compact JSON) for each of the workflow's ``wave_jobs`` wave jobs (empty: that job is skipped)."""
    if len(plan.waves) > wave_jobs:
        raise FleetInputError(
            [
                f"{plan.source} has {len(plan.waves)} waves but the workflow has jobs for {wave_jobs}; "
                "add a wave job to the workflow (docs/fleet.md) or merge waves."
            ]
        )
    lines = [f"plan={_compact(plan_to_dict(plan))}", f"waves={len(plan.waves)}"]
    for index in range(1, wave_jobs + 1):
        wave = plan.waves[index - 1] if index <= len(plan.waves) else None
        lines.append(f"wave{index}={_compact(wave_to_dict(wave)) if wave else ''}")
    return lines


def _compact(document: Any) -> str:
    # One line: a $GITHUB_OUTPUT value written as `name=value` must hold no newline.
    return json.dumps(document, separators=(",", ":"))
