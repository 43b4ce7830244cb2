"""The fleet plan as the terminal shows it: one line per wave, one per stack. Pure."""

from __future__ import annotations

from fleet.plan import FleetPlan

CHANGES = {"nothing": "nothing (already there)", "version": "a new version", "model": "a new model name"}


def render_plan(plan: FleetPlan) -> str:
    lines = [f"Fleet plan ({plan.source})" + (f" to {plan.target}" if plan.target else "")]
    for wave in plan.waves:
        lines.append(
            f"wave {wave.index} '{wave.name}': GitHub environment {wave.github_environment}, "
            f"up to {wave.max_parallel} at a time"
        )
        for stack in wave.stacks:
            change = f" -> {CHANGES[stack.change]}" if stack.change else ""
            lines.append(
                f"  {stack.stack} ({stack.environment}, {stack.location}, account {stack.account_name}): "
                f"{stack.deployment} serves {stack.current}{change}"
            )
    return "\n".join(lines)
