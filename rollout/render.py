"""What the rollout commands print: the plan before any change, and `status`'s journal table. Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rollout.journal import Journal
from rollout.plan import Plan


def _when(stamp: Any) -> str:
    if not isinstance(stamp, int | float):
        return "-"
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M:%S")


def render_status(journal: Journal) -> str:
    data = journal.data
    lines = [
        f"rollout of stack '{data.get('stack', '?')}': "
        f"{data.get('deployment', '?')} -> {data.get('target', '?')}",
        f"status: {journal.status}   started: {_when(data.get('startedAt'))}   "
        f"updated: {_when(data.get('updatedAt'))}",
    ]
    if data.get("outcome"):
        lines.append(f"outcome: {data['outcome']}")
    lines.append("")
    lines.append(f"{'when (UTC)':<19}  {'phase':<9}  {'step':<24}  {'status':<10}  detail")
    for event in journal.events:
        detail = str(event.get("detail") or "")
        if len(detail) > 60:
            detail = detail[:57] + "..."
        lines.append(
            f"{_when(event.get('at')):<19}  {event.get('phase', ''):<9}  {event.get('step', ''):<24}  "
            f"{event.get('status', ''):<10}  {detail}"
        )
    if not journal.events:
        lines.append("(no step has started yet)")
    lines.append(f"journal: {journal.path}")
    return "\n".join(lines)


def render_plan(plan: Plan) -> str:
    """The plan as the text printed before any change."""
    lines = [
        f"Rollout plan for stack '{plan.stack}' ({plan.strategy}):",
        f"  deployment : {plan.current.name}",
        f"  current    : {plan.current.model}@{plan.current.version} ({plan.current.sku}, capacity "
        f"{plan.current.capacity})",
        f"  target     : {plan.target_label} as {plan.target.name} ({plan.target.sku}, capacity "
        f"{plan.target.capacity})",
        f"  activeDeployment: {plan.active_before}"
        + (f" -> {plan.active_after}" if plan.active_after != plan.active_before else " (unchanged)"),
        "  quota needed during the rollout (extra capacity): "
        + ", ".join(f"{key} {value}" for key, value in plan.quota_needed.items()),
        "  steps:",
    ]
    lines += [f"    {i}. {step.name}: {step.description}" for i, step in enumerate(plan.steps)]
    if plan.traffic is not None:
        lines += render_schedule(plan.traffic)
    return "\n".join(lines)


def render_schedule(traffic: Any) -> list[str]:
    """A weighted canary's schedule: per step, each region's candidate load and the capacity it needs."""
    regions = list(traffic.get("regions") or [])
    lines = [
        f"  traffic: alias {traffic.get('alias')}, "
        f"weights {','.join(str(w) for w in traffic.get('weights', []))}"
        f" of {traffic.get('loadRpm', 0):g} requests a minute (the stable members' quota)",
        "    " + f"{'step':<6}" + "".join(f"{r:<24}" for r in regions),
    ]
    for step in traffic.get("quota") or []:
        cells = []
        for region in regions:
            need = (step.get("regions") or {}).get(region, {})
            cells.append(f"{need.get('rpm', 0):g} rpm, {need.get('capacity', 0)} units".ljust(24))
        lines.append("    " + f"{str(step.get('percent')) + '%':<6}" + "".join(cells))
    peak = traffic.get("peak") or {}
    capacity = traffic.get("candidateCapacity") or {}
    lines.append(
        "    candidate capacity (peak need): "
        + ", ".join(f"{r} {capacity.get(r, '?')} ({peak.get(r, '?')})" for r in regions)
    )
    return lines
