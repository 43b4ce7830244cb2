"""The real smoke and preflight gates behind the ``Smoker`` / ``Preflight`` seams.

``LibrarySmoker`` calls the smoke library (``smoke.run_smoke``) on one deployment of the stack outputs.
``CommandPreflight`` runs ``imagegate preflight`` (as ``python -P -m imagegate``: an installed package needs
no source tree) on the config the rollout is about to write (its CLI and exit codes are the contract), so
the rollout judges exactly what `up` will be asked to do.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lifecycle import children
from lifecycle.waits import SILENT, WaitListener
from rollout.ports import PreflightOutcome, SmokeOutcome
from rollout.regression_gate import GateDecision, GatePolicy, compare
from rollout.stack_file import render_stack_file

PREFLIGHT_TIMEOUT_S = 300


@dataclass(frozen=True)
class SmokeEvidence:
    """What one smoke step saw, images included, kept in memory for the rollout's HTML report."""

    run_id: str
    deployment: str
    baseline: str | None
    report: Any  # a smoke.SmokeReport
    decision: GateDecision | None = None


class LibrarySmoker:
    """Runs the smoke library: the built-in checks, or a prompt suite; with a baseline, the regression gate.

    With a suite, a smoke step before promotion runs it on the candidate and on the baseline (the
    deployment still serving) in one run and passes only when ``regression_gate.compare`` does; later
    smoke steps must pass every case the baseline passed (every case when no comparison ran here).
    """

    def __init__(
        self,
        options: Any,
        *,
        suite: Any = None,
        policy: GatePolicy | None = None,
        capabilities_of: Callable[[str], Any] | None = None,
        waits: WaitListener = SILENT,
    ) -> None:
        self.options = options  # a smoke.SmokeOptions
        self.suite = suite  # a smoke.Suite, or None for the built-in checks
        self.policy = policy or GatePolicy()
        self.capabilities_of = capabilities_of
        self.waits = waits
        self.evidence: dict[str, SmokeEvidence] = {}
        self._baseline_passed: set[str] | None = None

    def _run(self, targets: list[Any]) -> Any:
        from smoke import InputError, run_smoke, run_suite, suite_problems

        if self.suite is None:
            return run_smoke(targets, self.options, waits=self.waits)
        if self.capabilities_of is not None:
            problems = suite_problems(self.suite, targets, self.capabilities_of)
            if problems:
                raise InputError("the suite asks for what the model cannot do: " + " ".join(problems))
        return run_suite(targets, self.suite, self.options, waits=self.waits)

    def smoke(
        self, outputs: Mapping[str, Any], deployment: str, *, baseline: str | None = None
    ) -> SmokeOutcome:
        from smoke import (
            SmokeError,
            SmokeReport,
            report_to_dict,
            select_deployments,
            targets_from_outputs,
            totals_line,
        )

        compare_with = baseline if self.suite is not None else None
        try:
            names = [deployment, *([compare_with] if compare_with else [])]
            targets = select_deployments(targets_from_outputs(outputs, "the stack outputs"), names)
            report = self._run(targets)
        except SmokeError as exc:
            return SmokeOutcome(deployment=deployment, passed=False, summary=str(exc))
        run_id = uuid.uuid4().hex[:12]
        mine = [c for c in report.checks if c.target.deployment == deployment]
        decision = None
        if compare_with:
            theirs = [c for c in report.checks if c.target.deployment == compare_with]
            decision = compare(theirs, mine, self.policy)
            self._baseline_passed = {c.check for c in theirs if c.status.value == "passed"}
            passed, summary = decision.passed, gate_summary(deployment, compare_with, decision)
        else:
            passed, summary = self._verdict(mine)
        self.evidence[run_id] = SmokeEvidence(run_id, deployment, compare_with, report, decision)
        checks = tuple(
            {
                "check": c.check,
                "status": c.status.value,
                "message": c.failure.message if c.failure else (c.skip_reason or ""),
            }
            for c in mine
        )
        return SmokeOutcome(
            deployment=deployment,
            passed=passed,
            summary=summary,
            # The counts alone, for the closing lines that must not repeat the failure's text.
            totals=totals_line(SmokeReport(0.0, 0.0, tuple(mine))) if decision is None else "",
            checks=checks,
            report=report_to_dict(report),
            baseline=compare_with,
            gate=decision.to_dict() if decision is not None else None,
            run_id=run_id,
        )

    def _verdict(self, mine: list[Any]) -> tuple[bool, str]:
        from smoke import SmokeReport, totals_line

        failed = [c for c in mine if c.status.value == "failed"]
        required = self._baseline_passed if self.suite is not None else None
        blocking = [c for c in failed if required is None or c.check in required]
        detail = "; ".join(f"{c.check}: {c.failure.message}" for c in failed if c.failure)
        line = totals_line(SmokeReport(0.0, 0.0, tuple(mine)))
        if failed and not blocking:
            return True, f"{line} (only cases the baseline failed too: {detail})"
        return not blocking, line + (f" ({detail})" if detail else "")


