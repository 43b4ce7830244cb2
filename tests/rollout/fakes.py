"""In-memory stand-ins for the rollout's seams: a stack whose ``up`` derives outputs from config the way
the program does, a smoke gate that fails chosen deployments, and a preflight with chosen blockers."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from rollout.errors import DriverError
from rollout.ports import PreflightOutcome, SmokeOutcome

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
    deployments = {
        d["name"]: {
            "model": d["model"],
            "version": d["version"],
            "sku": d["sku"],
            "capacity": d["capacity"],
            "role": "stable",
        }
        for d in values.get("deployments", [])
    }
    candidate = values.get("candidate")
    if candidate:
        deployments[f"{candidate['deployment']}-candidate"] = {
            "model": candidate["model"],
            "version": candidate["version"],
            "sku": candidate["sku"],
            "capacity": candidate["capacity"],
            "role": "candidate",
        }
    active = values.get("activeDeployment") or next(iter(deployments), "")
    return {
        "environment": values.get("environment"),
        "endpoint": "https://example.openai.azure.com/",
        "deployments": deployments,
        "activeDeployment": active,
    }


class FakeDriver:
    name = "fake"

    def __init__(
        self,
        values: Mapping[str, Any],
        conflicts: int = 0,
        conflict_when: Any = None,
        fail_up_when: Any = None,
    ) -> None:
        self.config = copy.deepcopy(dict(values))
        self.applied = copy.deepcopy(dict(values))
        self.conflicts_left = conflicts
        self.conflict_when = conflict_when or (lambda config: True)
        self.fail_up_when = fail_up_when
        self.ups: list[dict[str, Any]] = []

    def read_config(self) -> dict[str, Any]:
        return copy.deepcopy(self.config)

    def write_config(self, values: Mapping[str, Any]) -> None:
        self.config = copy.deepcopy(dict(values))

    def up(self) -> dict[str, Any]:
        if self.conflicts_left and self.conflict_when(self.config):
            self.conflicts_left -= 1
            raise DriverError(
                "Another operation is being performed on the parent resource.", code="RequestConflict"
            )
        if self.fail_up_when is not None and self.fail_up_when(self.config):
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
