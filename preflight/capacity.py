"""The pool a stack asks for, in requests a minute, and capacity planning against free quota.

Pure: the inputs are data (the stack's planned capacities per region, the quota Azure reported per region,
the catalog's RPM per capacity unit) and the outputs are frozen records with their sentences.
Image models are granted requests a minute per capacity unit (Learn, "Azure OpenAI quotas and limits":
2 capacity units = 6 RPM), so a region's RPM is its capacity times the catalog's ``rpmPerCapacityUnit``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PoolRow:
    """One model+SKU in one region of the stack: the capacity it deploys and what that serves."""

    location: str
    model: str
    sku: str
    capacity: int
    rpm: float
    free: float  # the subscription's free quota there, counting what the stack already holds


@dataclass(frozen=True)
class Pool:
    rows: tuple[PoolRow, ...]
    rpm_per_unit: float

    def total_rpm(self, model: str, sku: str) -> float:
        return sum(r.rpm for r in self.rows if (r.model, r.sku) == (model, sku))

    def groups(self) -> tuple[tuple[str, str], ...]:
        return tuple(dict.fromkeys((r.model, r.sku) for r in self.rows))

    def short(self) -> tuple[PoolRow, ...]:
        """The rows whose capacity the region's free quota does not cover."""
        return tuple(r for r in self.rows if r.capacity > r.free)

    def lines(self) -> list[str]:
        """One line per model+SKU: RPM per region and in total."""
        lines = []
        for model, sku in self.groups():
            rows = [r for r in self.rows if (r.model, r.sku) == (model, sku)]
            parts = ", ".join(f"{r.rpm:g} RPM in {r.location} (capacity {r.capacity})" for r in rows)
            lines.append(
                f"pool: {model} {sku} {parts}; {self.total_rpm(model, sku):g} RPM in total "
                f"(1 capacity unit = {self.rpm_per_unit:g} RPM)."
            )
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "rpmPerCapacityUnit": self.rpm_per_unit,
            "regions": [
                {"location": r.location, "model": r.model, "sku": r.sku, "capacity": r.capacity,
                 "rpm": r.rpm, "freeQuota": r.free}
                for r in self.rows
            ],
            "total": [
                {"model": model, "sku": sku, "rpm": self.total_rpm(model, sku)}
                for model, sku in self.groups()
            ],
        }


def pool_row(location: str, model: str, sku: str, capacity: int, free: float, rpm_per_unit: float) -> PoolRow:
    return PoolRow(location, model, sku, capacity, capacity * rpm_per_unit, free)


@dataclass(frozen=True)
class RegionFree:
    """The free quota (capacity units) of one model+SKU in one region."""

    location: str
    free: int


@dataclass(frozen=True)
class Allocation:
    location: str
    capacity: int
    rpm: float


@dataclass(frozen=True)
class CapacityPlan:
    model: str
    sku: str
    need_rpm: int
    rpm_per_unit: float
    allocations: tuple[Allocation, ...]  # what the free quota gives, in the order the regions were given

    @property
    def capacity(self) -> int:
        return sum(a.capacity for a in self.allocations)

    @property
    def rpm(self) -> float:
        return sum(a.rpm for a in self.allocations)

    @property
    def reaches(self) -> bool:
        return self.rpm >= self.need_rpm

    @property
    def shortfall_rpm(self) -> float:
        return max(0.0, self.need_rpm - self.rpm)

    def sentence(self) -> str:
        what = f"{self.model} {self.sku}"
        if self.reaches:
            regions = ", ".join(f"{a.location} {a.capacity} ({a.rpm:g} RPM)" for a in self.allocations)
            return (
                f"capacity plan: {self.need_rpm} RPM of {what} fits the free quota with "
                f"{_units(self.capacity)} ({self.rpm:g} RPM): {regions}."
            )
        if not self.allocations:
            return (
                f"capacity plan: {self.need_rpm} RPM of {what} falls short by {self.shortfall_rpm:g} RPM: "
                "no region that offers it has free quota; request quota."
            )
        regions = ", ".join(f"{a.location} {a.capacity}" for a in self.allocations)
        return (
            f"capacity plan: {self.need_rpm} RPM of {what} falls short by {self.shortfall_rpm:g} RPM: "
            f"the free quota in every region that offers it is {_units(self.capacity)} ({self.rpm:g} RPM; "
            f"{regions}); request more quota."
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "sku": self.sku,
            "needRpm": self.need_rpm,
            "rpmPerCapacityUnit": self.rpm_per_unit,
            "reaches": self.reaches,
            "capacity": self.capacity,
            "rpm": self.rpm,
            "shortfallRpm": self.shortfall_rpm,
            "regions": [
                {"location": a.location, "capacity": a.capacity, "rpm": a.rpm} for a in self.allocations
            ],
            "message": self.sentence(),
        }


def plan_capacity(
    model: str, sku: str, free: Sequence[RegionFree], rpm_per_unit: float, need_rpm: int
) -> CapacityPlan:
    """The capacities, within each region's free quota, that reach ``need_rpm`` requests a minute.

    Regions are filled in the order given (the caller puts the stack's own regions first), each up to its
    free quota, the last one only as far as needed; regions with no free quota are left out. When the
    free quota of every region is not enough, the plan holds all of it and says how far it falls short.
    """
    units_needed = math.ceil(need_rpm / rpm_per_unit)
    allocations: list[Allocation] = []
    remaining = units_needed
    for region in free:
        if remaining <= 0:
            break
        take = min(max(region.free, 0), remaining)
        if take > 0:
            allocations.append(Allocation(region.location, take, take * rpm_per_unit))
            remaining -= take
    return CapacityPlan(model, sku, need_rpm, rpm_per_unit, tuple(allocations))


def _units(count: int) -> str:
    return f"{count} capacity unit{'' if count == 1 else 's'}"
