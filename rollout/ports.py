"""The seams of a rollout: the driver that changes the stack, the smoke gate and the preflight gate.

The step machine only sees these protocols, so the same rollout code runs with the Pulumi Automation API
driver, the local engine + emulator driver, or a test fake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class Driver(Protocol):
    """Changes go through Pulumi: write the stack's ``imagegate:`` config, then ``up``."""

    name: str

    def read_config(self) -> dict[str, Any]:
        """The stack's ``imagegate:`` values, keys without the namespace."""

    def write_config(self, values: Mapping[str, Any]) -> None:
        """Make the stack's ``imagegate:`` values exactly ``values`` (other namespaces untouched), after
        checking them with the program's reader; a config it rejects is never written."""

    def read_text(self) -> str:
        """The stack file's whole text as it is now (what the journal keeps as the original)."""

    def restore_text(self, text: str) -> None:
        """Put the stack file back to exactly ``text`` (a rollback's last write)."""

    def up(self) -> dict[str, Any]:
        """Apply the stack; return its outputs. Raises ``DriverError`` (``code`` set when Azure gave one)."""

    def outputs(self) -> dict[str, Any]:
        """The stack outputs of the last ``up``."""


def apply(driver: Driver, values: Mapping[str, Any]) -> dict[str, Any]:
    driver.write_config(values)
    return driver.up()


@dataclass(frozen=True)
class SmokeOutcome:
    """What the rollout keeps of a smoke run: pass/fail, a one-line summary and per-check rows."""

    deployment: str
    passed: bool
    summary: str
    checks: tuple[Mapping[str, Any], ...] = ()
    report: Mapping[str, Any] = field(default_factory=dict)
    totals: str = ""  # the counts alone ("FAILED: 2 checks, ..."), for lines that must not repeat errors
    # Set when the same suite also ran on the deployment still serving: its name and the gate's decision.
    baseline: str | None = None
    gate: Mapping[str, Any] | None = None
    # Names the in-memory evidence (images) of this run, for the rollout's HTML report.
    run_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "deployment": self.deployment,
            "passed": self.passed,
            "summary": self.summary,
            "totals": self.totals or self.summary,
            "checks": [dict(c) for c in self.checks],
            "report": dict(self.report),
        }
        if self.baseline is not None:
            out["baseline"] = self.baseline
        if self.gate is not None:
            out["gate"] = dict(self.gate)
        if self.run_id is not None:
            out["runId"] = self.run_id
        return out


class Smoker(Protocol):
    def smoke(
        self, outputs: Mapping[str, Any], deployment: str, *, baseline: str | None = None
    ) -> SmokeOutcome:
        """Run the smoke suite against one deployment of the given stack outputs; with ``baseline``, also
        on that deployment, and pass only when ``deployment`` does everything ``baseline`` does."""


@dataclass(frozen=True)
class PreflightOutcome:
    ok: bool
    blockers: tuple[str, ...] = ()
    report: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "blockers": list(self.blockers), "report": dict(self.report)}


class Preflight(Protocol):
    def check(self, values: Mapping[str, Any], stack: str) -> PreflightOutcome:
        """Would ``up`` with these ``imagegate:`` values succeed (quota, region, model, names)?"""


class NoPreflight:
    """``--skip-preflight``: records that the gate was skipped on purpose."""

    def check(self, values: Mapping[str, Any], stack: str) -> PreflightOutcome:
        return PreflightOutcome(ok=True, report={"skipped": True})


class Baker(Protocol):
    def bake(self, outputs: Mapping[str, Any], candidate: str, stable: str, percent: int) -> Any:
        """Let the alias's traffic run at ``percent`` and judge ``candidate`` against ``stable``: an
        object with ``passed``, ``summary`` and ``detail`` (``rollout.bake.BakeOutcome``)."""
