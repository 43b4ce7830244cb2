"""In-memory stand-ins for the rollout's seams: a stack whose ``up`` derives outputs from config the way
the program does (through the program's own reader, so documented defaults apply), a smoke gate that fails
chosen deployments, and a preflight with chosen blockers."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from infra.config import load_stack_config
from rollout.errors import DriverError
from rollout.ports import PreflightOutcome, SmokeOutcome
from rollout.stack_file import (
    check_stack_values,
    read_stack_text,
    read_stack_values,
    render_stack_file,
    restore_stack_text,
    write_stack_file,
)

PROD_VALUES: dict[str, Any] = {
    "environment": "prod",
    "location": "westus3",
    "namePrefix": "imagegate-prod",
    "account": {"customSubdomain": "imagegate-prod-img", "disableLocalAuth": True},
    "deployments": [
        {
            "name": "gpt-image",
            "model": "gpt-image-1.5",
            "version": "2025-12-16",
            "sku": "GlobalStandard",
            "capacity": 6,
            "versionUpgradeOption": "NoAutoUpgrade",
        },
    ],
    "activeDeployment": "gpt-image",
}


def outputs_for(values: Mapping[str, Any]) -> dict[str, Any]:
    """The stack outputs the program exports for ``values`` (read by ``load_stack_config``)."""
    config = load_stack_config(values, "prod")
    deployments = {
        d.name: {"model": d.model, "version": d.version, "sku": d.sku, "capacity": d.capacity, "role": d.role}
        for d in config.image_deployments
    }
    return {
        "environment": config.environment,
        "endpoint": "https://example.openai.azure.com/",
        "deployments": deployments,
        "activeDeployment": config.active_deployment,
    }


def stack_text(values: Mapping[str, Any]) -> str:
    """A ``Pulumi.<stack>.yaml`` holding ``values``, with a comment a rewrite must keep."""
    body = yaml.safe_dump({"config": {f"imagegate:{k}": v for k, v in values.items()}}, sort_keys=False)
    return "# the prod stack\n" + body


def live_deployments(values: Mapping[str, Any]) -> dict[str, tuple[str, str, str, int]]:
    """Deployment name -> (model, version, sku, capacity) that ``up`` with ``values`` writes, in the order
    the program writes them (stable deployments in config order, then the candidate)."""
    spec = outputs_for(values)["deployments"]
    return {name: (d["model"], d["version"], d["sku"], d["capacity"]) for name, d in spec.items()}


class FakeDriver:
    """A stack that fails like the real one: ``up`` writes deployment by deployment, and a failure keeps
    what was written before it (Pulumi and the local engine both stop at the failing resource; neither
    undoes earlier writes). ``live`` is what ARM holds; ``applied`` the config of the last successful
    ``up``, which the stack outputs still describe after a failed one.

    ``fail_up_when(config)`` makes ``up`` fail; ``fail_at`` names the deployment whose write ARM refuses,
    or None for a failure after every deployment was written (a later resource, e.g. an alert).
    With ``path`` the stack lives in that real ``Pulumi.<stack>.yaml``, written by the rollout's own writer
    (as the local driver does); without, in memory.
    """

    name = "fake"

    def __init__(
        self,
        values: Mapping[str, Any],
        conflicts: int = 0,
        conflict_when: Any = None,
        fail_up_when: Any = None,
        fail_at: str | None = None,
        path: Path | None = None,
        stack: str = "prod",
    ) -> None:
        self.path, self.stack = path, stack
        if path is not None:
            values = read_stack_values(path)
        self.config = copy.deepcopy(dict(values))
        self.text = stack_text(values)
        self.applied = copy.deepcopy(dict(values))
        self.live = live_deployments(values)
        self.conflicts_left = conflicts
        self.conflict_when = conflict_when or (lambda config: True)
        self.fail_up_when = fail_up_when
        self.fail_at = fail_at
        self.ups: list[dict[str, Any]] = []

    def read_config(self) -> dict[str, Any]:
        return copy.deepcopy(self.config)

    def write_config(self, values: Mapping[str, Any]) -> None:
        if self.path is not None:
            write_stack_file(self.path, values, self.stack)
        else:
            check_stack_values(values, self.stack)  # as both real drivers do before writing
            self.text = render_stack_file(self.text, values)
        self.config = copy.deepcopy(dict(values))

    def read_text(self) -> str:
        return self.text if self.path is None else read_stack_text(self.path)

    def restore_text(self, text: str) -> None:
        if self.path is not None:
            restore_stack_text(self.path, text)
        self.text = text
        config = yaml.safe_load(text)["config"]
        prefix = "imagegate:"
        self.config = {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}

    def up(self) -> dict[str, Any]:
        if self.conflicts_left and self.conflict_when(self.config):
            # ARM refuses the first write with 409 before anything changes.
            self.conflicts_left -= 1
            raise DriverError(
                "Another operation is being performed on the parent resource.", code="RequestConflict"
            )
        failing = self.fail_up_when is not None and self.fail_up_when(self.config)
        wanted = live_deployments(self.config)
        writes = [(name, spec) for name, spec in wanted.items() if self.live.get(name) != spec]
        writes += [(name, None) for name in self.live if name not in wanted]  # deletions come last
        for name, spec in writes:
            if failing and name == self.fail_at:
                raise DriverError(
                    f"InsufficientQuota: not enough quota for {name}.", code="InsufficientQuota"
                )
            if spec is None:
                del self.live[name]
            else:
                self.live[name] = spec
        if failing:
            raise DriverError("InsufficientQuota: not enough quota.", code="InsufficientQuota")
        self.applied = copy.deepcopy(self.config)
        self.ups.append(copy.deepcopy(self.config))
        return outputs_for(self.applied)

    def outputs(self) -> dict[str, Any]:
        return outputs_for(self.applied)


class FakeSmoker:
    """Fails a check when ``fails(deployment, "model@version")`` says so."""

    def __init__(self, fails: Any = None) -> None:
        self.fails = fails or (lambda deployment, running: False)
        self.calls: list[tuple[str, str]] = []
        self.baselines: list[str | None] = []

    def smoke(
        self, outputs: Mapping[str, Any], deployment: str, *, baseline: str | None = None
    ) -> SmokeOutcome:
        self.baselines.append(baseline)
        spec = outputs["deployments"].get(deployment)
        running = f"{spec['model']}@{spec['version']}" if spec else "missing"
        self.calls.append((deployment, running))
        passed = spec is not None and not self.fails(deployment, running)
        return SmokeOutcome(
            deployment=deployment,
            passed=passed,
            summary="2/2 checks passed" if passed else "1/2 checks failed",
            checks=({"check": "generate", "status": "passed" if passed else "failed"},),
        )


class FakePreflight:
    def __init__(self, blockers: Iterable[str] = ()) -> None:
        self.blockers = tuple(blockers)
        self.seen: list[Mapping[str, Any]] = []

    def check(self, values: Mapping[str, Any], stack: str) -> PreflightOutcome:
        self.seen.append(values)
        return PreflightOutcome(ok=not self.blockers, blockers=self.blockers)


def install_fakes(
    monkeypatch: Any, driver: Any = None, preflight: Any = None, **smoker: Any
) -> dict[str, Any]:
    """Make `imagegate rollout ...` in this process use the fakes: ``driver(config_path, stack)`` builds the
    driver (default: a :class:`FakeDriver` on the real stack file); returns ``{"driver": ...}`` once built."""
    from rollout import execute

    made: dict[str, Any] = {}

    def build(request: Any, name: str, config: Path) -> Any:
        made["driver"] = driver(config, name) if driver else FakeDriver({}, path=config, stack=name)
        return made["driver"]

    monkeypatch.setattr(execute, "_driver", build)
    monkeypatch.setattr(execute, "_smoker", lambda request: FakeSmoker(**smoker))
    monkeypatch.setattr(execute, "_preflight", lambda request, config: preflight or FakePreflight())
    return made
