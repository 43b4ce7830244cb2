"""The real smoke and preflight gates behind the ``Smoker`` / ``Preflight`` seams.

``LibrarySmoker`` calls the smoke library (``smoke.run_smoke``) on one deployment of the stack outputs.
``ScriptPreflight`` runs ``scripts/preflight.py`` on the config the rollout is about to write (its CLI and
exit codes are the contract), so the rollout judges exactly what `up` will be asked to do.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rollout.ports import PreflightOutcome, SmokeOutcome
from rollout.stack_file import render_stack_file

PREFLIGHT_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "preflight.py"
PREFLIGHT_TIMEOUT_S = 300


class LibrarySmoker:
    def __init__(self, options: Any) -> None:
        self.options = options  # a smoke.SmokeOptions

    def smoke(self, outputs: Mapping[str, Any], deployment: str) -> SmokeOutcome:
        from smoke import (
            SmokeError,
            check_to_dict,
            report_to_dict,
            run_smoke,
            select_deployments,
            targets_from_outputs,
            totals_line,
        )

        try:
            targets = select_deployments(targets_from_outputs(outputs, "the stack outputs"), [deployment])
            report = run_smoke(targets, self.options)
        except SmokeError as exc:
            return SmokeOutcome(deployment=deployment, passed=False, summary=str(exc))
        checks = tuple(
            {
                "check": c.check,
                "status": c.status.value,
                "message": c.failure.message if c.failure else (c.skip_reason or ""),
            }
            for c in report.checks
        )
        detail = "; ".join(f"{c['check']}: {c['message']}" for c in checks if c["status"] == "failed")
        summary = totals_line(report) + (f" ({detail})" if detail else "")
        return SmokeOutcome(
            deployment=deployment,
            passed=report.passed,
            summary=summary,
            checks=checks,
            report={**report_to_dict(report), "checks": [check_to_dict(c) for c in report.checks]},
        )


class ScriptPreflight:
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
                str(PREFLIGHT_SCRIPT),
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
                proc = subprocess.run(
                    command, capture_output=True, text=True, timeout=PREFLIGHT_TIMEOUT_S, check=False
                )
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