def gate_summary(deployment: str, baseline: str, decision: GateDecision) -> str:
    stable = f"{decision.stable_p95_s:.2f} s" if decision.stable_p95_s is not None else "-"
    candidate = f"{decision.candidate_p95_s:.2f} s" if decision.candidate_p95_s is not None else "-"
    latency = f"p95 latency {candidate} vs {stable}"
    if decision.passed:
        return f"{deployment} passes every case {baseline} passes; {latency}"
    return f"{deployment} regressed against {baseline}: {'; '.join(decision.reasons)}"


class CommandPreflight:
    def __init__(
        self,
        config_file: Path,
        *,
        arm_endpoint: str | None = None,
        ca_bundle: str | None = None,
        subscription_id: str | None = None,
        python: str = sys.executable,
    ) -> None:
        self.config_file = config_file
        self.arm_endpoint = arm_endpoint
        self.ca_bundle = ca_bundle
        self.subscription_id = subscription_id
        self.python = python

    def check(self, values: Mapping[str, Any], stack: str) -> PreflightOutcome:
        with tempfile.TemporaryDirectory(prefix="imagegate-rollout-preflight-") as scratch:
            config = Path(scratch) / f"Pulumi.{stack}.yaml"
            config.write_text(render_stack_file(self.config_file.read_text(encoding="utf-8"), values))
            report_path = Path(scratch) / "preflight.json"
            command = [
                self.python,
                "-P",  # the current folder stays off the import path: the installed imagegate runs
                "-m",
                "imagegate",
                "preflight",
                "--stack",
                stack,
                "--config",
                str(config),
                "--json",
                str(report_path),
            ]
            for flag, value in (
                ("--arm-endpoint", self.arm_endpoint),
                ("--ca-bundle", self.ca_bundle),
                ("--subscription-id", self.subscription_id),
            ):
                if value:
                    command += [flag, value]
            try:
                # A child that is stopped with the rollout and dies with it (see lifecycle.children).
                proc = children.run(command, timeout_s=PREFLIGHT_TIMEOUT_S)
            except (OSError, subprocess.TimeoutExpired) as exc:
                return PreflightOutcome(ok=False, blockers=(f"preflight did not run: {exc}",))
            report = json.loads(report_path.read_text()) if report_path.exists() else {}
        if proc.returncode == 0:
            return PreflightOutcome(ok=True, report=report)
        blockers = tuple(
            f"{f.get('deployment') or 'account'}: {f['message']}"
            for f in report.get("findings", ())
            if f.get("severity") == "blocker"
        )
        if not blockers:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            last = lines[-1] if lines else f"exit {proc.returncode}"
            blockers = (f"preflight could not judge: {last if len(last) <= 300 else last[:297] + '...'}",)
        return PreflightOutcome(ok=False, blockers=blockers, report=report)
