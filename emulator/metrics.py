"""What the data plane served, per account, kept as Azure Monitor keeps platform metrics: one-minute cells.

Each answer of an image route on a known deployment adds one sample to the cell of its account (subdomain),
minute, and dimensions (ModelDeploymentName, ModelName, ModelVersion, StatusCode): a request count and the
time to response (request start to the first byte of the answer, in milliseconds) as count/sum/min/max.
Bounded: cells older than ``retention_minutes`` are dropped, and at most ``max_cells`` are kept (the oldest
minute goes first). ``emulator.arm.metrics`` answers the Microsoft.Insights metrics API from it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MINUTE = 60


@dataclass(frozen=True)
class Dimensions:
    deployment: str
    model: str
    version: str
    status: int


@dataclass
class Cell:
    """One minute of one dimension combination: what Azure's MetricValue aggregates are computed from."""

    count: int = 0
    total_ms: float = 0.0
    minimum_ms: float = float("inf")
    maximum_ms: float = 0.0

    def add(self, latency_ms: float) -> None:
        self.count += 1
        self.total_ms += latency_ms
        self.minimum_ms = min(self.minimum_ms, latency_ms)
        self.maximum_ms = max(self.maximum_ms, latency_ms)

    def merge(self, other: Cell) -> None:
        self.count += other.count
        self.total_ms += other.total_ms
        self.minimum_ms = min(self.minimum_ms, other.minimum_ms)
        self.maximum_ms = max(self.maximum_ms, other.maximum_ms)


@dataclass(frozen=True)
class Sample:
    """One cell as read back: its minute (epoch seconds, a multiple of 60), dimensions and figures."""

    minute: int
    dimensions: Dimensions
    count: int
    total_ms: float
    minimum_ms: float
    maximum_ms: float


@dataclass
class MetricsStore:
    retention_minutes: int = 24 * 60
    max_cells: int = 50_000
    clock: Callable[[], float] = field(default=time.time)
    # subdomain -> minute -> dimensions -> cell
    _cells: dict[str, dict[int, dict[Dimensions, Cell]]] = field(default_factory=dict)
    _size: int = 0
    _trimmed_at: int = -1  # the minute of the last retention sweep: one sweep a minute, not one a request
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, subdomain: str, dimensions: Dimensions, latency_ms: float, at: float) -> None:
        minute = int(at // MINUTE) * MINUTE
        with self._lock:
            minutes = self._cells.setdefault(subdomain.lower(), {})
            cells = minutes.setdefault(minute, {})
            cell = cells.get(dimensions)
            if cell is None:
                cell = cells[dimensions] = Cell()
                self._size += 1
            cell.add(max(0.0, latency_ms))
            self._trim(at)

    def samples(self, subdomain: str, start: float, end: float) -> list[Sample]:
        """Cells of one account whose minute starts in [start, end), oldest first."""
        with self._lock:
            self._trim(self.clock())
            minutes = self._cells.get(subdomain.lower(), {})
            return [
                Sample(minute, dims, c.count, c.total_ms, c.minimum_ms, c.maximum_ms)
                for minute in sorted(minutes)
                if start <= minute < end
                for dims, c in minutes[minute].items()
            ]

    def clear(self) -> None:
        with self._lock:
            self._cells.clear()
            self._size = 0

    def _trim(self, now: float) -> None:
        current = int(now // MINUTE) * MINUTE
        if current != self._trimmed_at:
            self._trimmed_at = current
            oldest = current - self.retention_minutes * MINUTE
            for minutes in self._cells.values():
                for minute in [m for m in minutes if m < oldest]:
                    self._size -= len(minutes.pop(minute))
        while self._size > self.max_cells:
            subdomain, minute = min(
                ((s, min(ms)) for s, ms in self._cells.items() if ms), key=lambda pair: pair[1]
            )
            self._size -= len(self._cells[subdomain].pop(minute))
