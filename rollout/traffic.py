"""The weight schedule of a traffic rollout: the candidate's share of an alias's pool, step by step.

Pure. ``parse_weights("10,50,100")`` reads the schedule (whole percentages, rising, ending at 100);
``pool_weights`` gives each pool member its API Management weight at one step (candidates share the step's
percentage, stable members the rest, each side split in proportion to the members' own weights, integers
summing to 100, which the Backend pool's ``weight`` (0-100) takes as is); ``quota_plan`` says how many
capacity units each region's candidate deployment needs at each step to carry its share of the alias's load,
and the most any step needs. The rollout command's wiring (journal, bake, gate) is built on these.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rollout.errors import UsageError

Role = Literal["stable", "candidate"]
MAX_STEPS = 10


@dataclass(frozen=True)
class WeightSchedule:
    """The candidate's share of the pool at each step, in percent; the last is 100."""

    steps: tuple[int, ...]

    def __str__(self) -> str:
        return ",".join(str(s) for s in self.steps)


@dataclass(frozen=True)
class PoolMember:
    """One (region, deployment) member of an alias's pool; ``weight`` is relative to its side's members."""

    region: str
    deployment: str
    role: Role
    weight: int = 1

    @property
    def label(self) -> str:
        return f"{self.region}/{self.deployment}"


@dataclass(frozen=True)
class MemberWeight:
    member: PoolMember
    weight: int  # the Backend pool item's weight at this step, 0-100


def parse_weights(text: str) -> WeightSchedule:
    """``"10,50,100"`` -> WeightSchedule((10, 50, 100)); UsageError names the bad value and the rule."""
    shape = "give whole percentages separated by commas, rising, ending at 100 (e.g. 10,50,100)"
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or any(not item for item in items):
        raise UsageError(f"--weights '{text}' has an empty step; {shape}.")
    steps: list[int] = []
    for item in items:
        if not item.isdigit():
            raise UsageError(f"--weights step '{item}' is not a whole percentage; {shape}.")
        value = int(item)
        if not 1 <= value <= 100:
            raise UsageError(f"--weights step {value} is outside 1 to 100; {shape}.")
        if steps and value <= steps[-1]:
            raise UsageError(f"--weights step {value} does not rise above {steps[-1]}; {shape}.")
        steps.append(value)
    if steps[-1] != 100:
        raise UsageError(f"--weights ends at {steps[-1]}, not 100; {shape}.")
    if len(steps) > MAX_STEPS:
        raise UsageError(f"--weights has {len(steps)} steps, more than {MAX_STEPS}; {shape}.")
    return WeightSchedule(tuple(steps))


def _split(total: int, members: Sequence[PoolMember]) -> list[int]:
    """``total`` shared in proportion to the members' weights, whole numbers (largest remainder first)."""
    if not members:
        return []
    weights = [max(0, m.weight) for m in members]
    if sum(weights) == 0:
        weights = [1] * len(members)
    exact = [total * w / sum(weights) for w in weights]
    shares = [math.floor(x) for x in exact]
    order = sorted(range(len(members)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def pool_weights(members: Sequence[PoolMember], candidate_percent: int) -> tuple[MemberWeight, ...]:
    """Every member's weight when the candidates carry ``candidate_percent`` of the alias's traffic."""
    if not 0 <= candidate_percent <= 100:
        raise ValueError(f"candidate_percent {candidate_percent} is outside 0 to 100")
    stable = [m for m in members if m.role == "stable"]
    candidates = [m for m in members if m.role == "candidate"]
    if not candidates:
        raise UsageError("The pool has no candidate member; add the candidate deployments before shifting.")
    if not stable and candidate_percent != 100:
        raise UsageError("The pool has no stable member to carry the rest of the traffic.")
    weights = dict(zip(candidates, _split(candidate_percent, candidates), strict=True))
    weights.update(zip(stable, _split(100 - candidate_percent, stable), strict=True))
    return tuple(MemberWeight(m, weights[m]) for m in members)


@dataclass(frozen=True)
class RegionNeed:
    region: str
    rpm: float  # requests a minute the region's candidate members carry at this step
    capacity: int  # capacity units the candidate deployments need for it (at least 1 each)


@dataclass(frozen=True)
class StepQuota:
    percent: int
    regions: tuple[RegionNeed, ...]


@dataclass(frozen=True)
class QuotaPlan:
    steps: tuple[StepQuota, ...]
    peak: Mapping[str, int]  # region -> the most candidate capacity any step needs

    def shortfalls(self, free: Mapping[str, int]) -> tuple[str, ...]:
        """One sentence per region whose free quota (capacity units) is below its peak need."""
        out = []
        for region, need in sorted(self.peak.items()):
            available = free.get(region, 0)
            if available < need:
                out.append(
                    f"{region} needs {need} capacity units for the candidate at its peak step but has "
                    f"{available} free; ask for {need - available} more, or plan for less load."
                )
        return tuple(out)


def quota_plan(
    schedule: WeightSchedule, members: Sequence[PoolMember], load_rpm: float, rpm_per_unit: float
) -> QuotaPlan:
    """Capacity each region's candidate deployments need at each step to carry ``load_rpm`` by weight.

    The stable deployments keep their capacity until the end (they carry the rest and are the rollback),
    so this is quota needed on top of theirs in the same region.
    """
    if load_rpm < 0 or rpm_per_unit <= 0:
        raise ValueError("load_rpm must be at least 0 and rpm_per_unit above 0")
    steps: list[StepQuota] = []
    peak: dict[str, int] = {}
    for percent in schedule.steps:
        by_region: dict[str, tuple[float, int]] = {}
        for item in pool_weights(members, percent):
            if item.member.role != "candidate":
                continue
            rpm = load_rpm * item.weight / 100
            units = max(1, math.ceil(round(rpm / rpm_per_unit, 9)))
            old_rpm, old_units = by_region.get(item.member.region, (0.0, 0))
            by_region[item.member.region] = (old_rpm + rpm, old_units + units)
        needs = tuple(RegionNeed(r, round(rpm, 3), units) for r, (rpm, units) in sorted(by_region.items()))
        for need in needs:
            peak[need.region] = max(peak.get(need.region, 0), need.capacity)
        steps.append(StepQuota(percent, needs))
    return QuotaPlan(tuple(steps), peak)
