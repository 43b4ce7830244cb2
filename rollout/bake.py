"""A bake step of a weighted canary: let the alias's real traffic run, read the window, judge.

``MetricsBaker.bake`` waits ``bake_seconds``, or until both sides served ``bake_requests`` (polling Azure
Monitor, up to ``bake_timeout``), reads the window's figures of every pool member's account
(``rollout.monitor_metrics.read_window``), and judges the candidate members against the stable ones
(``rollout.metrics_gate.judge_traffic``). With too little traffic when the wait is over, the prompt-suite
smoke runs on each candidate directly instead (the fallback), and decides.

Windows are whole minutes (Azure Monitor's grain): a window starts at the minute the bake began, so it can
hold up to a minute of the step before. ``regional_outputs`` gives the smoke one region's account.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rollout.metrics_gate import TrafficDecision, TrafficPolicy, WindowFigures, combine, judge_traffic
from rollout.monitor_metrics import read_window
from rollout.ports import Smoker

POLL_S = 2.0


@dataclass(frozen=True)
class BakeOutcome:
    passed: bool
    summary: str  # the gate's sentences (or the fallback's), one line
    detail: Mapping[str, Any] = field(default_factory=dict)  # for the journal and the reports


def _members(outputs: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    aliases = (outputs.get("gateway") or {}).get("aliases") or {}
    return [m for alias in aliases.values() for m in alias.get("members") or []]


def regional_outputs(outputs: Mapping[str, Any], region: str | None, *deployments: str) -> dict[str, Any]:
    """``outputs`` aimed at ``region``'s account (its endpoint from the gateway's members) with only
    ``deployments`` listed, so the smoke calls them in that region directly."""
    out = dict(outputs)
    endpoint = next(
        (m.get("endpoint") for m in _members(outputs) if m.get("region") == region and m.get("endpoint")),
        None,
    )
    if region is None or endpoint is None:
        return out
    out["endpoint"] = endpoint
    listed = outputs.get("deployments") or {}
    out["deployments"] = {name: listed[name] for name in deployments if name in listed}
    return out


def account_ids(outputs: Mapping[str, Any]) -> dict[str, str]:
    """region -> the ARM id of its account, from the gateway's members in the stack outputs."""
    sub, group = outputs.get("subscriptionId"), outputs.get("resourceGroupName")
    return {
        str(m["region"]): (
            f"/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.CognitiveServices/accounts/{m['account']}"
        )
        for m in _members(outputs)
        if m.get("account")
    }


def figures_to_dict(figures: WindowFigures) -> dict[str, Any]:
    return {
        "requests": figures.requests,
        "throttled": figures.throttled,
        "serverErrors": figures.server_errors,
        "p95Ms": figures.p95_ms,
    }


class MetricsBaker:
    def __init__(
        self,
        client: Any,
        *,
        bake_seconds: float | None,
        bake_requests: int | None,
        bake_timeout: float,
        policy: TrafficPolicy,
        smoker: Smoker | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        log: Callable[[str], None] = print,
    ) -> None:
        self.client = client  # an azure-mgmt-monitor MonitorManagementClient
        self.bake_seconds = bake_seconds
        self.bake_requests = bake_requests
        self.bake_timeout = bake_timeout
        self.policy = policy
        self.smoker = smoker
        self.sleep = sleep
        self.clock = clock
        self.log = log

    def _window(
        self, outputs: Mapping[str, Any], candidate: str, stable: str, start: float
    ) -> tuple[WindowFigures, WindowFigures, dict[str, Any]]:
        begin = datetime.fromtimestamp(math.floor(start / 60) * 60, UTC)
        end = datetime.fromtimestamp(math.floor(self.clock() / 60) * 60 + 60, UTC)
        cands: list[WindowFigures] = []
        stables: list[WindowFigures] = []
        members: dict[str, Any] = {}
        for region, account_id in sorted(account_ids(outputs).items()):
            figures = read_window(self.client, account_id, begin, end)
            for name, side in ((candidate, cands), (stable, stables)):
                if name in figures:
                    side.append(figures[name])
                    members[f"{region}/{name}"] = figures_to_dict(figures[name])
        window = {"start": begin.isoformat(), "end": end.isoformat(), "members": members}
        return combine(cands), combine(stables), window

    def bake(self, outputs: Mapping[str, Any], candidate: str, stable: str, percent: int) -> BakeOutcome:
        start = self.clock()
        if self.bake_seconds is not None:
            self.sleep(self.bake_seconds)
            cand, stab, window = self._window(outputs, candidate, stable, start)
        else:
            wanted = self.bake_requests or self.policy.min_requests
            while True:
                cand, stab, window = self._window(outputs, candidate, stable, start)
                if min(cand.requests, stab.requests) >= wanted or self.clock() - start >= self.bake_timeout:
                    break
                self.sleep(POLL_S)
        decision = judge_traffic(cand, stab, self.policy)
        detail = {
            "percent": percent,
            "verdict": decision.verdict,
            "reasons": list(decision.reasons),
            "candidate": figures_to_dict(decision.candidate),
            "stable": figures_to_dict(decision.stable),
            "window": window,
            "bakeSeconds": round(self.clock() - start, 3),
        }
        if decision.verdict == "not-enough-traffic":
            return self._fallback(outputs, candidate, decision, detail)
        text = "; ".join(decision.reasons)
        if decision.passed:
            return BakeOutcome(True, f"traffic gate passed at {percent}%: {text}", detail)
        return BakeOutcome(False, f"traffic gate failed at {percent}%: {text}", detail)

    def _fallback(
        self, outputs: Mapping[str, Any], candidate: str, decision: TrafficDecision, detail: dict[str, Any]
    ) -> BakeOutcome:
        short = "; ".join(decision.reasons)
        if self.smoker is None:
            return BakeOutcome(False, f"not enough traffic to judge ({short})", detail)
        self.log(f"  not enough traffic to judge ({short}); smoking each candidate instead")
        failures = []
        regions = sorted({str(m["region"]) for m in _members(outputs) if m.get("deployment") == candidate})
        for region in regions:
            outcome = self.smoker.smoke(regional_outputs(outputs, region, candidate), candidate)
            if not outcome.passed:
                failures.append(f"{region}: {outcome.summary}")
        detail = {**detail, "fallback": "smoke", "fallbackFailures": failures}
        if failures:
            return BakeOutcome(
                False, f"not enough traffic ({short}) and smoke failed: {'; '.join(failures)}", detail
            )
        return BakeOutcome(
            True, f"not enough traffic ({short}); smoke of each candidate passed instead", detail
        )
